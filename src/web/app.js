// miniflink's web UI: a hash router and one view per page, each polling the REST API at the
// cluster's refresh interval (`/config`). Views render their frame once and refresh only their live
// parts, so forms keep what is typed into them.
import { RestError, awaitOperation, badge, bytes, count, del, duration, esc, get, patch, post, time, upload, watermark } from './api.js';
import { barrierTimeline, lineChart, PHASES, slowest, subtaskPhases } from './charts.js';
import { drawGraph } from './graph.js';
import { addRate } from './rates.js';

const view = document.getElementById('view');
const status = document.getElementById('status');
let refreshMs = 3000;
let timer;
/** Increases on every navigation: a render of an older page stops writing. */
let generation = 0;
/** Samples kept across polls, per job: source records out over time, checkpoint durations by id. */
const samples = new Map();

function samplesOf(jobId) {
  let s = samples.get(jobId);
  if (!s) samples.set(jobId, (s = { out: [], checkpoints: new Map() }));
  return s;
}

const $ = (sel) => view.querySelector(sel);
const set = (sel, html) => {
  const el = $(sel);
  if (el) el.innerHTML = html;
};
const table = (head, rows, empty = 'None') =>
  rows.length === 0 ? `<p class="muted">${esc(empty)}</p>` : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
const row = (cells, attrs = '') => `<tr ${attrs}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

/** A REST error's text without the stack frames of the server's exception. */
function brief(text) {
  const lines = String(text).split('\n');
  const at = lines.findIndex((l) => /^\s+at /.test(l));
  const kept = (at < 0 ? lines : lines.slice(0, at)).join('\n').trim();
  return kept.length > 800 ? `${kept.slice(0, 800)}…` : kept;
}

/** Shows the outcome of an action. */
function say(text, kind = 'ok') {
  const el = $('#message');
  if (el) el.innerHTML = `<div class="message ${kind}">${esc(kind === 'error' ? brief(text) : text)}</div>`;
}

/** A message to show once the page is rendered anew (an action that re-renders the page). */
let flash;

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return parts.length === 0 ? ['overview'] : parts;
}

/** Runs the current page: its frame now, its live parts now and every refresh interval. */
async function navigate() {
  clearTimeout(timer);
  const mine = ++generation;
  status.textContent = '';
  status.classList.remove('error');
  const parts = route();
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.nav === (parts[0] === 'job' ? 'jobs' : parts[0] === 'taskmanager' ? 'taskmanagers' : parts[0]));
  const page = PAGES[parts[0]] ?? notFound;
  let refresh;
  try {
    refresh = await page(parts.slice(1), () => mine === generation);
  } catch (e) {
    if (mine === generation) view.innerHTML = `<div class="message error">${esc(e.message)}</div>`;
    return;
  }
  if (typeof refresh !== 'function') return;
  const loop = async () => {
    if (mine !== generation) return;
    try {
      await refresh();
      status.textContent = `refreshed ${new Date().toLocaleTimeString()} · every ${duration(refreshMs)}`;
      status.classList.remove('error');
    } catch (e) {
      status.textContent = `REST: ${e.message}`;
      status.classList.add('error');
    }
    if (mine === generation) timer = setTimeout(loop, refreshMs);
  };
  await loop();
}

function notFound() {
  view.innerHTML = '<p>No such page. <a href="#/overview">Overview</a></p>';
}

// ---- overview and job lists ----

function jobRows(jobs) {
  return jobs.map((j) =>
    row(
      [`<a href="#/job/${esc(j.jid)}">${esc(j.name)}</a>`, esc(time(j['start-time'])), esc(duration(j.duration)), esc(j['end-time'] > 0 ? time(j['end-time']) : '-'), `${esc(j.tasks?.running ?? 0)} / ${esc(j.tasks?.total ?? 0)}`, badge(j.state)],
      `data-job="${esc(j.jid)}"`,
    ),
  );
}
const JOB_HEAD = ['Job Name', 'Start Time', 'Duration', 'End Time', 'Tasks running', 'Status'];
const RUNNING = new Set(['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'CANCELLING', 'RESTARTING', 'RECONCILING']);

async function refreshJobLists() {
  const { jobs } = await get('/jobs/overview');
  const sorted = [...jobs].sort((a, b) => b['start-time'] - a['start-time']);
  set('#running-jobs', table(JOB_HEAD, jobRows(sorted.filter((j) => RUNNING.has(j.state))), 'No running jobs'));
  set('#completed-jobs', table(JOB_HEAD, jobRows(sorted.filter((j) => !RUNNING.has(j.state))), 'No completed jobs'));
}

async function overviewPage() {
  view.innerHTML = `<h1>Cluster overview</h1><div id="cards" class="cards"></div>
    <h2>Running jobs</h2><div id="running-jobs"></div><h2>Completed jobs</h2><div id="completed-jobs"></div>`;
  return async () => {
    const o = await get('/overview');
    const card = (label, value, cls = '') => `<div class="card ${cls}"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
    set(
      '#cards',
      [
        card('Task Managers', o.taskmanagers),
        card('Task slots total', o['slots-total']),
        card('Task slots available', o['slots-available']),
        card('Running jobs', o['jobs-running'], 'running'),
        card('Finished', o['jobs-finished'], 'finished'),
        card('Canceled', o['jobs-cancelled'], 'canceled'),
        card('Failed', o['jobs-failed'], 'failed'),
        card('Version', o['flink-version']),
      ].join(''),
    );
    await refreshJobLists();
  };
}

