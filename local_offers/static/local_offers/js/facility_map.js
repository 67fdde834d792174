/* A facility's place: a small map with its pin (facility page), or the editor's map where a click sets the
   pin and fills longitude and latitude (which stay editable by keyboard). */
(function () {
  "use strict";
  const container = document.getElementById("facility-map");
  if (!container || !window.maplibregl) return;
  const lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  const editable = Boolean(lon && lat);
  const marker = new maplibregl.Marker({ color: "#7c2d12" });
  function start() {
    const x = editable ? lon.value : container.dataset.lon, y = editable ? lat.value : container.dataset.lat;
    return x && y && isFinite(x) && isFinite(y) ? [Number(x), Number(y)] : null;
  }
  const map = reciproqueBasemap(container, {
    label: container.getAttribute("aria-label"),
    onReady: function (map) {
      const point = start();
      if (point) { marker.setLngLat(point).addTo(map); map.jumpTo({ center: point, zoom: 14 }); }
    },
  });
  window.reciproqueFacilityMap = map;
  if (!editable) return;
  map.on("click", function (event) {
    lon.value = event.lngLat.lng.toFixed(6);
    lat.value = event.lngLat.lat.toFixed(6);
    marker.setLngLat(event.lngLat).addTo(map);
  });
  [lon, lat].forEach(function (input) {
    input.addEventListener("change", function () {
      const point = start();
      if (point) { marker.setLngLat(point).addTo(map); map.flyTo({ center: point, zoom: Math.max(map.getZoom(), 13) }); }
    });
  });
})();
