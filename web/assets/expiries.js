// The stampede view: what a key expiry cost in MySQL statements under each
// stampede strategy (the snapshot's stampede.db_queries_per_expiry), from the
// newest finished run of each strategy in the run history that saw expiries.
// The runs may differ in more than their strategy: the note names what else
// differs, so that a reader does not take a concurrency change for a strategy.
//
//   const view = dbcache.expiries.makeView();
//   view.show(body.runs);   // GET /api/runs, newest first
//
// Everything from Redis goes in with textContent, never as HTML.
'use strict';

(() => {
  const {isNumber, intText} = dbcache.format;
  const STRATEGIES = ['none', 'coalesce', 'lock', 'xfetch', 'swr'];
  const $ = (id) => document.getElementById(id);
  const object = (v) => (v && typeof v === 'object' ? v : {});

  // {strategy: run} for the newest finished cache=on run of each strategy with
  // at least one key expiry, in STRATEGIES order.
  function newestByStrategy(runs) {
    const chosen = new Map();
    for (const run of Array.isArray(runs) ? runs : []) {
      const p = object(run.params);
      const s = object(run.stampede);
      if (run.state !== 'finished' || p.cache === false || !STRATEGIES.includes(s.strategy)) continue;
      if (!isNumber(s.expiries) || s.expiries <= 0 || chosen.has(s.strategy)) continue;
      chosen.set(s.strategy, run);
    }
    return STRATEGIES.filter((k) => chosen.has(k)).map((k) => [k, chosen.get(k)]);
  }

  // The run parameters that differ between the chosen runs, as "concurrency 8, 64".
  function differences(chosen) {
    const keys = [['workload', 'workload'], ['concurrency', 'concurrency'], ['ttl_ms', 'TTL ms'],
      ['keys', 'keys'], ['dist', 'dist'], ['queries', 'queries'], ['ttl_jitter_pct', 'jitter %']];
    const out = [];
    for (const [key, name] of keys) {
      const values = [...new Set(chosen.map(([, run]) => String(object(run.params)[key] ?? '?')))];
      if (values.length > 1) out.push(`${name} ${values.join(', ')}`);
    }
    return out;
  }

  // [strategy, run, expiries, mean, p50, p99, max, parameters]
  function rows(chosen) {
    return chosen.map(([strategy, run]) => {
      const s = object(run.stampede);
      const e = object(s.db_queries_per_expiry);
      const p = object(run.params);
      const fixed = (v) => (isNumber(v) ? v.toFixed(2) : '–');
      return [strategy, String(run.run_id || ''), intText(s.expiries), fixed(e.mean), intText(e.p50),
        intText(e.p99), intText(e.max),
        `c=${intText(p.concurrency)}, TTL ${intText(p.ttl_ms)} ms, ${intText(p.keys)} keys`];
    });
  }

  function makeChart(canvas) {
    if (typeof Chart === 'undefined') return null;
    return new Chart(canvas, {
      type: 'bar',
      data: {labels: [], datasets: []},
      options: {
        plugins: {legend: {labels: {boxWidth: 12}}},
        scales: {
          x: {title: {display: true, text: 'stampede strategy'}},
          y: {beginAtZero: true, title: {display: true, text: 'MySQL statements per key expiry'}},
        },
      },
    });
  }

  function makeView() {
    const chart = makeChart($('expiry-chart'));
    let shownKey = '';
    return {
      show(runs) {
        const chosen = newestByStrategy(runs);
        $('expiry-card').hidden = chosen.length === 0;
        const key = chosen.map(([k, run]) => `${k}:${run.run_id}`).join(',');
        if (key === shownKey) return;
        shownKey = key;
        dbcache.table.fillRows($('expiry-table').tBodies[0], rows(chosen), {rowHeader: true});
        const differ = differences(chosen);
        $('expiry-note').textContent = differ.length
          ? `These runs differ in more than the strategy: ${differ.join('; ')}. Run each strategy with ` +
            'one workload to compare them.'
          : 'One workload and load, one strategy each: the newest finished run of each strategy that saw key expiries.';
        if (!chart) return;
        const per = (field) => chosen.map(([, run]) => {
          const v = object(object(run.stampede).db_queries_per_expiry)[field];
          return isNumber(v) ? v : null;  // No bar, as the table shows '–'.
        });
        chart.data.labels = chosen.map(([k]) => k);
        chart.data.datasets = [
          {label: 'mean', data: per('mean'), backgroundColor: '#1f6feb'},
          {label: 'p99', data: per('p99'), backgroundColor: '#9a6700'},
          {label: 'max', data: per('max'), backgroundColor: '#cf222e'},
        ];
        chart.update('none');
      },
    };
  }

  dbcache.expiries = {newestByStrategy, differences, rows, makeView};
})();
