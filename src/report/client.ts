/**
 * The page's own script (plain browser JavaScript, inlined after the charting library): reads
 * the chart specifications from the JSON block and draws each with Chart.js, plus a small
 * plugin for error bars (whiskers from a dataset's `err`). Every drawn canvas gets
 * `data-drawn="1"`; `window.edgesimCharts` counts the charts drawn.
 */
export const CLIENT_JS = String.raw`(function () {
  'use strict';
  var block = document.getElementById('edgesim-report-data');
  var data = JSON.parse(block ? block.textContent : '{"charts":[]}');
  var Chart = window.Chart;
  if (typeof Chart !== 'function') throw new Error('edgesim report: the chart library did not load');
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.color = '#1d2430';
  var PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  var errorBars = {
    id: 'edgesimErrorBars',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      var horizontal = chart.options.indexAxis === 'y';
      chart.data.datasets.forEach(function (ds, di) {
        if (!ds.err) return;
        var meta = chart.getDatasetMeta(di);
        if (meta.hidden) return;
        var vs = chart.scales[horizontal ? meta.xAxisID : meta.yAxisID];
        ctx.save();
        ctx.strokeStyle = '#1d2430';
        ctx.lineWidth = 1.5;
        meta.data.forEach(function (el, i) {
          var e = ds.err[i];
          if (!e || el.skip) return;
          var a = vs.getPixelForValue(e[0]);
          var b = vs.getPixelForValue(e[1]);
          ctx.beginPath();
          if (horizontal) {
            ctx.moveTo(a, el.y); ctx.lineTo(b, el.y);
            ctx.moveTo(a, el.y - 5); ctx.lineTo(a, el.y + 5);
            ctx.moveTo(b, el.y - 5); ctx.lineTo(b, el.y + 5);
          } else {
            ctx.moveTo(el.x, a); ctx.lineTo(el.x, b);
            ctx.moveTo(el.x - 5, a); ctx.lineTo(el.x + 5, a);
            ctx.moveTo(el.x - 5, b); ctx.lineTo(el.x + 5, b);
          }
          ctx.stroke();
        });
        ctx.restore();
      });
    }
  };
  function fmt(v) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v);
    return String(Number(v.toPrecision(6)));
  }
  function valueText(spec, ds, ctx) {
    var raw = ctx.raw;
    var text;
    if (Array.isArray(raw)) text = fmt(raw[0]) + ' .. ' + fmt(raw[1]);
    else if (raw && typeof raw === 'object') text = Array.isArray(raw.x) ? fmt(raw.x[0]) + ' .. ' + fmt(raw.x[1]) : fmt(raw.y);
    else text = fmt(raw);
    text += ' ' + spec.unit;
    var e = ds.err && ds.err[ctx.dataIndex];
    if (e) text += ' (' + fmt(e[0]) + ' .. ' + fmt(e[1]) + ' ' + spec.unit + ')';
    return ds.label + ': ' + text;
  }
  // scatter: numeric x and y, markers per dataset, optional (step) lines, a name per point in the tooltip
  function scatterConfig(spec) {
    var datasets = spec.datasets.map(function (d, i) {
      var color = d.color || PALETTE[i % PALETTE.length];
      var out = {
        label: d.label, data: d.data, backgroundColor: color, borderColor: color, clip: false,
        pointStyle: d.pointStyle || 'circle', pointRadius: d.pointRadius === undefined ? 4 : d.pointRadius,
        pointHoverRadius: (d.pointRadius === undefined ? 4 : d.pointRadius) + 2,
        showLine: d.line === true || d.dashed === true, borderWidth: d.line === true || d.dashed === true || /^cross/.test(d.pointStyle || '') ? 2 : 1, fill: false, order: i
      };
      if (d.stepped) out.stepped = d.stepped;
      if (d.dashed) { out.borderDash = [6, 4]; out.borderWidth = 1.5; out.pointRadius = 0; out.pointHoverRadius = 0; out.pointStyle = 'line'; out.backgroundColor = 'rgba(0,0,0,0)'; out.order = spec.datasets.length; }
      return out;
    });
    function axis(title, type) {
      // room around the outermost points (linear axes; a logarithmic one pads itself to the decades)
      var a = { type: type || 'linear', title: { display: true, text: title }, beginAtZero: false };
      if (a.type === 'linear') a.grace = '4%';
      return a;
    }
    return {
      type: 'scatter',
      data: { datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { left: 6, right: 14, top: 4 } },
        scales: { x: axis(spec.xTitle, spec.xScale), y: axis(spec.yTitle, spec.yScale) },
        plugins: {
          title: { display: true, text: spec.title, font: { size: 14, weight: 'bold' } },
          legend: { display: spec.datasets.length > 1, labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: function (ctx) {
            var d = spec.datasets[ctx.datasetIndex];
            var name = d.names && d.names[ctx.dataIndex] !== undefined ? d.names[ctx.dataIndex] : d.label;
            var raw = ctx.raw || {};
            return name + ': ' + fmt(raw.x) + ' ' + (spec.xUnit || '') + ', ' + fmt(raw.y) + ' ' + spec.unit;
          } } }
        }
      }
    };
  }
  function config(spec) {
    var kind = spec.kind;
    if (kind === 'scatter') return scatterConfig(spec);
    var horizontal = kind === 'hbar' || kind === 'stacked-hbar' || kind === 'gantt';
    var stacked = kind === 'stacked-hbar' || kind === 'stacked-bar';
    var numericX = kind === 'line' && spec.xScale;
    var datasets = spec.datasets.map(function (d, i) {
      var color = d.color || PALETTE[i % PALETTE.length];
      var out = { label: d.label, data: d.data, backgroundColor: color, borderColor: color, err: d.err, clip: false };
      if (kind === 'gantt') {
        out.data = d.data.map(function (r, j) { return { x: r, y: d.rows[j] }; });
        out.grouped = false;
        out.barPercentage = 0.7;
        out.categoryPercentage = 1;
      }
      if (kind === 'line' || d.dashed) {
        out.type = 'line';
        out.borderWidth = 2;
        out.pointRadius = d.dashed ? 0 : 4;
        out.fill = false;
        if (d.dashed) { out.borderDash = [6, 4]; out.borderWidth = 1.5; out.order = -1; out.pointStyle = 'line'; out.backgroundColor = 'rgba(0,0,0,0)'; }
      }
      return out;
    });
    var valueAxis = { title: { display: true, text: horizontal ? spec.xTitle : spec.yTitle }, stacked: stacked, beginAtZero: kind !== 'line' || spec.min !== undefined };
    if (spec.min !== undefined) valueAxis.min = spec.min;
    if (spec.max !== undefined) valueAxis.max = spec.max;
    if (spec.integer) valueAxis.ticks = { precision: 0 };
    // room for the error bars: the value axis spans every whisker too
    var lows = [], highs = [];
    spec.datasets.forEach(function (d) { (d.err || []).forEach(function (e) { if (e) { lows.push(e[0]); highs.push(e[1]); } }); });
    if (lows.length > 0 && spec.min === undefined) valueAxis.suggestedMin = Math.min.apply(null, lows);
    if (highs.length > 0 && spec.max === undefined) valueAxis.suggestedMax = Math.max.apply(null, highs);
    var indexAxis = { title: { display: true, text: horizontal ? spec.yTitle : spec.xTitle }, stacked: stacked };
    if (numericX) { indexAxis.type = spec.xScale; }
    var scales = horizontal ? { x: valueAxis, y: indexAxis } : { x: indexAxis, y: valueAxis };
    return {
      type: kind === 'line' ? 'line' : 'bar',
      data: numericX ? { datasets: datasets } : { labels: spec.labels || [], datasets: datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        layout: { padding: { left: 6, right: 14, top: 4 } },
        maintainAspectRatio: false,
        animation: false,
        scales: scales,
        plugins: {
          title: { display: true, text: spec.title, font: { size: 14, weight: 'bold' } },
          legend: { display: spec.datasets.length > 1, labels: { usePointStyle: spec.datasets.some(function (d) { return d.dashed; }) } },
          tooltip: { callbacks: { label: function (ctx) { return valueText(spec, spec.datasets[ctx.datasetIndex], ctx); } } }
        }
      },
      plugins: [errorBars]
    };
  }
  var drawn = 0;
  var lost = [];
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById('chart-' + spec.id);
    if (!canvas) { lost.push(spec.id); return; }
    new Chart(canvas, config(spec));
    canvas.setAttribute('data-drawn', '1');
    drawn++;
  });
  window.edgesimCharts = drawn;
  // after drawing the others: a page error names the charts without a canvas
  if (lost.length > 0) throw new Error('edgesim report: no canvas for chart(s) ' + lost.join(', '));
})();
`;
