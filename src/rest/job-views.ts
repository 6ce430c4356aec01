/**
 * Flink's REST bodies for a job: JobDetails (overview), the job details with vertices, the
 * execution result, and checkpoint statistics.
 */
import { acknowledgedTotals, qualify } from '../checkpoint/index.js';
import { stableHexId } from '../core/ids.js';
import { encodeResults, type JobMaster, type PriorAttempt } from '../runtime/index.js';
import { currentSubtaskMetrics, ioMetrics, sumIoMetrics, type IoMetrics } from './metric-views.js';

type JobStatusName = JobMaster['status'];

/** Flink's ExecutionState names. */
export const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'] as const;
const JOB_STATES: JobStatusName[] = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'];
/** Terminal states, of a job and of a subtask. */
export const TERMINAL: ReadonlySet<string> = new Set(['FINISHED', 'CANCELED', 'FAILED']);

/** When a group of subtasks (a vertex, or a vertex's subtasks on one TaskManager) started and ended. */
function span(subs: readonly Subtask[], now: number): { start: number; end: number; duration: number } {
  const starts = subs.map((s) => s.timestamps.DEPLOYING ?? -1).filter((t) => t > 0);
  const start = starts.length > 0 ? Math.min(...starts) : -1;
  const end = subs.every((s) => TERMINAL.has(s.state)) ? Math.max(...subs.map((s) => Math.max(...Object.values(s.timestamps).map(Number)))) : -1;
  return { start, end, duration: start < 0 ? -1 : (end > 0 ? end : now) - start };
}

function counts(states: string[], lower: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of EXECUTION_STATES) out[lower ? s.toLowerCase() : s] = 0;
  for (const s of states) out[lower ? s.toLowerCase() : s] = (out[lower ? s.toLowerCase() : s] ?? 0) + 1;
  return out;
}

/** Flink's aggregated vertex status (reference 5.3). */
function vertexStatus(states: string[]): string {
  if (states.includes('FAILED')) return 'FAILED';
  if (states.includes('CANCELING')) return 'CANCELING';
  if (states.includes('CANCELED')) return 'CANCELED';
  if (states.includes('INITIALIZING')) return 'INITIALIZING';
  if (states.includes('RUNNING')) return 'RUNNING';
  if (states.includes('FINISHED')) return states.every((s) => s === 'FINISHED') ? 'FINISHED' : 'RUNNING';
  return 'CREATED';
}

/** A subtask's IOMetricsInfo from the metrics its current attempt reported (none yet: zeros, not complete). */
function subtaskIo(jm: JobMaster, s: Subtask): IoMetrics {
  const store = jm.metricStore;
  return ioMetrics(store ? currentSubtaskMetrics(store, jm.jobId, s.vertexId, s.index, s.attempt) : undefined);
}

/** Flink's JobDetails (GET /jobs/overview). */
export function jobOverview(jm: JobMaster, now: number): Record<string, unknown> {
  const states = [...jm.subtasks.values()].map((s) => s.state);
  const end = TERMINAL.has(jm.status) ? jm.endTime : -1;
  return {
    jid: jm.jobId,
    name: jm.jobName,
    state: jm.status,
    'start-time': jm.startTime,
    'end-time': end,
    duration: (end > 0 ? end : now) - jm.startTime,
    'last-modification': Math.max(...Object.values(jm.statusTimestamps).map(Number)),
    tasks: { total: states.length, ...counts(states, true) },
    'pending-operators': 0,
  };
}

/** Flink's job details (GET /jobs/:jobid). */
export function jobDetails(jm: JobMaster, now: number): Record<string, unknown> {
  const job = jm.submission.job;
  const end = TERMINAL.has(jm.status) ? jm.endTime : -1;
  const timestamps: Record<string, number> = {};
  for (const s of JOB_STATES) timestamps[s] = jm.statusTimestamps[s] ?? 0;
  const vertices = job.vertices.map((v) => {
    const subs = [...jm.subtasks.values()].filter((s) => s.vertexId === v.id);
    const states = subs.map((s) => s.state);
    const { start, end: vEnd, duration } = span(subs, now);
    return {
      id: v.id,
      // Flink serializes the SlotSharingGroupId as a hex string (FLINK-REFERENCE 1.5).
      slotSharingGroupId: stableHexId(`slot-sharing-group:${v.slotSharingGroup}`),
      name: v.name,
      maxParallelism: v.maxParallelism,
      parallelism: v.parallelism,
      status: vertexStatus(states),
      'start-time': start,
      'end-time': vEnd,
      duration,
      tasks: counts(states, false),
      metrics: sumIoMetrics(subs.map((s) => subtaskIo(jm, s))),
    };
  });
  return {
    jid: jm.jobId,
    name: jm.jobName,
    isStoppable: false,
    state: jm.status,
    'job-type': 'STREAMING',
    'start-time': jm.startTime,
    'end-time': end,
    duration: (end > 0 ? end : now) - jm.startTime,
    maxParallelism: -1,
    now,
    timestamps,
    vertices,
    'status-counts': counts([...jm.subtasks.values()].map((s) => s.state), false),
    plan: jm.plan(),
    'pending-operators': 0,
  };
}

