/* A home's page: its approximate zone, a circle of about 800 m around its public (already offset) point. */
(function () {
  "use strict";
  const container = document.getElementById("map");
  if (!container || !window.maplibregl) return;
  const lon = Number(container.dataset.lon), lat = Number(container.dataset.lat);
  const RADIUS_M = 800;

  function circle(lon, lat, radius) {
    const ring = [];
    for (let i = 0; i <= 64; i++) {
      const angle = (i / 64) * 2 * Math.PI;
      const dLat = (radius * Math.cos(angle)) / 111320;
      const dLon = (radius * Math.sin(angle)) / (111320 * Math.cos((lat * Math.PI) / 180));
      ring.push([lon + dLon, lat + dLat]);
    }
    return { type: "Feature", geometry: { type: "Polygon", coordinates: [ring] }, properties: {} };
  }

  const sources = { zone: { type: "geojson", data: circle(lon, lat, RADIUS_M) } };
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#dbe9f4" } }];
  if (container.dataset.rasterUrl) {
    sources.raster = { type: "raster", tiles: [container.dataset.rasterUrl], tileSize: 256 };
    layers.push({ id: "raster", type: "raster", source: "raster" });
  }
  const map = new maplibregl.Map({
    container: container,
    style: { version: 8, sources: sources, layers: layers },
    center: [lon, lat],
    zoom: 12,
    attributionControl: false,
    dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.AttributionControl({ customAttribution: container.dataset.attribution, compact: false }));
  map.on("load", function () {
    fetch(container.dataset.departementsUrl).then(function (r) { return r.json(); }).then(function (data) {
      map.addSource("departements", { type: "geojson", data: data });
      map.addLayer({ id: "departements-fill", type: "fill", source: "departements",
        paint: { "fill-color": "#f7f5ef" } }, "zone-fill");
      map.addLayer({ id: "departements-line", type: "line", source: "departements",
        paint: { "line-color": "#8a8f98", "line-width": 0.8 } }, "zone-fill");
    });
    map.addLayer({ id: "zone-fill", type: "fill", source: "zone", paint: { "fill-color": "#c2410c", "fill-opacity": 0.25 } });
    map.addLayer({ id: "zone-line", type: "line", source: "zone", paint: { "line-color": "#c2410c", "line-width": 2 } });
    container.dataset.state = "ready";
  });
})();
