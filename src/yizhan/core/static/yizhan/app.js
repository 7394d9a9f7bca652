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
      var source = document.getElementById(el.dataset.geojson + "-data");
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var layer = L.geoJSON(data, { style: { color: "#c8102e", weight: 2, fillOpacity: 0.08 } }).addTo(map);
      if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
    });
  }

  document.addEventListener("DOMContentLoaded", drawMaps);
  document.addEventListener("htmx:afterSwap", drawMaps);
})();