async function jobsPage() {
  view.innerHTML = `<h1>Jobs</h1><h2>Running jobs</h2><div id="running-jobs"></div><h2>Completed jobs</h2><div id="completed-jobs"></div>`;
  return refreshJobLists;
}

// ---- one job ----

const JOB_TABS = [
  ['overview', 'Overview'],
  ['exceptions', 'Exceptions'],
  ['checkpoints', 'Checkpoints'],
  ['configuration', 'Configuration'],
];

async function jobPage([jobId, tab = 'overview', arg], alive) {
  const checkpointing = checkpointingOf(jobId);
  const [job, plan] = await Promise.all([get(`/jobs/${jobId}`), get(`/jobs/${jobId}/plan`), checkpointing()]);
  if (!alive()) return undefined;
  const nodes = plan.plan.nodes;
  const tabs = JOB_TABS.map(([k, label]) => `<a href="#/job/${esc(jobId)}/${k}" class="${k === tab || (tab === 'vertex' && k === 'overview') ? 'active' : ''}">${label}</a>`).join('');
  view.innerHTML = `
    <div class="job-head"><h1 id="job-name">${esc(job.name)}</h1><span id="job-state">${badge(job.state)}</span>
      <span class="muted">${esc(jobId)}</span><span id="job-times" class="muted"></span></div>
    <div class="actions">
      <button data-action="cancel">Cancel</button>
      <span class="group"><input id="sp-dir" placeholder="savepoint directory (optional)" size="28"><button data-action="savepoint">Trigger savepoint</button>
      <label><input type="checkbox" id="drain"> drain</label><button data-action="stop">Stop with savepoint</button></span>
      <span class="group"><input id="rescale-p" type="number" min="1" value="${esc(job.vertices.reduce((m, v) => Math.max(m, v.parallelism), 1))}" style="width:4em"><button data-action="rescale">Rescale</button></span>
      <span class="group"><select id="fault-vertex">${job.vertices.map((v) => `<option value="${esc(v.id)}" data-p="${esc(v.parallelism)}">${esc(v.name)}</option>`).join('')}</select>
      <input id="fault-subtask" type="number" min="0" value="0" style="width:3.5em" title="subtask index"><button data-action="fail" class="danger">Inject failure</button></span>
    </div>
    <div id="message"></div>
    <nav class="tabs">${tabs}</nav>
    <div id="tab"></div>`;
  bindJobActions(jobId);
  if (flash) {
    say(flash);
    flash = undefined;
  }
  const frame = {
    overview: overviewTab,
    vertex: vertexTab,
    exceptions: exceptionsTab,
    checkpoints: checkpointsTab,
    configuration: configurationTab,
  }[tab];
  if (!frame) {
    set('#tab', '<p>No such tab.</p>');
    return undefined;
  }
  const refreshTab = frame(jobId, nodes, arg, checkpointing);
  return async () => {
    const j = await get(`/jobs/${jobId}`);
    set('#job-state', badge(j.state));
    set('#job-times', `started ${esc(time(j['start-time']))} · ${esc(duration(j.duration))}`);
    // Cancel while the job has not ended (a restarting job too); the others while it runs.
    for (const b of view.querySelectorAll('.actions button')) b.disabled = b.dataset.action === 'cancel' ? !RUNNING.has(j.state) : j.state !== 'RUNNING';
    await refreshTab(j);
  };
}

function bindJobActions(jobId) {
  const act = async (name, f) => {
    say(`${name}…`, 'pending');
    try {
      say(await f());
    } catch (e) {
      say(`${name} failed: ${e.message}`, 'error');
    }
  };
  const dir = () => $('#sp-dir').value.trim() || undefined;
  const handlers = {
    cancel: () =>
      act('Cancel', async () => {
        await patch(`/jobs/${jobId}?mode=cancel`);
        return 'The job is being canceled.';
      }),
    savepoint: () =>
      act('Savepoint', async () => {
        const t = await post(`/jobs/${jobId}/savepoints`, { 'target-directory': dir(), 'cancel-job': false });
        const op = await awaitOperation(`/jobs/${jobId}/savepoints/${t['request-id']}`);
        return `Savepoint completed: ${op.location}`;
      }),
    stop: () =>
      act('Stop', async () => {
        const t = await post(`/jobs/${jobId}/stop`, { targetDirectory: dir(), drain: $('#drain').checked });
        const op = await awaitOperation(`/jobs/${jobId}/savepoints/${t['request-id']}`);
        return `Stopped with savepoint ${op.location}`;
      }),
    rescale: () =>
      act('Rescale', async () => {
        const p = Number($('#rescale-p').value);
        const t = await patch(`/jobs/${jobId}/rescaling?parallelism=${p}`);
        await awaitOperation(`/jobs/${jobId}/rescaling/${t['request-id']}`);
        const { vertices } = await get(`/jobs/${jobId}`);
        const now = vertices.map((v) => `${v.name}: ${v.parallelism}`).join(', ');
        const changed = vertices.some((v) => v.parallelism === p);
        // The graph changed: render the page anew, with the outcome.
        flash = changed
          ? `Rescaled to parallelism ${p}. Parallelism now: ${now}.`
          : `The job restarted from a savepoint, but no vertex has parallelism ${p}: its code sets the parallelism (env.setParallelism or setParallelism on operators). Parallelism now: ${now}.`;
        setTimeout(navigate, 300);
        return flash;
      }),
    fail: () =>
      act('Fault injection', async () => {
        const v = $('#fault-vertex').value;
        const text = $('#fault-subtask').value.trim();
        if (!/^\d+$/.test(text)) throw new Error('Give the index of the subtask to fail (0, 1, ...).');
        const i = Number(text);
        const r = await post(`/jobs/${jobId}/vertices/${v}/subtasks/${i}/fail`);
        return `Injected a failure into ${r.taskName}: watch the job restart (Exceptions, Checkpoints' restore).`;
      }),
  };
  for (const b of view.querySelectorAll('.actions button')) b.addEventListener('click', () => handlers[b.dataset.action]?.());
}

