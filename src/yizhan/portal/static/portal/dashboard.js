// The dashboards' charts (ECharts) and hexagon maps (Leaflet), drawn from the same JSON as
// the tables beside them. Progressive enhancement: without this file the tables remain.
(function () {
  "use strict";

  var PALETTE = ["#c8102e", "#1d4ed8", "#8e8e93", "#1a7f37", "#b45309", "#7c3aed"];

  function readJSON(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function numericColumns(chart) {
    if (chart.extra && chart.extra.series) return chart.extra.series;
    var cols = [];
    for (var i = 1; i < chart.columns.length && cols.length < 3; i++) {
      var numeric = chart.rows.some(function (r) { return typeof r[i] === "number"; });
      if (numeric) cols.push(i);
    }
    return cols;
  }

  function option(chart) {
    var cols = numericColumns(chart);
    var labels = chart.rows.map(function (r) { return String(r[0]); });
    var base = {
      color: PALETTE,
      animation: false,
      tooltip: { trigger: chart.kind === "pie" ? "item" : "axis" },
      grid: { left: 12, right: 16, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll" },
    };
    if (chart.kind === "pie") {
      base.series = [{
        type: "pie", radius: ["35%", "65%"], top: 24,
        data: chart.rows.map(function (r) { return { name: String(r[0]), value: r[cols[0]] || 0 }; }),
      }];
      return base;
    }
    var line = chart.kind === "line";
    base.xAxis = { type: "category", data: labels, axisLabel: { hideOverlap: true, rotate: line ? 0 : 30, width: 110, overflow: "truncate" } };
    base.yAxis = { type: "value" };
    base.series = cols.map(function (i, n) {
      return {
        name: chart.columns[i], type: line ? "line" : "bar", showSymbol: false,
        lineStyle: line && n === cols.length - 1 && /[,，]/.test(chart.columns[i]) ? { type: "dashed" } : undefined,
        data: chart.rows.map(function (r) { return r[i]; }),
      };
    });
    if (labels.length > 30 && !line) base.dataZoom = [{ type: "slider", bottom: 4, height: 14 }];
    return base;
  }

  var charts = {};

  function drawCharts() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.ready) return;
      el.dataset.ready = "1";
      var data = readJSON(el.dataset.chart);
      if (!data) return;
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(data));
      charts[data.key] = chart;
    });
    document.querySelectorAll("[data-png]").forEach(function (a) {
      a.addEventListener("click", function () {
        var chart = charts[a.dataset.png];
        var map = document.querySelector("#chart-" + a.dataset.png + " canvas");
        if (chart) {
          a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        } else if (map) {
          a.href = map.toDataURL("image/png");
        }
      });
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
  }

  function colour(value, max) {
    var t = max ? Math.min(1, value / max) : 0;
    var r = 255, g = Math.round(220 - 180 * t), b = Math.round(180 - 160 * t);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  // Through the city's map (YZ, core/app.js): the provider's tiles or the offline basemap of
  // districts and communities under the hexagons, points drawn where the tiles' datum puts them.
  function cityMap(el) {
    if (window.YZ) return YZ.map(el, {});
    var map = L.map(el, { zoomSnap: 0.25, preferCanvas: true });
    map.attributionControl.setPrefix(false);
    return map;
  }
  function at(p) {
    return window.YZ ? YZ.toMap(p[0], p[1]) : L.latLng(p[0], p[1]);
  }
  function ring(points) { return points.map(at); }
  function esc(text) {  // tooltips are HTML: imported names go in as text
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function drawHexmaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-hexmap]").forEach(function (el) {
      if (el.dataset.ready) return;
      el.dataset.ready = "1";
      var data = readJSON(el.dataset.hexmap);
      if (!data) return;
      var map = cityMap(el);
      var group = L.featureGroup().addTo(map);
      var max = data.rows.reduce(function (m, r) { return Math.max(m, r[1]); }, 0);
      data.rows.forEach(function (r) {
        var outline = data.extra.outlines[r[0]];
        if (!outline) return;
        L.polygon(ring(outline), { color: "#7a0a1c", weight: 1, fillColor: colour(r[1], max), fillOpacity: 0.8 })
          .bindTooltip(String(r[1])).addTo(group);
      });
      if (group.getLayers().length) map.fitBounds(group.getBounds(), { padding: [12, 12], maxZoom: 15, animate: false });
      else map.setView(at([36.06, 103.83]), 11, { animate: false });
    });
  }

  function drawPlanning() {
    var el = document.querySelector("[data-planning]");
    if (!el || typeof L === "undefined" || el.dataset.ready) return;
    el.dataset.ready = "1";
    var data = readJSON(el.dataset.planning);
    if (!data) return;
    var map = cityMap(el);
    var cells = L.featureGroup().addTo(map);
    var sites = L.featureGroup().addTo(map);
    var select = document.getElementById("planning-hour");
    function draw() {
      cells.clearLayers();
      var hour = select ? select.value : "";
      var value = function (c) { return hour === "" ? c.gap : (c.gap_hours[hour] || 0); };
      var max = data.cells.reduce(function (m, c) { return Math.max(m, value(c)); }, 0);
      data.cells.forEach(function (c) {
        var v = value(c);
        L.polygon(ring(c.outline), {
          color: c.reached_after && v ? "#1d4ed8" : "#999", weight: c.reached_after && v ? 2 : 0.5,
          fillColor: v ? colour(v, max) : "#e6f4ea", fillOpacity: v ? 0.8 : 0.4,
        }).bindTooltip(String(v)).addTo(cells);
      });
    }
    var chosen = {};
    (data.cpsat.sites || []).forEach(function (id) { chosen[id] = "cpsat"; });
    var greedy = {};
    (data.greedy.sites || []).forEach(function (id) { greedy[id] = true; });
    data.candidates.forEach(function (c) {
      var pick = chosen[c.id];
      L.circleMarker(at([c.lat, c.lng]), {
        radius: pick ? 9 : 4, weight: greedy[c.id] ? 3 : 1,
        color: greedy[c.id] ? "#1d4ed8" : "#555", fillColor: pick ? "#c8102e" : "#fff", fillOpacity: 1,
      }).bindTooltip(esc(c.name)).addTo(sites);
    });
    draw();
    if (select) select.addEventListener("change", draw);
    if (cells.getLayers().length) map.fitBounds(cells.getBounds(), { padding: [12, 12], animate: false });
    else map.setView(at([36.06, 103.83]), 11, { animate: false });
  }

  function init() { drawCharts(); drawHexmaps(); drawPlanning(); }
  document.addEventListener("DOMContentLoaded", init);
})();
