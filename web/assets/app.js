// dbcache status page. Polls /api/status (every 250 ms while a run is going, every
// 2 s otherwise), draws Chart.js charts that are created once and updated in place,
// starts runs with POST /api/runs and compares with POST /api/compares, and shows
// a compare's record (compare.js) at /?compare=<id>, dbcachectl's sweeps
// (sweep.js, /?sweep=<id>) and what a key expiry costs per stampede strategy
// (expiries.js).
//
// Everything that comes from Redis is inserted with textContent, never as HTML: the
// SQL text and error messages in particular can hold anything.
'use strict';

(() => {
  const FAST_POLL_MS = 250;
  const SLOW_POLL_MS = 2000;
  const RUNS_REFRESH_MS = 10000;
  // After a run is requested the daemon may take a moment to report it; poll fast
  // meanwhile so that the page follows the run from its start.
  const AFTER_REQUEST_FAST_MS = 3000;
  const SOURCES = [
    ['cache_hit', 'Cache hit'],
    ['db', 'Database'],
    ['pool_wait', 'Pool wait'],
    ['db_connect', 'DB connect'],
    ['cache_fill', 'Cache fill'],
    ['coalesced', 'Coalesced'],
    ['end_to_end', 'End to end'],
    ['response', 'Response'],
  ];
  const COLORS = {hit: '#1a7f37', miss: '#cf222e', coalesced: '#9a6700', accent: '#1f6feb'};
  // The form's numeric fields, sent as typed; the stampede strategy is a choice
  // and the distribution a text the daemon parses. Empty optional fields take
  // the daemon's default.
  const NUMERIC_FIELDS = ['queries', 'concurrency', 'ttl_ms', 'rate', 'keys', 'verify'];
  const OPTIONAL_FIELDS = new Set(['rate', 'keys', 'dist', 'verify']);

  const $ = (id) => document.getElementById(id);
  const state = {
    timer: 0,
    fastUntil: 0,
    runKey: '',
    runsFetchedAt: 0,
    logKey: '',
    running: false,
    daemonOnline: null,
    token: sessionStorage.getItem('dbcache.token') || '',
    charts: null,
    // The compare the page shows (from ?compare=, a click, or the daemon), and
    // whether its record has been read.
    compareId: new URLSearchParams(location.search).get('compare') || '',
    compareShown: '',
    compareFetchedAt: 0,
    compareView: null,
    sweepView: null,
    expiryView: null,
  };
  const COMPARE_REFETCH_MS = 1000;

  // --- formatting -------------------------------------------------------------

  const {isNumber, intText, msText, percentText} = dbcache.format;

  function timeText(iso) {
    if (typeof iso !== 'string' || iso === '') return '–';
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  function setText(id, text) {
    const el = $(id);
    if (el.textContent !== text) el.textContent = text;
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  // --- messages ---------------------------------------------------------------

  function showBanner(text, kind) {
    const banner = $('banner');
    if (!text) {
      banner.hidden = true;
      return;
    }
    banner.textContent = text;
    banner.className = kind === 'error' ? 'banner error' : 'banner';
    banner.hidden = false;
  }

  function showFormMessage(text, isError) {
    const el = $('form-message');
    el.textContent = text || '';
    el.className = isError ? 'form-message error' : 'form-message';
  }

  // --- charts -----------------------------------------------------------------

  function makeCharts() {
    if (typeof Chart === 'undefined') return null;
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

    const hits = new Chart($('hits-chart'), {
      type: 'bar',
      data: {
        labels: [['Hits', 'last –'], ['Misses', 'last –'], 'Coalesced'],
        datasets: [{
          label: 'Queries',
          data: [0, 0, 0],
          backgroundColor: [COLORS.hit, COLORS.miss, COLORS.coalesced],
        }],
      },
      options: {
        plugins: {legend: {display: false}},
        // At a 99.6 % hit ratio a linear axis shows no misses at all.
        scales: {y: {type: 'logarithmic', min: 1, title: {display: true, text: 'queries (log scale)'}}},
      },
    });

    const histogram = (canvas, color, label) => new Chart(canvas, {
      type: 'bar',
      data: {labels: [], datasets: [{label, data: [], backgroundColor: color, barPercentage: 1.0, categoryPercentage: 0.95}]},
      options: {
        plugins: {
          legend: {display: false},
          tooltip: {callbacks: {title: (items) => (items.length ? `${items[0].label} ms` : '')}},
        },
        scales: {
          x: {title: {display: true, text: 'latency (ms, bucket start)'}},
          y: {beginAtZero: true, ticks: {precision: 0}, title: {display: true, text: 'queries'}},
        },
      },
    });

    return {
      hits,
      series: dbcache.series.makeChart($('series-chart'), {log: false}),
      hit: histogram($('hist-hit'), COLORS.hit, 'Cache hits'),
      db: histogram($('hist-db'), COLORS.miss, 'Database queries'),
    };
  }

  function sameArray(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
    }
    return true;
  }

  // Replaces a chart's data in place and redraws without animation, and only
  // when something changed: no flicker, no new chart per poll.
  function updateChart(chart, labels, data) {
    if (!chart) return;
    const dataset = chart.data.datasets[0];
    if (sameArray(chart.data.labels, labels) && sameArray(dataset.data, data)) return;
    chart.data.labels = labels;
    dataset.data = data;
    chart.update('none');
  }

  function updateHistogram(chart, buckets) {
    const rows = Array.isArray(buckets) ? buckets.filter((b) => Array.isArray(b) && b.length >= 3) : [];
    updateChart(chart, rows.map((b) => msText(b[0])), rows.map((b) => Number(b[2]) || 0));
  }

  // --- rendering --------------------------------------------------------------

  // Names as the daemon spells them ([a-z][a-z0-9_]*); anything else is dropped.
  function names(list) {
    return Array.isArray(list)
      ? list.filter((v) => typeof v === 'string' && /^[a-z][a-z0-9_]{0,63}$/.test(v))
      : [];
  }

  // Makes `values` the options of `select` unless they already are; the choice
  // survives a refresh, else `preferred`, else the first.
  function setOptions(select, values, preferred) {
    const current = [...select.options].map((o) => o.value);
    if (values.length === 0 || values.join(',') === current.join(',')) return;
    const chosen = select.value;
    select.replaceChildren(...values.map((value) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value;
      return option;
    }));
    select.value = values.includes(chosen) ? chosen
      : values.includes(preferred) ? preferred : values[0];
  }

  // The form offers what this daemon accepts: its workloads, and the values of
  // the run keys with a fixed set (stampede, invalidate) from run_choices. The
  // page's own options stand in while no daemon says.
  function renderChoices(daemon) {
    setOptions($('workload'), names(daemon.workloads), 'demo');
    const choices = typeof daemon.run_choices === 'object' && daemon.run_choices !== null
      ? daemon.run_choices : {};
    for (const [key, choice] of Object.entries(choices)) {
      const select = document.getElementById(key);
      if (!select || select.tagName !== 'SELECT' || !choice) continue;
      setOptions(select, names(choice.values), choice.default);
    }
  }

  function renderDaemon(online, daemon) {
    renderChoices(daemon);
    const pill = $('daemon');
    pill.className = online ? 'pill online' : 'pill offline';
    if (online) {
      const parts = ['daemon online'];
      if (typeof daemon.state === 'string') parts.push(daemon.state);
      if (typeof daemon.version === 'string') parts.push(`v${daemon.version}`);
      if (typeof daemon.host === 'string') parts.push(daemon.host);
      setText('daemon-text', parts.join(' · '));
    } else {
      setText('daemon-text', 'daemon offline');
    }
  }

  function renderRun(stats) {
    const bar = $('progress-bar');
    if (!stats) {
      setText('run-line', 'No run yet. Click Query DB to start one.');
      bar.style.width = '0%';
      for (const id of ['hits', 'misses', 'coalesced', 'errors', 'hit-ratio', 'throughput', 'speedup']) {
        setText(id, '–');
      }
      return;
    }
    const queries = Number(stats.queries) || 0;
    const done = Number(stats.done) || 0;
    const fraction = queries > 0 ? Math.min(1, done / queries) : 0;
    bar.style.width = `${(fraction * 100).toFixed(1)}%`;
    bar.className = stats.state === 'finished' ? 'progress-bar finished'
      : (stats.state === 'failed' || stats.state === 'cancelled') ? 'progress-bar failed' : 'progress-bar';

    const parts = [`Run ${stats.run_id || '?'}`, String(stats.state || 'unknown'),
      `${intText(done)} / ${intText(queries)} queries`];
    if (isNumber(stats.in_flight) && stats.state === 'running') parts.push(`${stats.in_flight} in flight`);
    if (isNumber(stats.wall_ms)) parts.push(`${(stats.wall_ms / 1000).toFixed(2)} s`);
    if (stats.params && typeof stats.params === 'object') {
      if (typeof stats.params.workload === 'string' && stats.params.workload !== 'demo') {
        parts.push(`workload ${stats.params.workload}`);
      }
      parts.push(`concurrency ${intText(stats.params.concurrency)}`, `TTL ${intText(stats.params.ttl_ms)} ms`);
      if (typeof stats.params.dist === 'string' && stats.params.dist !== 'uniform') {
        parts.push(`${stats.params.dist} over ${intText(stats.params.keys)} keys`);
      }
      if (stats.params.cache === false) parts.push('cache off');
      else if (typeof stats.params.stampede === 'string') parts.push(`stampede ${stats.params.stampede}`);
      if (isNumber(stats.params.rate) && stats.params.rate > 0) {
        const load = stats.load && typeof stats.load === 'object' ? stats.load : {};
        parts.push(`open loop ${intText(stats.params.rate)}/s`);
        if (isNumber(load.late_starts) && load.late_starts > 0) parts.push(`${intText(load.late_starts)} late`);
      }
    }
    const freshness = stats.freshness && typeof stats.freshness === 'object' ? stats.freshness : null;
    if (freshness && isNumber(stats.writes) && stats.writes > 0) {
      parts.push(`${intText(stats.writes)} writes, invalidate ${freshness.invalidate}`,
          `${intText(freshness.stale_reads)} stale reads (${percentText(freshness.stale_ratio)})`);
    }
    if (freshness && isNumber(freshness.verified) && freshness.verified > 0) {
      parts.push(`${intText(freshness.verified)} verified, ${intText(freshness.unexplained)} unexplained`);
    }
    if (stats.reason) parts.push(`reason: ${stats.reason}`);
    if (stats.last_error) parts.push(`last error: ${stats.last_error}`);
    setText('run-line', parts.join(' · '));

    setText('hits', intText(stats.hits));
    setText('misses', intText(stats.misses));
    setText('coalesced', intText(stats.coalesced));
    setText('errors', intText(stats.errors));
    setText('hit-ratio', percentText(stats.hit_ratio));
    setText('throughput', isNumber(stats.throughput_qps) ? `${stats.throughput_qps.toFixed(0)} q/s` : '–');
    setText('speedup', isNumber(stats.speedup) && stats.speedup > 0 ? `${stats.speedup.toFixed(1)}×` : '–');
  }

  // The shares of hits, coalesced and misses as one bar: a 0.4 % miss share
  // still shows (a sliver of at least a few pixels) and is written out.
  function renderRatioBar(stats) {
    const counts = ['hits', 'coalesced', 'misses'].map((k) => (stats && isNumber(stats[k]) ? stats[k] : 0));
    const reads = counts.reduce((a, b) => a + b, 0);
    ['ratio-hit', 'ratio-coalesced', 'ratio-miss'].forEach((id, i) => {
      const share = reads > 0 ? counts[i] / reads : 0;
      $(id).style.width = `${(share * 100).toFixed(3)}%`;
      $(id).classList.toggle('some', counts[i] > 0);
    });
    setText('ratio-text', reads > 0
      ? `${percentText(counts[0] / reads)} hits · ${percentText(counts[2] / reads)} misses · ` +
        `${percentText(counts[1] / reads)} coalesced, of ${intText(reads)} reads`
      : '–');
  }

  function renderSeries(stats) {
    const points = stats ? dbcache.series.points(stats.series) : [];
    setText('series-note', points.length
      ? `${points.length} intervals of run ${stats.run_id}: queries/s (solid) and p99 (dashed)`
      : 'No intervals yet.');
    if (!state.charts) return;
    dbcache.series.update(state.charts.series,
      stats ? [{label: `run ${stats.run_id}`, series: stats.series, color: COLORS.accent}] : []);
  }

  function renderHitsChart(stats) {
    renderRatioBar(stats);
    const hitMs = stats ? msText(stats.last_hit_us) : '–';
    const missMs = stats ? msText(stats.last_miss_us) : '–';
    setText('last-call', `Last call: hit ${hitMs} ms · miss ${missMs} ms`);
    if (!state.charts) return;
    updateChart(state.charts.hits,
      [['Hits', `last ${hitMs} ms`], ['Misses', `last ${missMs} ms`], 'Coalesced'],
      [stats ? Number(stats.hits) || 0 : 0, stats ? Number(stats.misses) || 0 : 0,
        stats ? Number(stats.coalesced) || 0 : 0]);
  }

  function renderLatency(stats) {
    const body = $('latency-table').tBodies[0];
    const latency = stats && stats.latency_us && typeof stats.latency_us === 'object' ? stats.latency_us : {};
    SOURCES.forEach(([key, name], index) => {
      let row = body.rows[index];
      if (!row) {
        row = body.insertRow();
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = name;
        row.appendChild(th);
        for (let i = 0; i < 6; i++) row.insertCell();
      }
      const s = latency[key] && typeof latency[key] === 'object' ? latency[key] : {};
      const values = [intText(s.count), msText(s.mean), msText(s.p50), msText(s.p90), msText(s.p99), msText(s.max)];
      values.forEach((text, i) => {
        const td = row.cells[i + 1];
        if (td.textContent !== text) td.textContent = text;
      });
    });
    if (state.charts) {
      const histograms = stats && stats.histograms && typeof stats.histograms === 'object' ? stats.histograms : {};
      updateHistogram(state.charts.hit, histograms.cache_hit);
      updateHistogram(state.charts.db, histograms.db);
    }
  }

  function renderLog(entries) {
    const list = Array.isArray(entries) ? entries : [];
    // Rebuilt only when the newest entry or the length changes.
    const key = list.length ? `${list.length}:${list[0].run_id}:${list[0].seq}` : '0';
    if (key === state.logKey) return;
    state.logKey = key;
    const body = $('log-table').tBodies[0];
    const rows = list.map((entry) => {
      const row = document.createElement('tr');
      cell(row, entry.seq === undefined ? '' : String(entry.seq), 'num');
      const source = typeof entry.source === 'string' ? entry.source : '';
      cell(row, source, `source-${source.replace(/[^a-z]/g, '')}`);
      cell(row, msText(entry.latency_us), 'num');
      cell(row, typeof entry.sql === 'string' ? entry.sql : '', 'sql');
      return row;
    });
    body.replaceChildren(...rows);
    $('log-empty').hidden = list.length > 0;
  }

  function renderRuns(runs) {
    const list = Array.isArray(runs) ? runs : [];
    const body = $('runs-table').tBodies[0];
    const rows = list.map((run) => {
      const p = run.params && typeof run.params === 'object' ? run.params : {};
      const row = document.createElement('tr');
      cell(row, String(run.run_id || ''));
      cell(row, String(run.state || ''));
      cell(row, timeText(run.started_at));
      cell(row, intText(run.queries));
      cell(row, intText(p.concurrency));
      cell(row, intText(p.ttl_ms));
      cell(row, intText(run.hits));
      cell(row, intText(run.misses));
      cell(row, intText(run.errors));
      cell(row, percentText(run.hit_ratio));
      cell(row, isNumber(run.throughput_qps) ? run.throughput_qps.toFixed(0) : '–');
      cell(row, isNumber(run.speedup) && run.speedup > 0 ? `${run.speedup.toFixed(1)}×` : '–');
      cell(row, isNumber(run.wall_ms) ? (run.wall_ms / 1000).toFixed(2) : '–');
      const compare = run.compare && typeof run.compare === 'object' ? run.compare : null;
      const td = cell(row, '');
      if (compare && typeof compare.id === 'string') {
        const link = document.createElement('a');
        link.href = `/?compare=${encodeURIComponent(compare.id)}`;
        link.textContent = `cache=${compare.role === "on" ? "on" : "off"}`;
        link.title = `compare ${compare.id}`;
        td.appendChild(link);
        row.className = `compare-run compare-${compare.role === 'on' ? 'on' : 'off'}`;
      }
      return row;
    });
    body.replaceChildren(...rows);
    $('runs-empty').hidden = list.length > 0;
  }

  function render(status) {
    const stats = status.stats && typeof status.stats === 'object' ? status.stats : null;
    const online = Boolean(status.daemon_online);
    state.daemonOnline = online;
    state.running = Boolean(stats && stats.state === 'running');
    renderDaemon(online, status.daemon || {});
    if (!online) {
      showBanner('No dbcached daemon is listening: runs cannot start until one runs ' +
        '(e.g. build/bin/dbcached, or systemctl start dbcached). The figures below are from the last run.');
    } else if (status.stats_problem) {
      showBanner(`The stats in Redis cannot be read: ${status.stats_problem}`, 'error');
    } else {
      showBanner('');
    }
    renderRun(stats);
    renderHitsChart(stats);
    renderSeries(stats);
    renderCompare(status.daemon || {}, stats);
    renderLatency(stats);
    renderLog(status.log);
    const comparing = Boolean(status.daemon && status.daemon.compare_id);
    $('query-db').disabled = state.running || comparing;
    $('compare').disabled = state.running || comparing;
    $('cancel').hidden = !(state.running || comparing);

    const runKey = stats ? `${stats.run_id}:${stats.state}` : '';
    if (runKey !== state.runKey || Date.now() - state.runsFetchedAt > RUNS_REFRESH_MS) {
      state.runKey = runKey;
      fetchRuns();
    }
  }

  // The compare card: the record once it is written, "going" while the
  // daemon says the compare runs (its heartbeat, or the run's own snapshot).
  function renderCompare(daemon, stats) {
    const going = typeof daemon.compare_id === 'string' ? daemon.compare_id : '';
    const run = stats && stats.state === 'running' && stats.compare && typeof stats.compare.id === 'string'
      ? stats.compare : null;
    const live = run ? run.id : going;
    if (live && !state.compareId) state.compareId = live;  // Started elsewhere: follow it.
    const id = state.compareId;
    if (!id) return;
    if (live === id) {
      state.compareView.showPending(id, run && run.role === 'on'
        ? 'Running the cache=on run (from an empty cache)…'
        : 'Running the cache=off run…');
      state.compareShown = '';
      return;
    }
    if (state.compareShown === id || Date.now() - state.compareFetchedAt < COMPARE_REFETCH_MS) return;
    fetchCompare(id);
  }

  // The record once the list has it (asking for it by id before would be a
  // 404 for a compare still going).
  async function fetchCompare(id) {
    state.compareFetchedAt = Date.now();
    try {
      const list = await fetchJson('/api/compares');
      if (id !== state.compareId) return;
      const compares = list.ok && list.body && Array.isArray(list.body.compares) ? list.body.compares : [];
      if (!compares.some((c) => c && c.compare_id === id)) {
        state.compareView.showPending(id,
          `Waiting for the record of compare ${id} (the last 20 are kept).`);
        return;
      }
      const result = await fetchJson(`/api/compares/${encodeURIComponent(id)}`);
      if (id === state.compareId && result.ok && result.body) {
        state.compareShown = id;
        state.compareView.show(result.body);
      }
    } catch (e) {
      // The next status poll reports the connection problem.
    }
  }

  // --- network ----------------------------------------------------------------

  async function fetchJson(url, options) {
    const response = await fetch(url, Object.assign({cache: 'no-store'}, options || {}));
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    return {status: response.status, ok: response.ok, body};
  }

  // The history, and with it the sweeps (a sweep's runs are in the history).
  async function fetchRuns() {
    state.runsFetchedAt = Date.now();
    try {
      // Each on its own: a failed sweeps request leaves the history shown.
      const [runs, sweeps] = await Promise.allSettled([fetchJson('/api/runs'), fetchJson('/api/sweeps')]);
      if (runs.status === 'fulfilled' && runs.value.ok && runs.value.body) {
        renderRuns(runs.value.body.runs);
        state.expiryView.show(runs.value.body.runs);
      }
      if (sweeps.status === 'fulfilled' && sweeps.value.ok && sweeps.value.body) {
        state.sweepView.show(sweeps.value.body.sweeps);
      }
    } catch (e) {
      // The next status poll reports the connection problem.
    }
  }

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, delay);
  }

  async function poll() {
    clearTimeout(state.timer);
    try {
      const result = await fetchJson('/api/status');
      if (result.ok && result.body) {
        render(result.body);
      } else {
        const message = result.body && result.body.error ? result.body.error : `HTTP ${result.status}`;
        showBanner(`dbcache-web cannot read the stats: ${message}`, 'error');
      }
    } catch (e) {
      showBanner('Cannot reach dbcache-web. Is it still running?', 'error');
    }
    // Browsers throttle a hidden tab's timers anyway; no need to ask for more.
    const fast = !document.hidden && (state.running || Date.now() < state.fastUntil);
    schedule(fast ? FAST_POLL_MS : SLOW_POLL_MS);
  }

  function authHeaders() {
    return state.token ? {Authorization: `Bearer ${state.token}`} : {};
  }

  function readToken() {
    const input = $('token');
    if (!$('token-label').hidden && input.value) {
      state.token = input.value;
      sessionStorage.setItem('dbcache.token', state.token);
    }
  }

  function askForToken(message) {
    $('token-label').hidden = false;
    $('token').focus();
    showFormMessage(`${message} Enter the token and try again.`, true);
  }

  function clearInvalid() {
    for (const id of [...NUMERIC_FIELDS, 'dist', 'stampede', 'workload', 'invalidate']) {
      $(id).removeAttribute('aria-invalid');
    }
  }

  async function startRun(event) {
    event.preventDefault();
    return start('run');
  }

  // Starts a run, or a compare (the same parameters with cache=off, then on).
  async function start(kind) {
    readToken();
    clearInvalid();
    const params = {};
    for (const id of NUMERIC_FIELDS) {
      const text = $(id).value.trim();
      // An empty rate is a closed loop, the daemon's default.
      if (OPTIONAL_FIELDS.has(id) && text === '') continue;
      // Sent as typed (a number when it is one), so that the server's validation,
      // the daemon's own, reports what is wrong.
      params[id] = /^\d+$/.test(text) ? Number(text) : text;
    }
    const dist = $('dist').value.trim();
    if (dist !== '') params.dist = dist;
    params.workload = $('workload').value;
    params.stampede = $('stampede').value;
    params.invalidate = $('invalidate').value;
    const button = $(kind === 'compare' ? 'compare' : 'query-db');
    button.disabled = true;
    showFormMessage(kind === 'compare' ? 'Starting a compare…' : 'Starting a run…');
    try {
      const result = await fetchJson(kind === 'compare' ? '/api/compares' : '/api/runs', {
        method: 'POST',
        headers: Object.assign({'Content-Type': 'application/json'}, authHeaders()),
        body: JSON.stringify(params),
      });
      const error = result.body && result.body.error ? result.body.error : `HTTP ${result.status}`;
      if (result.status === 202 && kind === 'compare') {
        showFormMessage(`Compare ${result.body.id} started: cache=off, then cache=on.`);
        state.compareId = result.body.id;
        state.compareShown = '';
        state.compareView.showPending(result.body.id, 'Running the cache=off run…');
        history.replaceState(null, '', `/?compare=${encodeURIComponent(result.body.id)}`);
        state.fastUntil = Date.now() + AFTER_REQUEST_FAST_MS;
      } else if (result.status === 202) {
        showFormMessage(`Run ${result.body.id} requested.`);
        state.fastUntil = Date.now() + AFTER_REQUEST_FAST_MS;
      } else if (result.status === 401) {
        askForToken(error);
      } else {
        if (result.body && result.body.field && $(result.body.field)) {
          $(result.body.field).setAttribute('aria-invalid', 'true');
        }
        showFormMessage(error, true);
      }
    } catch (e) {
      showFormMessage('Cannot reach dbcache-web.', true);
    }
    button.disabled = state.running;
    poll();
  }

  async function cancelRun() {
    readToken();
    try {
      const result = await fetchJson('/api/runs/current/cancel', {
        method: 'POST',
        headers: Object.assign({'Content-Type': 'application/json'}, authHeaders()),
        body: '{}',
      });
      if (result.status === 202) {
        showFormMessage('Cancel requested.');
      } else if (result.status === 401) {
        askForToken(result.body && result.body.error ? result.body.error : 'A token is needed.');
      } else {
        showFormMessage(result.body && result.body.error ? result.body.error : `HTTP ${result.status}`, true);
      }
    } catch (e) {
      showFormMessage('Cannot reach dbcache-web.', true);
    }
    poll();
  }

  function init() {
    state.charts = makeCharts();
    state.compareView = dbcache.compare.makeView();
    state.sweepView = dbcache.sweep.makeView();
    state.expiryView = dbcache.expiries.makeView();
    if (!state.charts) showBanner('The chart library did not load; figures are shown without charts.', 'error');
    $('run-form').addEventListener('submit', startRun);
    $('compare').addEventListener('click', () => start('compare'));
    $('cancel').addEventListener('click', cancelRun);
    // Coming back to a hidden tab refreshes at once.
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) poll();
    });
    poll();
  }

  init();
})();
