// Text from Redis reaches the page as text, never as HTML: a query log entry and a
// run summary carrying markup are shown literally and run no script.
//
//   DBCACHE_WEB_URL=http://127.0.0.1:8080/ DBCACHE_REDIS_PORT=16379 \
//   DBCACHE_PREFIX=e2e: node xss.spec.mjs
//
// Writes to <prefix>log and <prefix>runs on the primary: use a prefix of its own.
import {check, env, launchBrowser, redisCli, runTest, waitFor, watchForErrors} from './lib.mjs';

const url = env('DBCACHE_WEB_URL');
const prefix = env('DBCACHE_PREFIX');

const PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';
const RUN_ID = '<img src=x onerror="window.__xss=3">';

await runTest('xss: markup from Redis is shown as text', async () => {
  const entry = {seq: 999999, run_id: 'xss', sql: PAYLOAD, source: 'hit', latency_us: 1.5};
  const run = {run_id: RUN_ID, state: 'finished', queries: 1, hits: 1, misses: 0, errors: 0};
  await redisCli('LPUSH', `${prefix}log`, JSON.stringify(entry));
  await redisCli('LPUSH', `${prefix}runs`, JSON.stringify(run));

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

    // Give an injected handler every chance to run, then look for its traces.
    await page.waitForTimeout(500);
    check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss stays undefined');
    check(await page.locator('#log-table img, #log-table script, #runs-table img').count() === 0,
        'no element was created from the text');
    // The broken <img src=x> would have been a failed request.
    const imageErrors = errors.filter((e) => /\/x$/.test(e));
    check(imageErrors.length === 0, `no request for the injected image: ${imageErrors}`);
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
  } finally {
    await browser.close();
    await redisCli('LREM', `${prefix}log`, '0', JSON.stringify(entry));
    await redisCli('LREM', `${prefix}runs`, '0', JSON.stringify(run));
  }
});
