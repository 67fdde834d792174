/* Map search: the project's own basemap, the homes as vector tiles filtered like the list (the page's query
   string), clusters at low zoom, a card on click, and "search this area" which puts the view in the URL. */
(function () {
  "use strict";
  const container = document.getElementById("map");
  if (!container || !window.maplibregl) return;
  const METRO = [[-5.5, 41.2], [9.8, 51.2]];
  const params = new URLSearchParams(container.dataset.query || "");
  const bboxParam = params.get("bbox");
  ["bbox", "cursor", "limit", "sort"].forEach(function (k) { params.delete(k); });
  const query = params.toString();
  const tiles = container.dataset.tilesUrl.replace(/\/0\/0\/0\.mvt$/, "/{z}/{x}/{y}.mvt") + (query ? "?" + query : "");

  const sources = {
    // Absolute, and built by hand: URL() would percent-encode the {z}/{x}/{y} placeholders.
    homes: { type: "vector", tiles: [window.location.origin + tiles], minzoom: 0, maxzoom: 16 },
  };
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#dbe9f4" } }];
  if (container.dataset.rasterUrl) {
    sources.raster = { type: "raster", tiles: [container.dataset.rasterUrl], tileSize: 256 };
    layers.push({ id: "raster", type: "raster", source: "raster" });
  }
  let bounds = METRO;
  if (bboxParam) {
    const b = bboxParam.split(",").map(Number);
    if (b.length === 4 && b.every(isFinite)) bounds = [[b[0], b[1]], [b[2], b[3]]];
  }
  const map = new maplibregl.Map({
    container: container,
    style: { version: 8, sources: sources, layers: layers },
    bounds: bounds,
    attributionControl: false,
    dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.AttributionControl({ customAttribution: container.dataset.attribution, compact: false }));
  window.reciproqueMap = map;

  map.on("load", function () {
    fetch(container.dataset.departementsUrl).then(function (r) { return r.json(); }).then(function (data) {
      map.addSource("departements", { type: "geojson", data: data });
      map.addLayer({ id: "departements-fill", type: "fill", source: "departements",
        paint: { "fill-color": "#f7f5ef", "fill-opacity": 0.9 } }, "clusters");
      map.addLayer({ id: "departements-line", type: "line", source: "departements",
        paint: { "line-color": "#8a8f98", "line-width": 0.6 } }, "clusters");
    });
    map.addLayer({ id: "clusters", type: "circle", source: "homes", "source-layer": "clusters",
      paint: {
        "circle-color": "#1f3a8a", "circle-opacity": 0.8, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
        "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 6, 10, 10, 100, 16, 1000, 24],
      } });
    // No count labels: text needs glyphs, which would come from a third-party host; the size tells.
    map.addLayer({ id: "homes", type: "circle", source: "homes", "source-layer": "homes",
      paint: { "circle-color": "#c2410c", "circle-radius": 7, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
    container.dataset.state = "ready";
  });

  map.on("click", "homes", function (event) {
    const feature = event.features && event.features[0];
    if (!feature) return;
    const link = document.createElement("a");
    link.href = "/logements/" + feature.properties.id + "/";
    link.textContent = document.querySelector('.home-card[data-id="' + feature.properties.id + '"] strong')
      ? document.querySelector('.home-card[data-id="' + feature.properties.id + '"] strong').textContent
      : "#" + feature.properties.id;
    const card = document.createElement("div");
    card.append(link);
    new maplibregl.Popup({ closeButton: true }).setLngLat(event.lngLat).setDOMContent(card).addTo(map);
  });
  map.on("click", "clusters", function (event) {
    map.easeTo({ center: event.lngLat, zoom: map.getZoom() + 2 });
  });
  ["homes", "clusters"].forEach(function (layer) {
    map.on("mouseenter", layer, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, function () { map.getCanvas().style.cursor = ""; });
  });

  const button = document.getElementById("search-area");
  if (button) {
    button.addEventListener("click", function () {
      const b = map.getBounds();
      const round = function (v) { return Math.round(v * 10000) / 10000; };
      document.getElementById("bbox").value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(round).join(",");
      document.querySelector("form.search-form").submit();
    });
  }
})();