/** Busy and backpressured time (max over subtasks) and the input watermark (min) of every vertex. */
async function liveVertices(jobId, job) {
  const live = {};
  await Promise.all(
    job.vertices.map(async (v) => {
      const [m, w] = await Promise.all([
        get(`/jobs/${jobId}/vertices/${v.id}/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond&agg=max`).catch(() => []),
        get(`/jobs/${jobId}/vertices/${v.id}/watermarks`).catch(() => []),
      ]);
      const metric = (id) => m.find((x) => x.id === id)?.max;
      const marks = w.map((x) => BigInt(x.value));
      const min = marks.length > 0 ? marks.reduce((a, b) => (b < a ? b : a)) : undefined;
      live[v.id] = {
        busy: metric('busyTimeMsPerSecond'),
        backPressured: metric('backPressuredTimeMsPerSecond'),
        readRecords: v.metrics['read-records'],
        writeRecords: v.metrics['write-records'],
        watermark: min === undefined ? undefined : String(min),
        status: v.status,
      };
    }),
  );
  return live;
}

/**
 * Whether a job has checkpointing, as a function the tabs call at each refresh: Flink answers 404
 * for a job without it. Once known it is not asked again; any other failure (a 5xx, a lost
 * connection) leaves it unknown (undefined), asked again at the next call.
 */
function checkpointingOf(jobId) {
  let known;
  return async () => {
    known ??= await get(`/jobs/${jobId}/checkpoints/config`).then(
      () => true,
      (e) => (e instanceof RestError && e.status === 404 ? false : undefined),
    );
    return known;
  };
}

const CHECKPOINTING_OFF = '<p class="muted">Checkpointing is not enabled for this job.</p>';
const CHECKPOINTING_UNKNOWN = '<p class="muted">Could not ask the cluster whether this job checkpoints; asking again.</p>';

function overviewTab(jobId, nodes, _arg, checkpointing) {
  set(
    '#tab',
    `<div id="graph" class="graph"></div>
     <div class="charts"><div id="throughput"></div><div id="cp-chart"></div></div>
     <h2>Vertices</h2><div id="vertices"></div>`,
  );
  const sources = nodes.filter((n) => !n.inputs || n.inputs.length === 0).map((n) => n.id);
  /**
   * Per source vertex, its source operator's `<operator>.numRecordsOut` (what it emitted, chained
   * or not); looked up again at each refresh until found (a job just started lists no metrics yet).
   */
  let sourceMetrics = [];
  const found = () => sourceMetrics.filter((m) => m.id).length;
  return async (job) => {
    const live = await liveVertices(jobId, job);
    drawGraph($('#graph'), jobId, nodes, live);
    const foundBefore = found();
    sourceMetrics = await Promise.all(
      sources.map(async (vid, i) => {
        if (sourceMetrics[i]?.id) return sourceMetrics[i];
        // The vertex lists `<subtask>.<metric>`; the aggregation over subtasks takes `<metric>`.
        const ids = (await get(`/jobs/${jobId}/vertices/${vid}/metrics`).catch(() => [])).map((m) => m.id.replace(/^\d+\./, ''));
        return { vid, id: ids.find((id) => /^Source[^.]*\.numRecordsOut$/.test(id)) ?? ids.find((id) => /\.numRecordsOut$/.test(id)) };
      }),
    );
    const emitted = await Promise.all(
      sourceMetrics.map(async ({ vid, id }) => (id ? Number((await get(`/jobs/${jobId}/vertices/${vid}/subtasks/metrics?get=${encodeURIComponent(id)}&agg=sum`).catch(() => []))[0]?.sum ?? 0) : 0)),
    );
    // A source found later adds its whole count at once: the rate starts anew from there.
    set('#throughput', lineChart(throughput(jobId, job, emitted.reduce((a, b) => a + b, 0), found() !== foundBefore), { title: 'Throughput: records out of the sources', unit: 'records/s' }));
    const checkpoints = await checkpointing();
    if (checkpoints) await checkpointSamples(jobId);
    set('#cp-chart', checkpoints ? checkpointChart(jobId) : checkpoints === false ? CHECKPOINTING_OFF : CHECKPOINTING_UNKNOWN);
    set(
      '#vertices',
      table(
        ['Name', 'Status', 'Parallelism', 'Records in', 'Records out', 'Bytes in', 'Bytes out', 'Busy', 'Backpressured', 'Watermark'],
        job.vertices.map((v) =>
          row([
            `<a href="#/job/${esc(jobId)}/vertex/${esc(v.id)}">${esc(v.name)}</a>`,
            badge(v.status),
            esc(v.parallelism),
            esc(count(v.metrics['read-records'])),
            esc(count(v.metrics['write-records'])),
            esc(bytes(v.metrics['read-bytes'])),
            esc(bytes(v.metrics['write-bytes'])),
            esc(live[v.id].busy === undefined ? '-' : `${Math.round(live[v.id].busy / 10)}%`),
            esc(live[v.id].backPressured === undefined ? '-' : `${Math.round(live[v.id].backPressured / 10)}%`),
            esc(watermark(live[v.id].watermark)),
          ]),
        ),
      ),
    );
  };
}