/** Flink's JobExecutionResult body (GET /jobs/:jobid/execution-result). */
export function executionResult(jm: JobMaster): Record<string, unknown> {
  if (!TERMINAL.has(jm.status)) return { status: { id: 'IN_PROGRESS' } };
  const app = jm.status === 'FINISHED' ? 'SUCCEEDED' : jm.status === 'CANCELED' ? 'CANCELED' : 'FAILED';
  const result: Record<string, unknown> = {
    id: jm.jobId,
    name: jm.jobName,
    'application-status': app,
    'accumulator-results': encodeResults({ accumulators: { ...jm.accumulatorResults() }, collected: jm.collectedRecords(), limitReached: jm.collectLimitReached }),
    'net-runtime': jm.endTime - jm.startTime,
    'start-time': jm.startTime,
    'end-time': jm.endTime,
  };
  if (app === 'FAILED' && jm.failure) {
    const stack = jm.failure.stack ?? `${jm.failure.name}: ${jm.failure.message}`;
    result['failure-cause'] = { class: jm.failure.name, 'stack-trace': stack, 'serialized-throwable': Buffer.from(stack).toString('base64') };
  }
  return { status: { id: 'COMPLETED' }, 'job-execution-result': result };
}

/** Flink's checkpoint statistics (GET /jobs/:jobid/checkpoints), from the coordinator. */
/** Flink's StatsSummaryDto of some values: min, max, avg and percentiles (all 0 for none). */
export function percentiles(xs: readonly number[]): { min: number; max: number; avg: number; p50: number; p90: number; p95: number; p99: number; p999: number } {
  if (xs.length === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => legacyPercentile(s, p);
  // avg is a long in Flink (sum / count, truncated); the percentiles are doubles.
  return { min: s[0]!, max: s[s.length - 1]!, avg: Math.trunc(s.reduce((a, b) => a + b, 0) / s.length), p50: q(50), p90: q(90), p95: q(95), p99: q(99), p999: q(99.9) };
}

/**
 * Commons Math's Percentile with its default estimation (LEGACY), which Flink's statistics use:
 * the position p/100 * (n + 1), interpolated between its neighbours (the median of 2 and 4 is 3).
 */
export function legacyPercentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  const pos = (p * (n + 1)) / 100;
  if (pos < 1) return sorted[0]!;
  if (pos >= n) return sorted[n - 1]!;
  const below = Math.floor(pos);
  const lower = sorted[below - 1]!;
  return lower + (pos - below) * (sorted[below]! - lower);
}

/** Acknowledgements of a checkpoint, by vertex id. */
type Acks = Readonly<Record<string, ReadonlyArray<{ processedBytes?: number; persistedBytes?: number; unaligned?: boolean; ackTimestamp?: number; stateSize?: number }>>> | undefined;

/** Bytes processed during alignment and in-flight bytes persisted, over every subtask that acknowledged (Flink's processed_data, persisted_data). */
export function inFlightData(subtasks: Acks): { processed_data: number; persisted_data: number } {
  const { processedBytes, persistedBytes } = acknowledgedTotals(subtasks);
  return { processed_data: processedBytes, persisted_data: persistedBytes };
}

/** Flink's checkpoint_type: a savepoint, or a checkpoint that some subtask took unaligned. */
function checkpointType(kind: string, subtasks: Acks): string {
  if (kind === 'savepoint') return 'SAVEPOINT';
  return Object.values(subtasks ?? {}).some((acks) => acks.some((a) => a.unaligned === true)) ? 'UNALIGNED_CHECKPOINT' : 'CHECKPOINT';
}

/** The latest acknowledgement's time, -1 for none (Flink's latest_ack_timestamp). */
function latestAck(subtasks: Acks): number {
  let t = -1;
  for (const acks of Object.values(subtasks ?? {})) for (const a of acks) if ((a.ackTimestamp ?? -1) > t) t = a.ackTimestamp!;
  return t;
}

