/* A small drawing helper for MapLibre GL JS: an area drawn by clicking its vertices, and a circle drawn from
   its centre and radius, both shown live (the polygon as it grows, a dashed guide to the pointer). No
   drawing library: the two shapes a wish needs are a few dozen lines, and MapLibre draws GeoJSON already.

     const drawing = new ReciproqueDraw.Drawing(map, {radius: 20000, onChange: function (drawing, what, how) {…}});
     drawing.setMode("area" | "circle");  drawing.click([lon, lat])  (what a click on the map does)
     drawing.finish(); drawing.undo(); drawing.clear(); drawing.setCenter([lon, lat], how);
     drawing.setRadius(metres); drawing.clearCircle(); drawing.load(polygon, center)
     drawing.area() → a GeoJSON Polygon or null;  drawing.center → [lon, lat] or null;  drawing.crosses()

   onChange says what happened: "points", "few" (Terminer with fewer than 3 points), "done", "closed" (a
   click on a finished area), "cleared", "circle", "circle-cleared", "radius". The server checks and repairs
   what it receives (exchanges.services.wish_add): a crossing outline is only flagged here. */
window.ReciproqueDraw = (function () {
  "use strict";
  const EARTH_RADIUS_M = 6371008.8;
  const COLOUR = "#c2410c";
  const SAME_POINT_PX = 4;  // a second click this close to the last vertex (a double click) adds nothing

  function round(value) { return Math.round(value * 1e6) / 1e6; }

  /* The closed ring of a circle on the sphere: `steps` points `radius` metres from `center` ([lon, lat]). */
  function circleRing(center, radius, steps) {
    steps = steps || 64;
    const lat1 = (center[1] * Math.PI) / 180, lon1 = (center[0] * Math.PI) / 180;
    const angular = radius / EARTH_RADIUS_M;
    const ring = [];
    for (let i = 0; i <= steps; i++) {
      const bearing = ((i % steps) / steps) * 2 * Math.PI;
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
      const lon2 = lon1 + Math.atan2(Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
        Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2));
      ring.push([round((lon2 * 180) / Math.PI), round((lat2 * 180) / Math.PI)]);
    }
    return ring;
  }

  function orientation(a, b, c) {
    const value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    return value > 0 ? 1 : value < 0 ? -1 : 0;
  }
  function within(a, b, p) {
    return Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) &&
      Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);
  }
  function segmentsMeet(a, b, c, d) {
    const o1 = orientation(a, b, c), o2 = orientation(a, b, d), o3 = orientation(c, d, a), o4 = orientation(c, d, b);
    if (o1 !== o2 && o3 !== o4) return true;
    return (o1 === 0 && within(a, b, c)) || (o2 === 0 && within(a, b, d)) ||
      (o3 === 0 && within(c, d, a)) || (o4 === 0 && within(c, d, b));
  }

  /* Whether the closed outline through `points` crosses itself: two edges that are not neighbours meet. */
  function selfIntersects(points) {
    const n = points.length;
    if (n < 4) return false;
    for (let i = 0; i < n; i++) {
      for (let j = i + 2; j < n; j++) {
        if (i === 0 && j === n - 1) continue;  // the closing edge is the first edge's neighbour
        if (segmentsMeet(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n])) return true;
      }
    }
    return false;
  }

  function feature(role, geometry) { return { type: "Feature", properties: { role: role }, geometry: geometry }; }
  function roles(list) { return ["in", ["get", "role"], ["literal", list]]; }

  function Drawing(map, options) {
    this.map = map;
    this.options = options || {};
    this.mode = "area";
    this.vertices = [];
    this.finished = false;
    this.hover = null;
    this.center = null;
    this.radius = this.options.radius || 20000;
    map.addSource("draw", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "draw-fill", type: "fill", source: "draw", filter: roles(["area", "circle"]),
      paint: { "fill-color": COLOUR, "fill-opacity": 0.2 } });
    map.addLayer({ id: "draw-line", type: "line", source: "draw", filter: roles(["area", "circle", "path"]),
      paint: { "line-color": COLOUR, "line-width": 2 } });
    map.addLayer({ id: "draw-guide", type: "line", source: "draw", filter: roles(["guide"]),
      paint: { "line-color": COLOUR, "line-width": 1.5, "line-dasharray": [2, 2] } });
    map.addLayer({ id: "draw-points", type: "circle", source: "draw", filter: roles(["vertex", "center"]),
      paint: { "circle-radius": 5, "circle-color": "#ffffff", "circle-stroke-color": COLOUR, "circle-stroke-width": 2 } });
    const self = this;
    map.on("click", function (event) { self.click([event.lngLat.lng, event.lngLat.lat]); });
    map.on("mousemove", function (event) {
      if (self.mode !== "area" || self.finished || !self.vertices.length) return;
      self.hover = [event.lngLat.lng, event.lngLat.lat];
      self.render();
    });
    map.getCanvas().addEventListener("mouseleave", function () { self.hover = null; self.render(); });
  }

  Drawing.prototype = {
    setMode: function (mode) { this.mode = mode; this.hover = null; this.render(); },

    click: function (point) {
      if (this.mode === "circle") { this.setCenter(point, "map"); return; }
      if (this.finished) { this.changed("closed"); return; }
      const last = this.vertices[this.vertices.length - 1];
      if (last) {
        const a = this.map.project(last), b = this.map.project(point);
        if (Math.hypot(a.x - b.x, a.y - b.y) < SAME_POINT_PX) return;
      }
      this.vertices.push([round(point[0]), round(point[1])]);
      this.changed("points");
    },
    finish: function () {
      if (this.vertices.length < 3) { this.changed("few"); return; }
      this.finished = true;
      this.hover = null;
      this.changed("done");
    },
    undo: function () {
      this.finished = false;
      this.vertices.pop();
      this.changed(this.vertices.length ? "points" : "cleared");
    },
    clear: function () {
      this.vertices = [];
      this.finished = false;
      this.hover = null;
      this.changed("cleared");
    },
    setCenter: function (point, how) {
      this.center = [round(point[0]), round(point[1])];
      this.changed("circle", how);
    },
    setRadius: function (metres) {
      this.radius = metres;
      if (this.center) this.changed("radius");
    },
    clearCircle: function (how) {
      this.center = null;
      this.changed("circle-cleared", how);
    },
    /* Shapes posted earlier (the page shown again after a refusal): a Polygon and a centre. */
    load: function (polygon, center) {
      if (polygon && polygon.type === "Polygon" && polygon.coordinates && polygon.coordinates[0]) {
        const ring = polygon.coordinates[0].slice();
        const first = ring[0], last = ring[ring.length - 1];
        if (ring.length > 1 && first[0] === last[0] && first[1] === last[1]) ring.pop();
        this.vertices = ring;
        this.finished = ring.length >= 3;
      }
      if (center) this.center = center;
      this.render();
    },

    area: function () {
      if (this.vertices.length < 3) return null;
      return { type: "Polygon", coordinates: [this.vertices.concat([this.vertices[0]])] };
    },
    crosses: function () { return selfIntersects(this.vertices); },

    changed: function (what, how) {
      this.render();
      if (this.options.onChange) this.options.onChange(this, what, how);
    },
    render: function () {
      const features = [];
      const vertices = this.vertices;
      const area = this.area();
      if (area) features.push(feature("area", area));
      else if (vertices.length === 2) features.push(feature("path", { type: "LineString", coordinates: vertices }));
      if (this.hover && !this.finished && vertices.length) {
        const guide = vertices.length >= 2 ? [vertices[vertices.length - 1], this.hover, vertices[0]] : [vertices[0], this.hover];
        features.push(feature("guide", { type: "LineString", coordinates: guide }));
      }
      vertices.forEach(function (v) { features.push(feature("vertex", { type: "Point", coordinates: v })); });
      if (this.center) {
        features.push(feature("circle", { type: "Polygon", coordinates: [circleRing(this.center, this.radius)] }));
        features.push(feature("center", { type: "Point", coordinates: this.center }));
      }
      this.map.getSource("draw").setData({ type: "FeatureCollection", features: features });
    },
  };

  return { Drawing: Drawing, circleRing: circleRing, selfIntersects: selfIntersects };
})();
