// The import's upload form: the file goes up with a progress bar (XMLHttpRequest's upload events), then the
// page the server redirected to is shown; a refusal replaces the form with the server's, which explains it.
// Without JavaScript the form posts as usual.
(function () {
  "use strict";

  function bind(form) {
    form.addEventListener("submit", function (event) {
      const input = form.querySelector("input[type=file]");
      if (!input || !input.files.length) return; // the server names the missing file
      event.preventDefault();
      const line = form.querySelector("#upload-progress-line");
      const bar = form.querySelector("#upload-progress");
      const text = form.querySelector("#upload-progress-text");
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        const percent = Math.round((100 * e.loaded) / e.total);
        bar.value = percent;
        bar.textContent = percent + " %";
        text.textContent = percent + " %";
      });
      request.addEventListener("load", function () {
        if (request.status < 400 && request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
          return;
        }
        const fresh = new DOMParser()
          .parseFromString(request.responseText, "text/html")
          .getElementById("import-upload");
        if (!fresh) {
          window.location.reload();
          return;
        }
        form.replaceWith(fresh);
        bind(fresh);
        const errors = fresh.querySelector("[role=alert], .errorlist");
        if (errors) {
          errors.setAttribute("tabindex", "-1");
          errors.focus();
        }
      });
      request.addEventListener("error", function () {
        window.location.reload();
      });
      line.hidden = false;
      form.querySelector("button[type=submit]").disabled = true;
      request.send(new FormData(form));
    });
  }

  const form = document.getElementById("import-upload");
  if (form && window.XMLHttpRequest && window.DOMParser) bind(form);
})();
