/* "Mon logement": place the home by clicking the map (fills longitude and latitude, which stay editable by
   keyboard), and centre the map on a commune found offline through /api/v1/geo/communes. */
(function () {
  "use strict";
  const container = document.getElementById("pin-map");
  const lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  if (!container || !window.maplibregl || !lon || !lat) return;
  const METRO = [[-5.5, 41.2], [9.8, 51.2]];
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#dbe9f4" } }];
  const sources = {};
  if (container.dataset.rasterUrl) {
    sources.raster = { type: "raster", tiles: [container.dataset.rasterUrl], tileSize: 256 };
    layers.push({ id: "raster", type: "raster", source: "raster" });
  }
  const map = new maplibregl.Map({
    container: container, style: { version: 8, sources: sources, layers: layers }, bounds: METRO,
    attributionControl: false, dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.AttributionControl({ customAttribution: container.dataset.attribution, compact: false }));
  window.reciproquePinMap = map;
  const marker = new maplibregl.Marker({ color: "#c2410c" });

  function place(lngLat, fly) {
    marker.setLngLat(lngLat).addTo(map);
    if (fly) map.flyTo({ center: lngLat, zoom: Math.max(map.getZoom(), 14) });
  }
  map.on("load", function () {
    fetch(container.dataset.departementsUrl).then(function (r) { return r.json(); }).then(function (data) {
      map.addSource("departements", { type: "geojson", data: data });
      map.addLayer({ id: "departements-fill", type: "fill", source: "departements", paint: { "fill-color": "#f7f5ef" } });
      map.addLayer({ id: "departements-line", type: "line", source: "departements",
        paint: { "line-color": "#8a8f98", "line-width": 0.8 } });
      container.dataset.state = "ready";
    });
    if (lon.value && lat.value) place([Number(lon.value), Number(lat.value)], true);
  });
  map.on("click", function (event) {
    lon.value = event.lngLat.lng.toFixed(6);
    lat.value = event.lngLat.lat.toFixed(6);
    place(event.lngLat, false);
  });
  [lon, lat].forEach(function (input) {
    input.addEventListener("change", function () {
      if (lon.value && lat.value && isFinite(lon.value) && isFinite(lat.value)) place([Number(lon.value), Number(lat.value)], true);
    });
  });

  const search = document.getElementById("commune-search");
  const options = document.getElementById("commune-options");
  let found = {};
  let timer = null;
  search.addEventListener("input", function () {
    const chosen = found[search.value];
    if (chosen) { map.flyTo({ center: [chosen.lon, chosen.lat], zoom: 13 }); return; }
    clearTimeout(timer);
    if (search.value.trim().length < 2) return;
    timer = setTimeout(function () {
      fetch(search.dataset.url + "?q=" + encodeURIComponent(search.value.trim()))
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          found = {};
          options.replaceChildren();
          data.items.forEach(function (c) {
            const label = c.name + " (" + c.departement.code + ")";
            found[label] = c.location;
            const option = document.createElement("option");
            option.value = label;
            options.append(option);
          });
        });
    }, 200);
  });
})();
