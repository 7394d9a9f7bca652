// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function drawMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      if (el.dataset.ready) return;
      el.dataset.ready = "1";
      var map = L.map(el, { zoomSnap: 0.25 });
      map.attributionControl.setPrefix(false);
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 }).addTo(map);
      }
      // Without tiles the boundaries and markers still draw on a plain background.
      var bounds = L.latLngBounds([]);
      var shapes = el.dataset.geojson && document.getElementById(el.dataset.geojson + "-data");
      if (shapes) {
        var layer = L.geoJSON(JSON.parse(shapes.textContent), {
          style: { color: "#c8102e", weight: 2, fillOpacity: 0.08 },
        }).addTo(map);
        bounds.extend(layer.getBounds());
      }
      var points = el.dataset.markers && document.getElementById(el.dataset.markers + "-data");
      if (points) {
        JSON.parse(points.textContent).forEach(function (m) {
          L.circleMarker([m.lat, m.lng], { radius: 7, color: "#c8102e", weight: 2, fillOpacity: 0.6 })
            .bindPopup(document.createTextNode(m.label)).addTo(map);  // text, never HTML
          bounds.extend([m.lat, m.lng]);
        });
      }
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
      else map.setView([36.06, 103.83], 12);
    });
  }

  document.addEventListener("DOMContentLoaded", drawMaps);
  document.addEventListener("htmx:afterSwap", drawMaps);
})();
