// The status page, driven like a user would: open it, click "Query DB", watch the run
// finish, and check that what the page shows is what dbcached stored in Redis.
//
//   DBCACHE_WEB_URL=http://127.0.0.1:8080/ DBCACHE_REDIS_PORT=16379 \
//   DBCACHE_PREFIX=dbcache: DBCACHE_SCREENSHOT=build/e2e/page.png node page.spec.mjs
//
// Needs a running dbcache-web and a dbcached listening on the same prefix (run.sh
// starts both).
import {
  check, checkCountsAddUp, env, inkedPixels, launchBrowser, parseCount, prepareOutput, redisCli,
  runTest, waitFor, watchForErrors,
} from './lib.mjs';

const url = env('DBCACHE_WEB_URL');
const prefix = env('DBCACHE_PREFIX', 'dbcache:');
const screenshot = prepareOutput(env('DBCACHE_SCREENSHOT', 'build/e2e/page.png'));
const QUERIES = 1000;

async function readStats() {
  const text = await redisCli('GET', `${prefix}stats`);
  return JSON.parse(text);
}

// Pixels close to a colour: the hits bar is green (#1a7f37), the misses bar red.
function pixelsOfColor(page, canvasId, [r0, g0, b0]) {
  return page.evaluate(({id, rgb}) => {
    const canvas = document.getElementById(id);
    const {data} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 200 && Math.abs(data[i] - rgb[0]) < 12 &&
          Math.abs(data[i + 1] - rgb[1]) < 12 && Math.abs(data[i + 2] - rgb[2]) < 12) {
        count++;
      }
    }
    return count;
  }, {id: canvasId, rgb: [r0, g0, b0]});
}

