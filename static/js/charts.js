/* Kehou dashboards: draws the ECharts charts from <script type="application/json" id="chart-data">.
   No inline script or style (CSP script-src 'self'); animations off so screenshots are stable. */
(function () {
  "use strict";

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function base() {
    return {
      animation: false,
      textStyle: { fontFamily: "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif" },
      tooltip: { trigger: "axis", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 36, bottom: 48, containLabel: true },
      legend: { top: 0 }
    };
  }

  function targetLine(target, name) {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { color: "#b4231f", type: "dashed" },
      label: { formatter: name + " " + target + "%" },
      data: [{ yAxis: target }]
    };
  }

  function percentAxis() {
    return { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
  }

  var builders = {
    schools: function (data, labels) {
      var option = base();
      option.xAxis = { type: "category", data: data.schools.labels, axisLabel: { rotate: 45, interval: 0, fontSize: 10 } };
      option.yAxis = percentAxis();
      option.grid.bottom = 96;
      option.series = [
        { name: labels.rate, type: "bar", data: data.schools.rate, itemStyle: { color: "#0b5cad" },
          markLine: targetLine(data.target, labels.target) },
        { name: labels.attendance, type: "bar", data: data.schools.attendance, itemStyle: { color: "#7fb3e6" } }
      ];
      return option;
    },
    grades: function (data, labels) {
      var option = base();
      option.xAxis = { type: "category", data: data.grades.labels };
      option.yAxis = percentAxis();
      option.series = [
        { name: labels.rate, type: "bar", data: data.grades.rate, itemStyle: { color: "#0b5cad" },
          markLine: targetLine(data.target, labels.target) },
        { name: labels.five, type: "bar", data: data.grades.five, itemStyle: { color: "#176b32" } }
      ];
      return option;
    },
    weekly: function (data, labels) {
      var option = base();
      option.xAxis = { type: "category", data: data.weekly.labels, boundaryGap: false };
      option.yAxis = { type: "value", min: function (v) { return Math.max(0, Math.floor(v.min - 5)); }, max: 100,
        axisLabel: { formatter: "{value}%" } };
      option.series = [
        { name: labels.attendance, type: "line", data: data.weekly.attendance, connectNulls: false,
          itemStyle: { color: "#b4231f" }, areaStyle: { opacity: 0.08 } }
      ];
      return option;
    }
  };

  function draw() {
    var data = read("chart-data");
    var labelsEl = document.getElementById("chart-labels");
    if (!data || !window.echarts || !labelsEl) {
      return;
    }
    var labels = labelsEl.dataset;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = builders[el.dataset.chart];
      if (!build || !data[el.dataset.chart]) {
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(data, labels));
      el.dataset.ready = "true";
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
    document.documentElement.dataset.chartsReady = String(charts.length);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
