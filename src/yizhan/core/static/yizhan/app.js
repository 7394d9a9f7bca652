// Maps for every page (window.YZ), and small enhancements. Progressive enhancement only:
// every page works without this file (lists, pickers and links stand on their own).
//
// Datums: we store WGS-84. Tianditu (CGCS2000) and the offline basemap draw in WGS-84; AMap
// tiles are GCJ-02, so when the provider's datum is gcj02 every overlay is shifted into it
// (toMap) and every click or drawn point is shifted back (fromMap) before it leaves the page.
(function () {
  "use strict";
  // Styles that only make sense with this file (the file inputs' big buttons hide the
  // browser's own control, whose chosen-file text the page then draws itself).
  document.documentElement.classList.add("js");

  // File inputs: a thumbnail of each chosen photo, the name of any other file.
  function showChosen(input) {
    var box = input.closest(".file-field");
    if (!box) return;
    var previews = box.querySelector(".file-previews");
    var chosen = box.querySelector(".file-chosen");
    // A new choice answers the error the field came back with.
    box.classList.remove("has-error");
    box.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    previews.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    previews.textContent = "";
    var files = Array.prototype.slice.call(input.files || []);
    files.slice(0, 6).forEach(function (file) {
      var figure = document.createElement("figure");
      if (/^image\//.test(file.type) && window.URL && URL.createObjectURL) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        figure.appendChild(img);
      } else {
        var name = document.createElement("span");
        name.textContent = file.name;
        figure.appendChild(name);
      }
      previews.appendChild(figure);
    });
    chosen.textContent = files.length === 0 ? "" :
      files.length === 1 ? box.dataset.one : (box.dataset.many || "").replace("{n}", files.length);
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".file-field input[type=file]")) showChosen(event.target);
  });

  // --- GCJ-02, the same formulas as yizhan.core.geo -------------------------------------
  var PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;

  function outOfChina(lat, lng) {
    return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }
  function shiftLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    return r;
  }
  function shiftLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    return r;
  }
  function wgsToGcj(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var dlat = shiftLat(lng - 105, lat - 35), dlng = shiftLng(lng - 105, lat - 35);
    var rad = lat / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dlat = (dlat * 180) / ((A * (1 - EE)) / (magic * sq) * PI);
    dlng = (dlng * 180) / (A / sq * Math.cos(rad) * PI);
    return [lat + dlat, lng + dlng];
  }
  function gcjToWgs(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var wlat = lat, wlng = lng;
    for (var i = 0; i < 30; i++) {
      var g = wgsToGcj(wlat, wlng), dlat = g[0] - lat, dlng = g[1] - lng;
      wlat -= dlat; wlng -= dlng;
      if (Math.abs(dlat) < 1e-9 && Math.abs(dlng) < 1e-9) break;
    }
    return [wlat, wlng];
  }

  // --- configuration (core.maps.page_config, in the base template) ----------------------
  var config = { datum: "wgs84", layers: [], data: {}, text: {}, centre: [36.0611, 103.8343], cluster_above: 200 };
  function readJSON(id) {
    var el = id && document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  function loadConfig() {
    var found = readJSON("map-config");
    if (found) config = found;
    config.text = config.text || {};
  }
  function t(key, fallback) { return config.text[key] || fallback; }
  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // WGS-84 → the map's datum (what Leaflet draws) and back (what we send).
  function toMap(lat, lng) {
    var p = config.datum === "gcj02" ? wgsToGcj(lat, lng) : [lat, lng];
    return L.latLng(p[0], p[1]);
  }
  function fromMap(latlng) {
    var p = config.datum === "gcj02" ? gcjToWgs(latlng.lat, latlng.lng) : [latlng.lat, latlng.lng];
    return { lat: p[0], lng: p[1] };
  }

  // --- the offline basemap: districts and the community grid, per zoom ------------------
  var layerData = {};
  function fetchLayer(name) {
    var url = config.data && config.data[name];
    if (!url) return Promise.resolve(null);
    if (!layerData[name]) {
      layerData[name] = fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { delete layerData[name]; return null; });
    }
    return layerData[name];
  }
  function decodeRing(flat, q) {
    var x = flat[0], y = flat[1], out = [toMap(y / q, x / q)];
    for (var i = 2; i < flat.length; i += 2) {
      x += flat[i]; y += flat[i + 1];
      out.push(toMap(y / q, x / q));
    }
    return out;
  }
  function decodeAreas(doc) {
    return doc.areas.map(function (a) {
      return {
        id: a[0], name: a[1], parent: doc.parents[a[2]] || "",
        label: toMap(a[4] / doc.q, a[3] / doc.q),
        shape: a[5].map(function (poly) { return poly.map(function (r) { return decodeRing(r, doc.q); }); })
      };
    });
  }
  var PALETTE = ["#f3e6c8", "#dcebd3", "#f1d9d2", "#d7e3ef", "#ece0ef", "#e2ecd0", "#f5e1c0", "#dae6e6"];

  function basemap(map, withTiles) {
    map.createPane("yz-base").style.zIndex = 250;  // under the overlays, above the tiles
    map.createPane("yz-labels").style.zIndex = 450;
    var renderer = L.canvas({ padding: 0.3, pane: "yz-base" });
    map.getPane("yz-labels").style.pointerEvents = "none";
    var shown = { districts: null, communities: null }, drawn = {}, labels = L.layerGroup().addTo(map);
    var decoded = {};

    function style(kind, i) {
      if (kind === "districts") {
        return withTiles
          ? { color: "#c8102e", weight: 1.5, dashArray: "6 4", fill: false, interactive: false }
          : { color: "#8a8f98", weight: 1.6, fillColor: PALETTE[i % PALETTE.length], fillOpacity: 1, interactive: false };
      }
      return withTiles
        ? { color: "#c8102e", weight: 0.7, opacity: 0.6, fill: false, interactive: false }
        : { color: "#ffffff", weight: 1, fill: false, interactive: false };
    }
    function wanted(z) {
      return {
        districts: z < 12 ? "districts_lo" : "districts_hi",
        communities: z >= 14 ? "communities_hi" : (z >= 12 && !withTiles ? "communities_lo" : null)
      };
    }
    function draw(kind, name) {
      if (shown[kind] === name) return;
      if (shown[kind] && drawn[shown[kind]]) map.removeLayer(drawn[shown[kind]]);
      shown[kind] = name;
      if (!name) { relabel(); return; }
      fetchLayer(name).then(function (doc) {
        if (!doc || shown[kind] !== name) return;
        if (!drawn[name]) {
          decoded[name] = decodeAreas(doc);
          var group = L.layerGroup();
          decoded[name].forEach(function (area, i) {
            L.polygon(area.shape, L.extend({ renderer: renderer, pane: "yz-base" }, style(kind, i))).addTo(group);
          });
          drawn[name] = group;
        }
        if (shown[kind] === name) { drawn[name].addTo(map); relabel(); }
      });
    }
    function relabel() {
      labels.clearLayers();
      if (withTiles) return;  // the tiles have their own labels
      var z = map.getZoom(), bounds = map.getBounds().pad(0.1), placed = [];
      var name = z >= 14 ? shown.communities : shown.districts;
      var areas = (name && decoded[name]) || [], size = z >= 14 ? 12 : 14;
      areas.forEach(function (area) {
        if (!area.name || placed.length > 200 || !bounds.contains(area.label)) return;
        // Skip a label that would overlap one already placed: readable beats complete.
        var p = map.latLngToContainerPoint(area.label), w = area.name.length * size / 2 + 4, h = size;
        for (var i = 0; i < placed.length; i++) {
          var q = placed[i];
          if (Math.abs(q.x - p.x) < q.w + w && Math.abs(q.y - p.y) < h + 2) return;
        }
        placed.push({ x: p.x, y: p.y, w: w });
        L.marker(area.label, {
          pane: "yz-labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "yz-label " + (z >= 14 ? "yz-label-community" : "yz-label-district"),
                            html: "<span>" + escapeHTML(area.name) + "</span>", iconSize: null })
        }).addTo(labels);
      });
    }
    function update() {
      var w = wanted(map.getZoom());
      draw("districts", w.districts);
      draw("communities", w.communities);
      relabel();
    }
    map.on("zoomend", update);
    map.on("moveend", relabel);
    update();
  }

  // --- markers, clustered when many are in view -----------------------------------------
  var clusterLoading = null;
  function loadCluster() {
    if (L.markerClusterGroup) return Promise.resolve(true);
    if (clusterLoading) return clusterLoading;
    var assets = config.cluster || {};
    if (!assets.js) return Promise.resolve(false);
    (assets.css || []).forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet"; link.href = href;
      document.head.appendChild(link);
    });
    clusterLoading = new Promise(function (resolve) {
      var s = document.createElement("script");
      s.src = assets.js;
      s.onload = function () { resolve(!!L.markerClusterGroup); };
      s.onerror = function () { resolve(false); };
      document.head.appendChild(s);
    });
    return clusterLoading;
  }

  // points: [{lat, lng (WGS-84), label, url, color, radius}]; returns a controller.
  function markerLayer(map, points, options) {
    options = options || {};
    var renderer = L.canvas({ padding: 0.3 });
    var markers = points.map(function (p) {
      var m = L.circleMarker(toMap(p.lat, p.lng), {
        renderer: renderer, radius: p.radius || options.radius || 7, weight: 2, color: "#fff",
        fillColor: p.color || "#c8102e", fillOpacity: 0.95
      });
      if (p.label) m.bindTooltip(escapeHTML(p.label));
      if (p.url) m.on("click", function (ev) { L.DomEvent.stop(ev); window.location.href = p.url; });
      m.yzPoint = p;
      return m;
    });
    var plain = L.featureGroup(markers), cluster = null, mode = null;
    var threshold = options.clusterAbove || config.cluster_above || 200;
    function visible() {
      var b = map.getBounds(), n = 0;
      for (var i = 0; i < markers.length; i++) if (b.contains(markers[i].getLatLng())) n++;
      return n;
    }
    function show(next) {
      if (next === mode) return;
      if (next === "cluster") {
        loadCluster().then(function (ok) {
          if (!ok) { show("plain"); return; }
          if (!cluster) {
            cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45,
                                             disableClusteringAtZoom: 17, chunkedLoading: true });
            cluster.addLayers(markers);
          }
          if (mode === "plain") map.removeLayer(plain);
          map.addLayer(cluster); mode = "cluster";
          map.getContainer().dataset.clustered = "1";
        });
      } else {
        if (mode === "cluster") map.removeLayer(cluster);
        map.addLayer(plain); mode = "plain";
        map.getContainer().dataset.clustered = "0";
      }
    }
    function update() {
      var n = visible();
      if (mode === "cluster" && n > threshold * 0.8) return;
      show(n > threshold ? "cluster" : "plain");
    }
    map.on("moveend", update);
    update();
    return { markers: markers, bounds: function () { return plain.getBounds(); }, update: update };
  }

  var PIN = function () {
    return L.divIcon({ className: "yz-pin", html: "<span></span>", iconSize: [30, 40], iconAnchor: [15, 38] });
  };

  // --- the map itself --------------------------------------------------------------------
  var maps = [];
  function createMap(el, options) {
    options = options || {};
    var withTiles = (config.layers || []).length > 0;
    var map = L.map(el, { zoomControl: false, zoomSnap: 0.5, minZoom: 6, maxZoom: 18, attributionControl: true });
    L.control.zoom({ zoomInTitle: t("zoom_in", "Zoom in"), zoomOutTitle: t("zoom_out", "Zoom out") }).addTo(map);
    map.attributionControl.setPrefix(escapeHTML(t("prefix", "Leaflet")));
    (config.layers || []).forEach(function (layer) {
      L.tileLayer(layer.url, {
        subdomains: layer.subdomains || "abc", maxZoom: layer.maxZoom || 18,
        attribution: layer.attribution || "", crossOrigin: false
      }).addTo(map);
    });
    if (!withTiles) map.attributionControl.addAttribution(escapeHTML(t("offline", "")));
    el.classList.add(withTiles ? "yz-tiles" : "yz-offline");
    map.on("popupopen", function (ev) {
      var close = ev.popup.getElement() && ev.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", t("close", "Close"));
    });
    map.setView(config.centre, 12);
    // After the caller has set its own view (fitBounds, a pin): fetch only the layers of
    // the zoom the person will see, not those of the default view first.
    if (options.basemap !== false) setTimeout(function () { basemap(map, withTiles); }, 0);
    if (options.pick) {
      map.on("click", function (ev) {
        var w = fromMap(ev.latlng);
        options.pick(w.lat, w.lng);
      });
    }
    map.yz = { toMap: toMap, fromMap: fromMap };
    maps.push(map);
    el.yzMap = map;
    return map;
  }

  function pin(map, lat, lng, label) {
    var m = L.marker(toMap(lat, lng), { icon: PIN(), keyboard: false, title: label || "" });
    if (label) m.bindTooltip(escapeHTML(label), { direction: "top", offset: [0, -34] });
    return m.addTo(map);
  }

  function geoJSON(map, data, style) {
    return L.geoJSON(data, {
      style: style || { color: "#c8102e", weight: 2, fillOpacity: 0.08 },
      coordsToLatLng: function (c) { return toMap(c[1], c[0]); }
    }).addTo(map);
  }

  var STATE_COLOURS = { submitted: "#d97706", accepted: "#1d4ed8", in_progress: "#1d4ed8",
                        resolved: "#1a7f37", closed: "#6b7280", rejected: "#c8102e" };

  // Generic maps: <div data-map data-markers="x" data-geojson="y" data-pin="z">, with
  // json_script elements "x-data", "y-data", "z-data" (WGS-84).
  function drawGeneric(el) {
    if (typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var map = createMap(el);
    var bounds = L.latLngBounds([]);
    var shapes = el.dataset.geojson && readJSON(el.dataset.geojson + "-data");
    if (shapes) bounds.extend(geoJSON(map, shapes).getBounds());
    var points = el.dataset.markers && readJSON(el.dataset.markers + "-data");
    if (points && points.length) {
      var layer = markerLayer(map, points.map(function (p) {
        return { lat: p.lat, lng: p.lng, label: p.label, url: p.url,
                 color: p.color || STATE_COLOURS[p.state] || "#c8102e" };
      }));
      bounds.extend(layer.bounds());
    }
    var spot = el.dataset.pin && readJSON(el.dataset.pin + "-data");
    if (spot) {
      pin(map, spot.lat, spot.lng, spot.label);
      map.setView(toMap(spot.lat, spot.lng), spot.zoom || 16, { animate: false });  // a first view: no animation
      if (spot.near) {  // the station or landmark the description names, to find the way
        L.circleMarker(toMap(spot.near.lat, spot.near.lng), { radius: 6, weight: 2, color: "#fff",
                                                              fillColor: "#1a7f37", fillOpacity: 1 })
          .bindTooltip(escapeHTML(spot.near.label), { permanent: true, direction: "right", className: "yz-near" })
          .addTo(map);
        var both = L.latLngBounds([toMap(spot.lat, spot.lng), toMap(spot.near.lat, spot.near.lng)]);
        if (!map.getBounds().contains(both)) map.fitBounds(both, { padding: [40, 40], maxZoom: spot.zoom || 16, animate: false });
      }
    } else if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16, animate: false });
    }
  }

  function drawAll() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(drawGeneric);
  }

  loadConfig();
  window.YZ = {
    config: function () { return config; },
    wgsToGcj: wgsToGcj, gcjToWgs: gcjToWgs, toMap: toMap, fromMap: fromMap,
    map: createMap, pin: pin, markers: markerLayer, geoJSON: geoJSON, readJSON: readJSON,
    maps: maps, stateColours: STATE_COLOURS, escape: escapeHTML
  };
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", drawAll);
})();
