// The report form, enhanced: location from the phone or a tap on the map, a look for
// nearby duplicates, and sending that survives a dropped connection (same idempotency key,
// typed text and chosen photos kept on the page, the text also kept across reloads).
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var latInput = form.querySelector("[name=lat]");
  var lngInput = form.querySelector("[name=lng]");
  var crsInput = form.querySelector("[name=crs]");
  var status = document.getElementById("send-status");
  var text = document.getElementById("location-text");
  var draftKey = form.dataset.draft;
  var marker = null;
  var map = null;

  function say(message, isError) {
    status.hidden = false;
    status.textContent = message;
    status.className = "send-status" + (isError ? " error" : "");
  }

  function checkNearby() {
    if (latInput.value && lngInput.value) document.body.dispatchEvent(new Event("nearby-check"));
  }

  // lat/lng here are always WGS-84: the map converts its clicks from its own datum.
  function setPoint(lat, lng) {
    latInput.value = lat.toFixed(7);
    lngInput.value = lng.toFixed(7);
    crsInput.value = "wgs84";
    text.textContent = (form.dataset.here || "") + " " + lat.toFixed(5) + ", " + lng.toFixed(5);
    if (map) {
      if (marker) marker.setLatLng(YZ.toMap(lat, lng)); else marker = YZ.pin(map, lat, lng);
      map.setView(YZ.toMap(lat, lng), Math.max(map.getZoom(), 16));
    }
    checkNearby();
  }

  // Location from the phone (WGS-84).
  var locate = document.getElementById("locate-me");
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        setPoint(pos.coords.latitude, pos.coords.longitude);
      }, function () {
        locate.disabled = false;
        text.textContent = form.dataset.noFix || text.textContent;
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 });
    });
  }

  // Or a tap on the map (whatever its tiles' datum: YZ converts the tap to WGS-84).
  var mapEl = document.getElementById("pick-map");
  if (mapEl && typeof L !== "undefined" && window.YZ) {
    mapEl.hidden = false;
    map = YZ.map(mapEl, { pick: setPoint });
    map.setView(YZ.toMap(36.0611, 103.8343), 13, { animate: false });  // no zoom animation on load: a tap during it would be lost
    if (latInput.value && lngInput.value) setPoint(parseFloat(latInput.value), parseFloat(lngInput.value));
  }
  form.querySelector("[name=category]").addEventListener("change", checkNearby);

  // Keep what was typed across a reload.
  var description = form.querySelector("[name=description]");
  try {
    var saved = JSON.parse(localStorage.getItem(draftKey) || "null");
    if (saved && !description.value) description.value = saved.description || "";
    if (saved && saved.key) form.querySelector("[name=idempotency_key]").value = saved.key;
  } catch (e) { /* private mode: no drafts */ }
  function saveDraft() {
    try {
      localStorage.setItem(draftKey, JSON.stringify({
        description: description.value,
        key: form.querySelector("[name=idempotency_key]").value,
      }));
    } catch (e) { /* ignore */ }
  }
  description.addEventListener("input", saveDraft);

  // Errors as the page without JavaScript shows them: each message once, beside its field
  // (the coordinates and the photo-location box are the location's), the rest on top.
  var LOCATION_FIELDS = { location: 1, lat: 1, lng: 1, crs: 1, use_photo_location: 1 };
  function showErrors(detail) {
    form.querySelectorAll(".error, .js-error, .form-errors").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var seen = {};
    var first = null;
    detail.forEach(function (d) {
      var name = LOCATION_FIELDS[d.field] ? "location" : d.field;
      if (seen[name + "|" + d.message]) return;
      seen[name + "|" + d.message] = true;
      var input = name && name !== "location" && form.querySelector("[name=" + name + "]");
      var box = name === "location" ? document.getElementById("location-field") : (input ? input.closest(".field") : null);
      var p = document.createElement("p");
      p.textContent = d.message;
      if (box) {
        p.className = "error js-error";
        p.setAttribute("role", "alert");
        box.classList.add("has-error");
        (name === "location" && document.getElementById("location-errors") || box).appendChild(p);
      } else {
        box = document.createElement("div");
        box.className = "form-errors js-error";
        box.setAttribute("role", "alert");
        box.appendChild(p);
        form.insertBefore(box, form.firstElementChild);
      }
      first = first || box;
    });
    if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
  }

  // Send with fetch; on a dropped connection try again with the same key.
  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.FormData) return; // plain form post still works
    event.preventDefault();
    saveDraft();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    form.querySelectorAll(".js-error").forEach(function (el) { el.remove(); });
    var attempt = 0;
    function send() {
      attempt += 1;
      say(form.dataset.sending || "…");
      fetch(form.dataset.api, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value, "Accept": "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        if (result.status === 200 || result.status === 201) {
          try { localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
          window.location.href = "/reports/" + result.data.id + "/?sent=1";
          return;
        }
        button.disabled = false;
        status.hidden = true;
        showErrors(result.data.detail || [{ field: "", message: result.data.message }]);
      }).catch(function () {
        if (attempt < 4) {
          say(form.dataset.retrying || "…", true);
          setTimeout(send, 1500 * attempt);
        } else {
          button.disabled = false;
          say(form.dataset.failed || "!", true);
        }
      });
    }
    send();
  });
});
