/* The offers map: the project's own basemap (frontend/js/basemap.js), the facilities of the search as vector
   tiles (grouped at low zoom), a card in the side panel when a facility is clicked or chosen by keyboard in
   the list, "search this area", and the commune autocomplete of the "near" field. Nothing leaves the site. */
(function () {
  "use strict";
  const container = document.getElementById("map");
  const form = document.getElementById("offers-form");
  if (!container || !form) return;
  const data = container.dataset;
  const card = document.getElementById("facility-card");
  const TILES = data.tilesUrl.replace(/\/0\/0\/0\.mvt$/, "/{z}/{x}/{y}.mvt");
  const DETAIL = data.facilityUrl.replace(/0$/, "");
  const WEEKDAYS = (data.weekdays || "").split(",");

  // ---- The commune autocomplete (offline: the project's own commune search) -----------------------------
  const place = document.getElementById("id_place");
  const options = document.getElementById("commune-options");
  let timer = null;
  if (place && options) {
    place.addEventListener("input", function () {
      clearTimeout(timer);
      const query = place.value.trim();
      if (query.length < 2) return;
      timer = setTimeout(function () {
        fetch(data.communesUrl + "?q=" + encodeURIComponent(query))
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) {
            options.replaceChildren();
            body.items.forEach(function (c) {
              const option = document.createElement("option");
              option.value = c.name + " (" + c.departement.code + ")";
              options.append(option);
            });
          });
      }, 200);
    });
  }

  if (!window.maplibregl) return;

  function boundsOf(text) {
    const b = (text || "").split(",").map(Number);
    return b.length === 4 && b.every(isFinite) ? [[b[0], b[1]], [b[2], b[3]]] : null;
  }

  const map = reciproqueBasemap(container, {
    bounds: boundsOf(data.bbox) || undefined,
    label: container.getAttribute("aria-label"),
    onReady: function (map) {
      const query = data.query ? "?" + data.query : "";
      map.addSource("facilities", { type: "vector", tiles: [window.location.origin + TILES + query], minzoom: 0, maxzoom: 16 });
      map.addLayer({ id: "clusters", type: "circle", source: "facilities", "source-layer": "clusters",
        paint: {
          "circle-color": "#14532d", "circle-opacity": 0.8, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 6, 10, 10, 100, 16, 1000, 24],
        } });
      map.addLayer({ id: "facilities", type: "circle", source: "facilities", "source-layer": "facilities",
        paint: { "circle-color": "#7c2d12", "circle-radius": 7, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
      const centre = (data.centre || "").split(",").map(Number);
      if (!data.bbox && centre.length === 2 && centre.every(isFinite)) map.jumpTo({ center: centre, zoom: 10 });
      document.getElementById("map-tools").hidden = false;
    },
  });
  window.reciproqueOffersMap = map;

  function text(tag, value, className) {
    const element = document.createElement(tag);
    element.textContent = value;
    if (className) element.className = className;
    return element;
  }

  function showCard(id) {
    fetch(DETAIL + encodeURIComponent(id)).then(function (r) { return r.ok ? r.json() : null; }).then(function (f) {
      if (!f) return;
      card.replaceChildren();
      const title = document.createElement("h3");
      const link = text("a", f.name);
      link.href = "/offres/equipements/" + f.id + "/";
      title.append(link);
      card.append(title, text("p", f.category_label + " — " + f.commune.name + " (" + f.departement.code + ")"));
      if (f.address) card.append(text("p", f.address));
      const days = {};
      f.opening_hours.forEach(function (h) { (days[h.weekday] = days[h.weekday] || []).push(h.opens + "–" + h.closes); });
      const hours = Object.keys(days).map(function (d) { return WEEKDAYS[d - 1] + " " + days[d].join(", "); });
      if (hours.length) card.append(text("p", hours.join(" · "), "hint"));
      card.hidden = false;
      card.dataset.id = f.id;
    });
  }

  map.on("click", "facilities", function (event) {
    const feature = event.features && event.features[0];
    if (feature) showCard(feature.properties.id);
  });
  map.on("click", "clusters", function (event) {
    map.easeTo({ center: event.lngLat, zoom: map.getZoom() + 2 });
  });
  ["facilities", "clusters"].forEach(function (layer) {
    map.on("mouseenter", layer, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, function () { map.getCanvas().style.cursor = ""; });
  });

  // ---- Search this area -----------------------------------------------------------------------------------
  const areaButton = document.getElementById("search-area");
  map.on("moveend", function (event) { if (event.originalEvent) areaButton.hidden = false; });
  areaButton.addEventListener("click", function () {
    const b = map.getBounds();
    const round = function (v) { return Math.round(v * 10000) / 10000; };
    document.getElementById("bbox").value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(round).join(",");
    if (place) place.value = "";  // the area replaces the commune
    form.submit();
  });
})();
