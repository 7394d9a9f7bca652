// "Stations near me": fill the hidden lat/lng fields from the browser's position and reload.
// Without it (or when refused) the station-code form below still works.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("locate");
    if (!button) return;
    var error = document.getElementById("locate-error");
    function fail() {
      error.textContent = button.dataset.error;
      error.hidden = false;
    }
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { fail(); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lng").value = pos.coords.longitude.toFixed(6);
        document.getElementById("locate-form").submit();
      }, fail, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  });
})();
