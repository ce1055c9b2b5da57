// The compare view: one record of /api/compares/<id> (the same seeded workload
// with cache=off, then cache=on) as a table side by side, a headline with the
// measured speed-ups, and both runs' throughput and p99 on one chart.
//
//   const view = dbcache.compare.makeView();
//   view.show(record);   // or view.showPending('c1', 'cache=off run going');
//
// Everything from Redis goes in with textContent, never as HTML.
'use strict';

(() => {
  const {isNumber, intText, msText, percentText, timesText} = dbcache.format;
  const OFF_COLOR = '#cf222e';
  const ON_COLOR = '#1a7f37';
  const $ = (id) => document.getElementById(id);

  const side = (record, name) => (record[name] && typeof record[name] === 'object' ? record[name] : {});

  // [what, cache=off, cache=on, effect] rows of the table.
  function rows(record) {
    const off = side(record, 'off');
    const on = side(record, 'on');
    const speedup = record.speedup && typeof record.speedup === 'object' ? record.speedup : {};
    const saved = record.db_queries_saved;
    const wall = (s) => (isNumber(s.wall_ms) ? `${(s.wall_ms / 1000).toFixed(3)} s` : '–');
    const qps = (s) => (isNumber(s.qps) ? intText(s.qps) : '–');
    return [
      ['Wall time', wall(off), wall(on), isNumber(speedup.wall) ? `${timesText(speedup.wall)} faster` : '–'],
      ['Queries/s', qps(off), qps(on), timesText(speedup.qps)],
      ['p50 (ms)', msText(off.p50_us), msText(on.p50_us), isNumber(speedup.p50) ? `${timesText(speedup.p50)} lower` : '–'],
      ['p99 (ms)', msText(off.p99_us), msText(on.p99_us), isNumber(speedup.p99) ? `${timesText(speedup.p99)} lower` : '–'],
      ['Sent to MySQL', intText(off.db_queries), intText(on.db_queries),
        isNumber(saved) ? `${(saved * 100).toFixed(1)} % fewer` : '–'],
      ['Hit ratio', '–', percentText(on.hit_ratio), ''],
      ['Errors', intText(off.errors), intText(on.errors), ''],
    ];
  }

  // One sentence with the figures that answer "what does the cache buy me".
  function headline(record) {
    const speedup = record.speedup && typeof record.speedup === 'object' ? record.speedup : {};
    if (record.state !== 'finished') {
      return `Compare ${record.compare_id} ${record.state}: ${record.reason || 'no reason given'}.`;
    }
    const parts = [];
    if (isNumber(speedup.wall)) parts.push(`ran ${timesText(speedup.wall)} faster`);
    if (isNumber(speedup.p99)) parts.push(`its p99 was ${timesText(speedup.p99)} lower`);
    if (isNumber(record.db_queries_saved)) {
      parts.push(`it sent ${(record.db_queries_saved * 100).toFixed(1)} % fewer statements to MySQL`);
    }
    return parts.length ? `With the cache this workload ${parts.join(', ')}.` : 'No speed-up could be measured.';
  }

  function note(record) {
    const p = record.params && typeof record.params === 'object' ? record.params : {};
    const off = side(record, 'off');
    const on = side(record, 'on');
    return [`compare ${record.compare_id}`, `workload ${p.workload || '?'}`, `${intText(p.queries)} queries`,
      `concurrency ${intText(p.concurrency)}`, `TTL ${intText(p.ttl_ms)} ms`, `seed ${record.seed_text || '?'}`,
      `runs ${off.run_id || '–'} and ${on.run_id || '–'}`,
      'the cache=on run starts from an empty cache; latency from each query\'s intended start'].join(' · ');
  }

  function makeView() {
    const chart = dbcache.series.makeChart($('compare-chart'), {log: true});
    let shownKey = '';

    const fillTable = (list) => dbcache.table.fillRows($('compare-table').tBodies[0], list, {rowHeader: true});

    return {
      show(record) {
        const key = `${record.compare_id}:${record.state}:${record.finished_at}`;
        $('compare-card').hidden = false;
        $('compare-card').dataset.compareId = String(record.compare_id || '');
        $('compare-card').dataset.state = String(record.state || '');
        if (key === shownKey) return;
        shownKey = key;
        $('compare-title').textContent = `Cache off vs on: compare ${record.compare_id}`;
        $('compare-headline').textContent = headline(record);
        fillTable(rows(record));
        $('compare-note').textContent = note(record);
        const series = record.series && typeof record.series === 'object' ? record.series : {};
        dbcache.series.update(chart, [
          {label: 'cache=off', series: series.off, color: OFF_COLOR},
          {label: 'cache=on', series: series.on, color: ON_COLOR},
        ]);
      },
      // A compare asked for or going, whose record is not written yet.
      showPending(id, what) {
        shownKey = '';
        $('compare-card').hidden = false;
        $('compare-card').dataset.compareId = id;
        $('compare-card').dataset.state = 'running';
        $('compare-title').textContent = `Cache off vs on: compare ${id}`;
        $('compare-headline').textContent = what;
        fillTable([]);
        $('compare-note').textContent = '';
        dbcache.series.update(chart, []);
      },
      hide() {
        $('compare-card').hidden = true;
      },
    };
  }

  dbcache.compare = {rows, headline, makeView};
})();
