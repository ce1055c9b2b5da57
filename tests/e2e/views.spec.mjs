// The sweep view and the per-strategy expiry view, fed by real runs: a
// dbcachectl sweep over two TTLs and two distributions, and two runs that
// differ only in their stampede strategy, each with key expiries. The page
// must show what Redis holds: a line per distribution with a point per TTL,
// the sweep's cells in its table, and each strategy's statements per expiry.
//
//   DBCACHE_WEB_URL=http://127.0.0.1:8080/ DBCACHE_REDIS_PORT=16379 DBCACHE_BIN_DIR=build/bin \
//   DBCACHE_PREFIX=dbcache: DBCACHE_SCREENSHOT=build/e2e/page.png node views.spec.mjs
import {
  check, checkCountsAddUp, dbcachectl, env, inkedPixels, launchBrowser, listOf, prepareOutput,
  runTest, waitFor, watchForErrors,
} from './lib.mjs';

const url = env('DBCACHE_WEB_URL');
const screenshot = prepareOutput(
    env('DBCACHE_SCREENSHOT', 'build/e2e/page.png').replace(/(\.png)?$/, '-views.png'));

const percentText = (ratio) => `${(ratio * 100).toFixed(1)} %`;

// A chart's datasets as [{label, points: [[x, y], ...]}].
function chartData(page, id) {
  return page.evaluate((canvasId) => Chart.getChart(canvasId).data.datasets.map((d) => ({
    label: d.label, points: d.data.map((p) => (typeof p === 'object' ? [p.x, p.y] : p)),
  })), id);
}

function tableRows(page, id) {
  return page.evaluate((tableId) => [...document.querySelectorAll(`#${tableId} tbody tr`)].map(
      (row) => [...row.cells].map((c) => c.textContent)), id);
}

