/* Map search: the project's own basemap, the homes as vector tiles filtered like the list, clusters at low
   zoom, a card on click. With htmx, every change of the filters asks for the results only (the form's hx-*
   attributes); this script then points the tiles at the same search, puts it in the address (back and
   forward replay it), and searches the area shown once the map has moved. Without htmx, the form and
   "search this area" submit the page as before. */
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const results = document.getElementById("results");
  const container = document.getElementById("map");
  const bbox = document.getElementById("bbox");
  if (!form || !results || !container) return;
  const METRO = [[-5.5, 41.2], [9.8, 51.2]];
  const TILES = container.dataset.tilesUrl.replace(/\/0\/0\/0\.mvt$/, "/{z}/{x}/{y}.mvt");

  // The tiles show the search everywhere: not only in the box, nor one page of it.
  function tilesFor(query) {
    const params = new URLSearchParams(query || "");
    ["bbox", "cursor", "limit", "sort"].forEach(function (k) { params.delete(k); });
    const rest = params.toString();
    // Absolute, and built by hand: URL() would percent-encode the {z}/{x}/{y} placeholders.
    return window.location.origin + TILES + (rest ? "?" + rest : "");
  }

  function boundsOf(text) {
    const b = (text || "").split(",").map(Number);
    return b.length === 4 && b.every(isFinite) ? [[b[0], b[1]], [b[2], b[3]]] : null;
  }

  // ---- Map --------------------------------------------------------------------------------------------
  let map = null;
  if (window.maplibregl) {
    const sources = { homes: { type: "vector", tiles: [tilesFor(container.dataset.query)], minzoom: 0, maxzoom: 16 } };
    const layers = [{ id: "background", type: "background", paint: { "background-color": "#dbe9f4" } }];
    if (container.dataset.rasterUrl) {
      sources.raster = { type: "raster", tiles: [container.dataset.rasterUrl], tileSize: 256 };
      layers.push({ id: "raster", type: "raster", source: "raster" });
    }
    map = new maplibregl.Map({
      container: container,
      style: { version: 8, sources: sources, layers: layers },
      bounds: boundsOf(bbox.value) || METRO,
      attributionControl: false,
      dragRotate: false,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.addControl(new maplibregl.AttributionControl({ customAttribution: container.dataset.attribution, compact: false }));
    window.reciproqueMap = map;

    map.on("load", function () {
      fetch(container.dataset.departementsUrl).then(function (r) { return r.json(); }).then(function (data) {
        map.addSource("departements", { type: "geojson", data: data });
        map.addLayer({ id: "departements-fill", type: "fill", source: "departements",
          paint: { "fill-color": "#f7f5ef", "fill-opacity": 0.9 } }, "clusters");
        map.addLayer({ id: "departements-line", type: "line", source: "departements",
          paint: { "line-color": "#8a8f98", "line-width": 0.6 } }, "clusters");
      });
      map.addLayer({ id: "clusters", type: "circle", source: "homes", "source-layer": "clusters",
        paint: {
          "circle-color": "#1f3a8a", "circle-opacity": 0.8, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
          "circle-radius": ["interpolate", ["linear"], ["get", "count"], 1, 6, 10, 10, 100, 16, 1000, 24],
        } });
      // No count labels: text needs glyphs, which would come from a third-party host; the size tells.
      map.addLayer({ id: "homes", type: "circle", source: "homes", "source-layer": "homes",
        paint: { "circle-color": "#c2410c", "circle-radius": 7, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
      container.dataset.state = "ready";
      document.getElementById("map-tools").hidden = false;
    });

    map.on("click", "homes", function (event) {
      const feature = event.features && event.features[0];
      if (!feature) return;
      const card = document.querySelector('.home-card[data-id="' + feature.properties.id + '"] strong');
      const link = document.createElement("a");
      link.href = "/logements/" + feature.properties.id + "/";
      link.textContent = card ? card.textContent : "#" + feature.properties.id;
      const popup = document.createElement("div");
      popup.append(link);
      new maplibregl.Popup({ closeButton: true }).setLngLat(event.lngLat).setDOMContent(popup).addTo(map);
    });
    map.on("click", "clusters", function (event) {
      map.easeTo({ center: event.lngLat, zoom: map.getZoom() + 2 });
    });
    ["homes", "clusters"].forEach(function (layer) {
      map.on("mouseenter", layer, function () { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", layer, function () { map.getCanvas().style.cursor = ""; });
    });
  }

  function showTiles(query) {
    if (!map) return;
    const source = map.getSource("homes");
    if (!source) { map.once("load", function () { showTiles(query); }); return; }
    const url = tilesFor(query);
    if (source.serialize().tiles[0] !== url) source.setTiles([url]);
  }

  // ---- Search this area -------------------------------------------------------------------------------
  const areaButton = document.getElementById("search-area");
  const auto = document.getElementById("search-as-i-move");

  function searchArea() {
    const b = map.getBounds();
    const round = function (v) { return Math.round(v * 10000) / 10000; };
    bbox.value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(round).join(",");
    const hadFocus = document.activeElement === areaButton;
    areaButton.hidden = true;
    if (hadFocus) map.getCanvas().focus(); // the button goes: keep the keyboard on the map
    form.requestSubmit();
  }
  if (map) {
    areaButton.addEventListener("click", searchArea);
    // A move the person made (drag, zoom, keys, a cluster), not one of ours (eventData "programmatic").
    map.on("moveend", function (event) {
      if (event.programmatic) return;
      if (auto.checked) searchArea();
      else areaButton.hidden = false;
    });
    auto.addEventListener("change", function () {
      if (auto.checked && !areaButton.hidden) searchArea();
    });
  }

  // "Toute la France": the same search without the box.
  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("[data-clear-bbox]");
    if (!link || !window.htmx) return;
    event.preventDefault();
    bbox.value = "";
    if (map) map.fitBounds(METRO, { animate: false }, { programmatic: true });
    form.requestSubmit();
  });

  if (!window.htmx) return; // without htmx, the form reloads the page and none of what follows is needed

  // ---- Live results (htmx) ----------------------------------------------------------------------------
  function formQuery() { return new URLSearchParams(new FormData(form)).toString(); }
  let requested = formQuery();
  let shown = window.location.pathname + window.location.search; // the search the address names
  function triggerOf(event) {
    const config = event.detail.requestConfig;
    return config && config.triggeringEvent ? config.triggeringEvent.type : "";
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) return;
    const query = formQuery();
    const trigger = triggerOf(event);
    // A number's "input" then its "change" on leaving the field ask for the same search: once is enough.
    if (query === requested && trigger !== "submit" && trigger !== "restore") {
      event.preventDefault();
      return;
    }
    requested = query;
    results.setAttribute("aria-busy", "true");
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form) results.removeAttribute("aria-busy");
  });

  // A refused search (422) shows its message where the results were, whichever part asked.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status !== 422) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    event.detail.target = results;
    event.detail.swapOverride = "innerHTML";
    event.detail.selectOverride = "unset";
  });

  // Anything else (network, server): say so, keep the results as they were.
  function failed(event) {
    if (event.detail.elt !== form && !results.contains(event.detail.elt)) return;
    results.removeAttribute("aria-busy");
    requested = null; // the same search may be asked again
    const old = document.getElementById("search-failed");
    if (old) old.remove();
    const alert = document.createElement("p");
    alert.id = "search-failed";
    alert.className = "message message-error";
    alert.setAttribute("role", "alert");
    alert.textContent = form.dataset.errorMessage;
    results.prepend(alert);
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);

  results.addEventListener("htmx:afterSettle", function (event) {
    // The form's request, not the next page of the same search (detail.elt is where the event fires).
    const asked = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.target !== results || asked !== form) return;
    const state = results.querySelector(".search-results");
    if (!state || state.hasAttribute("data-error")) return; // the map and the address keep the last search
    showTiles(state.dataset.query);
    const url = state.dataset.url;
    // Changing the language comes back to this search, not to the one the page was loaded with.
    const next = document.querySelector('.lang-switch input[name="next"]');
    if (next) next.value = url;
    if (triggerOf(event) === "restore") return; // back or forward: the address is already this search
    if (url === shown) window.history.replaceState({ search: url }, "", url);
    else window.history.pushState({ search: url }, "", url);
    shown = url;
  });

  // The next homes: the link that asked goes (replaced by the one after it, if any), so the keyboard goes to
  // the first of the homes just added rather than back to the top of the page.
  let cardsBefore = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt.closest && elt.closest("#results-next")) cardsBefore = results.querySelectorAll(".home-card").length;
  });
  results.addEventListener("htmx:afterSettle", function (event) {
    if (cardsBefore === null || event.target.id !== "home-cards") return;
    const added = results.querySelectorAll(".home-card")[cardsBefore];
    cardsBefore = null;
    const link = added && added.querySelector("a");
    if (link) link.focus();
  });

  // Back and forward: the form takes the values of the address, and the search runs again.
  function fill(params) {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "submit" || field.type === "button") return;
      const values = params.getAll(field.name).flatMap(function (v) { return v.split(","); });
      if (field.type === "checkbox") field.checked = values.indexOf(field.value) >= 0;
      else field.value = params.get(field.name) || "";
    });
  }
  window.addEventListener("popstate", function () {
    const here = window.location.pathname + window.location.search;
    if (here === shown) return; // a jump to an anchor of the page, not another search
    shown = here;
    const params = new URLSearchParams(window.location.search);
    fill(params);
    const box = boundsOf(params.get("bbox"));
    if (map && box) map.fitBounds(box, { animate: false }, { programmatic: true });
    if (areaButton) areaButton.hidden = true;
    htmx.trigger(form, "restore"); // the form's own request (hx-trigger), which leaves the address alone
  });
})();
