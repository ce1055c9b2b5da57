// The compare view, driven like a user would: click "Compare off / on", watch
// both runs go, and check that the card, its chart and the run history show
// what dbcached stored for the compare; then open it again by its URL, and at
// a phone's width.
//
//   DBCACHE_WEB_URL=http://127.0.0.1:8080/ DBCACHE_REDIS_PORT=16379 \
//   DBCACHE_PREFIX=dbcache: DBCACHE_SCREENSHOT=build/e2e/page.png node compare.spec.mjs
import {
  check, checkCountsAddUp, env, inkedPixels, launchBrowser, listOf, prepareOutput, redisCli,
  runTest, waitFor, watchForErrors,
} from './lib.mjs';

const url = env('DBCACHE_WEB_URL');
const prefix = env('DBCACHE_PREFIX', 'dbcache:');
const screenshot = prepareOutput(
    env('DBCACHE_SCREENSHOT', 'build/e2e/page.png').replace(/(\.png)?$/, '-compare.png'));

const intText = (v) => Math.round(v).toLocaleString('en-US');

// The compare card's table as {what: [off, on, effect]}.
function compareTable(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll(
      '#compare-table tbody tr')].map((row) => [row.cells[0].textContent,
    [...row.cells].slice(1).map((c) => c.textContent)])));
}

// How many points each dataset of a chart holds.
function chartPoints(page, id) {
  return page.evaluate((canvasId) => Chart.getChart(canvasId).data.datasets.map(
      (d) => d.data.length), id);
}

await runTest('compare: both runs side by side with the speed-up, by click and by URL', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({viewport: {width: 1280, height: 900}});
    const errors = watchForErrors(page);
    await page.goto(url, {waitUntil: 'load'});
    await page.locator('#daemon.online').waitFor({timeout: 30_000});
    check(await page.locator('#compare-card').isHidden(), 'no compare card before a compare');

    await page.fill('#queries', '4000');
    await page.fill('#concurrency', '1');
    await page.fill('#keys', '50');
    await page.fill('#dist', '');
    const posted = page.waitForResponse(
        (r) => r.url().endsWith('/api/compares') && r.request().method() === 'POST');
    await page.getByRole('button', {name: 'Compare off / on'}).click();
    const response = await posted;
    check(response.status() === 202, `POST /api/compares answered ${response.status()}`);
    const id = (await response.json()).id;
    await page.waitForURL((u) => u.search === `?compare=${encodeURIComponent(id)}`, {timeout: 10_000});

    await page.locator('#compare-card[data-state="finished"]').waitFor({timeout: 120_000});
    const [record] = await listOf('compares');
    check(record.compare_id === id, `${prefix}compares holds ${record.compare_id}, not ${id}`);
    check(record.state === 'finished', `the compare ${record.state}: ${record.reason}`);
    const runs = await listOf('runs');
    for (const role of ['off', 'on']) {
      const run = runs.find((r) => r.run_id === `${id}-${role}`);
      check(run, `run ${id}-${role} in the history`);
      checkCountsAddUp(run);
      check(run.compare.id === id && run.compare.role === role, `run ${run.run_id} is marked`);
      check(record[role].db_queries === run.db_queries, `${role}: the record is the run's`);
    }
    check(record.off.db_queries === 4000, `cache=off sent ${record.off.db_queries} to MySQL`);
    check(record.on.db_queries < record.off.db_queries / 10,
        `cache=on sent ${record.on.db_queries} to MySQL`);

    // The table shows the record's figures and effects.
    const table = await compareTable(page);
    check(table['Sent to MySQL'][0] === intText(record.off.db_queries) &&
        table['Sent to MySQL'][1] === intText(record.on.db_queries),
    `MySQL row ${JSON.stringify(table['Sent to MySQL'])}`);
    check(table['Sent to MySQL'][2] === `${(record.db_queries_saved * 100).toFixed(1)} % fewer`,
        `saved ${table['Sent to MySQL'][2]}`);
    const wall = record.speedup.wall;
    const wallText = `${wall.toFixed(wall < 10 ? 2 : 1)}×`;
    check(table['Wall time'][2] === `${wallText} faster`, `wall row ${JSON.stringify(table['Wall time'])}`);
    const headline = await page.locator('#compare-headline').textContent();
    check(headline.includes(`ran ${wallText} faster`), `headline: ${headline}`);
    check(headline.includes('fewer statements to MySQL'), `headline: ${headline}`);

    // Both runs on one chart: a point per interval of each, and drawn.
    const points = await chartPoints(page, 'compare-chart');
    const expected = [record.series.off.points.length, record.series.off.points.length,
      record.series.on.points.length, record.series.on.points.length];
    check(JSON.stringify(points) === JSON.stringify(expected),
        `chart points ${JSON.stringify(points)}, series ${JSON.stringify(expected)}`);
    check(expected[0] >= 2, `the cache=off run has ${expected[0]} intervals`);
    check(await inkedPixels(page, 'compare-chart') > 1000, 'the compare chart is drawn');

    // The live chart has a point per interval of the last run, the cache=on one.
    const stats = JSON.parse(await redisCli('GET', `${prefix}stats`));
    check(stats.run_id === `${id}-on`, `${prefix}stats is about ${stats.run_id}`);
    await waitFor('the live chart to hold every interval', async () => {
      const live = await chartPoints(page, 'series-chart');
      return live[0] === stats.series.points.length && live[1] === stats.series.points.length;
    }, 10_000);
    // At this hit ratio the misses still show, as a share and in words.
    const ratio = await page.locator('#ratio-text').textContent();
    const reads = stats.hits + stats.misses + stats.coalesced;
    check(ratio.includes(`${(stats.misses / reads * 100).toFixed(1)} % misses`), `ratio: ${ratio}`);
    const missWidth = await page.locator('#ratio-miss').evaluate((e) => e.getBoundingClientRect().width);
    check(stats.misses === 0 || missWidth >= 2, `the miss share is ${missWidth} px wide`);

    // The history links both runs to the compare.
    await waitFor('the pair in the history', async () => (await page.locator(
        `#runs-table a[href="/?compare=${id}"]`).count()) === 2, 15_000);
    await page.screenshot({path: screenshot, fullPage: true});

    // By URL, in a new page: the same record, no click.
    const again = await browser.newPage({viewport: {width: 375, height: 800}});
    const againErrors = watchForErrors(again);
    await again.goto(`${url}?compare=${encodeURIComponent(id)}`, {waitUntil: 'load'});
    await again.locator('#compare-card[data-state="finished"]').waitFor({timeout: 30_000});
    check((await again.locator('#compare-headline').textContent()) === headline,
        'the URL shows the same compare');
    // A phone-width screen: nothing wider than the viewport.
    await waitFor('the layout to settle at 375 px', async () => again.evaluate(
        () => document.documentElement.scrollWidth <= window.innerWidth), 5_000);
    await again.screenshot({path: screenshot.replace(/\.png$/, '-375.png'), fullPage: true});
    check(errors.length === 0, `page errors:\n  ${errors.join('\n  ')}`);
    check(againErrors.length === 0, `page errors:\n  ${againErrors.join('\n  ')}`);
  } finally {
    await browser.close();
  }
});
