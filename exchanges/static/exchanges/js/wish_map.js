/* A home's destination wishes on a small map (the editor and the home's page): each wish's target, the union
   of its places, with its number from the list beside it. The data: selectors.wishes_geojson, in the
   container's data-geojson. */
(function () {
  "use strict";
  if (!window.maplibregl || !window.reciproqueBasemap) return;

  function bounds(collection) {
    let west = 180, south = 90, east = -180, north = -90;
    function visit(coordinates) {
      if (typeof coordinates[0] === "number") {
        west = Math.min(west, coordinates[0]); east = Math.max(east, coordinates[0]);
        south = Math.min(south, coordinates[1]); north = Math.max(north, coordinates[1]);
      } else {
        coordinates.forEach(visit);
      }
    }
    collection.features.forEach(function (f) { if (f.geometry) visit(f.geometry.coordinates); });
    return west <= east ? [[west, south], [east, north]] : null;
  }

  function show(container) {
    const wishes = JSON.parse(container.dataset.geojson);
    container.reciproqueMap = reciproqueBasemap(container, {
      bounds: bounds(wishes) || undefined,
      label: container.dataset.label,
      onReady: function (map) {
        map.addSource("wishes", { type: "geojson", data: wishes });
        map.addLayer({ id: "wishes-fill", type: "fill", source: "wishes", paint: { "fill-color": "#1e3a8a", "fill-opacity": 0.2 } });
        map.addLayer({ id: "wishes-line", type: "line", source: "wishes", paint: { "line-color": "#1e3a8a", "line-width": 2 } });
        wishes.features.forEach(function (f) {
          const badge = document.createElement("span");
          badge.className = "wish-number";
          badge.textContent = f.properties.number;
          // The list says what each wish is; the number only links the shape to its line there.
          badge.setAttribute("role", "img");
          badge.setAttribute("aria-label", container.dataset.numberLabel.replace("%(n)s", f.properties.number));
          new maplibregl.Marker({ element: badge }).setLngLat(f.properties.inside).addTo(map);
        });
      },
    });
  }

  document.querySelectorAll("[data-wishes-map]").forEach(function (container) {
    reciproqueWhenVisible(container, function () { show(container); });
  });
})();