await runTest('views: a sweep against TTL per distribution, statements per expiry per strategy', async () => {
  // TTLs far apart, so that the hit ratio visibly climbs with the TTL: the runs
  // take tens of ms here, so 1 ms expires entries within a run and 60 s none.
  const sweepOut = await dbcachectl('sweep', '--ttl-ms', '1,60000', '--dist', 'uniform,zipf:1.1',
      '--queries', '2000', '--concurrency', '4', '--keys', '200', '--json');
  const printed = JSON.parse(sweepOut);
  const [sweep] = await listOf('sweeps');
  check(sweep.sweep_id === printed.sweep_id, `newest sweep ${sweep.sweep_id}, printed ${printed.sweep_id}`);
  check(sweep.complete === true && sweep.cells.length === 4, `sweep: ${JSON.stringify(sweep).slice(0, 300)}`);
  const runs = await listOf('runs');
  for (const cell of sweep.cells) {
    const run = runs.find((r) => r.run_id === cell.run_id);
    check(run, `the sweep's run ${cell.run_id} is in the history`);
    checkCountsAddUp(run);
  }

  // Same load, only the strategy differs, each from an empty cache; a TTL far
  // under the run's length (tens of ms) and few keys, so that every key
  // expires many times.
  for (const stampede of ['none', 'coalesce']) {
    await dbcachectl('flush');
    await dbcachectl('run', '--queries', '5000', '--concurrency', '8', '--keys', '5', '--ttl-ms', '3',
        '--stampede', stampede, '--id', `views-${stampede}`, '--wait');
  }
  const strategyRuns = Object.fromEntries((await listOf('runs')).filter(
      (r) => r.run_id.startsWith('views-')).map((r) => [r.stampede.strategy, r]));
  for (const stampede of ['none', 'coalesce']) {
    const run = strategyRuns[stampede];
    check(run && run.state === 'finished', `run views-${stampede}: ${run && run.state}`);
    checkCountsAddUp(run);
    check(run.stampede.expiries > 0, `views-${stampede} saw ${run.stampede.expiries} expiries`);
  }

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const errors = watchForErrors(page);
    await page.goto(url, {waitUntil: 'load'});
    await page.locator(`#sweep-card[data-sweep-id="${sweep.sweep_id}"]`).waitFor({timeout: 30_000});

    // One line per distribution, a point per TTL, at the cells' values.
    for (const [canvas, field] of [['sweep-hit-chart', 'hit_ratio'], ['sweep-saved-chart', 'db_load_saved']]) {
      const data = await chartData(page, canvas);
      check(JSON.stringify(data.map((d) => d.label)) === '["uniform","zipf:1.1"]',
          `${canvas} lines ${JSON.stringify(data.map((d) => d.label))}`);
      for (const line of data) {
        const expected = sweep.cells.filter((c) => c.dist === line.label)
            .sort((a, b) => a.ttl_ms - b.ttl_ms).map((c) => [c.ttl_ms, c[field]]);
        check(JSON.stringify(line.points) === JSON.stringify(expected),
            `${canvas} ${line.label}: ${JSON.stringify(line.points)}, cells ${JSON.stringify(expected)}`);
      }
      check(await inkedPixels(page, canvas) > 500, `${canvas} is drawn`);
    }
    const uniform = sweep.cells.filter((c) => c.dist === 'uniform').sort((a, b) => a.ttl_ms - b.ttl_ms);
    check(uniform[1].hit_ratio > uniform[0].hit_ratio,
        `a longer TTL hits more: ${uniform.map((c) => c.hit_ratio)}`);
    const rows = await tableRows(page, 'sweep-table');
    check(rows.length === 4, `${rows.length} rows in the sweep table`);
    for (const c of sweep.cells) {
      check(rows.some((r) => r[0] === c.ttl_ms.toLocaleString('en-US') && r[1] === c.dist &&
          r[2] === percentText(c.hit_ratio) && r[3] === percentText(c.db_load_saved)),
      `a row for ${c.ttl_ms} ms ${c.dist}: ${JSON.stringify(rows)}`);
    }

    // Statements per expiry: our two runs are the newest of their strategies.
    await page.locator('#expiry-card').waitFor({state: 'visible', timeout: 15_000});
    await waitFor('both strategies in the expiry table', async () => {
      const shown = await tableRows(page, 'expiry-table');
      return ['none', 'coalesce'].every((k) => shown.some((r) => r[0] === k && r[1] === `views-${k}`));
    }, 15_000);
    const expiryRows = await tableRows(page, 'expiry-table');
    const chart = await page.evaluate(() => {
      const c = Chart.getChart('expiry-chart');
      return {labels: c.data.labels, sets: c.data.datasets.map((d) => [d.label, d.data])};
    });
    for (const k of ['none', 'coalesce']) {
      const per = strategyRuns[k].stampede.db_queries_per_expiry;
      const row = expiryRows.find((r) => r[0] === k);
      check(row[2] === strategyRuns[k].stampede.expiries.toLocaleString('en-US') &&
          row[3] === per.mean.toFixed(2) && row[6] === per.max.toLocaleString('en-US'),
      `${k}: row ${JSON.stringify(row)}, run ${JSON.stringify(per)}`);
      const i = chart.labels.indexOf(k);
      check(i >= 0 && chart.sets[0][1][i] === per.mean && chart.sets[2][1][i] === per.max,
          `${k} bars ${JSON.stringify(chart)}`);
    }
    // What the view is for: with 8 queries in flight over 5 keys, an expiry
    // under none costs several statements, under coalesce one.
    const none = strategyRuns.none.stampede.db_queries_per_expiry;
    const coalesce = strategyRuns.coalesce.stampede.db_queries_per_expiry;
    check(coalesce.max === 1 && none.max > 1 && none.mean > coalesce.mean,
        `per expiry: none ${JSON.stringify(none)}, coalesce ${JSON.stringify(coalesce)}`);
    check(await inkedPixels(page, 'expiry-chart') > 500, 'the expiry chart is drawn');
    // The earlier specs (page, compare) run coalesce only, so these two are all
    // there is, and they differ in nothing else; a spec that runs another
    // strategy with expiries before this one must change this check.
    check(expiryRows.length === 2, `expiry rows ${JSON.stringify(expiryRows)} (see the comment)`);
    const note = await page.locator('#expiry-note').textContent();
    check(note.startsWith('One workload and load'), `expiry note: ${note}`);
    await page.locator('#sweep-card').screenshot({path: screenshot});

    // A newer sweep shows by default and joins the list; the older one is
    // still reachable by URL, here at a phone's width, nothing wider than the
    // screen.
    const newer = JSON.parse(await dbcachectl('sweep', '--ttl-ms', '1000', '--queries', '200',
        '--concurrency', '2', '--keys', '20', '--json'));
    await page.locator(`#sweep-card[data-sweep-id="${newer.sweep_id}"]`).waitFor({timeout: 30_000});
    const options = await page.locator('#sweep-select option').evaluateAll(
        (list) => list.map((o) => o.value));
    check(JSON.stringify(options) === JSON.stringify([newer.sweep_id, sweep.sweep_id]),
        `sweep list ${JSON.stringify(options)}`);
    const phone = await browser.newPage({viewport: {width: 375, height: 800}});
    const phoneErrors = watchForErrors(phone);
    await phone.goto(`${url}?sweep=${encodeURIComponent(sweep.sweep_id)}`, {waitUntil: 'load'});
    await phone.locator(`#sweep-card[data-sweep-id="${sweep.sweep_id}"]`).waitFor({timeout: 30_000});
    check((await chartData(phone, 'sweep-hit-chart')).length === 2, 'the older sweep\'s two lines');
    await phone.locator('#expiry-card').waitFor({state: 'visible', timeout: 15_000});
    await waitFor('the layout to settle at 375 px', async () => phone.evaluate(
        () => document.documentElement.scrollWidth <= window.innerWidth), 5_000);
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
    check(phoneErrors.length === 0, `page errors:\n  ${phoneErrors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});
