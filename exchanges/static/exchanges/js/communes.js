/* The editor's offline commune autocomplete: an input whose datalist is fed by /api/v1/geo/communes (the
   input's data-url), labelled as "Grenoble (38)".

     reciproqueCommunes(input, datalist, onPick, onOther)

   onPick({code, name, label, lon, lat}) runs when the value becomes one of the suggestions (picked from the
   list or typed in full); onOther() when the value changes to anything else. */
(function () {
  "use strict";
  window.reciproqueCommunes = function (input, datalist, onPick, onOther) {
    let found = {};
    let timer = null;
    input.addEventListener("input", function () {
      const chosen = found[input.value];
      if (chosen) { onPick(chosen); return; }
      if (onOther) onOther();
      clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < 2) return;
      timer = setTimeout(function () {
        fetch(input.dataset.url + "?q=" + encodeURIComponent(query))
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            found = {};
            datalist.replaceChildren();
            data.items.forEach(function (c) {
              const label = c.name + " (" + c.departement.code + ")";
              found[label] = { code: c.code, name: c.name, label: label, lon: c.location.lon, lat: c.location.lat };
              const option = document.createElement("option");
              option.value = label;
              datalist.append(option);
            });
          });
      }, 200);
    });
  };
})();
