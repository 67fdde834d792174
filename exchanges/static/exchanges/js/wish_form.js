/* "Mon logement", the wish form of each home: the commune picker (communes.js) adds checked boxes to the
   chosen communes; the map (draw.js) fills the hidden fields `area` (a GeoJSON Polygon) and `center`
   ("lon,lat"), the radius stays a number input (km) with a range beside it; the centre can also be a commune.
   Without JavaScript, or without the map, the territory and commune fields and the centre's commune work alone. */
(function () {
  "use strict";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) { return key in values ? values[key] : match; });
  }
  function kilometres(metres) { return String(Math.round(metres / 100) / 10).replace(".", document.documentElement.lang === "fr" ? "," : "."); }

  function communePicker(form) {
    const input = form.querySelector("input[name=commune_search]");
    const list = form.querySelector(".chosen-communes");
    const status = form.querySelector(".commune-status");
    reciproqueCommunes(input, document.getElementById(input.getAttribute("list")), function (commune) {
      const present = list.querySelector("input[value='" + commune.code + "']");
      if (present) {
        present.checked = true;
      } else {
        const item = document.createElement("li");
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = "communes";
        box.value = commune.code;
        box.checked = true;
        label.append(box, " " + commune.label);
        item.append(label);
        list.append(item);
      }
      input.value = "";
      status.textContent = format(status.dataset.addedText, { commune: commune.label });
    });
  }

  function drawingTools(form) {
    const tools = form.querySelector(".draw-tools");
    const texts = tools.dataset;
    const area = form.querySelector("input[name=area]");
    const center = form.querySelector("input[name=center]");
    const centerCommune = form.querySelector("input[name=center_commune]");
    const radius = form.querySelector("input[name=radius_km]");
    const rangeBox = form.querySelector(".radius-range");
    const range = rangeBox.querySelector("input");
    const status = tools.querySelector(".draw-status");
    const container = tools.querySelector(".map-draw");
    tools.hidden = false;
    rangeBox.hidden = false;

    function radiusMetres() {
      const km = Number(radius.value);
      return radius.value !== "" && km >= 0.1 && km <= 200 ? km * 1000 : null;
    }
    if (radiusMetres()) range.value = Math.min(200, Math.max(1, Math.round(Number(radius.value))));

    function onChange(drawing, what, how) {
      const polygon = drawing.area();
      area.value = polygon ? JSON.stringify(polygon) : "";
      center.value = drawing.center ? drawing.center[0].toFixed(6) + "," + drawing.center[1].toFixed(6) : "";
      if (what === "circle" && how === "map") centerCommune.value = "";
      const n = drawing.vertices.length;
      let text = "";
      if (what === "points") text = format(texts.textPoints, { n: n }) + (n < 3 ? " " + texts.textFew : "");
      else if (what === "few") text = texts.textFew;
      else if (what === "done") text = format(texts.textDone, { n: n });
      else if (what === "closed") text = texts.textClosed;
      else if (what === "cleared") text = texts.textCleared;
      else if (what === "circle" || what === "radius") text = format(texts.textCircle, { km: kilometres(drawing.radius) });
      else if (what === "circle-cleared" && how !== "typing") text = texts.textCircleCleared;
      if (drawing.crosses() && (what === "points" || what === "done")) text += " " + texts.textCrossing;
      status.textContent = text;
    }

    // The radius and the centre's commune work before the map exists (and without it: the server reads them).
    let drawing = null;
    function radiusChanged() {
      const metres = radiusMetres();
      if (metres && drawing) drawing.setRadius(metres);
    }
    radius.addEventListener("input", function () {
      if (radiusMetres()) range.value = Math.min(200, Math.max(1, Math.round(Number(radius.value))));
      radiusChanged();
    });
    range.addEventListener("input", function () { radius.value = range.value; radiusChanged(); });
    reciproqueCommunes(centerCommune, document.getElementById(centerCommune.getAttribute("list")),
      function (commune) {
        center.value = commune.lon.toFixed(6) + "," + commune.lat.toFixed(6);
        if (!drawing) return;
        drawing.setCenter([commune.lon, commune.lat], "commune");
        const map = form.reciproqueMap;
        map.flyTo({ center: [commune.lon, commune.lat], zoom: Math.min(Math.max(map.getZoom(), 7), 9) });
      },
      function () {
        center.value = "";
        if (drawing && drawing.center) drawing.clearCircle("typing");
      });

    reciproqueWhenVisible(container, function () {
      form.reciproqueMap = reciproqueBasemap(container, {
        source: tools,
        label: container.dataset.label,
        doubleClickZoom: false,  // quick clicks add vertices, they do not zoom
        onReady: ready,
      });
    });

    function ready(map) {
      drawing = new ReciproqueDraw.Drawing(map, { radius: radiusMetres() || 20000, onChange: onChange });
      form.reciproqueDrawing = drawing;
      let posted = null;
      try { posted = area.value ? JSON.parse(area.value) : null; } catch (error) { posted = null; }
      const point = center.value.split(",").map(Number);
      drawing.load(posted, center.value && point.length === 2 && point.every(isFinite) ? point : null);
      const shown = drawing.vertices.concat(drawing.center ? [drawing.center] : []);
      if (shown.length) {
        const bounds = new maplibregl.LngLatBounds(shown[0], shown[0]);
        shown.forEach(function (p) { bounds.extend(p); });
        map.fitBounds(bounds, { padding: 60, maxZoom: 9, duration: 0 });
      }
      form.querySelectorAll("input[name=draw_mode]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          if (!radio.checked) return;
          drawing.setMode(radio.value);
          tools.querySelectorAll("[data-mode]").forEach(function (button) { button.hidden = button.dataset.mode !== radio.value; });
        });
      });
      const actions = {
        here: function () { const c = map.getCenter(); drawing.click([c.lng, c.lat]); },
        finish: function () { drawing.finish(); },
        undo: function () { drawing.undo(); },
        clear: function () { drawing.clear(); },
        "clear-circle": function () { drawing.clearCircle(); centerCommune.value = ""; },
      };
      tools.querySelectorAll("[data-draw]").forEach(function (button) {
        button.addEventListener("click", actions[button.dataset.draw]);
      });
    }
  }

  document.querySelectorAll("form.wish-form").forEach(function (form) {
    if (window.reciproqueCommunes) communePicker(form);
    if (window.maplibregl && window.ReciproqueDraw && window.reciproqueBasemap) drawingTools(form);
  });
})();
