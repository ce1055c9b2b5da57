// Shared helpers of the browser tests: launch Debian's Chromium through playwright-core
// (never a downloaded browser), read settings from the environment, wait with deadlines.
import {execFile} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {dirname} from 'node:path';
import {promisify} from 'node:util';

import {chromium} from 'playwright-core';

const execFileAsync = promisify(execFile);

// No network beyond the page under test, no GPU, no sandbox (containers and CI
// runners rarely allow one).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--headless',
];

export function env(name, fallback) {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback === undefined) throw new Error(`environment variable ${name} is not set`);
  return fallback;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: env('DBCACHE_CHROMIUM', '/usr/bin/chromium'),
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 60_000,
  });
}

// Records everything that counts as a page error: console errors, uncaught
// exceptions, failed requests and HTTP error answers.
export function watchForErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return errors;
}

// Polls `condition` (async, returns a truthy value when done) until it holds or
// the deadline passes; returns its value or throws naming `what`.
export async function waitFor(what, condition, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await condition();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// Counts the pixels of a canvas that are neither transparent nor white: a chart
// that drew bars has thousands, a blank one none.
export function inkedPixels(page, canvasId) {
  return page.evaluate((id) => {
    const canvas = document.getElementById(id);
    const {data} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && !(r > 245 && g > 245 && b > 245)) inked++;
    }
    return inked;
  }, canvasId);
}

// Runs redis-cli against the primary; returns its stdout without the last newline.
export async function redisCli(...args) {
  const port = env('DBCACHE_REDIS_PORT');
  const {stdout} = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', port, ...args]);
  return stdout.replace(/\n$/, '');
}

// A list of JSON entries in Redis (<prefix><key>), newest first.
export async function listOf(key) {
  const text = await redisCli('LRANGE', `${env('DBCACHE_PREFIX', 'dbcache:')}${key}`, '0', '-1');
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line));
}

// Runs $DBCACHE_BIN_DIR/dbcachectl with the settings run.sh exported; returns
// its stdout, or throws with its stderr.
export async function dbcachectl(...args) {
  const program = `${env('DBCACHE_BIN_DIR')}/dbcachectl`;
  const {stdout} = await execFileAsync(program, args, {maxBuffer: 16 << 20, timeout: 180_000});
  return stdout;
}

export function prepareOutput(path) {
  mkdirSync(dirname(path), {recursive: true});
  return path;
}

// "1,234" -> 1234; NaN for anything else.
export function parseCount(text) {
  const digits = String(text).replace(/,/g, '').trim();
  return /^\d+$/.test(digits) ? Number(digits) : NaN;
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// The identity every run keeps (the same check as the C++ tests' ExpectCountsAddUp):
// each issued query ends as exactly one outcome, `done` agrees, an ended run has
// nothing in flight and a finished one issued every query.
export const OUTCOMES = ['hits', 'misses', 'coalesced', 'writes', 'errors'];
export function checkCountsAddUp(snapshot) {
  for (const field of [...OUTCOMES, 'issued', 'done', 'in_flight', 'queries']) {
    check(Number.isInteger(snapshot[field]), `${field} is an integer in ${JSON.stringify(snapshot)}`);
  }
  const sum = OUTCOMES.reduce((total, field) => total + snapshot[field], 0);
  check(sum + snapshot.in_flight === snapshot.issued,
      `${OUTCOMES.join(' + ')} + in_flight = ${sum + snapshot.in_flight}, issued ${snapshot.issued}`);
  check(snapshot.done === sum, `done ${snapshot.done}, outcomes add up to ${sum}`);
  const byKind = Object.values(snapshot.errors_by_kind ?? {}).reduce((a, b) => a + b, 0);
  check(byKind === snapshot.errors, `errors_by_kind adds up to ${byKind}, errors ${snapshot.errors}`);
  if (snapshot.state !== 'running') check(snapshot.in_flight === 0, 'nothing in flight at the end');
  if (snapshot.state === 'finished') {
    check(snapshot.issued === snapshot.queries, `issued ${snapshot.issued} of ${snapshot.queries}`);
  }
}

// Runs a test body, prints PASS/FAIL and sets the exit code.
export async function runTest(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`PASS ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    console.error(`FAIL ${name}: ${error.stack || error}`);
    process.exitCode = 1;
  }
}