export function checkpointStats(jm: JobMaster): Record<string, unknown> {
  const c = jm.coordinator;
  const done = [...c.history];
  const stat = percentiles;
  const data = inFlightData;
  const item = (x: (typeof done)[number]) => ({
    className: 'completed',
    id: x.id,
    status: 'COMPLETED',
    is_savepoint: x.kind === 'savepoint',
    savepointFormat: x.kind === 'savepoint' ? 'CANONICAL' : null,
    trigger_timestamp: x.timestamp,
    latest_ack_timestamp: x.completedAt,
    checkpointed_size: x.stateSize,
    state_size: x.stateSize,
    end_to_end_duration: x.durationMs,
    alignment_buffered: 0,
    ...data(x.subtasks),
    num_subtasks: jm.subtasks.size,
    num_acknowledged_subtasks: jm.subtasks.size,
    checkpoint_type: checkpointType(x.kind, x.subtasks),
    tasks: {},
    external_path: x.externalPath ?? '<checkpoint-not-externally-addressable>',
    discarded: false,
  });
  const pending = c.inProgress();
  const base = (x: { id: number; kind: string; timestamp: number }, subtasks: Acks) => {
    // What the subtasks that acknowledged stored so far (Flink's Pending/FailedCheckpointStats; it was 0).
    const size = acknowledgedTotals(subtasks).stateSize;
    return {
      id: x.id,
      is_savepoint: x.kind === 'savepoint',
      savepointFormat: x.kind === 'savepoint' ? 'CANONICAL' : null,
      trigger_timestamp: x.timestamp,
      checkpointed_size: size,
      state_size: size,
      alignment_buffered: 0,
      processed_data: 0,
      persisted_data: 0,
      checkpoint_type: checkpointType(x.kind, subtasks),
      tasks: {},
    };
  };
  const failedItem = (f: (typeof c.failedHistory)[number]) => ({
    ...base(f, f.subtasks),
    ...data(f.subtasks),
    className: 'failed',
    status: 'FAILED',
    latest_ack_timestamp: latestAck(f.subtasks),
    end_to_end_duration: f.failedAt - f.timestamp,
    num_subtasks: f.total,
    num_acknowledged_subtasks: f.acknowledged,
    failure_timestamp: f.failedAt,
    failure_message: f.message,
  });
  const pendingItem = (p: (typeof pending)[number]) => {
    const acks = c.pendingAcks(p.id);
    const last = latestAck(acks);
    return {
      ...base(p, acks),
      ...data(acks),
      className: 'in_progress',
      status: 'IN_PROGRESS',
      // Flink's: up to the latest acknowledgement so far (-1 before the first).
      latest_ack_timestamp: last,
      end_to_end_duration: last >= 0 ? Math.max(0, last - p.timestamp) : -1,
      num_subtasks: p.total,
      num_acknowledged_subtasks: p.acknowledged,
    };
  };
  // The latest of each kind, also when it left the history's last 10 (found by a review).
  const lastCheckpoint = c.latestOf.checkpoint;
  const lastSavepoint = c.latestOf.savepoint;
  const lastFailed = c.failedHistory[c.failedHistory.length - 1];
  // Flink's history: the last 10 checkpoints of every status, newest first.
  const history = [
    ...done.map((x) => ({ id: x.id, item: item(x) as Record<string, unknown> })),
    ...c.failedHistory.map((f) => ({ id: f.id, item: failedItem(f) as Record<string, unknown> })),
    ...pending.map((p) => ({ id: p.id, item: pendingItem(p) as Record<string, unknown> })),
  ]
    .sort((a, b) => b.id - a.id)
    .slice(0, 10)
    .map((x) => x.item);
  return {
    counts: { restored: c.counts.restored, total: c.counts.completed + c.counts.failed + pending.length, in_progress: pending.length, completed: c.counts.completed, failed: c.counts.failed },
    // Over every completed checkpoint and savepoint (up to the last 10,000), as Flink's StatsSummary.
    summary: {
      checkpointed_size: stat(c.summary.map((x) => x.stateSize)),
      state_size: stat(c.summary.map((x) => x.stateSize)),
      end_to_end_duration: stat(c.summary.map((x) => x.durationMs)),
      alignment_buffered: stat([]),
      processed_data: stat(c.summary.map((x) => x.processedBytes)),
      persisted_data: stat(c.summary.map((x) => x.persistedBytes)),
    },
    latest: {
      completed: lastCheckpoint ? item(lastCheckpoint) : null,
      savepoint: lastSavepoint ? item(lastSavepoint) : null,
      failed: lastFailed ? failedItem(lastFailed) : null,
      restored: jm.restored ? restoredView(jm.restored) : null,
    },
    history,
  };
}

