// Station maps and "nearest to me". Progressive enhancement: the finder works without it.
(function () {
  "use strict";

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function dot(latlng, open, radius) {
    return L.circleMarker(latlng, {
      radius: radius || 7, weight: 2, color: "#fff",
      fillColor: open ? "#1a7f37" : "#8e8e93", fillOpacity: 0.95
    });
  }

  function setPoint(lat, lng) {
    var form = document.getElementById("finder-form");
    if (!form) return;
    form.querySelector("[name=lat]").value = lat.toFixed(6);
    form.querySelector("[name=lng]").value = lng.toFixed(6);
    form.submit();
  }

  function drawMap(el) {
    if (typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var data = readJSON(el.dataset.stationMap) || {};
    var map = L.map(el, { zoomSnap: 0.25 });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var boundaryStyle = { color: "#c8102e", weight: 1, fillOpacity: 0.04, interactive: false };
    var boundary = readJSON(el.dataset.boundary);
    var area = boundary ? L.geoJSON(boundary, { style: boundaryStyle }).addTo(map) : null;
    var focus = L.featureGroup().addTo(map);
    (data.results || []).forEach(function (r) {
      var m = dot([r.lat, r.lng], r.open, 9).addTo(focus);
      if (r.url) {
        m.bindTooltip(document.createTextNode(r.name));  // a name is text, never HTML
        m.on("click", function () { window.location.href = r.url; });
      }
    });
    if (data.origin) {
      L.circleMarker([data.origin.lat, data.origin.lng], {
        radius: 8, color: "#0a5bd3", weight: 3, fillColor: "#fff", fillOpacity: 1
      }).addTo(focus);
    }
    if (area && area.getBounds().isValid()) {
      map.fitBounds(area.getBounds(), { padding: [8, 8] });  // the station inside its community
    } else if (focus.getLayers().length) {
      map.fitBounds(focus.getBounds(), { padding: [24, 24], maxZoom: 16 });
    } else {
      map.setView([36.06, 103.83], 12); // Lanzhou until the stations arrive
    }
    if (data.communities_url) {
      fetch(data.communities_url).then(function (r) { return r.json(); }).then(function (fc) {
        L.geoJSON(fc, { style: boundaryStyle }).addTo(map).bringToBack();
      }).catch(function () {});
    }
    if (data.stations_url) {
      fetch(data.stations_url).then(function (r) { return r.json(); }).then(function (fc) {
        var layer = L.geoJSON(fc, {
          pointToLayer: function (f, latlng) { return dot(latlng, f.properties.open_now, 4); },
          onEachFeature: function (f, m) {
            m.bindTooltip(document.createTextNode(f.properties.name));  // text, never HTML
            m.on("click", function (ev) {
              L.DomEvent.stop(ev);
              window.location.href = "/stations/" + encodeURIComponent(f.properties.code) + "/";
            });
          }
        }).addTo(map);
        focus.bringToFront();
        if (!focus.getLayers().length && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      }).catch(function () {});
      map.on("click", function (ev) { setPoint(ev.latlng.lat, ev.latlng.lng); });
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
    if (!button) return;
    button.hidden = false;
    document.getElementById("locate-help").hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      locate(setPoint, function () {
        button.disabled = false;
        document.getElementById("locate-error").hidden = false;
      });
    });
  }

  function setUpCheckIn() {
    document.querySelectorAll("form[data-check-in]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (form.dataset.located) return;
        ev.preventDefault();
        var done = function () { form.dataset.located = "1"; form.submit(); };
        locate(function (lat, lng) {
          form.querySelector("[name=lat]").value = lat;
          form.querySelector("[name=lng]").value = lng;
          done();
        }, done);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-station-map]").forEach(drawMap);
    setUpFinder();
    setUpCheckIn();
  });
})();