/** The sources' records out per second, one point per refresh (rates.js). */
function throughput(jobId, job, n, anew) {
  return addRate(samplesOf(jobId), n, Date.now(), { running: job.state === 'RUNNING', refreshMs, anew });
}

async function checkpointSamples(jobId) {
  const c = await get(`/jobs/${jobId}/checkpoints`);
  const s = samplesOf(jobId);
  for (const h of c.history ?? []) if (h.status === 'COMPLETED') s.checkpoints.set(h.id, { t: h.latest_ack_timestamp, v: h.end_to_end_duration });
  return c;
}

function checkpointChart(jobId) {
  const points = [...samplesOf(jobId).checkpoints.values()].sort((a, b) => a.t - b.t).slice(-100);
  return lineChart(points, { title: 'Checkpoint duration (end to end)', unit: 'ms' });
}

function vertexTab(jobId, nodes, vertexId) {
  const node = nodes.find((n) => n.id === vertexId);
  set('#tab', `<h2>${esc(node?.operator ?? vertexId)}</h2><div id="bp"></div><h3>Subtasks</h3><div id="subtasks"></div>`);
  return async () => {
    const [v, bp, w] = await Promise.all([get(`/jobs/${jobId}/vertices/${vertexId}`), get(`/jobs/${jobId}/vertices/${vertexId}/backpressure`), get(`/jobs/${jobId}/vertices/${vertexId}/watermarks`)]);
    const names = ['busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond', 'idleTimeMsPerSecond', 'numRecordsInPerSecond', 'numRecordsOutPerSecond'];
    const metrics = await Promise.all(v.subtasks.map((s) => get(`/jobs/${jobId}/vertices/${vertexId}/subtasks/${s.subtask}/metrics?get=${names.join(',')}`).catch(() => [])));
    const value = (i, id) => metrics[i].find((m) => m.id === id)?.value;
    const mark = (i) => w.find((x) => x.id === `${i}.currentInputWatermark`)?.value;
    set('#bp', `<p>Backpressure: ${badge(bp.backpressureLevel ?? bp.status)} <span class="muted">measured ${esc(time(bp['end-timestamp']))}</span></p>`);
    set(
      '#subtasks',
      table(
        ['Subtask', 'Status', 'Attempt', 'Task Manager', 'Records in', 'Records out', 'In/s', 'Out/s', 'Busy', 'Backpressured', 'Idle', 'Watermark', 'Duration'],
        v.subtasks.map((s, i) =>
          row([
            esc(s.subtask),
            badge(s.status),
            esc(s.attempt),
            `<a href="#/taskmanager/${esc(s['taskmanager-id'])}">${esc(String(s['taskmanager-id']).slice(0, 8))}</a>`,
            esc(count(s.metrics['read-records'])),
            esc(count(s.metrics['write-records'])),
            esc(count(Number(value(i, 'numRecordsInPerSecond')))),
            esc(count(Number(value(i, 'numRecordsOutPerSecond')))),
            esc(`${Math.round(Number(value(i, 'busyTimeMsPerSecond') ?? 0) / 10)}%`),
            esc(`${Math.round(Number(value(i, 'backPressuredTimeMsPerSecond') ?? 0) / 10)}%`),
            esc(`${Math.round(Number(value(i, 'idleTimeMsPerSecond') ?? 0) / 10)}%`),
            esc(watermark(mark(i))),
            esc(duration(s.duration)),
          ]),
        ),
      ),
    );
  };
}

