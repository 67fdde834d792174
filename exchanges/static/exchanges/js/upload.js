/* Photo upload with a progress bar: the file goes to the API (the same checks), the page then reloads.
   Without JavaScript the form posts to the page, which does the same. */
(function () {
  "use strict";
  const csrf = (document.cookie.match(/(?:^|;\s*)(?:__Host-)?csrftoken=([^;]+)/) || [])[1];
  document.querySelectorAll("form.photo-upload").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      const input = form.querySelector("input[type=file]");
      if (!input.files.length || !window.FormData) return;
      event.preventDefault();
      const bar = form.querySelector("progress"), status = form.querySelector(".upload-status");
      const data = new FormData();
      data.append("photo", input.files[0]);
      const request = new XMLHttpRequest();
      request.open("POST", form.dataset.api);
      request.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrfmiddlewaretoken]").value || csrf);
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        if (request.status === 201) { window.location.reload(); return; }
        let message = request.statusText;
        try { message = JSON.parse(request.responseText).detail.errors[0].message; } catch (e) {
          try { message = JSON.parse(request.responseText).message; } catch (e2) { /* keep the status text */ }
        }
        bar.hidden = true;
        status.textContent = message;
      });
      request.addEventListener("error", function () { bar.hidden = true; status.textContent = request.statusText || "⚠"; });
      request.send(data);
    });
  });
})();
