// The sweep view: one of dbcachectl's sweeps (GET /api/sweeps, the last 20)
// as two charts against the TTL, one line per key distribution: the hit ratio,
// and the DB load saved against the sweep's cache=off baseline; with every
// cell in a table under them.
//
//   const view = dbcache.sweep.makeView();
//   view.show(body.sweeps);   // picks ?sweep=<id>, the choice, or the newest
//
// Everything from Redis goes in with textContent, never as HTML.
'use strict';

(() => {
  const {isNumber, intText, msText, percentText} = dbcache.format;
  // Distinct for up to six lines; more reuse them (the legend still names each).
  const COLORS = ['#1f6feb', '#cf222e', '#1a7f37', '#9a6700', '#8250df', '#57606a'];
  const $ = (id) => document.getElementById(id);

  const cellsOf = (sweep) => (Array.isArray(sweep.cells)
    ? sweep.cells.filter((c) => c && typeof c === 'object' && isNumber(c.ttl_ms) && c.ttl_ms > 0)
    : []);

  // One line per distribution, in the order the sweep ran them: [{dist, cells}]
  // with the cells by TTL.
  function lines(sweep) {
    const byDist = new Map();
    for (const c of cellsOf(sweep)) {
      const dist = typeof c.dist === 'string' && c.dist !== '' ? c.dist : '?';
      if (!byDist.has(dist)) byDist.set(dist, []);
      byDist.get(dist).push(c);
    }
    return [...byDist].map(([dist, cells]) => ({dist, cells: cells.sort((a, b) => a.ttl_ms - b.ttl_ms)}));
  }

  // [TTL, distribution, hit ratio, DB load saved, DB statements/s, p99, stale, break-even]
  function rows(sweep) {
    return lines(sweep).flatMap(({dist, cells}) => cells.map((c) => [
      intText(c.ttl_ms), dist, percentText(c.hit_ratio), percentText(c.db_load_saved),
      isNumber(c.db_qps) ? `${intText(c.db_qps)} (${intText(c.baseline_db_qps)})` : '–',
      msText(c.e2e_p99_us), percentText(c.stale_ratio), percentText(c.break_even_hit_ratio),
    ]));
  }

  function label(sweep) {
    const parts = [String(sweep.sweep_id || '?'), String(sweep.workload || '?'),
      `${cellsOf(sweep).length} cells`];
    const started = new Date(sweep.started_at);
    if (!Number.isNaN(started.getTime())) parts.push(started.toLocaleString());
    if (sweep.complete === false) parts.push('stopped early');
    return parts.join(' · ');
  }

  function note(sweep) {
    const base = sweep.baseline && typeof sweep.baseline === 'object' ? sweep.baseline : {};
    return [`sweep ${sweep.sweep_id}`, `workload ${sweep.workload || '?'}`,
      `${intText(sweep.queries)} queries per run`, `concurrency ${intText(sweep.concurrency)}`,
      `invalidate ${sweep.invalidate || '?'}`,
      `baseline (cache=off) ${intText(base.db_qps)} DB statements/s, p99 ${msText(base.e2e_p99_us)} ms`,
      'each run from a flushed cache; DB load saved is per read: 1 − (statements per read) / (the baseline\'s)',
    ].join(' · ');
  }

  // A line chart of `field` (a ratio) against the TTL on a log axis.
  function makeChart(canvas, what) {
    if (typeof Chart === 'undefined') return null;
    return new Chart(canvas, {
      type: 'line',
      data: {datasets: []},
      options: {
        parsing: false,
        interaction: {mode: 'nearest', intersect: false},
        elements: {point: {radius: 3, hitRadius: 6}, line: {borderWidth: 2}},
        plugins: {
          legend: {labels: {boxWidth: 12}},
          tooltip: {callbacks: {label: (item) => `${item.dataset.label}: ${percentText(item.parsed.y)} at TTL ${intText(item.parsed.x)} ms`}},
        },
        scales: {
          x: {type: 'logarithmic', title: {display: true, text: 'TTL (ms, log scale)'}},
          // Suggested, not fixed: a cache that costs more than the baseline
          // saves a negative share, and that must show.
          y: {type: 'linear', suggestedMin: 0, suggestedMax: 1,
            ticks: {callback: (v) => `${Math.round(v * 100)} %`},
            title: {display: true, text: what}},
        },
      },
    });
  }

  function setLines(chart, sweep, field) {
    if (!chart) return;
    chart.data.datasets = lines(sweep).map(({dist, cells}, i) => ({
      label: dist,
      // A cell without the figure is a gap, not a zero.
      data: cells.map((c) => ({x: c.ttl_ms, y: isNumber(c[field]) ? c[field] : null})),
      borderColor: COLORS[i % COLORS.length],
      backgroundColor: COLORS[i % COLORS.length],
    }));
    chart.update('none');
  }

  function makeView() {
    const hitChart = makeChart($('sweep-hit-chart'), 'hit ratio');
    const savedChart = makeChart($('sweep-saved-chart'), 'DB load saved');
    let chosen = new URLSearchParams(location.search).get('sweep') || '';
    let list = [];
    let shownKey = '';

    let listKey = '';

    // The list follows what Redis holds, whichever sweep is shown.
    function fillSelect(shownId) {
      const key = list.map((s) => `${s.sweep_id}:${s.finished_at}`).join(',');
      const select = $('sweep-select');
      if (key !== listKey) {
        listKey = key;
        select.replaceChildren(...list.map((s) => {
          const option = document.createElement('option');
          option.value = String(s.sweep_id || '');
          option.textContent = label(s);
          return option;
        }));
      }
      select.value = shownId;
    }

    function render() {
      const wanted = list.find((s) => s.sweep_id === chosen);
      const sweep = wanted || list[0];
      $('sweep-card').hidden = !sweep;
      if (!sweep) return;
      fillSelect(String(sweep.sweep_id || ''));
      const missing = chosen !== '' && !wanted;
      const key = `${sweep.sweep_id}:${sweep.finished_at}:${cellsOf(sweep).length}:${missing}`;
      if (key === shownKey) return;
      shownKey = key;
      $('sweep-card').dataset.sweepId = String(sweep.sweep_id || '');
      setLines(hitChart, sweep, 'hit_ratio');
      setLines(savedChart, sweep, 'db_load_saved');
      dbcache.table.fillRows($('sweep-table').tBodies[0], rows(sweep), {rowHeader: false});
      $('sweep-note').textContent = missing
        ? `Sweep ${chosen} is not among the last 20; showing the newest. ${note(sweep)}`
        : note(sweep);
    }

    $('sweep-select').addEventListener('change', (event) => {
      chosen = event.target.value;
      const url = new URL(location.href);
      url.searchParams.set('sweep', chosen);
      history.replaceState(null, '', url);
      render();
    });

    return {
      show(sweeps) {
        list = Array.isArray(sweeps)
          ? sweeps.filter((s) => s && typeof s === 'object' && typeof s.sweep_id === 'string') : [];
        render();
      },
    };
  }

  dbcache.sweep = {lines, rows, makeView};
})();
