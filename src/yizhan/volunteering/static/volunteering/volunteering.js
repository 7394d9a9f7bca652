// Volunteer services: the plan map, picking a home on a map, and sharing a location when
// free. Progressive enhancement: every page works without this file.
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Through the city's map (YZ, core/app.js): its tiles, its datum (WGS-84 points drawn where
  // GCJ-02 tiles put them), its offline basemap and its Chinese controls.
  function baseMap(el, options) {
    if (window.YZ) return YZ.map(el, options || {});
    var map = L.map(el, { zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    return map;
  }
  function at(p) {  // a WGS-84 [lat, lng] from the server, where the map draws it
    return window.YZ ? YZ.toMap(p[0], p[1]) : L.latLng(p[0], p[1]);
  }
  function esc(text) {  // tooltips are HTML: names and addresses go in as text
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fromMap(latlng) {
    return window.YZ ? YZ.fromMap(latlng) : { lat: latlng.lat, lng: latlng.lng };
  }

  function drawPlan(el) {
    if (typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var data = readJSON(el.dataset.planMap) || { routes: [], waiting: [] };
    var map = baseMap(el);
    var all = L.featureGroup().addTo(map);
    data.routes.forEach(function (route) {
      var here = at(route.start);
      L.circleMarker(here, { radius: 6, color: route.colour, weight: 3, fillColor: "#fff", fillOpacity: 1 })
        .bindTooltip(esc(route.name)).addTo(all);
      route.stops.forEach(function (stop) {
        var pickup = at(stop.pickup), dropoff = at(stop.dropoff);
        L.polyline([here, pickup], { color: route.colour, weight: 2, dashArray: "4 6" }).addTo(all);
        L.polyline([pickup, dropoff], { color: route.colour, weight: 4 }).bindTooltip(esc(stop.label)).addTo(all);
        L.circleMarker(pickup, { radius: 4, color: route.colour, fillOpacity: 1 }).addTo(all);
        here = dropoff;
      });
    });
    data.waiting.forEach(function (w) {
      L.circleMarker(at(w.pickup), { radius: 6, color: "#8e8e93", fillOpacity: 0.6 }).bindTooltip(esc(w.label)).addTo(all);
    });
    if (all.getLayers().length) map.fitBounds(all.getBounds(), { padding: [16, 16], maxZoom: 15, animate: false });
  }

  function setUpPickMap(el) {
    if (typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var form = el.closest("form");
    var lat = form.querySelector("[name=lat]");
    var lng = form.querySelector("[name=lng]");
    var map = baseMap(el);
    var marker = null;
    function put(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.marker(latlng).addTo(map);
    }
    if (lat.value && lng.value) {
      put(at([+lat.value, +lng.value]));
      map.setView(at([+lat.value, +lng.value]), 15, { animate: false });
    }
    map.on("click", function (ev) {
      var w = fromMap(ev.latlng);  // stored as WGS-84 whatever the tiles' datum
      lat.value = w.lat.toFixed(6);
      lng.value = w.lng.toFixed(6);
      put(ev.latlng);
    });
  }

  function setUpFreeNow(form) {
    form.addEventListener("submit", function (ev) {
      var share = form.querySelector("[name=share]");
      if (!share || !share.checked || form.dataset.located || !navigator.geolocation) return;
      ev.preventDefault();
      var done = function () { form.dataset.located = "1"; form.submit(); };
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude;
        form.querySelector("[name=lng]").value = pos.coords.longitude;
        done();
      }, done, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-plan-map]").forEach(drawPlan);
    document.querySelectorAll("[data-pick-map]").forEach(setUpPickMap);
    document.querySelectorAll("form[data-free-now]").forEach(setUpFreeNow);
  });
})();