function exceptionsTab(jobId) {
  set('#tab', '<div id="exceptions"></div>');
  let shown = '';
  return async () => {
    const e = await get(`/jobs/${jobId}/exceptions`);
    const entries = e.exceptionHistory?.entries ?? [];
    // Rendered anew only when the history changed, so an opened stack trace stays open.
    const key = entries.map((x) => `${x.timestamp}/${x.concurrentExceptions?.length ?? 0}`).join(',');
    if (key === shown) return;
    shown = key;
    const open = new Set([...view.querySelectorAll('details.exception[open]')].map((d) => d.dataset.key));
    const headline = (x) => String(x.stacktrace ?? '').split('\n')[0];
    set(
      '#exceptions',
      entries.length === 0
        ? '<p class="muted">No exceptions.</p>'
        : entries
            .map((x) => {
              const k = `${x.timestamp}/${x.taskName ?? ''}`;
              return `<details class="exception" data-key="${esc(k)}" ${open.has(k) ? 'open' : ''}><summary><b>${esc(headline(x))}</b> · ${esc(time(x.timestamp))} · ${esc(x.taskName ?? 'the job')} ${x.endpoint ? `· ${esc(x.endpoint)}` : ''}
                ${x.concurrentExceptions?.length ? `· ${x.concurrentExceptions.length} concurrent` : ''}</summary><pre>${esc(x.stacktrace)}</pre></details>`;
            })
            .join(''),
    );
  };
}

function configurationTab(jobId) {
  set('#tab', '<div id="config"></div>');
  return async () => {
    const c = await get(`/jobs/${jobId}/config`);
    const ec = c['execution-config'] ?? {};
    const rows = Object.entries(ec)
      .filter(([k]) => k !== 'user-config')
      .map(([k, v]) => row([esc(k), esc(v)]));
    const user = Object.entries(ec['user-config'] ?? {}).map(([k, v]) => row([esc(k), esc(v)]));
    set('#config', `<h2>Execution configuration</h2>${table(['Key', 'Value'], rows)}<h2>User configuration</h2>${table(['Key', 'Value'], user)}`);
  };
}

