/* "Mon logement": place the home by clicking the map (fills longitude and latitude, which stay editable by
   keyboard), and centre the map on a commune found offline (communes.js). The basemap: frontend/js/basemap.js. */
(function () {
  "use strict";
  const container = document.getElementById("pin-map");
  const lon = document.getElementById("id_lon"), lat = document.getElementById("id_lat");
  if (!container || !window.maplibregl || !lon || !lat) return;
  const map = reciproqueBasemap(container, {
    onReady: function () {
      if (lon.value && lat.value) place([Number(lon.value), Number(lat.value)], true);
    },
  });
  window.reciproquePinMap = map;
  const marker = new maplibregl.Marker({ color: "#c2410c" });

  function place(lngLat, fly) {
    marker.setLngLat(lngLat).addTo(map);
    if (fly) map.flyTo({ center: lngLat, zoom: Math.max(map.getZoom(), 14) });
  }
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
  reciproqueCommunes(document.getElementById("commune-search"), document.getElementById("commune-options"),
    function (commune) { map.flyTo({ center: [commune.lon, commune.lat], zoom: 13 }); });
})();
