/* The territory statistics' map: the départements coloured by the vouchers used there (choropleth on the
   project's own département boundaries, /api/v1/geo/departements.geojson), "< 5" in grey, the départements
   outside the territory left plain. The table under the map gives the same figures. */
(function () {
  "use strict";
  const container = document.getElementById("usage-map");
  const source = document.getElementById("usage-data");
  if (!container || !source || !window.maplibregl) return;
  const data = JSON.parse(source.textContent);
  const uses = data.uses;
  const territory = data.territory;
  const STEPS = ["#dbe7f5", "#a9c6e8", "#6e9fd6", "#2f6db5", "#163f73"];
  const HIDDEN = "#9aa1a9";
  const ZERO = "#f4f7fb";
  const shown = Object.keys(uses).map(function (k) { return uses[k]; }).filter(function (v) { return v !== null; });
  const max = Math.max.apply(null, shown.concat([1]));
  const bounds = STEPS.map(function (_, i) { return Math.max(1, Math.ceil((max * (i + 1)) / STEPS.length)); });

  function colour(code) {
    if (!(code in uses)) return ZERO;
    if (uses[code] === null) return HIDDEN;
    for (let i = 0; i < bounds.length; i++) if (uses[code] <= bounds[i]) return STEPS[i];
    return STEPS[STEPS.length - 1];
  }

  const legend = document.getElementById("usage-legend");
  function item(fill, text) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "stat-swatch";
    swatch.style.background = fill;
    li.appendChild(swatch);
    li.appendChild(document.createTextNode(" " + text));
    legend.appendChild(li);
  }
  if (legend) {
    item(ZERO, "0");
    let low = 1;
    bounds.forEach(function (high, i) {
      if (high >= low) item(STEPS[i], low === high ? String(low) : low + "–" + high);
      low = high + 1;
    });
    item(HIDDEN, container.dataset.hiddenLabel);
  }

  reciproqueWhenVisible(container, function () {
    reciproqueBasemap(container, {
      label: container.getAttribute("aria-label"),
      onReady: function (map) {
        window.reciproqueStatisticsMap = map;
        const match = ["match", ["get", "code"]];
        territory.forEach(function (code) { match.push(code, colour(code)); });
        match.push("rgba(0,0,0,0)");
        map.addLayer({ id: "usage-fill", type: "fill", source: "departements",
          filter: ["in", ["get", "code"], ["literal", territory]],
          paint: { "fill-color": match, "fill-opacity": 0.9 } }, "departements-line");
        const done = function () { container.dataset.choropleth = "ready"; };
        const departements = map.getSource("departements");
        if (!departements || territory.length >= 90 || !departements.getData) { done(); return; }
        departements.getData().then(function (geojson) {
          const box = new maplibregl.LngLatBounds();
          const walk = function (c) { if (typeof c[0] === "number") box.extend(c); else c.forEach(walk); };
          geojson.features.forEach(function (f) {
            if (territory.indexOf(f.properties.code) !== -1) walk(f.geometry.coordinates);
          });
          if (!box.isEmpty()) map.fitBounds(box, { padding: 24, duration: 0 });
        }).catch(function () {}).then(done);
      },
    });
  });
})();