/**
 * Flink's RestoredCheckpointStatistics, with miniflink's local recovery fields: each restored
 * subtask's `source` (`local`: every operator's state from its slot's local copy, `remote`:
 * checkpoint storage, `mixed`), how many of its operators restored each way, how long its restore
 * took, and how many subtasks restored all locally or not.
 */
function restoredView(r: NonNullable<JobMaster['restored']>): Record<string, unknown> {
  const subtasks = [...r.subtasks].map(([key, s]) => {
    const at = key.lastIndexOf('/');
    const source = s.local > 0 && s.remote > 0 ? 'mixed' : s.local > 0 ? 'local' : 'remote';
    return { vertex_id: key.slice(0, at), subtask: Number(key.slice(at + 1)), source, local_operators: s.local, remote_operators: s.remote, duration: Math.round(s.durationMs) };
  });
  return {
    id: r.spec.checkpointId,
    restore_timestamp: r.timestamp,
    is_savepoint: r.spec.kind === 'savepoint',
    external_path: r.spec.dir !== undefined ? qualify(r.spec.dir) : '<checkpoint-not-externally-addressable>',
    restored_locally: subtasks.filter((s) => s.source === 'local').length,
    restored_remotely: subtasks.filter((s) => s.source !== 'local').length,
    subtasks,
  };
}

/** A subtask of a job's current attempt. */
export type Subtask = JobMaster['subtasks'] extends Map<string, infer S> ? S : never;

/** The states whose durations Flink reports per subtask (`status-duration`). */
const DURATION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'] as const;
/** The order in which a subtask passes its states. */
const LIFECYCLE = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED'] as const;
/** The numeric IOMetricsInfo fields Flink aggregates. */
const IO_METRICS = ['read-bytes', 'write-bytes', 'read-records', 'write-records', 'accumulated-backpressured-time', 'accumulated-idle-time', 'accumulated-busy-time'] as const;

/** Flink's per-subtask `status-duration`: ms spent in each state until the next one (-1: never entered). */
export function statusDuration(s: Subtask, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const state of DURATION_STATES) {
    const start = s.timestamps[state];
    if (start === undefined) {
      out[state] = -1;
      continue;
    }
    const later = LIFECYCLE.slice(LIFECYCLE.indexOf(state) + 1)
      .map((x) => s.timestamps[x])
      .filter((t): t is number => t !== undefined && t >= start);
    out[state] = (later.length > 0 ? Math.min(...later) : now) - start;
  }
  return out;
}

/** Flink's aggregated statistics of one value over subtasks (StatsSummaryDto of the aggregated views). */
export function aggregateStats(values: readonly number[]): Record<string, number> {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, sum: 0, median: 0, p25: 0, p75: 0, p95: 0 };
  const s = [...values].sort((a, b) => a - b);
  // As Flink's AggregatedTaskDetailsInfo: longs, the average and percentiles truncated.
  const q = (p: number) => Math.trunc(legacyPercentile(s, p));
  const sum = s.reduce((a, b) => a + b, 0);
  return { min: s[0]!, max: s[s.length - 1]!, avg: Math.trunc(sum / s.length), sum, median: q(50), p25: q(25), p75: q(75), p95: q(95) };
}

/** `aggregated` of a vertex or of its subtasks on one TaskManager: IO metrics and state durations. */
function aggregated(jm: JobMaster, subs: readonly Subtask[], now: number): Record<string, unknown> {
  const io = subs.map((s) => subtaskIo(jm, s));
  const durations = subs.map((s) => statusDuration(s, now));
  return {
    metrics: Object.fromEntries(IO_METRICS.map((m) => [m, aggregateStats(io.map((x) => x[m] as number))])),
    'status-duration': Object.fromEntries(DURATION_STATES.map((st) => [st, aggregateStats(durations.map((d) => d[st]!).filter((d) => d >= 0))])),
  };
}

/** Where a slot's subtasks report from: the TaskManager id and an endpoint. */
export interface SlotLocation {
  readonly taskManagerId: string;
  readonly endpoint: string;
}

