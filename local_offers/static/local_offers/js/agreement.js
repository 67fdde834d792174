/* An agreement's page: its facilities on a small map, and the signed PDF sent with a progress bar (the form
   still works without script). */
(function () {
  "use strict";
  const container = document.getElementById("agreement-map");
  if (container && window.maplibregl && container.dataset.points) {
    const points = container.dataset.points.split(";").map(function (p) { return p.split(",").map(Number); });
    reciproqueBasemap(container, {
      label: container.getAttribute("aria-label"),
      onReady: function (map) {
        const bounds = new maplibregl.LngLatBounds();
        points.forEach(function (point) {
          new maplibregl.Marker({ color: "#7c2d12" }).setLngLat(point).addTo(map);
          bounds.extend(point);
        });
        map.fitBounds(bounds, { padding: 40, maxZoom: 13, duration: 0 });
      },
    });
  }
  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    const bar = form.querySelector("progress");
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !bar) return;
      event.preventDefault();
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
      });
      request.addEventListener("load", function () {
        if (request.status < 400) { window.location.href = request.responseURL || window.location.href; return; }
        document.open(); document.write(request.responseText); document.close();
      });
      request.send(new FormData(form));
    });
  });
})();