// Clicks "Query DB" and returns the answer to the POST it sends.
async function submitRun(page) {
  const posted = page.waitForResponse(
      (r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST');
  await page.getByRole('button', {name: 'Query DB'}).click();
  return posted;
}

// A new page on the status page, once it shows the daemon online; its errors
// are collected from the start.
async function openOnlinePage(browser) {
  const page = await browser.newPage();
  const errors = watchForErrors(page);
  await page.goto(url, {waitUntil: 'load'});
  await page.locator('#daemon.online').waitFor({timeout: 30_000});
  return {page, errors};
}

// Submits the form, expects the run to be accepted, waits until the page's run
// line shows it finished with `shown` in it, and returns what the daemon stored
// for it (checked to be about that run and to add up).
async function runFromForm(page, what, shown) {
  const response = await submitRun(page);
  check(response.status() === 202, `POST /api/runs answered ${response.status()}`);
  const runId = (await response.json()).id;
  await waitFor(`the page to show the ${what} run finished`, async () => {
    const line = await page.locator('#run-line').textContent();
    return line.includes(runId) && line.includes('finished') && line.includes(shown);
  }, 90_000);
  const stats = await readStats();
  check(stats.run_id === runId, `${prefix}stats is about run ${stats.run_id}, not ${runId}`);
  checkCountsAddUp(stats);
  return stats;
}

await runTest('page: Query DB runs 1000 queries and shows what Redis holds', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const errors = watchForErrors(page);
    await page.goto(url, {waitUntil: 'load'});

    await page.locator('#daemon.online').waitFor({timeout: 30_000});
    check(await page.locator('#banner').isHidden(), 'no banner while the daemon is online');

    const response = await submitRun(page);
    check(response.status() === 202, `POST /api/runs answered ${response.status()}`);
    const runId = (await response.json()).id;
    check(typeof runId === 'string' && runId !== '', 'the 202 answer carries the run id');

    // The page shows the run finished with hits + misses + coalesced + errors = 1000.
    const shown = await waitFor('the page to show the finished run', async () => {
      const line = await page.locator('#run-line').textContent();
      if (!line.includes(runId) || !line.includes('finished')) return null;
      const hits = parseCount(await page.locator('#hits').textContent());
      const misses = parseCount(await page.locator('#misses').textContent());
      const coalesced = parseCount(await page.locator('#coalesced').textContent());
      const errors = parseCount(await page.locator('#errors').textContent());
      return hits + misses + coalesced + errors === QUERIES ? {hits, misses, coalesced} : null;
    }, 90_000);

    // ... and those are the numbers in <prefix>stats.
    const stats = await readStats();
    check(stats.run_id === runId, `${prefix}stats is about run ${stats.run_id}, not ${runId}`);
    check(stats.state === 'finished', `${prefix}stats state is ${stats.state}`);
    check(stats.hits === shown.hits,
        `page shows ${shown.hits} hits, ${prefix}stats has ${stats.hits}`);
    check(stats.misses === shown.misses,
        `page shows ${shown.misses} misses, ${prefix}stats has ${stats.misses}`);
    check(stats.coalesced === shown.coalesced,
        `page shows ${shown.coalesced} coalesced, ${prefix}stats has ${stats.coalesced}`);
    check(stats.params.stampede === 'coalesce', `the form's default strategy: ${stats.params.stampede}`);
    checkCountsAddUp(stats);
    check(stats.issued === QUERIES, `${stats.issued} queries issued, not ${QUERIES}`);

    // The hits-vs-misses chart holds those numbers and drew them.
    const chartData = await page.evaluate(
        () => Chart.getChart('hits-chart').data.datasets[0].data.slice());
    check(chartData[0] === stats.hits && chartData[1] === stats.misses &&
        chartData[2] === stats.coalesced, `chart data ${JSON.stringify(chartData)}`);
    const inked = await inkedPixels(page, 'hits-chart');
    check(inked > 1000, `the hits chart has ${inked} drawn pixels`);
    if (stats.hits > 0) {
      const green = await pixelsOfColor(page, 'hits-chart', [0x1a, 0x7f, 0x37]);
      check(green > 100, `the hits bar has ${green} green pixels`);
    }
    const labels = await page.evaluate(() => Chart.getChart('hits-chart').data.labels);
    check(/last \d+\.\d{2,3} ms/.test(labels[0][1]),
        `the hits label shows the last duration with decimals: ${labels[0][1]}`);

    // The histogram of cache hits has buckets.
    const histogramBars = await page.evaluate(
        () => Chart.getChart('hist-hit').data.labels.length);
    check(histogramBars > 0, 'the cache-hit histogram has buckets');
    check(await inkedPixels(page, 'hist-hit') > 200, 'the cache-hit histogram is drawn');

    // The recent-queries table has rows of SQL.
    const logRows = page.locator('#log-table tbody tr');
    const rowCount = await logRows.count();
    check(rowCount > 0 && rowCount <= 25, `recent queries table has ${rowCount} rows`);
    const firstSql = await logRows.first().locator('td.sql').textContent();
    check(firstSql.startsWith('SELECT'), `first SQL cell: ${firstSql}`);

    // The latency table has every source, with cache hits counted.
    const sources = ['Cache hit', 'Database', 'Pool wait', 'DB connect', 'Cache fill', 'Coalesced',
      'End to end', 'Response'];
    check(await page.locator('#latency-table tbody tr').count() === sources.length,
        'latency table rows');
    const heads = await page.locator('#latency-table tbody th').allTextContents();
    check(JSON.stringify(heads) === JSON.stringify(sources), `latency sources: ${heads}`);
    const hitCount = parseCount(
        await page.locator('#latency-table tbody tr').first().locator('td').first().textContent());
    check(hitCount === stats.hits, `latency table counts ${hitCount} cache hits`);

    // The run appears in the history.
    await waitFor('the run in the history table', async () =>
      (await page.locator('#runs-table tbody tr').first().locator('td').first().textContent())
          === runId, 15_000);

    await page.screenshot({path: screenshot, fullPage: true});

    // A phone-width screen: nothing wider than the viewport.
    await page.setViewportSize({width: 375, height: 800});
    await waitFor('the layout to settle at 375 px', async () => page.evaluate(
        () => document.documentElement.scrollWidth <= window.innerWidth), 5_000);
    await page.screenshot({path: screenshot.replace(/(\.png)?$/, '-375.png'), fullPage: true});

    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});

// The page's daemon reads the cache from the replica, as a deployment does, so
// a key drawn again right after its own miss can miss once more while the fill
// is still on its way to the replica (one CI run: 21 DB queries over 20
// categories). A key is filled at most once unless that happens, and rarely
// more; a cache that kept nothing would send every query to the database.
function checkFilledOncePerKeyOrLagged(stats, keys) {
  check(stats.errors === 0, `${stats.errors} errors`);
  check(stats.db_queries === stats.misses,
      `${stats.db_queries} DB queries for ${stats.misses} misses`);
  check(stats.db_queries <= 2 * keys,
      `${stats.db_queries} DB queries for ${keys} keys (at most ${2 * keys})`);
  check(stats.hits >= stats.issued - 2 * keys, `${stats.hits} hits of ${stats.issued}`);
}

await runTest('page: the form sends a distribution and keys, and marks a refused one', async () => {
  const browser = await launchBrowser();
  try {
    const {page, errors} = await openOnlinePage(browser);

    // A distribution the daemon's parser refuses: 400, the field marked, the reason shown.
    await page.fill('#dist', 'zipf:9');
    check((await submitRun(page)).status() === 400, 'a bad distribution is refused with 400');
    check(await page.locator('#dist').getAttribute('aria-invalid') === 'true',
        'the distribution field is marked invalid');
    const message = await page.locator('#form-message').textContent();
    check(message.includes('exponent outside (0, 5]'), `form message: ${message}`);

    // A skewed run over 20 keys: the daemon runs what the form sent.
    await page.fill('#dist', 'zipf:1.1');
    await page.fill('#keys', '20');
    await page.fill('#queries', '200');
    const stats = await runFromForm(page, 'skewed', 'zipf:1.1 over 20 keys');
    check(stats.params.dist === 'zipf:1.1', `params.dist is ${stats.params.dist}`);
    check(stats.params.keys === 20, `params.keys is ${stats.params.keys}`);
    check(stats.issued === 200, `${stats.issued} queries issued, not 200`);
    checkFilledOncePerKeyOrLagged(stats, 20);
    // The refused POST is the only failed request the browser saw.
    const unexpected = errors.filter((e) => !/400|Bad Request/.test(e));
    check(unexpected.length === 0, `page errors:\n  ${unexpected.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});

await runTest('page: the workload, strategy and invalidation lists come from the daemon, and a named workload runs', async () => {
  const browser = await launchBrowser();
  try {
    const {page, errors} = await openOnlinePage(browser);
    const heartbeat = JSON.parse(await redisCli('GET', `${prefix}daemon`));
    check(Array.isArray(heartbeat.workloads) && heartbeat.workloads.includes('category_stats'),
        `the heartbeat lists workloads: ${JSON.stringify(heartbeat.workloads)}`);
    await waitFor('the workload list to match the heartbeat', async () => {
      const options = await page.locator('#workload option').evaluateAll(
          (nodes) => nodes.map((n) => n.value));
      return options.join(',') === heartbeat.workloads.join(',');
    }, 10_000);
    // So are the strategies and invalidations, in the daemon's order (the page's own
    // fallback lists stampede strategies in another), defaults selected.
    for (const key of ['stampede', 'invalidate']) {
      const choice = heartbeat.run_choices && heartbeat.run_choices[key];
      check(choice && Array.isArray(choice.values) && choice.values.length >= 4,
          `the heartbeat lists ${key} values: ${JSON.stringify(heartbeat.run_choices)}`);
      await waitFor(`the ${key} list to match the heartbeat`, async () => {
        const options = await page.locator(`#${key} option`).evaluateAll(
            (nodes) => nodes.map((n) => n.value));
        return options.join(',') === choice.values.join(',');
      }, 10_000);
      const selected = await page.locator(`#${key}`).inputValue();
      check(selected === choice.default, `${key} shows ${selected}, not the default ${choice.default}`);
    }

    await page.selectOption('#workload', 'category_stats');
    await page.fill('#dist', '');
    await page.fill('#keys', '');
    await page.fill('#queries', '100');
    const stats = await runFromForm(page, 'category_stats', 'workload category_stats');
    check(stats.params.workload === 'category_stats', `params.workload is ${stats.params.workload}`);
    check(stats.issued === 100, `${stats.issued} queries issued, not 100`);
    // The table has about twenty categories.
    check(stats.params.keys >= 2 && stats.params.keys <= 30, `${stats.params.keys} categories`);
    checkFilledOncePerKeyOrLagged(stats, stats.params.keys);
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});

