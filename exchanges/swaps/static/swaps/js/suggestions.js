/* The suggestions page: the suggestion chosen in the list on a map. Its homes at their public (offset)
   points, numbered as in the list (1: mine), and an arrow from each household's home to the home where it
   stays, curved so that the two directions of a pair stay apart. The data: selectors.suggestions_geojson in
   the container's data-geojson. The list is the accessible equivalent: its "Voir … sur la carte" buttons
   choose what the map shows. Nothing is requested from another host (frontend/js/basemap.js). */
(function () {
  "use strict";
  const container = document.querySelector("[data-suggestions-map]");
  if (!container || !window.maplibregl || !window.reciproqueBasemap) return;
  const data = JSON.parse(container.dataset.geojson);
  const buttons = Array.from(document.querySelectorAll("[data-show-suggestion]"));
  const status = document.getElementById("suggestions-map-status");
  let markers = [];

  // A quadratic curve from a to b, bent to the right of the way it goes (by a fifth of its length).
  function arc(a, b) {
    const k = Math.cos((((a[1] + b[1]) / 2) * Math.PI) / 180);
    const dx = (b[0] - a[0]) * k, dy = b[1] - a[1];
    const control = [(a[0] + b[0]) / 2 + (dy * 0.2) / k, (a[1] + b[1]) / 2 - dx * 0.2];
    const points = [];
    for (let i = 0; i <= 32; i++) {
      const t = i / 32, u = 1 - t;
      points.push([
        u * u * a[0] + 2 * u * t * control[0] + t * t * b[0],
        u * u * a[1] + 2 * u * t * control[1] + t * t * b[1],
      ]);
    }
    return points;
  }

  // Each stay's curve, and its arrow head at the middle, turned the way the household goes (the bearing on
  // the ground: Web Mercator keeps angles, so it is the one on the screen).
  const curved = { type: "FeatureCollection", features: [] };
  data.features.forEach(function (f) {
    if (f.geometry.type !== "LineString") { curved.features.push(f); return; }
    const ends = f.geometry.coordinates, points = arc(ends[0], ends[1]);
    curved.features.push({ type: "Feature", properties: f.properties,
      geometry: { type: "LineString", coordinates: points } });
    const before = points[15], middle = points[16], after = points[17];
    const k = Math.cos((middle[1] * Math.PI) / 180);
    const bearing = (Math.atan2((after[0] - before[0]) * k, after[1] - before[1]) * 180) / Math.PI;
    curved.features.push({ type: "Feature",
      properties: { suggestion: f.properties.suggestion, kind: "arrow", rotate: bearing - 90 },
      geometry: { type: "Point", coordinates: middle } });
  });

  function homesOf(rank) {
    return data.features.filter(function (f) {
      return f.properties.kind === "home" && f.properties.suggestion === rank;
    });
  }

  function bounds(rank) {
    let west = 180, south = 90, east = -180, north = -90;
    homesOf(rank).forEach(function (f) {
      const [lon, lat] = f.geometry.coordinates;
      west = Math.min(west, lon); east = Math.max(east, lon);
      south = Math.min(south, lat); north = Math.max(north, lat);
    });
    return west <= east ? [[west, south], [east, north]] : undefined;
  }

  // An arrow head pointing east (rotated by each arrow's `rotate`).
  function arrowImage() {
    const size = 24, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#1e3a8a";
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(22, 12); ctx.lineTo(4, 3); ctx.lineTo(9, 12); ctx.lineTo(4, 21); ctx.closePath();
    ctx.fill(); ctx.stroke();
    return ctx.getImageData(0, 0, size, size);
  }

  function select(map, rank, move) {
    const only = ["==", ["get", "suggestion"], rank];
    map.setFilter("stays-line", ["all", ["==", ["get", "kind"], "stay"], only]);
    map.setFilter("stays-arrow", ["all", ["==", ["get", "kind"], "arrow"], only]);
    markers.forEach(function (m) { m.remove(); });
    markers = homesOf(rank).map(function (f) {
      const badge = document.createElement("span");
      badge.className = "home-number" + (f.properties.mine ? " mine" : "");
      badge.textContent = f.properties.number;
      badge.setAttribute("role", "img");
      badge.setAttribute("aria-label", container.dataset.homeLabel
        .replace("%(n)s", f.properties.number).replace("%(title)s", f.properties.title));
      return new maplibregl.Marker({ element: badge }).setLngLat(f.geometry.coordinates).addTo(map);
    });
    buttons.forEach(function (b) {
      const on = Number(b.dataset.showSuggestion) === rank;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      const item = b.closest(".suggestion");
      if (item) item.toggleAttribute("data-selected", on);
    });
    container.dataset.selected = String(rank);
    if (status) status.textContent = container.dataset.statusText.replace("%(n)s", rank);
    const box = bounds(rank);
    if (move && box) map.fitBounds(box, { padding: 60, maxZoom: 9, duration: 0 });
  }

  const first = buttons.length ? Number(buttons[0].dataset.showSuggestion) : 0;
  const map = reciproqueBasemap(container, {
    bounds: bounds(first),
    label: container.dataset.label,
    onReady: function (map) {
      map.addImage("stay-arrow", arrowImage());
      map.addSource("suggestions", { type: "geojson", data: curved });
      map.addLayer({ id: "stays-line", type: "line", source: "suggestions",
        filter: ["==", ["get", "kind"], "none"],
        paint: { "line-color": "#1e3a8a", "line-width": 3 } });
      map.addLayer({ id: "stays-arrow", type: "symbol", source: "suggestions",
        filter: ["==", ["get", "kind"], "none"],
        layout: { "icon-image": "stay-arrow", "icon-rotate": ["get", "rotate"],
          "icon-rotation-alignment": "map", "icon-allow-overlap": true, "icon-ignore-placement": true } });
      select(map, first, false);
      buttons.forEach(function (b) {
        b.hidden = false;
        b.addEventListener("click", function () {
          select(map, Number(b.dataset.showSuggestion), true);
          container.scrollIntoView({ block: "nearest" });
        });
      });
    },
  });
  window.reciproqueMap = map;
})();