function checkpointsTab(jobId, nodes, selected, checkpointing) {
  let shown;
  let laidOut = false;
  return async () => {
    const checkpoints = await checkpointing();
    if (!checkpoints) {
      set('#tab', checkpoints === false ? '<p class="muted">Checkpointing is not enabled for this job (set execution.checkpointing.interval, or env.enableCheckpointing in its code).</p>' : CHECKPOINTING_UNKNOWN);
      return;
    }
    if (!laidOut) {
      laidOut = true;
      set(
        '#tab',
        `<div id="cp-counts" class="cards"></div><div id="cp-chart"></div>
         <h2>History</h2><div id="cp-history"></div>
         <div id="cp-detail"></div>`,
      );
    }
    const c = await checkpointSamples(jobId);
    const k = c.counts ?? {};
    const card = (label, value) => `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
    const restored = c.latest?.restored;
    const where = (p) => (!p || p === '<checkpoint-not-externally-addressable>' ? "(kept in the JobManager's memory)" : p);
    set(
      '#cp-counts',
      [card('Triggered', k.total), card('In progress', k.in_progress), card('Completed', k.completed), card('Failed', k.failed), card('Restored', k.restored)].join('') +
        (restored ? `<p class="restore">Latest restore: ${restored.is_savepoint ? 'savepoint' : 'checkpoint'} ${esc(restored.id)} at ${esc(time(restored.restore_timestamp))} ${esc(where(restored.external_path))}</p>` : ''),
    );
    set('#cp-chart', checkpointChart(jobId));
    const history = c.history ?? [];
    set(
      '#cp-history',
      table(
        ['ID', 'Status', 'Type', 'Triggered', 'End to end', 'State size', 'Processed data', 'Persisted data', 'Acknowledged', 'Failure', ''],
        history.map((h) =>
          row(
            [
              esc(h.id),
              badge(h.status),
              esc(h.is_savepoint ? 'Savepoint' : h.checkpoint_type),
              esc(time(h.trigger_timestamp)),
              esc(duration(h.end_to_end_duration)),
              esc(bytes(h.state_size)),
              esc(bytes(h.processed_data)),
              esc(bytes(h.persisted_data)),
              `${esc(h.num_acknowledged_subtasks)}/${esc(h.num_subtasks)}`,
              h.failure_message ? `<span class="failure" title="${esc(h.failure_message)}">${esc(brief(h.failure_message).slice(0, 120))}</span>` : '',
              `<a href="#/job/${esc(jobId)}/checkpoints/${esc(h.id)}">details</a>`,
            ],
            `data-checkpoint="${esc(h.id)}"`,
          ),
        ),
        'No checkpoints yet',
      ),
    );
    const id = selected !== undefined ? Number(selected) : history.find((h) => h.status === 'COMPLETED')?.id;
    const status = history.find((h) => h.id === id)?.status;
    // A checkpoint in progress is shown anew on every refresh, until it is final.
    if (id !== undefined && (shown?.id !== id || shown.status !== status || status === 'IN_PROGRESS')) {
      shown = { id, status };
      set('#cp-detail', await checkpointDetail(jobId, id, nodes));
    }
  };
}

async function checkpointDetail(jobId, id, nodes) {
  const d = await get(`/jobs/${jobId}/checkpoints/details/${id}`);
  const rows = [];
  const perVertex = [];
  const ms = (acked, v) => (acked > 0 ? duration(v) : '-');
  for (const n of nodes) {
    if (!d.tasks?.[n.id]) continue;
    const s = await get(`/jobs/${jobId}/checkpoints/details/${id}/subtasks/${n.id}`);
    const acked = s.num_acknowledged_subtasks;
    for (const sub of s.subtasks ?? []) {
      if (sub.status !== 'completed') continue;
      rows.push({ vertex: n.operator, index: sub.index, parallelism: n.parallelism, phases: subtaskPhases(sub, d.trigger_timestamp) });
    }
    perVertex.push(
      row([
        esc(n.operator),
        `${esc(s.num_acknowledged_subtasks)}/${esc(s.num_subtasks)}`,
        esc(ms(acked, s.end_to_end_duration)),
        esc(acked > 0 ? bytes(s.checkpointed_size) : '-'),
        esc(ms(acked, s.summary?.checkpoint_duration?.sync?.max)),
        esc(ms(acked, s.summary?.checkpoint_duration?.async?.max)),
        esc(ms(acked, s.summary?.alignment?.duration?.max)),
        esc(ms(acked, s.summary?.start_delay?.max)),
        esc(acked > 0 ? bytes(s.summary?.alignment?.persisted?.max) : '-'),
      ]),
    );
  }
  const worst = slowest(rows);
  const legend = PHASES.map((p) => `<span class="legend"><i style="background:${p.colour}"></i>${esc(p.label)}</span>`).join(' ');
  const subRows = rows.map((r) =>
    row([
      esc(`${r.vertex} (${r.index + 1}/${r.parallelism})`),
      esc(duration(r.phases.firstBarrier)),
      esc(duration(r.phases.lastBarrier)),
      esc(duration(r.phases.alignment)),
      esc(duration(r.phases.startDelay)),
      esc(duration(r.phases.sync)),
      esc(duration(r.phases.async)),
      esc(bytes(r.phases.persisted)),
      esc(duration(r.phases.total)),
    ]),
  );
  return `<h2>${d.is_savepoint ? 'Savepoint' : 'Checkpoint'} ${esc(id)} · ${badge(d.status)} · ${esc(duration(d.end_to_end_duration))}</h2>
    ${d.failure_message ? `<div class="message error">${esc(brief(d.failure_message))}</div>` : ''}
    ${table(['Vertex', 'Acknowledged', 'End to end', 'Size', 'Sync (max)', 'Async (max)', 'Alignment (max)', 'Start delay (max)', 'Persisted in-flight (max)'], perVertex)}
    <h3>Barrier timeline</h3>
    <p id="slowest">${worst ? `Slowest subtask: <b>${esc(`${worst.row.vertex} (${worst.row.index + 1}/${worst.row.parallelism})`)}</b>, acknowledged after ${esc(duration(worst.row.phases.total))}; most of its time went to <b>${esc(worst.phase.label)}</b>.` : 'No subtask acknowledged.'}</p>
    <p>${legend}</p>
    ${barrierTimeline(rows)}
    ${table(['Subtask', 'First barrier', 'Last barrier', 'Alignment', 'Start delay', 'Sync', 'Async', 'Persisted in-flight', 'Acknowledged after'], subRows)}`;
}

// ---- TaskManagers and the JobManager ----

async function taskManagersPage() {
  view.innerHTML = '<h1>Task Managers</h1><div id="message"></div><div id="tms"></div>';
  return async () => {
    const { taskmanagers } = await get('/taskmanagers');
    set(
      '#tms',
      table(
        ['ID', 'Slots', 'Free slots', 'Tasks', 'Physical memory', ''],
        taskmanagers.map((t) =>
          row([`<a href="#/taskmanager/${esc(t.id)}">${esc(t.id)}</a>`, esc(t.slotsNumber), esc(t.freeSlots), esc(t.assignedTasks ?? '-'), esc(bytes(t.hardware?.physicalMemory)), `<button data-kill="${esc(t.id)}" class="danger">Kill</button>`]),
        ),
      ),
    );
    for (const b of view.querySelectorAll('button[data-kill]'))
      b.addEventListener('click', async () => {
        try {
          const r = await post(`/taskmanagers/${b.dataset.kill}/kill`);
          say(`TaskManager ${b.dataset.kill} killed: its slot threads (slots ${r.slots.join(', ')}) are replaced after ${r.restartDelay} (cluster.taskmanager.restart-delay); its jobs fail over.`);
        } catch (e) {
          say(`Kill failed: ${e.message}`, 'error');
        }
      });
  };
}

const TM_METRICS = ['Status.JVM.Memory.Heap.Used', 'Status.JVM.Memory.Heap.Max', 'Status.JVM.CPU.Load', 'Status.JVM.GarbageCollector.All.Count'];

/** The tabs of a TaskManager's or the JobManager's page: the first one its own, then the logs'. */
function logTabs(prefix, tab, first) {
  const tabs = [first, ['log', 'Log'], ['stdout', 'Stdout'], ['logs', 'Log list']].map(([k, label]) => `<a href="${prefix}/${k}" class="${k === tab ? 'active' : ''}">${label}</a>`).join('');
  return `<nav class="tabs">${tabs}</nav><div id="tab"></div>`;
}

async function logView(base, tab, file) {
  if (tab === 'log') set('#tab', `<pre class="log">${esc(await get(`${base}/log`))}</pre>`);
  else if (tab === 'stdout') set('#tab', `<pre class="log">${esc(await get(`${base}/stdout`)) || '<span class="muted">(empty)</span>'}</pre>`);
  else if (tab === 'logs' && file) set('#tab', `<h3>${esc(file)}</h3><pre class="log">${esc(await get(`${base}/logs/${encodeURIComponent(file)}`))}</pre>`);
  else if (tab === 'logs') {
    const { logs } = await get(`${base}/logs`);
    set('#tab', table(['Name', 'Size', 'Modified'], logs.map((l) => row([`<a href="${location.hash.replace(/\/logs.*$/, '/logs')}/${encodeURIComponent(l.name)}">${esc(l.name)}</a>`, esc(bytes(l.size)), esc(time(l.mtime))]))));
  }
}

async function taskManagerPage([id, tab = 'metrics', file]) {
  view.innerHTML = `<h1>Task Manager ${esc(id)}</h1>${logTabs(`#/taskmanager/${esc(id)}`, tab, ['metrics', 'Metrics'])}`;
  const refresh = async () => {
    if (tab !== 'metrics') return logView(`/taskmanagers/${id}`, tab, file && decodeURIComponent(file));
    const [t, m] = await Promise.all([get(`/taskmanagers/${id}`), get(`/taskmanagers/${id}/metrics?get=${TM_METRICS.join(',')}`)]);
    const slots = (t.allocatedSlots ?? []).map((s, i) => row([esc(i), s.jobId ? `<a href="#/job/${esc(s.jobId)}">${esc(s.jobId)}</a>` : '-']));
    set('#tab', `<h2>Slots (${esc(t.slotsNumber)}, ${esc(t.freeSlots)} free)</h2>${table(['Slot', 'Job'], slots, 'No allocated slots')}<h2>Metrics</h2>${table(['Metric', 'Value'], m.map((x) => row([esc(x.id), esc(x.value)])))}`);
  };
  return tab === 'metrics' ? refresh : (await refresh(), undefined);
}

async function jobManagerPage([tab = 'config', file]) {
  view.innerHTML = `<h1>Job Manager</h1>${logTabs('#/jobmanager', tab, ['config', 'Configuration'])}`;
  if (tab === 'config') {
    const conf = await get('/jobmanager/config');
    set('#tab', table(['Key', 'Value'], conf.sort((a, b) => a.key.localeCompare(b.key)).map((c) => row([esc(c.key), esc(c.value)]))));
  } else await logView('/jobmanager', tab, file && decodeURIComponent(file));
  return undefined;
}

// ---- submitting a job ----

async function submitPage() {
  view.innerHTML = `<h1>Submit a new job</h1>
    <form id="upload" class="upload"><input type="file" id="jarfile" accept=".ts,.mts,.js,.mjs"><button type="submit">Upload</button></form>
    <div id="message"></div>
    <h2>Uploaded job modules</h2><div id="jars"></div>`;
  $('#upload').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = $('#jarfile').files[0];
    if (!file) return say('Choose a job module (.ts or .js) first.', 'error');
    try {
      await upload(file);
      say(`Uploaded ${file.name}.`);
      await refreshJars();
    } catch (e) {
      say(`Upload failed: ${e.message}`, 'error');
    }
  });
  const refreshJars = async () => {
    const { files } = await get('/jars');
    set(
      '#jars',
      files.length === 0
        ? '<p class="muted">Nothing uploaded yet.</p>'
        : files
            .map(
              (f) => `<div class="jar" data-jar="${esc(f.id)}"><b>${esc(f.name)}</b> <span class="muted">uploaded ${esc(time(f.uploaded))}</span>
        <div class="jar-form"><input name="args" placeholder="program arguments" size="30"><input name="parallelism" type="number" min="1" placeholder="parallelism" style="width:7em">
        <input name="savepoint" placeholder="savepoint path (optional)" size="28"><label><input type="checkbox" name="nonrestored"> allow non-restored state</label>
        <button data-run>Submit</button><button data-delete class="danger">Delete</button></div>
        <div class="jar-form bench-form">Benchmark scheduling choices:
          <label><input type="checkbox" name="b-chaining" checked> chaining on/off</label>
          <label><input type="checkbox" name="b-sharing"> slot sharing on/off</label>
          <label title="pipeline.local-exchange.by-reference"><input type="checkbox" name="b-local"> local exchange serialized/by reference</label>
          <input name="b-parallelism" placeholder="parallelism, e.g. 1,2" size="14" value="1,2">
          <input name="b-runs" type="number" min="1" max="20" value="3" style="width:4em" title="runs per combination">
          <button data-bench>Benchmark</button></div>
        <div class="bench-result"></div></div>`,
            )
            .join(''),
    );
    for (const el of view.querySelectorAll('.jar')) {
      const id = el.dataset.jar;
      const field = (n) => el.querySelector(`[name="${n}"]`);
      el.querySelector('[data-run]').addEventListener('click', async () => {
        // The arguments as one string: the cluster splits it as a shell would (quotes keep spaces), as for Flink's dashboard.
        const body = { programArgs: field('args').value.trim() };
        if (field('parallelism').value) body.parallelism = Number(field('parallelism').value);
        if (field('savepoint').value.trim()) body.savepointPath = field('savepoint').value.trim();
        if (field('nonrestored').checked) body.allowNonRestoredState = true;
        say('Submitting…', 'pending');
        try {
          const r = await post(`/jars/${encodeURIComponent(id)}/run`, body);
          location.hash = `#/job/${r.jobid}`;
        } catch (e) {
          say(`Submission failed: ${e.message}`, 'error');
        }
      });
      el.querySelector('[data-bench]').addEventListener('click', () => benchJar(id, el, field));
      el.querySelector('[data-delete]').addEventListener('click', async () => {
        try {
          await del(`/jars/${encodeURIComponent(id)}`);
          await refreshJars();
        } catch (e) {
          say(`Delete failed: ${e.message}`, 'error');
        }
      });
    }
  };
  await refreshJars();
  return undefined;
}

