// The statistics dashboard: four ECharts charts drawn from the JSON the page carries (#dashboard-charts).
(function () {
  var data = JSON.parse(document.getElementById("dashboard-charts").textContent);
  var red = "#b5141b", gold = "#d4a017", green = "#198754", grey = "#adb5bd";
  var font = {fontFamily: '"Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'};
  var charts = [];
  var narrow = document.getElementById("chart-fulfilment").clientWidth < 480;

  function empty(values) {
    return !values.some(function (v) { return v !== null && v !== 0; });
  }

  function draw(id, option, noData) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, {renderer: "canvas"});
    option.textStyle = font;
    option.animation = false;
    // Tooltips drawn on the canvas: HTML tooltips carry style attributes, which the site's CSP refuses.
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    if (noData) {
      option.graphic = [{type: "text", left: "center", top: "middle", style: {text: "本期暂无数据", fill: "#6c757d", fontSize: 14}}];
    }
    chart.setOption(option);
    charts.push(chart);
  }

  var f = data.fulfilment;
  draw("chart-fulfilment", {
    color: [red, gold],
    tooltip: {trigger: "axis"},
    legend: {data: ["累计兑现率", "当月销号"], bottom: 0},
    grid: {left: 48, right: 40, top: 36, bottom: 56},
    xAxis: {type: "category", data: f.months},
    yAxis: [
      {type: "value", name: "累计兑现率", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      {type: "value", name: "销号事项", minInterval: 1, splitLine: {show: false}}
    ],
    series: [
      {name: "累计兑现率", type: "line", smooth: true, data: f.rate, yAxisIndex: 0, symbolSize: 6, label: {show: !narrow && f.months.length <= 12, position: "top", formatter: "{c}%", fontSize: 10}, labelLayout: {hideOverlap: true}},
      {name: "当月销号", type: "bar", data: f.ticked, yAxisIndex: 1, barMaxWidth: 18, itemStyle: {opacity: .75}}
    ]
  }, empty(f.ticked) && empty(f.rate));

  var c = data.coverage;
  var many = c.names.length > 8;
  draw("chart-coverage", {
    color: [red, green],
    tooltip: {trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; }},
    legend: {data: ["党员承诺覆盖率", "承诺兑现率"], bottom: 0},
    grid: {left: narrow ? 90 : (many ? 150 : 130), right: 40, top: 12, bottom: 56},
    xAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
    yAxis: {type: "category", data: c.names, inverse: true, axisLabel: {width: narrow ? 80 : (many ? 140 : 120), overflow: "truncate", fontSize: many || narrow ? 10 : 12}},
    dataZoom: c.names.length > 12 ? [{type: "slider", yAxisIndex: 0, right: 0, width: 14, startValue: 0, endValue: 11}] : [],
    series: [
      // On a phone the two bars of a row are too close for both values ("35.835.8%"): the tooltip gives them.
      {name: "党员承诺覆盖率", type: "bar", data: c.coverage, barMaxWidth: 14, label: {show: !many && !narrow, position: "right", formatter: "{c}%", fontSize: 10}, labelLayout: {hideOverlap: true}},
      {name: "承诺兑现率", type: "bar", data: c.fulfilment, barMaxWidth: 14, label: {show: !many && !narrow, position: "right", formatter: "{c}%", fontSize: 10}, labelLayout: {hideOverlap: true}}
    ]
  }, c.names.length === 0);

  var s = data.satisfaction;
  draw("chart-satisfaction", {
    tooltip: {trigger: "axis"},
    grid: {left: 40, right: 16, top: 24, bottom: 28},
    xAxis: {type: "category", data: s.bands, axisLabel: {interval: 0, fontSize: narrow ? 10 : 12}},
    yAxis: {type: "value", minInterval: 1},
    series: [{
      type: "bar", barMaxWidth: 48, label: {show: true, position: "top"},
      data: s.counts.map(function (v, i) { return {value: v, itemStyle: {color: i < 2 ? red : green}}; })
    }]
  }, empty(s.counts));

  // A choice nobody made has no slice, so no label: several "0 票" labels drawn on one spot overlapped.
  var noBallots = empty(data.ballots.map(function (b) { return b.value; }));
  var ballots = data.ballots.map(function (b) {
    return b.value ? b : {name: b.name, value: 0, label: {show: false}, labelLine: {show: false}};
  });
  draw("chart-ballots", {
    color: [green, gold, red],
    tooltip: {trigger: "item", formatter: "{b}：{c} 票（{d}%）"},
    legend: {bottom: 0},
    series: [{
      type: "pie", radius: ["38%", "66%"], center: ["50%", "46%"], stillShowZeroSum: false, percentPrecision: 1,
      label: narrow ? {position: "inside", formatter: "{d}%", color: "#fff", fontSize: 11} : {formatter: "{b}\n{c} 票（{d}%）"},
      labelLayout: {hideOverlap: true},
      data: noBallots ? [] : ballots
    }]
  }, noBallots);

  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
})();
