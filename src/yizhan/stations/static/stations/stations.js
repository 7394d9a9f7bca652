// Station maps, "nearest to me", and check-in by location. Progressive enhancement: the
// finder works without it (district/community list or a place's name), and so does check-in
// (the station's QR code).
(function () {
  "use strict";

  function setPoint(lat, lng) {
    var form = document.getElementById("finder-form");
    if (!form) return;
    form.querySelector("[name=lat]").value = lat.toFixed(6);
    form.querySelector("[name=lng]").value = lng.toFixed(6);
    form.querySelector("[name=near]").value = "";
    ["place", "area"].forEach(function (name) {
      var field = form.querySelector("[name=" + name + "]");
      if (field) field.value = "";
    });
    form.submit();
  }

  // The whole network from the cached layer: coloured by open now, filtered as the form says.
  function stationPoints(layer, data) {
    var closed = {}, f = data.filter || {}, q = layer.q;
    (data.closed || []).forEach(function (id) { closed[id] = true; });
    var kinds = (f.kinds || []).map(function (k) { return layer.kinds.indexOf(k); });
    var need = 0;
    (f.amenities || []).forEach(function (a) {
      var bit = layer.amenities.indexOf(a);
      need |= bit < 0 ? 0x40000000 : (1 << bit);
    });
    var highlighted = {};
    (data.results || []).forEach(function (r) { highlighted[r.id] = true; });
    return layer.stations.filter(function (s) {
      if (highlighted[s[0]]) return false;  // drawn larger, on top
      if (kinds.length && kinds.indexOf(s[3]) < 0) return false;
      if (need && (s[6] & need) !== need) return false;
      return !(f.open_now && closed[s[0]]);
    }).map(function (s) {
      return { lat: s[4] / q, lng: s[5] / q, label: s[2], url: "/stations/" + encodeURIComponent(s[1]) + "/",
               color: closed[s[0]] ? "#8e8e93" : "#1a7f37", radius: 5 };
    });
  }

  function drawMap(el) {
    if (typeof L === "undefined" || !window.YZ || el.dataset.ready) return;
    el.dataset.ready = "1";
    var data = YZ.readJSON(el.dataset.stationMap) || {};
    var finder = !!data.stations_url;
    var map = YZ.map(el, { pick: finder ? setPoint : null });
    var boundary = YZ.readJSON(el.dataset.boundary);
    var area = boundary ? YZ.geoJSON(map, boundary, { color: "#c8102e", weight: 1.5, fillOpacity: 0.05, interactive: false }) : null;
    var focus = YZ.markers(map, (data.results || []).map(function (r) {
      return { lat: r.lat, lng: r.lng, label: r.name, url: r.url, color: r.open ? "#1a7f37" : "#8e8e93", radius: 9 };
    }), { clusterAbove: 100000 });
    if (data.origin) {
      L.circleMarker(YZ.toMap(data.origin.lat, data.origin.lng), {
        radius: 8, color: "#0a5bd3", weight: 3, fillColor: "#fff", fillOpacity: 1
      }).bindTooltip(YZ.escape((YZ.config().text || {}).you || "")).addTo(map);
    }
    var results = focus.bounds();
    if (data.origin) results.extend(YZ.toMap(data.origin.lat, data.origin.lng));
    if (area && area.getBounds().isValid()) {
      map.fitBounds(area.getBounds(), { padding: [8, 8] });  // the station inside its community
    } else if (results.isValid()) {
      map.fitBounds(results, { padding: [24, 24], maxZoom: 16 });
    }
    if (finder) {
      fetch(data.stations_url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (layer) {
          if (!layer) return;
          var all = YZ.markers(map, stationPoints(layer, data));
          el.dataset.stations = String(all.markers.length);
          if (!data.origin && !(data.results || []).length && all.bounds().isValid()) map.fitBounds(all.bounds());
        }).catch(function () {});
    }
  }

  function locate(onPoint, onError) {
    if (!navigator.geolocation) { onError(); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      onPoint(pos.coords.latitude, pos.coords.longitude);
    }, onError, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function setUpFinder() {
    var button = document.getElementById("locate-me");
    if (!button || !navigator.geolocation) return;
    button.hidden = false;
    document.getElementById("locate-help").hidden = false;
    var where = document.getElementById("where");  // the no-map way folds away, still there
    if (where && !where.querySelector(".error") && !where.querySelector("input").value) where.open = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      locate(setPoint, function () {
        button.disabled = false;
        document.getElementById("locate-error").hidden = false;
        var where = document.getElementById("where");
        if (where) where.open = true;
      });
    });
  }

  // Check-in by location; when the phone will not say where it is, show the QR way instead
  // of sending a request that can only be refused.
  function setUpCheckIn() {
    document.querySelectorAll("form[data-check-in]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (form.dataset.located) return;
        ev.preventDefault();
        var denied = document.getElementById("check-in-denied");
        locate(function (lat, lng) {
          form.querySelector("[name=lat]").value = lat;
          form.querySelector("[name=lng]").value = lng;
          form.dataset.located = "1";
          form.submit();
        }, function () {
          if (denied) { denied.hidden = false; denied.focus(); }
          else { form.dataset.located = "1"; form.submit(); }
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-station-map]").forEach(drawMap);
    setUpFinder();
    setUpCheckIn();
  });
})();