/**
 * `miniflink bench` from the submit page: POST /jars/:id/bench with the matrix the form gives, then
 * the progress while it runs, and the table and chart of its result.
 */
async function benchJar(id, el, field) {
  const out = el.querySelector('.bench-result');
  const matrix = [];
  if (field('b-chaining').checked) matrix.push('chaining=on,off');
  if (field('b-sharing').checked) matrix.push('slot-sharing=on,off');
  if (field('b-local').checked) matrix.push('local-exchange=serialized,by-reference');
  const p = field('b-parallelism').value.replace(/\s+/g, '');
  if (p) matrix.push(`parallelism=${p}`);
  const body = { programArgs: field('args').value.trim(), matrix, runs: Number(field('b-runs').value || 3) };
  out.innerHTML = '<p class="muted">Starting the benchmark…</p>';
  let trigger;
  try {
    trigger = (await post(`/jars/${encodeURIComponent(id)}/bench`, body))['request-id'];
  } catch (e) {
    out.innerHTML = `<p class="error">Benchmark refused: ${esc(e.message)}</p>`;
    return;
  }
  for (;;) {
    let st;
    try {
      st = await get(`/jars/${encodeURIComponent(id)}/bench/${trigger}`);
    } catch (e) {
      out.innerHTML = `<p class="error">Benchmark status failed: ${esc(e.message)}</p>`;
      return;
    }
    if (st.status.id === 'COMPLETED') {
      const op = st.operation ?? {};
      if (op['failure-cause']) {
        // The first line, and the innermost cause (the user's own error under "The job failed").
        const lines = String(op['failure-cause']['stack-trace']).split('\n');
        const cause = lines.filter((l) => l.startsWith('Caused by: ')).at(-1);
        out.innerHTML = `<p class="error">Benchmark failed: ${esc(lines[0])}${cause ? `<br>${esc(cause)}` : ''}</p>`;
        return;
      }
      const rows = op.combinations
        .map(
          (c) => `<tr><td>${esc(c.combination)}</td><td class="num">${esc(c.recordsPerSecond.median.toLocaleString('en'))}</td><td class="num">${esc(c.recordsPerSecond.min.toLocaleString('en'))}-${esc(c.recordsPerSecond.max.toLocaleString('en'))}</td>
          <td class="num">${esc(c.cpuPerWall.toFixed(2))}</td><td class="num">${esc(c.peakHeapMiB)} MiB</td><td class="num">${c.checkpointMs === null ? '-' : `${esc(c.checkpointMs)} ms`}</td><td class="num">${esc(c.tasks)}</td><td class="num">${esc(c.slots)}</td></tr>`,
        )
        .join('');
      const warnings = (op.warnings ?? []).map((w) => `<p class="error">Warning: ${esc(w)}</p>`).join('');
      out.innerHTML = `${warnings}<table class="bench"><thead><tr><th>combination</th><th>records/s (median)</th><th>min-max</th><th>CPU/wall</th><th>peak heap/thread</th><th>checkpoint</th><th>tasks</th><th>slots</th></tr></thead><tbody>${rows}</tbody></table>
        <div class="bench-chart">${op.svg}</div>`;
      return;
    }
    const pr = st.progress;
    if (pr) {
      out.innerHTML = `<p class="muted">Benchmark running: <progress max="${esc(pr.total)}" value="${esc(pr.done)}"></progress> ${esc(pr.done)}/${esc(pr.total)} ${esc(pr.current)} <button data-bench-cancel class="danger">Cancel</button></p>`;
      // DELETE on the trigger cancels the run in progress; the next poll shows the benchmark failed (canceled).
      out.querySelector('[data-bench-cancel]').addEventListener('click', () => del(`/jars/${encodeURIComponent(id)}/bench/${trigger}`).catch(() => {}));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const PAGES = { overview: overviewPage, jobs: jobsPage, job: jobPage, taskmanagers: taskManagersPage, taskmanager: taskManagerPage, jobmanager: jobManagerPage, submit: submitPage };

window.addEventListener('hashchange', navigate);
get('/config')
  .then((c) => {
    refreshMs = Math.max(200, Number(c['refresh-interval']) || 3000);
  })
  .catch(() => {})
  .finally(navigate);
