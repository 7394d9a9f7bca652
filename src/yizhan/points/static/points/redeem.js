// The pick-up station nearest to the worker, when the phone shares its location: the list
// sorted by distance, each with its distance, the nearest chosen (unless the worker already
// chose). Without location, or without this file, the list stays as it came.
(function () {
  "use strict";
  var pick = document.getElementById("station-pick");
  if (!pick || !navigator.geolocation) return;
  var list = document.getElementById("station-choices");
  var status = document.getElementById("near-status");
  var button = document.getElementById("find-nearest");
  var items = Array.prototype.slice.call(list.querySelectorAll("li"));
  var touched = false;
  list.addEventListener("change", function () { touched = true; });

  function metres(lat1, lng1, lat2, lng2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLng = (lng2 - lng1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 6371008.8 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  function label(m) {
    if (m < 1000) return pick.dataset.m.replace("{d}", String(Math.round(m / 10) * 10));
    return pick.dataset.km.replace("{d}", (m / 1000).toFixed(m < 10000 ? 1 : 0));
  }

  function sort(position) {
    var lat = position.coords.latitude;
    var lng = position.coords.longitude;
    items.forEach(function (li) {
      li.distance = metres(lat, lng, parseFloat(li.dataset.lat), parseFloat(li.dataset.lng));
      li.querySelector(".distance").textContent = label(li.distance);
    });
    items.sort(function (a, b) { return a.distance - b.distance; });
    items.forEach(function (li) { list.appendChild(li); });
    if (!touched) items[0].querySelector("input").checked = true;
    status.textContent = pick.dataset.near;
    button.hidden = true;
  }

  function locate() {
    navigator.geolocation.getCurrentPosition(sort, function () {
      status.textContent = pick.dataset.denied;
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  }

  // Asked once already and allowed: sort at once. Otherwise the worker taps to allow it.
  button.addEventListener("click", locate);
  function offer() { button.hidden = items.length < 2; }
  if (navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state === "granted") locate(); else offer();
    }, offer);
  } else {
    offer();
  }
})();
