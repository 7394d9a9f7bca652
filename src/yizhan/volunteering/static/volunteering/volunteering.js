// Volunteer services: the plan map, picking a home on a map, and sharing a location when
// free. Progressive enhancement: every page works without this file.
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function baseMap(el) {
    var map = L.map(el, { zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function drawPlan(el) {
    if (typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var data = readJSON(el.dataset.planMap) || { routes: [], waiting: [] };
    var map = baseMap(el);
    var all = L.featureGroup().addTo(map);
    data.routes.forEach(function (route) {
      var here = route.start;
      L.circleMarker(here, { radius: 6, color: route.colour, weight: 3, fillColor: "#fff", fillOpacity: 1 })
        .bindTooltip(route.name).addTo(all);
      route.stops.forEach(function (stop) {
        L.polyline([here, stop.pickup], { color: route.colour, weight: 2, dashArray: "4 6" }).addTo(all);
        L.polyline([stop.pickup, stop.dropoff], { color: route.colour, weight: 4 }).bindTooltip(stop.label).addTo(all);
        L.circleMarker(stop.pickup, { radius: 4, color: route.colour, fillOpacity: 1 }).addTo(all);
        here = stop.dropoff;
      });
    });
    data.waiting.forEach(function (w) {
      L.circleMarker(w.pickup, { radius: 6, color: "#8e8e93", fillOpacity: 0.6 }).bindTooltip(w.label).addTo(all);
    });
    if (all.getLayers().length) map.fitBounds(all.getBounds(), { padding: [16, 16], maxZoom: 15 });
    else map.setView([36.06, 103.83], 12);
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
      put([+lat.value, +lng.value]);
      map.setView([+lat.value, +lng.value], 15);
    } else {
      map.setView([36.06, 103.83], 12);
    }
    map.on("click", function (ev) {
      lat.value = ev.latlng.lat.toFixed(6);
      lng.value = ev.latlng.lng.toFixed(6);
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