await runTest('page: a run with writes shows its invalidation and staleness', async () => {
  const browser = await launchBrowser();
  try {
    const {page, errors} = await openOnlinePage(browser);
    await waitFor('mixed in the workload list', async () => (await page.locator(
        '#workload option[value="mixed"]').count()) === 1, 10_000);
    await page.selectOption('#workload', 'mixed');
    await page.selectOption('#invalidate', 'delete');
    await page.fill('#verify', '100');
    await page.fill('#dist', '');
    await page.fill('#keys', '');
    await page.fill('#queries', '300');
    const stats = await runFromForm(page, 'mixed', 'invalidate delete');
    check(stats.params.invalidate === 'delete', `params.invalidate is ${stats.params.invalidate}`);
    check(stats.params.verify === 100, `params.verify is ${stats.params.verify}`);
    const f = stats.freshness;
    // One statement in eleven is a vote: about 27 of 300.
    check(stats.writes >= 8 && stats.writes <= 60, `${stats.writes} writes of 300`);
    check(f.writes === stats.writes && f.write_errors === 0, `freshness: ${JSON.stringify(f)}`);
    check(f.invalidations === stats.writes, `${f.invalidations} keys deleted for ${stats.writes} votes`);
    // Every hit re-read; nothing differs that a vote does not explain.
    check(f.verified === stats.hits, `${f.verified} verified of ${stats.hits} hits`);
    check(f.unexplained === 0, `${f.unexplained} unexplained`);
    const line = await page.locator('#run-line').textContent();
    check(line.includes(`${stats.writes} writes, invalidate delete`), `run line: ${line}`);
    check(line.includes(`${f.stale_reads} stale reads`), `run line: ${line}`);
    check(line.includes(`${f.verified} verified, 0 unexplained`), `run line: ${line}`);
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});