/** Flink's JobVertexDetailsInfo (GET /jobs/:jobid/vertices/:vertexid). */
export function vertexDetails(jm: JobMaster, vertexId: string, locate: (slot: number) => SlotLocation, now: number): Record<string, unknown> {
  const v = jm.submission.job.vertices.find((x) => x.id === vertexId)!;
  const subs = [...jm.subtasks.values()].filter((s) => s.vertexId === v.id);
  return {
    id: v.id,
    name: v.name,
    parallelism: v.parallelism,
    maxParallelism: v.maxParallelism,
    now,
    subtasks: subs.map((s) => subtaskDetails(jm, s, locate, now)),
    aggregated: aggregated(jm, subs, now),
  };
}

/** Flink's SubtaskExecutionAttemptDetailsInfo of a subtask's current attempt. */
export function subtaskDetails(jm: JobMaster, s: Subtask, locate: (slot: number) => SlotLocation, now: number, prior?: PriorAttempt): Record<string, unknown> {
  if (prior) s = prior.subtask;
  const { start, end, duration } = span([s], now);
  return {
    subtask: s.index,
    status: s.state,
    attempt: prior?.attempt ?? s.attempt,
    endpoint: locate(s.slot).endpoint,
    'start-time': start,
    start_time: start,
    'end-time': end,
    duration,
    metrics: prior ? ioMetrics(prior.metrics) : subtaskIo(jm, s),
    'taskmanager-id': locate(s.slot).taskManagerId,
    'status-duration': statusDuration(s, now),
  };
}

/** Flink's UserAccumulator entries of accumulator values (`type` is the value's class, `value` its text). */
export function userAccumulators(values: Readonly<Record<string, unknown>>): Array<{ name: string; type: string; value: string }> {
  return Object.entries(values).map(([name, v]) => ({
    name,
    type: v === null || v === undefined ? 'null' : typeof v === 'object' ? ((v as object).constructor?.name ?? 'Object') : typeof v,
    value: typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v),
  }));
}

/** Flink's JobVertexTaskManagersInfo (GET /jobs/:jobid/vertices/:vertexid/taskmanagers). */
export function vertexTaskManagers(jm: JobMaster, vertexId: string, locate: (slot: number) => SlotLocation, now: number): Record<string, unknown> {
  const v = jm.submission.job.vertices.find((x) => x.id === vertexId)!;
  const byTm = new Map<string, Subtask[]>();
  for (const s of jm.subtasks.values()) {
    if (s.vertexId !== v.id) continue;
    const id = locate(s.slot).taskManagerId;
    byTm.set(id, [...(byTm.get(id) ?? []), s]);
  }
  return {
    id: v.id,
    name: v.name,
    now,
    taskmanagers: [...byTm].map(([tmId, list]) => {
      const states = list.map((s) => s.state);
      const { start, end, duration } = span(list, now);
      return {
        endpoint: locate(list[0]!.slot).endpoint,
        'taskmanager-id': tmId,
        status: vertexStatus(states),
        'start-time': start,
        'end-time': end,
        duration,
        metrics: sumIoMetrics(list.map((s) => subtaskIo(jm, s))),
        'status-counts': counts(states, false),
        aggregated: aggregated(jm, list, now),
      };
    }),
  };
}

/** The job states an application's `jobs` counts (FLINK-DASHBOARD-FIELDS section 4 spells CANCELING so). */
const APPLICATION_JOB_STATES = ['CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING', 'INITIALIZING'] as const;

/**
 * Flink 2.3's application view of a job: every job submitted here is a single-job application
 * whose id is the job id (what Flink 2.3 does for a job submitted without an application).
 */
export function applicationOverview(jm: JobMaster, now: number): Record<string, unknown> {
  const end = TERMINAL.has(jm.status) ? jm.endTime : -1;
  const jobs: Record<string, number> = Object.fromEntries(APPLICATION_JOB_STATES.map((s) => [s, 0]));
  jobs[jm.status === 'CANCELLING' ? 'CANCELING' : jm.status] = 1;
  return {
    id: jm.jobId,
    name: jm.jobName,
    status: TERMINAL.has(jm.status) ? jm.status : 'RUNNING',
    'start-time': jm.startTime,
    'end-time': end,
    duration: (end > 0 ? end : now) - jm.startTime,
    jobs,
  };
}

/** Flink 2.3's application details (GET /applications/:id). */
export function applicationDetails(jm: JobMaster, now: number): Record<string, unknown> {
  const { jobs: _counts, ...overview } = applicationOverview(jm, now);
  const timestamps: Record<string, number> = {};
  for (const s of JOB_STATES) timestamps[s] = jm.statusTimestamps[s] ?? 0;
  return { ...overview, timestamps, jobs: [jobOverview(jm, now)] };
}
