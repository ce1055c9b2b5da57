// Shared by the page's scripts (loaded first): number formatting, table rows, and the
// per-interval figures of a run (the "series" of dbcache:stats and of a
// compare's record) drawn as Chart.js lines, throughput on the left axis and
// p99 on the right.
//
//   const chart = dbcache.series.makeChart(canvas, {log: false});
//   dbcache.series.update(chart, [{label: 'run r1', series: stats.series, color: '#1f6feb'}]);
'use strict';

window.dbcache = window.dbcache || {};

(() => {
  const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
  const intText = (v) => (isNumber(v) ? Math.round(v).toLocaleString('en-US') : '–');

  // Latency in µs as milliseconds, with enough decimals that a 70 µs cache hit
  // reads 0.070 ms instead of 0.
  function msText(us) {
    if (!isNumber(us)) return '–';
    const ms = us / 1000;
    if (ms < 10) return ms.toFixed(3);
    if (ms < 100) return ms.toFixed(2);
    return ms.toFixed(1);
  }

  const percentText = (ratio) => (isNumber(ratio) ? `${(ratio * 100).toFixed(1)} %` : '–');

  // "12.6×" from a ratio that may be null.
  const timesText = (ratio) => (isNumber(ratio) && ratio > 0 ? `${ratio.toFixed(ratio < 10 ? 2 : 1)}×` : '–');

  dbcache.format = {isNumber, intText, msText, percentText, timesText};

  // Replaces a table body's rows with `rows` (arrays of texts, set as
  // textContent); with rowHeader the first cell of each is a row header.
  function fillRows(body, rows, {rowHeader}) {
    body.replaceChildren(...rows.map((values) => {
      const row = document.createElement('tr');
      values.forEach((text, i) => {
        const header = rowHeader && i === 0;
        const td = document.createElement(header ? 'th' : 'td');
        if (header) td.scope = 'row';
        td.textContent = text;
        row.appendChild(td);
      });
      return row;
    }));
  }

  dbcache.table = {fillRows};

  // A point: [t_ms, ms, done, hits, misses, coalesced, writes, errors, p50_us, p99_us].
  const T_MS = 0;
  const WIDTH_MS = 1;
  const DONE = 2;
  const P99_US = 9;

  // The well-formed points of a series (anything else from Redis is dropped).
  function points(series) {
    const list = series && typeof series === 'object' && Array.isArray(series.points) ? series.points : [];
    return list.filter((p) => Array.isArray(p) && p.length > P99_US && isNumber(p[T_MS]) &&
      isNumber(p[WIDTH_MS]) && p[WIDTH_MS] > 0 && isNumber(p[DONE]));
  }

  // Queries per second of each interval, at the interval's start in seconds.
  const throughput = (series) => points(series).map((p) => ({x: p[T_MS] / 1000, y: p[DONE] / (p[WIDTH_MS] / 1000)}));

  // p99 of each interval in ms; an interval without a query has none (a gap).
  const p99 = (series) => points(series).map((p) => ({x: p[T_MS] / 1000, y: isNumber(p[P99_US]) ? p[P99_US] / 1000 : null}));

  // A line chart of throughput (solid, left axis) and p99 (dashed, right
  // axis) over the seconds since each run started. `log` puts both axes on a
  // log scale, for runs an order of magnitude apart; the titles say so.
  function makeChart(canvas, {log}) {
    if (typeof Chart === 'undefined') return null;
    const type = log ? 'logarithmic' : 'linear';
    const suffix = log ? ', log scale' : '';
    return new Chart(canvas, {
      type: 'line',
      data: {datasets: []},
      options: {
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: {mode: 'nearest', intersect: false},
        // A run shorter than two intervals is one point: it must still show.
        elements: {point: {radius: 2, hitRadius: 6}, line: {borderWidth: 2}},
        plugins: {legend: {labels: {boxWidth: 12}}},
        scales: {
          x: {type: 'linear', beginAtZero: true, title: {display: true, text: 's since the run started'}},
          y: {type, position: 'left', beginAtZero: !log, title: {display: true, text: `queries/s${suffix}`}},
          y1: {type, position: 'right', beginAtZero: !log, grid: {drawOnChartArea: false},
            title: {display: true, text: `end-to-end p99 ms${suffix}`}},
        },
      },
    });
  }

  // Shows `runs` ([{label, series, color}]): two datasets each. Redraws only
  // when a run's points changed.
  function update(chart, runs) {
    if (!chart) return;
    const key = JSON.stringify(runs.map((r) => [r.label, points(r.series).length,
      points(r.series).slice(-1)]));
    if (chart.$dbcacheKey === key) return;
    chart.$dbcacheKey = key;
    // A log axis has no 0: an interval without queries is a gap there.
    const log = chart.options.scales.y.type === 'logarithmic';
    const shown = (data) => (log ? data.map((d) => (d.y > 0 ? d : {x: d.x, y: null})) : data);
    chart.data.datasets = runs.flatMap((r) => [
      {label: `${r.label} queries/s`, data: shown(throughput(r.series)), yAxisID: 'y', borderColor: r.color,
        backgroundColor: r.color},
      {label: `${r.label} p99 (end to end)`, data: shown(p99(r.series)), yAxisID: 'y1', borderColor: r.color,
        backgroundColor: r.color, borderDash: [6, 4]},
    ]);
    chart.update('none');
  }

  dbcache.series = {points, throughput, p99, makeChart, update};
})();
