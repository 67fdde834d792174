/* The project's own basemap for the small maps of the pages: a plain background, the operator's optional
   raster tiles, and the départements from /api/v1/geo/departements.geojson (fetched once per page). Nothing
   is requested from another host.

     const map = reciproqueBasemap(container, {onReady: function (map) { … }});

   The container (or options.source, another element) carries data-departements-url, data-raster-url and
   data-attribution. options.onReady(map) runs once the départements are drawn, so that the caller's layers
   go above them; the container's data-state is then "ready". Other options: bounds (default: metropolitan
   France), doubleClickZoom (default true), label (the name of the map's canvas, the landmark MapLibre makes
   of it: unique on the page, it says which map this is).

     reciproqueWhenVisible(element, create)

   runs create() once the element comes near the viewport: a page of several maps does not start a WebGL
   context for each before the person scrolls to it. */
(function () {
  "use strict";
  const METRO = [[-5.5, 41.2], [9.8, 51.2]];
  const loaded = {};

  function departements(url) {
    if (!loaded[url]) loaded[url] = fetch(url).then(function (r) { return r.ok ? r.json() : null; });
    return loaded[url];
  }

  window.reciproqueBasemap = function (container, options) {
    options = options || {};
    const data = (options.source || container).dataset;
    const sources = {};
    const layers = [{ id: "background", type: "background", paint: { "background-color": "#dbe9f4" } }];
    if (data.rasterUrl) {
      sources.raster = { type: "raster", tiles: [data.rasterUrl], tileSize: 256 };
      layers.push({ id: "raster", type: "raster", source: "raster" });
    }
    const map = new maplibregl.Map({
      container: container,
      style: { version: 8, sources: sources, layers: layers },
      bounds: options.bounds || METRO,
      fitBoundsOptions: { padding: 24, maxZoom: 11 },
      attributionControl: false,
      dragRotate: false,
      doubleClickZoom: options.doubleClickZoom !== false,
      locale: options.label ? { "Map.Title": options.label } : {},
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.addControl(new maplibregl.AttributionControl({ customAttribution: data.attribution, compact: false }));
    map.on("load", function () {
      departements(data.departementsUrl).catch(function () { return null; }).then(function (geojson) {
        if (geojson) {
          map.addSource("departements", { type: "geojson", data: geojson });
          map.addLayer({ id: "departements-fill", type: "fill", source: "departements", paint: { "fill-color": "#f7f5ef" } });
          map.addLayer({ id: "departements-line", type: "line", source: "departements",
            paint: { "line-color": "#8a8f98", "line-width": 0.8 } });
        }
        if (options.onReady) options.onReady(map);
        container.dataset.state = "ready";
      });
    });
    return map;
  };

  window.reciproqueWhenVisible = function (element, create) {
    if (!("IntersectionObserver" in window)) { create(); return; }
    const observer = new IntersectionObserver(function (entries) {
      if (!entries.some(function (entry) { return entry.isIntersecting; })) return;
      observer.disconnect();
      create();
    }, { rootMargin: "300px" });
    observer.observe(element);
  };
})();
