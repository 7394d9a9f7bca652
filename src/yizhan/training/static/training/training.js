// Training and events: progressive enhancement only (every page works without it).
(function () {
  "use strict";

  // The door: reload the rotating code before it changes.
  function rotateDoorCode() {
    document.querySelectorAll("img[data-refresh]").forEach(function (img) {
      var every = Math.max(5, parseInt(img.dataset.refresh, 10) || 10) * 1000;
      var base = img.getAttribute("src").split("?")[0];
      setInterval(function () { img.src = base + "?ts=" + Date.now(); }, every);
    });
  }

  // Check-in: send the phone's position with the form when the person allows it.
  function fillPosition() {
    document.querySelectorAll("form[data-geo]").forEach(function (form) {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
        var note = form.querySelector("[data-geo-note]");
        if (note) note.hidden = false;
      }, function () {}, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    });
  }

  // The list: "near me" asks for the position and reloads with it.
  function nearMe() {
    document.querySelectorAll("[data-near]").forEach(function (button) {
      button.hidden = !navigator.geolocation;
      button.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (pos) {
          var url = new URL(window.location.href);
          url.searchParams.set("lat", pos.coords.latitude.toFixed(5));
          url.searchParams.set("lng", pos.coords.longitude.toFixed(5));
          window.location.href = url.toString();
        });
      });
    });
  }

  // Copy the calendar feed's address.
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copy);
        input.select();
        if (navigator.clipboard) navigator.clipboard.writeText(input.value);
      });
    });
  }

  // A station's visitors by weekday and hour: an ECharts heatmap (the table stays below).
  function drawHeat() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-heat]").forEach(function (el) {
      if (el.dataset.ready) return;
      var source = document.getElementById(el.dataset.heat);
      if (!source) return;
      el.dataset.ready = "1";
      var heat = JSON.parse(source.textContent);
      var data = [];
      heat.grid.forEach(function (row, d) { row.forEach(function (n, h) { data.push([h, d, n]); }); });
      var hours = []; for (var h = 0; h < 24; h++) hours.push(h + "");
      echarts.init(el).setOption({
        grid: { left: 70, right: 10, top: 10, bottom: 50 },
        tooltip: { position: "top" },
        xAxis: { type: "category", data: hours, splitArea: { show: true } },
        yAxis: { type: "category", data: heat.weekdays, inverse: true },
        visualMap: { min: 0, max: Math.max(1, heat.max), calculable: false, orient: "horizontal",
          left: "center", bottom: 0, itemHeight: 120, inRange: { color: ["#fdf2f4", "#c8102e"] } },
        series: [{ type: "heatmap", data: data, label: { show: false } }],
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    rotateDoorCode(); fillPosition(); nearMe(); copyButtons(); drawHeat();
  });
  document.addEventListener("htmx:afterSwap", drawHeat);
})();
