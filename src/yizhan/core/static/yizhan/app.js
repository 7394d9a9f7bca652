// Progressive enhancement only: every page works without this file.
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
            .bindPopup(m.label).addTo(map);
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
