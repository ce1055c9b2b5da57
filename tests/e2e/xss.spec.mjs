// Text from Redis reaches the page as text, never as HTML: a query log entry, a
// run summary and a sweep carrying markup are shown literally and run no script.
//
//   DBCACHE_WEB_URL=http://127.0.0.1:8080/ DBCACHE_REDIS_PORT=16379 \
//   DBCACHE_PREFIX=e2e: node xss.spec.mjs
//
// Writes to <prefix>log, <prefix>runs and <prefix>sweeps on the primary: use a
// prefix of its own.
import {check, env, launchBrowser, redisCli, runTest, waitFor, watchForErrors} from './lib.mjs';

const url = env('DBCACHE_WEB_URL');
const prefix = env('DBCACHE_PREFIX');

const PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';
const RUN_ID = '<img src=x onerror="window.__xss=3">';

await runTest('xss: markup from Redis is shown as text', async () => {
  const entry = {seq: 999999, run_id: 'xss', sql: PAYLOAD, source: 'hit', latency_us: 1.5};
  // With key expiries, so that it shows in the per-strategy view too.
  const run = {run_id: RUN_ID, state: 'finished', queries: 1, hits: 1, misses: 0, errors: 0,
    params: {cache: true, workload: PAYLOAD, concurrency: 1},
    stampede: {strategy: 'lock', expiries: 1, db_queries_per_expiry: {mean: 1, p50: 1, p99: 1, max: 1}}};
  // A second strategy with another workload: the note names the difference.
  const other = {run_id: 'xss-other', state: 'finished', queries: 1, hits: 1, misses: 0, errors: 0,
    params: {cache: true, workload: 'demo', concurrency: 1},
    stampede: {strategy: 'swr', expiries: 1, db_queries_per_expiry: {mean: 1, p50: 1, p99: 1, max: 1}}};
  const sweep = {sweep_id: 'xss-sweep', workload: PAYLOAD, started_at: PAYLOAD, complete: true,
    cells: [{ttl_ms: 100, dist: PAYLOAD, hit_ratio: 0.5, db_load_saved: 0.5}]};
  await redisCli('LPUSH', `${prefix}log`, JSON.stringify(entry));
  await redisCli('LPUSH', `${prefix}runs`, JSON.stringify(other));
  await redisCli('LPUSH', `${prefix}runs`, JSON.stringify(run));
  await redisCli('LPUSH', `${prefix}sweeps`, JSON.stringify(sweep));

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const errors = watchForErrors(page);
    await page.goto(url, {waitUntil: 'load'});

    // Replication to the reader and the next poll: wait for the entry's row (found
    // by its sequence number, so that a page that mangles the text still finds it).
    const row = page.locator('#log-table tbody tr', {has: page.locator('td:first-child', {hasText: /^999999$/})});
    await row.first().waitFor({timeout: 30_000});
    const shown = await row.first().locator('td.sql').textContent();
    check(shown === PAYLOAD, `the SQL is shown literally (shown: ${JSON.stringify(shown)})`);
    const runCell = page.locator('#runs-table tbody tr:first-child td:first-child');
    await waitFor('the run summary in the history', async () =>
      (await runCell.textContent()) === RUN_ID, 15_000);
    await page.locator('#sweep-card[data-sweep-id="xss-sweep"]').waitFor({timeout: 15_000});
    const distCell = await page.locator('#sweep-table tbody tr:first-child td:nth-child(2)').textContent();
    check(distCell === PAYLOAD, `the sweep's distribution is shown literally: ${JSON.stringify(distCell)}`);
    const lockRow = page.locator('#expiry-table tbody tr', {has: page.locator('th', {hasText: /^lock$/})});
    await lockRow.waitFor({timeout: 15_000});
    check(await lockRow.locator('td').first().textContent() === RUN_ID,
        'the run id is shown literally in the expiry view');
    check((await page.locator('#expiry-note').textContent()).includes(PAYLOAD),
        'a differing workload is named literally');

    // Give an injected handler every chance to run, then look for its traces.
    await page.waitForTimeout(500);
    check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss stays undefined');
    check(await page.locator('#log-table img, #log-table script, #runs-table img, #sweep-card img, ' +
        '#sweep-card script, #expiry-card img').count() === 0,
        'no element was created from the text');
    // The broken <img src=x> would have been a failed request.
    const imageErrors = errors.filter((e) => /\/x$/.test(e));
    check(imageErrors.length === 0, `no request for the injected image: ${imageErrors}`);
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
    await redisCli('LREM', `${prefix}log`, '0', JSON.stringify(entry));
    await redisCli('LREM', `${prefix}runs`, '0', JSON.stringify(run));
    await redisCli('LREM', `${prefix}runs`, '0', JSON.stringify(other));
    await redisCli('LREM', `${prefix}sweeps`, '0', JSON.stringify(sweep));
  }
});
