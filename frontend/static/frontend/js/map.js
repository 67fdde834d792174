/* The national map: régions and départements drawn from the project's own GeoJSON, no remote source. */
(function () {
  "use strict";
  const container = document.getElementById("map");
  if (!container || !window.maplibregl) return;
  const select = document.getElementById("departement-select");
  const selection = document.getElementById("selection");
  const labelCode = document.getElementById("label-code").textContent;
  const labelRegion = document.getElementById("label-region").textContent;
  const METRO = [[-5.5, 41.2], [9.8, 51.2]];

  const sources = {};
  const layers = [
    { id: "background", type: "background", paint: { "background-color": "#dbe9f4" } },
  ];
  if (container.dataset.rasterUrl) {
    sources.raster = { type: "raster", tiles: [container.dataset.rasterUrl], tileSize: 256 };
    layers.push({ id: "raster", type: "raster", source: "raster" });
  }
  const map = new maplibregl.Map({
    container: container,
    style: { version: 8, sources: sources, layers: layers },
    bounds: METRO,
    fitBoundsOptions: { padding: 10 },
    attributionControl: false,
    dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.AttributionControl({ customAttribution: container.dataset.attribution, compact: false }));
  window.reciproqueMap = map;

  let regionNames = {};
  let features = {};
  let selected = null;

  function bbox(geometry) {
    let minX = 180, minY = 90, maxX = -180, maxY = -90;
    geometry.coordinates.forEach(function (polygon) {
      polygon[0].forEach(function (p) {
        if (p[0] < minX) minX = p[0]; if (p[0] > maxX) maxX = p[0];
        if (p[1] < minY) minY = p[1]; if (p[1] > maxY) maxY = p[1];
      });
    });
    return [[minX, minY], [maxX, maxY]];
  }

  function show(code, zoom) {
    const feature = features[code];
    if (!feature) return;
    if (selected !== null) map.setFeatureState({ source: "departements", id: selected }, { selected: false });
    selected = code;
    map.setFeatureState({ source: "departements", id: code }, { selected: true });
    const p = feature.properties;
    selection.replaceChildren();
    const title = document.createElement("p");
    title.className = "selected-name";
    title.textContent = p.name;
    const details = document.createElement("dl");
    [[labelCode, p.code], [labelRegion, regionNames[p.region] || p.region]].forEach(function (pair) {
      const dt = document.createElement("dt"); dt.textContent = pair[0];
      const dd = document.createElement("dd"); dd.textContent = pair[1];
      details.append(dt, dd);
    });
    selection.append(title, details);
    select.value = code;
    if (zoom) map.fitBounds(bbox(feature.geometry), { padding: 40, maxZoom: 9 });
  }

  Promise.all([
    fetch(container.dataset.departementsUrl).then(function (r) { return r.json(); }),
    fetch(container.dataset.regionsUrl).then(function (r) { return r.json(); }),
  ]).then(function (data) {
    const departements = data[0], regions = data[1];
    regions.features.forEach(function (f) { regionNames[f.properties.code] = f.properties.name; });
    departements.features.forEach(function (f) { features[f.properties.code] = f; });
    map.addSource("departements", { type: "geojson", data: departements, promoteId: "code" });
    map.addSource("regions", { type: "geojson", data: regions, promoteId: "code" });
    map.addLayer({
      id: "departements-fill", type: "fill", source: "departements",
      paint: {
        "fill-color": ["case", ["boolean", ["feature-state", "selected"], false], "#d9480f", "#f8f4e8"],
        "fill-opacity": ["case", ["boolean", ["feature-state", "selected"], false], 0.75, 0.9],
      },
    });
    map.addLayer({ id: "departements-line", type: "line", source: "departements",
                   paint: { "line-color": "#6b7280", "line-width": 0.6 } });
    map.addLayer({ id: "regions-line", type: "line", source: "regions",
                   paint: { "line-color": "#1e3a8a", "line-width": 1.8 } });
    select.replaceChildren();
    const placeholder = document.createElement("option");
    placeholder.value = ""; placeholder.textContent = "—";
    select.append(placeholder);
    departements.features.forEach(function (f) {
      const option = document.createElement("option");
      option.value = f.properties.code;
      option.textContent = f.properties.code + " – " + f.properties.name;
      select.append(option);
    });
    select.disabled = false;
    map.once("idle", function () { container.dataset.state = "ready"; });
  }).catch(function () { container.dataset.state = "error"; });

  map.on("click", "departements-fill", function (event) {
    if (event.features.length) show(event.features[0].properties.code, false);
  });
  map.on("mouseenter", "departements-fill", function () { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "departements-fill", function () { map.getCanvas().style.cursor = ""; });
  select.addEventListener("change", function () { if (select.value) show(select.value, true); });
  document.querySelectorAll(".jumps button").forEach(function (button) {
    button.addEventListener("click", function () {
      const b = button.dataset.bounds.split(",").map(Number);
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 10 });
    });
  });
})();
