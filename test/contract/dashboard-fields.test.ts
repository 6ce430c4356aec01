/**
 * Every REST call Flink's own web dashboard makes (FLINK-DASHBOARD-FIELDS.md of the reference folder beside the repository,
 * sections 2-4), made against a real cluster running a real checkpointing job, a failed job and a
 * job started the way the dashboard's "Submit New Job" page starts one. For each call, every field
 * the document says the dashboard reads must be there with the documented type.
 *
 * The expectations are the DASHBOARD table below: call -> field paths -> type. Path syntax:
 *   `a.b`        field b inside object a
 *   `a[].b`      field b on every element of array a (`[].b`: the body itself is the array)
 *   `a[]`        (last) every element of array a has the type
 *   `a.*`        every value of object a            `a.<vertex>`  the key of every job vertex id
 *   `a?`         optional: checked only when present
 * Types: number, string, bool, object, array, array+ (non-empty), null, absent, and `x|null`.
 * Every parent of a path is itself in the table, so a missing parent is reported once, by itself.
 *
 * JVM-only figures with no V8 equivalent
 * (non-heap, metaspace, mapped memory, Netty shuffle and managed memory, the JobManager's JVM
 * memory options) are absent, as Flink leaves out a metric that does not exist.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

type FieldType = 'number' | 'string' | 'bool' | 'object' | 'array' | 'array+' | 'null' | 'absent' | 'string|null' | 'object|null';
type Fields = Readonly<Record<string, FieldType>>;

// ---------------------------------------------------------------------------------------------
// Building blocks, named as in the document
// ---------------------------------------------------------------------------------------------

/** ExecutionState names (FLINK-REFERENCE 5.2): the UPPERCASE `tasks` / `status-counts` keys. */
const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'];
/** JobStatus names (FLINK-REFERENCE 5.1): the `timestamps{STATE: ms}` keys of the job details. */
const JOB_STATES = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'];
/** `tasks` of /jobs/overview: lowercase, as the document lists them. */
const LOWERCASE_TASKS = ['total', 'created', 'scheduled', 'deploying', 'running', 'finished', 'canceling', 'canceled', 'failed', 'reconciling', 'initializing'];
/** Checkpoint summary statistics `{min, max, avg, p50, p90, p95, p99, p999}`. */
const CHECKPOINT_STATS = ['min', 'max', 'avg', 'p50', 'p90', 'p95', 'p99', 'p999'];
/** Aggregated subtask statistics `{min, max, avg, sum, median, p25, p75, p95}`. */
const TASK_STATS = ['min', 'max', 'avg', 'sum', 'median', 'p25', 'p75', 'p95'];
/** The metrics of `aggregated.metrics` (Flink's AggregatedTaskDetailsInfo: the numeric IO metrics). */
const AGGREGATED_METRICS = ['read-bytes', 'write-bytes', 'read-records', 'write-records', 'accumulated-backpressured-time', 'accumulated-idle-time', 'accumulated-busy-time'];
/** The states of `status-duration`. */
const DURATION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'];
/** The metrics of the task manager metrics tab that exist here (V8 heap). */
const TM_METRICS_PRESENT = ['Status.JVM.Memory.Heap.Used', 'Status.JVM.Memory.Heap.Max'];
/** The JobManager metrics of the metrics page that exist here (V8 heap, buffers outside it). */
const JM_METRICS_PRESENT = ['Status.JVM.Memory.Heap.Used', 'Status.JVM.Memory.Heap.Committed', 'Status.JVM.Memory.Heap.Max', 'Status.JVM.Memory.Direct.MemoryUsed'];
/** The metrics of the task manager metrics tab. */
const TM_METRICS = [
  'Status.JVM.Memory.Heap.Used',
  'Status.JVM.Memory.Heap.Max',
  'Status.Shuffle.Netty.UsedMemory',
  'Status.Shuffle.Netty.TotalMemory',
  'Status.Flink.Memory.Managed.Used',
  'Status.Flink.Memory.Managed.Total',
  'Status.JVM.Memory.Metaspace.Used',
  'Status.JVM.Memory.Metaspace.Max',
];
/** The metrics of the job manager metrics tab (plus the GC ids found in the metric list). */
const JM_METRICS = [
  'Status.JVM.Memory.Heap.Used',
  'Status.JVM.Memory.Heap.Committed',
  'Status.JVM.Memory.Heap.Max',
  'Status.JVM.Memory.NonHeap.Used',
  'Status.JVM.Memory.NonHeap.Committed',
  'Status.JVM.Memory.NonHeap.Max',
  'Status.JVM.Memory.Metaspace.Used',
  'Status.JVM.Memory.Metaspace.Max',
  'Status.JVM.Memory.Direct.Count',
  'Status.JVM.Memory.Direct.MemoryUsed',
  'Status.JVM.Memory.Direct.TotalCapacity',
  'Status.JVM.Memory.Mapped.Count',
  'Status.JVM.Memory.Mapped.MemoryUsed',
  'Status.JVM.Memory.Mapped.TotalCapacity',
];
/** The job manager config keys the metrics page reads. */
const JM_MEMORY_KEYS = ['jobmanager.memory.heap.size', 'jobmanager.memory.off-heap.size', 'jobmanager.memory.jvm-metaspace.size', 'jobmanager.memory.jvm-overhead.min', 'jobmanager.memory.jvm-overhead.max'];
/** The three metrics of the job graph (busy, backpressured, data skew). */
const GRAPH_METRICS = ['backPressuredTimeMsPerSecond', 'busyTimeMsPerSecond', 'numRecordsInPerSecond'];

const all = (names: readonly string[], type: FieldType): Fields => Object.fromEntries(names.map((n) => [n, type]));
/** `prefix: object` and its fields. */
const obj = (prefix: string, fields: Fields, type: FieldType = 'object'): Fields => ({ [prefix]: type, ...under(prefix, fields) });
/** `prefix: array` and the fields of each element. */
const arr = (prefix: string, fields: Fields, type: FieldType = 'array'): Fields => ({ [prefix]: type, ...under(`${prefix.replace(/\?$/, '')}[]`, fields) });
/** The fields, under a prefix. */
const under = (prefix: string, fields: Fields): Fields => Object.fromEntries(Object.entries(fields).map(([k, t]) => [`${prefix.replace(/\?$/, '')}.${k}`, t]));

const IO_METRICS: Fields = {
  'read-bytes': 'number',
  'read-bytes-complete': 'bool',
  'write-bytes': 'number',
  'write-bytes-complete': 'bool',
  'read-records': 'number',
  'read-records-complete': 'bool',
  'write-records': 'number',
  'write-records-complete': 'bool',
};
const ACCUMULATED_TIMES: Fields = { 'accumulated-backpressured-time': 'number', 'accumulated-idle-time': 'number', 'accumulated-busy-time': 'number' };
const AGGREGATED: Fields = {
  ...obj('metrics', Object.assign({}, ...AGGREGATED_METRICS.map((m) => obj(m, all(TASK_STATS, 'number'))))),
  ...obj('status-duration', Object.assign({}, ...DURATION_STATES.map((s) => obj(s, all(TASK_STATS, 'number'))))),
};
const PLAN_NODE: Fields = {
  id: 'string',
  parallelism: 'number',
  operator: 'string',
  operator_strategy: 'string',
  description: 'string',
  optimizer_properties: 'object',
  ...arr('inputs?', { num: 'number', id: 'string', ship_strategy: 'string', exchange: 'string', 'local_strategy?': 'string' }),
};
const JOB_OVERVIEW_ITEM: Fields = {
  jid: 'string',
  name: 'string',
  state: 'string',
  'start-time': 'number',
  'end-time': 'number',
  duration: 'number',
  'last-modification': 'number',
  ...obj('tasks', all(LOWERCASE_TASKS, 'number')),
  'pending-operators?': 'number', // section 4: shown as PENDING, 0 if absent
};
const SUBTASK: Fields = {
  subtask: 'number',
  status: 'string',
  attempt: 'number',
  endpoint: 'string',
  start_time: 'number', // underscore, as the dashboard reads it
  'end-time': 'number',
  duration: 'number',
  'taskmanager-id': 'string',
  ...obj('metrics', { ...IO_METRICS, ...ACCUMULATED_TIMES }),
  ...obj('status-duration', all(DURATION_STATES, 'number')),
};
const RESOURCE: Fields = all(['cpuCores', 'taskHeapMemory', 'taskOffHeapMemory', 'managedMemory', 'networkMemory'], 'number');
const TASK_MANAGER: Fields = {
  id: 'string',
  path: 'string',
  dataPort: 'number',
  timeSinceLastHeartbeat: 'number',
  slotsNumber: 'number',
  freeSlots: 'number',
  ...obj('hardware', all(['cpuCores', 'physicalMemory', 'freeMemory', 'managedMemory'], 'number')),
  'blocked?': 'bool',
  assignedTasks: 'number', // section 4: "Task manager items and details gain assignedTasks (number)"
};
const ENVIRONMENT: Fields = { ...obj('jvm', { version: 'string', arch: 'string', options: 'array', 'options[]': 'string' }), classpath: 'array', 'classpath[]': 'string' };
const KEY_VALUES: Fields = { '': 'array+', '[].key': 'string', '[].value': 'string' };
const METRIC_IDS: Fields = { '': 'array+', '[].id': 'string' };
const METRIC_VALUES: Fields = { '': 'array', '[].id': 'string', '[].value': 'string' };
const LOG_LIST: Fields = arr('logs', { name: 'string', size: 'number', mtime: 'number' }, 'array+');
const THREAD_DUMP: Fields = arr('threadInfos', { threadName: 'string', stringifiedThreadInfo: 'string' }, 'array+');
const EXCEPTION_ENTRY: Fields = {
  timestamp: 'number',
  exceptionName: 'string',
  stacktrace: 'string',
  // Strings for a task failure; Flink leaves them out only for a global failure. Our failed job
  // fails in a task (the map of bad-user-error.ts throws).
  taskName: 'string',
  endpoint: 'string',
  taskManagerId: 'string',
  failureLabels: 'object',
  'failureLabels.*': 'string',
  concurrentExceptions: 'array',
};
const exceptions = (entries: FieldType): Fields => ({
  ...obj('exceptionHistory', {
    ...arr('entries', { ...EXCEPTION_ENTRY, ...under('concurrentExceptions[]', EXCEPTION_ENTRY) }, entries),
    truncated: 'bool',
  }),
});
const CHECKPOINT_SUBTASK_STATS: Fields = all(['min', 'max', 'avg'], 'number');

// ---------------------------------------------------------------------------------------------
// The table: the document's calls and the fields the dashboard reads from each
// ---------------------------------------------------------------------------------------------

const DASHBOARD: Record<string, Fields> = {
  // ---- 2. boot ----
  'GET /config': {
    'refresh-interval': 'number',
    'timezone-name': 'string',
    'timezone-offset': 'number',
    'flink-version': 'string',
    'flink-revision': 'string',
    ...obj('features', all(['web-submit', 'web-cancel', 'web-rescale', 'web-history'], 'bool')),
  },

  // ---- 3. overview (+ section 4: applications-*) ----
  'GET /overview': {
    ...all(['taskmanagers', 'slots-total', 'slots-available', 'jobs-running', 'jobs-finished', 'jobs-cancelled', 'jobs-failed'], 'number'),
    'taskmanagers-blocked?': 'number',
    'slots-free-and-blocked?': 'number',
    'flink-version': 'string',
    'flink-commit': 'string',
    ...all(['applications-running', 'applications-finished', 'applications-cancelled', 'applications-failed'], 'number'),
  },
  'GET /jobs/overview': arr('jobs', JOB_OVERVIEW_ITEM, 'array+'),

  // ---- 3. job detail shell ----
  'GET /jobs/:jid': {
    jid: 'string',
    name: 'string',
    state: 'string',
    'start-time': 'number',
    'end-time': 'number',
    duration: 'number',
    'job-type?': 'string',
    ...obj('status-counts', all(EXECUTION_STATES, 'number')),
    ...obj('plan', { jid: 'string', name: 'string', type: 'string', ...arr('nodes', PLAN_NODE, 'array+') }),
    ...arr(
      'vertices',
      {
        id: 'string',
        name: 'string',
        parallelism: 'number',
        maxParallelism: 'number',
        status: 'string',
        'start-time': 'number',
        'end-time': 'number',
        duration: 'number',
        ...obj('tasks', all(EXECUTION_STATES, 'number')),
        ...obj('metrics', IO_METRICS),
      },
      'array+',
    ),
    isStoppable: 'bool',
    maxParallelism: 'number',
    now: 'number',
    ...obj('timestamps', all(JOB_STATES, 'number')),
    // section 4, all optional
    'application-id?': 'string',
    'schedulerType?': 'string',
    ...obj('stream-graph?', { ...arr('nodes', { ...PLAN_NODE, job_vertex_id: 'string' }) }),
    'pending-operators?': 'number',
  },
  'GET /jobs/:jid/jobmanager/log-url': { url: 'string' },

  // ---- 3. job overview tab, per vertex ----
  // (the test also requires an entry for each of the three ids: one missing, and the graph shows N/A)
  'GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=backPressuredTimeMsPerSecond,busyTimeMsPerSecond,numRecordsInPerSecond': {
    '': 'array',
    '[].id': 'string',
    ...under('[]', all(['min', 'max', 'avg', 'sum', 'skew'], 'number')),
  },
  'GET /jobs/:jid/vertices/:vid/watermarks': { '': 'array', '[].id': 'string', '[].value': 'string' },
  'GET /jobs/:jid/resource-requirements': { '<vertex>': 'object', ...under('<vertex>', obj('parallelism', { lowerBound: 'number', upperBound: 'number' })) },
  'PUT /jobs/:jid/resource-requirements': {}, // 2xx
  'GET /jobs/:jid/vertices/:vid': {
    ...arr('subtasks', { ...SUBTASK, ...arr('other-concurrent-attempts?', SUBTASK) }, 'array+'),
    ...obj('aggregated', AGGREGATED),
  },
  'GET /jobs/:jid/vertices/:vid/taskmanagers': {
    id: 'string',
    name: 'string',
    now: 'number',
    ...arr(
      'taskmanagers',
      {
        endpoint: 'string',
        'taskmanager-id': 'string',
        status: 'string',
        'start-time': 'number',
        'end-time': 'number',
        duration: 'number',
        ...obj('metrics', IO_METRICS),
        ...obj('status-counts', all(EXECUTION_STATES, 'number')),
        ...obj('aggregated', AGGREGATED),
      },
      'array+',
    ),
  },
  'GET /jobs/:jid/vertices/:vid/accumulators': arr('user-accumulators', { name: 'string', type: 'string', value: 'string' }),
  'GET /jobs/:jid/vertices/:vid/subtasks/accumulators': arr(
    'subtasks',
    { subtask: 'number', attempt: 'number', host: 'string', ...arr('user-accumulators', { name: 'string', type: 'string', value: 'string' }) },
    'array+',
  ),
  'GET /jobs/:jid/vertices/:vid/metrics': METRIC_IDS,
  'GET /jobs/:jid/vertices/:vid/metrics?get=a,b': METRIC_VALUES,
  // Answered { status: 'deprecated' } alone while sampling; with status 'ok', all of these.
  'GET /jobs/:jid/vertices/:vid/backpressure': {
    status: 'string',
    'backpressure-level': 'string',
    'end-timestamp': 'number',
    ...arr(
      'subtasks',
      {
        subtask: 'number',
        'attempt-number?': 'number', // Flink leaves it out when the subtask has a single attempt (FLINK-REFERENCE 1.8)
        'backpressure-level': 'string',
        ratio: 'number',
        idleRatio: 'number',
        busyRatio: 'number',
        'other-concurrent-attempts?': 'array',
      },
      'array+',
    ),
  },
  // endTimestamp -1 (ended), -2 (disabled) or -3 (collecting): no graph. Otherwise the graph.
  'GET /jobs/:jid/vertices/:vid/flamegraph': { endTimestamp: 'number', ...obj('data', { name: 'string', value: 'number', children: 'array' }) },

  // ---- 3. exceptions, data skew, timeline ----
  'GET /jobs/:jid/exceptions?maxExceptions=10': exceptions('array'),
  'GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=numRecordsIn': { '': 'array', '[].id': 'string', '[].skew': 'number' },
  'GET /jobs/:jid/vertices/:vid/subtasktimes': arr('subtasks', { subtask: 'number', host: 'string', duration: 'number', ...obj('timestamps', { '*': 'number' }) }, 'array+'),

  // ---- 3. checkpoints ----
  'GET /jobs/:jid/checkpoints': {
    ...obj('counts', all(['restored', 'total', 'in_progress', 'completed', 'failed'], 'number')),
    ...obj('summary', Object.assign({}, ...['checkpointed_size', 'state_size', 'end_to_end_duration', 'processed_data', 'persisted_data'].map((s) => obj(s, all(CHECKPOINT_STATS, 'number'))))),
    ...obj('latest', {
      // A completed checkpoint exists when this is called (the test waits for one).
      ...obj('completed', { id: 'number', latest_ack_timestamp: 'number', end_to_end_duration: 'number', checkpointed_size: 'number', state_size: 'number', external_path: 'string' }),
      ...obj(
        'savepoint',
        { id: 'number', latest_ack_timestamp: 'number', end_to_end_duration: 'number', checkpointed_size: 'number', state_size: 'number', external_path: 'string', savepointFormat: 'string' },
        'object|null',
      ),
      ...obj('failed', { id: 'number', failure_timestamp: 'number', failure_message: 'string' }, 'object|null'),
      ...obj('restored', { id: 'number', restore_timestamp: 'number', is_savepoint: 'bool', external_path: 'string' }, 'object|null'),
    }),
    ...arr(
      'history',
      {
        id: 'number',
        status: 'string',
        is_savepoint: 'bool',
        ...all(['trigger_timestamp', 'latest_ack_timestamp', 'end_to_end_duration', 'checkpointed_size', 'state_size', 'processed_data', 'persisted_data', 'num_subtasks', 'num_acknowledged_subtasks'], 'number'),
        checkpoint_type: 'string',
      },
      'array+',
    ),
  },
  'GET /jobs/:jid/checkpoints/config': {
    mode: 'string',
    interval: 'number',
    timeout: 'number',
    min_pause: 'number',
    max_concurrent: 'number',
    ...obj('externalization', { enabled: 'bool', delete_on_cancellation: 'bool' }),
    state_backend: 'string',
    checkpoint_storage: 'string',
    unaligned_checkpoints: 'bool',
    tolerable_failed_checkpoints: 'number',
    aligned_checkpoint_timeout: 'number',
    checkpoints_after_tasks_finish: 'bool',
    state_changelog_enabled: 'bool',
    changelog_storage: 'string',
    changelog_periodic_materialization_interval: 'number',
  },
  'GET /jobs/:jid/checkpoints/details/:cpId': {
    id: 'number',
    status: 'string',
    discarded: 'bool',
    external_path: 'string',
    failure_message: 'absent', // only on a FAILED checkpoint; this one is COMPLETED
    savepointFormat: 'string|null',
    tasks: 'object',
    ...obj(
      'tasks.<vertex>',
      all(['latest_ack_timestamp', 'end_to_end_duration', 'checkpointed_size', 'state_size', 'processed_data', 'persisted_data', 'num_subtasks', 'num_acknowledged_subtasks'], 'number'),
    ),
    'tasks.<vertex>.status': 'string',
  },
  'GET /jobs/:jid/checkpoints/details/:cpId/subtasks/:vid': {
    ...obj('summary', {
      ...obj('state_size', CHECKPOINT_SUBTASK_STATS),
      ...obj('checkpointed_size', CHECKPOINT_SUBTASK_STATS),
      ...obj('end_to_end_duration', CHECKPOINT_SUBTASK_STATS),
      ...obj('checkpoint_duration', { ...obj('sync', CHECKPOINT_SUBTASK_STATS), ...obj('async', CHECKPOINT_SUBTASK_STATS) }),
      ...obj('alignment', { ...obj('processed', CHECKPOINT_SUBTASK_STATS), ...obj('persisted', CHECKPOINT_SUBTASK_STATS), ...obj('duration', CHECKPOINT_SUBTASK_STATS) }),
      ...obj('start_delay', CHECKPOINT_SUBTASK_STATS),
    }),
    ...arr(
      'subtasks',
      {
        index: 'number',
        status: 'string',
        ack_timestamp: 'number',
        end_to_end_duration: 'number',
        state_size: 'number',
        checkpointed_size: 'number',
        ...obj('checkpoint', { sync: 'number', async: 'number' }),
        ...obj('alignment', { processed: 'number', persisted: 'number', duration: 'number' }),
        start_delay: 'number',
        unaligned_checkpoint: 'bool',
        aborted: 'bool',
      },
      'array+',
    ),
  },

  // ---- 3. job configuration; history-server-mode calls ----
  'GET /jobs/:jid/config': {
    jid: 'string',
    name: 'string',
    ...obj('execution-config', { 'restart-strategy': 'string', 'job-parallelism': 'number', 'object-reuse-mode': 'bool', 'user-config': 'object', 'user-config.*': 'string' }),
  },
  'GET /jobs/:jid/jobmanager/config': KEY_VALUES,
  // The document names no fields; the cluster_configuration tab shows what /jobmanager/environment has.
  'GET /jobs/:jid/jobmanager/environment': ENVIRONMENT,
  'GET /jobs/:jid/taskmanagers/:tmId/log-url': { url: 'string' },

  // ---- 3. task managers ----
  'GET /taskmanagers': arr('taskmanagers', TASK_MANAGER, 'array+'),
  'GET /taskmanagers/:tmId': {
    ...TASK_MANAGER,
    ...obj('metrics', {
      ...all(
        ['heapUsed', 'heapCommitted', 'heapMax', 'nonHeapUsed', 'nonHeapCommitted', 'nonHeapMax', 'directCount', 'directUsed', 'directMax', 'mappedCount', 'mappedUsed', 'mappedMax', 'memorySegmentsAvailable', 'memorySegmentsTotal'],
        'number',
      ),
      ...arr('garbageCollectors', { name: 'string', count: 'number', time: 'number' }),
    }),
    ...obj(
      'memoryConfiguration',
      all(['frameworkHeap', 'taskHeap', 'frameworkOffHeap', 'taskOffHeap', 'networkMemory', 'managedMemory', 'jvmMetaspace', 'jvmOverhead', 'totalFlinkMemory', 'totalProcessMemory'], 'number'),
    ),
    ...obj('freeResource', RESOURCE),
    ...obj('totalResource', RESOURCE),
    // A job runs in a slot of this task manager.
    ...arr('allocatedSlots', { jobId: 'string', ...obj('resource', RESOURCE) }, 'array+'),
  },
  'GET /taskmanagers/:tmId/metrics?get=<TM_METRICS>': METRIC_VALUES,
  'GET /taskmanagers/:tmId/logs': LOG_LIST,
  'GET /taskmanagers/:tmId/thread-dump': THREAD_DUMP,

  // ---- 3. job manager ----
  'GET /jobmanager/config': KEY_VALUES,
  'GET /jobmanager/metrics': METRIC_IDS,
  'GET /jobmanager/metrics?get=<JM_METRICS + GC ids>': METRIC_VALUES,
  'GET /jobmanager/environment': ENVIRONMENT,
  'GET /jobmanager/logs': LOG_LIST,
  'GET /jobmanager/thread-dump': THREAD_DUMP,

  // ---- 3. submit ----
  'GET /jars': { address: 'string', ...arr('files', { id: 'string', name: 'string', uploaded: 'number', ...arr('entry', { name: 'string', description: 'string|null' }) }) },
  'GET /jars/:jarId/plan': obj('plan', { jid: 'string', name: 'string', ...arr('nodes', PLAN_NODE, 'array+') }),
  'POST /jars/:jarId/run': { jobid: 'string' },
  'DELETE /jars/:jarId': {},

  // ---- 4. applications ----
  'GET /applications/overview': arr(
    'applications',
    {
      id: 'string',
      name: 'string',
      status: 'string',
      'start-time': 'number',
      'end-time': 'number',
      duration: 'number',
      // UPPERCASE job-state counts; Flink sends only the states that occur.
      ...obj('jobs', { '*': 'number' }),
    },
    'array+',
  ),
  'GET /applications/:id': {
    id: 'string',
    name: 'string',
    status: 'string',
    'start-time': 'number',
    'end-time': 'number',
    duration: 'number',
    ...obj('timestamps', { '*': 'number' }),
    ...arr('jobs', JOB_OVERVIEW_ITEM, 'array+'),
  },
  'GET /applications/:id/exceptions': obj('exceptionHistory', arr('entries', { exceptionName: 'string', stacktrace: 'string', timestamp: 'number', 'jobId?': 'string' })),

  // ---- 4. rescales tab (adaptive scheduler only) ----
  'GET /jobs/:jid/rescales/config': {
    rescaleHistoryMax: 'number',
    schedulerExecutionMode: 'string|null', // Flink's scheduler-mode: REACTIVE or unset
    ...all(
      [
        'submissionResourceWaitTimeoutInMillis',
        'submissionResourceStabilizationTimeoutInMillis',
        'slotIdleTimeoutInMillis',
        'executingCooldownTimeoutInMillis',
        'executingResourceStabilizationTimeoutInMillis',
        'maximumDelayForTriggeringRescaleInMillis',
        'rescaleOnFailedCheckpointCount',
      ],
      'number',
    ),
  },
  'GET /jobs/:jid/rescales/history': {
    '': 'array',
    ...under('[]', {
      rescaleUuid: 'string',
      resourceRequirementsUuid: 'string',
      rescaleAttemptId: 'number',
      ...obj('vertices', {
        '*': 'object',
        ...under('*', {
          jobVertexId: 'string',
          jobVertexName: 'string',
          slotSharingGroupId: 'string',
          slotSharingGroupName: 'string',
          ...all(['desiredParallelism', 'sufficientParallelism', 'preRescaleParallelism', 'postRescaleParallelism'], 'number'),
        }),
      }),
      ...obj('slots', { '*': 'object' }),
      ...arr('schedulerStates', { state: 'string', enterTimestampInMillis: 'number', leaveTimestampInMillis: 'number', durationInMillis: 'number', stringifiedException: 'string|null' }),
      startTimestampInMillis: 'number',
      endTimestampInMillis: 'number',
      terminalState: 'string',
      triggerCause: 'string',
      terminatedReason: 'string',
    }),
  },
};

/**
 * Calls that real Flink answers with an error here: the profiler routes exist only with
 * `rest.profiling.enabled` (default false: Flink does not register them, so 404), and a job without
 * checkpointing has no checkpoint statistics (404).
 */
const ERRORS: Array<[call: string, method: string, url: () => string, status: number]> = [
  ['GET /taskmanagers/:tmId/profiler', 'GET', () => `/taskmanagers/${ids.tm}/profiler`, 404],
  ['POST /taskmanagers/:tmId/profiler', 'POST', () => `/taskmanagers/${ids.tm}/profiler`, 404],
  ['GET /taskmanagers/:tmId/profiler/:file', 'GET', () => `/taskmanagers/${ids.tm}/profiler/profile.html`, 404],
  ['GET /jobmanager/profiler', 'GET', () => '/jobmanager/profiler', 404],
  ['POST /jobmanager/profiler', 'POST', () => '/jobmanager/profiler', 404],
  ['GET /jobmanager/profiler/:file', 'GET', () => '/jobmanager/profiler/profile.html', 404],
  ['GET /jobs/:jid/checkpoints (failed job, no checkpointing)', 'GET', () => `/jobs/${ids.failed}/checkpoints`, 404],
  ['GET /jobs/:jid/checkpoints/config (failed job, no checkpointing)', 'GET', () => `/jobs/${ids.failed}/checkpoints/config`, 404],
];

/** Plain-text calls: logs and stdout. */
const TEXTS: Array<[call: string, url: () => string]> = [
  ['GET /jobmanager/log', () => '/jobmanager/log'],
  ['GET /jobmanager/stdout', () => '/jobmanager/stdout'],
  ['GET /taskmanagers/:tmId/log', () => `/taskmanagers/${ids.tm}/log`],
  ['GET /taskmanagers/:tmId/stdout', () => `/taskmanagers/${ids.tm}/stdout`],
];

// ---------------------------------------------------------------------------------------------
// Checking a body against the table
// ---------------------------------------------------------------------------------------------

interface Node {
  readonly at: string;
  readonly value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeOk(v: unknown, t: FieldType): boolean {
  switch (t) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'array+':
      return Array.isArray(v) && v.length > 0;
    case 'null':
      return v === null;
    case 'absent':
      return v === undefined;
    case 'string|null':
      return v === null || typeof v === 'string';
    case 'object|null':
      return v === null || isObject(v);
  }
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return v.length === 0 ? 'empty array' : `array(${v.length})`;
  const text = JSON.stringify(v);
  return `${v === null ? 'null' : typeof v} ${text.length > 60 ? `${text.slice(0, 60)}...` : text}`;
}

const bare = (seg: string) => seg.replace(/\?/g, '').replace(/\[\]$/, '');

/** The children of the nodes for one (non-last) path segment; missing parents yield nothing. */
function step(nodes: Node[], seg: string, vertices: readonly string[]): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    if (seg.endsWith('[]')) {
      const key = bare(seg);
      const list = key === '' ? n.value : isObject(n.value) ? n.value[key] : undefined;
      if (Array.isArray(list)) list.forEach((value, i) => out.push({ at: `${n.at}${key === '' ? '' : `.${key}`}[${i}]`, value }));
    } else if (!isObject(n.value)) {
      continue;
    } else if (seg === '*') {
      for (const [k, value] of Object.entries(n.value)) out.push({ at: `${n.at}.${k}`, value });
    } else if (seg === '<vertex>') {
      for (const v of vertices) if (n.value[v] !== undefined) out.push({ at: `${n.at}.${v}`, value: n.value[v] });
    } else if (n.value[bare(seg)] !== undefined && n.value[bare(seg)] !== null) {
      out.push({ at: `${n.at}.${bare(seg)}`, value: n.value[bare(seg)] });
    }
  }
  return out;
}

/** Every place where the body does not have a field of the table with its type. */
function violations(body: unknown, fields: Fields, vertices: readonly string[]): string[] {
  const declared = new Set(Object.keys(fields).map((p) => p.split('.').map(bare).join('.')));
  const errors: string[] = [];
  for (const [path, type] of Object.entries(fields)) {
    if (path === '') {
      if (!typeOk(body, type)) errors.push(`(body): expected ${type}, got ${describeValue(body)}`);
      continue;
    }
    const segs = path.split('.');
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).map(bare).join('.');
      if (!declared.has(parent)) throw new Error(`table error: ${path} has no entry for its parent ${parent}`);
    }
    let nodes: Node[] = [{ at: '', value: body }];
    for (const seg of segs.slice(0, -1)) nodes = step(nodes, seg, vertices);
    const last = segs[segs.length - 1]!;
    const optional = last.includes('?');
    for (const n of nodes) {
      const targets: Node[] = [];
      if (last.endsWith('[]')) {
        targets.push(...step([n], last, vertices));
      } else if (last === '*') {
        if (isObject(n.value)) for (const [k, value] of Object.entries(n.value)) targets.push({ at: `${n.at}.${k}`, value });
      } else if (last === '<vertex>') {
        for (const v of vertices) targets.push({ at: `${n.at}.${v}`, value: isObject(n.value) ? n.value[v] : undefined });
      } else {
        targets.push({ at: `${n.at}.${bare(last)}`, value: isObject(n.value) ? n.value[bare(last)] : undefined });
      }
      for (const t of targets) {
        if (optional && t.value === undefined) continue;
        if (!typeOk(t.value, type)) errors.push(`${t.at.replace(/^\./, '')}: expected ${type}, got ${describeValue(t.value)}`);
      }
    }
  }
  return errors;
}

/** The entries of a bare array answer (metrics, config) that are missing, by their `id` or `key`. */
function missingEntries(body: unknown, by: 'id' | 'key', names: readonly string[]): string[] {
  const have = new Set(Array.isArray(body) ? body.map((e) => (isObject(e) ? e[by] : undefined)) : []);
  return names.filter((n) => !have.has(n)).map((n) => `no entry with ${by} "${n}"`);
}

// ---------------------------------------------------------------------------------------------
// The cluster, its jobs and the calls
// ---------------------------------------------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'miniflink-dashboard-'));
let cluster: ChildProcess;
let base = '';
const ids = {
  job: '',
  failed: '',
  vertices: [] as string[],
  /** Vertices with an input (not sources). */
  withInputs: new Set<string>(),
  tm: '',
  jar: undefined as string | undefined,
  submitted: undefined as string | undefined,
  gcMetrics: [] as string[],
};

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`cannot make this call: it needs ${what}`);
  return v;
}

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly text: string;
  readonly body: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = JSON.stringify(body);
  if (body !== undefined) init.headers = { 'content-type': 'application/json' };
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, type, text, body: parsed };
}

/** Calls, and checks the status and the table's fields of the body (softly); returns the answer. */
async function check(key: string, path: string, opts: { method?: string; body?: unknown; status?: number; fields?: Fields } = {}): Promise<Answer> {
  const fields = opts.fields ?? DASHBOARD[key];
  if (!fields) throw new Error(`table error: no entry ${key}`);
  const a = await call(opts.method ?? 'GET', path, opts.body);
  // Soft: every call and field of a test is reported, not only the first one that fails.
  expect.soft(a.status, `${key} -> ${path}: ${a.text.slice(0, 300)}`).toBe(opts.status ?? 200);
  if (a.status === (opts.status ?? 200)) expect.soft(violations(a.body, fields, ids.vertices), `${key} -> ${path}`).toEqual([]);
  return a;
}

async function stateOf(jobId: string): Promise<string> {
  const r = await call('GET', `/jobs/${jobId}`);
  return typeof r.body?.state === 'string' ? r.body.state : `HTTP ${r.status}`;
}

async function waitFor(what: string, ok: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.warn(`dashboard fields: gave up waiting for ${what}`);
  return false;
}

const submittedId = (stdout: string) => /JobID ([0-9a-f]{32})/.exec(stdout)?.[1];

beforeAll(async () => {
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', `web.upload.dir=${join(root, 'up')}`]));
  const m = base.replace('http://', '');
  // A long-running checkpointing job (1 slot) and a job that fails (the other slot, freed at once).
  // One after the other: the server runs each uploaded module with its arguments in the global
  // process.argv across an await, so two concurrent submissions can swap their arguments.
  const run = await runCli(['run', '-m', m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out'), '5000000', '100', 'run', 'slow']);
  const bad = await runCli(['run', '-m', m, '-d', 'test/jobs/bad-user-error.ts']);
  ids.job = need(submittedId(run.stdout), `a job id from run (exit ${run.code}): ${run.stdout} ${run.stderr}`);
  ids.failed = need(submittedId(bad.stdout), `a job id from run (exit ${bad.code}): ${bad.stdout} ${bad.stderr}`);
  await waitFor('the job RUNNING', async () => (await stateOf(ids.job)) === 'RUNNING');
  await waitFor('the failed job FAILED', async () => (await stateOf(ids.failed)) === 'FAILED');
  const details = (await call('GET', `/jobs/${ids.job}`)).body;
  ids.vertices = (details?.vertices ?? details?.plan?.nodes ?? []).map((v: { id: string }) => v.id);
  for (const n of details?.plan?.nodes ?? []) if (Array.isArray(n.inputs) && n.inputs.length > 0) ids.withInputs.add(n.id);
  ids.tm = (await call('GET', '/taskmanagers')).body?.taskmanagers?.[0]?.id ?? '';
  await waitFor('a completed checkpoint', async () => ((await call('GET', `/jobs/${ids.job}/checkpoints`)).body?.counts?.completed ?? 0) > 0);
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard fields', () => {
  // ---- 2 and 3: boot, overview, job lists, job details ----
  it('dashboard fields - GET /config (boot)', async () => {
    await check('GET /config', '/config');
  });

  it('dashboard fields - GET /overview', async () => {
    await check('GET /overview', '/overview');
  });

  it('dashboard fields - GET /jobs/overview, listing the running and the failed job', async () => {
    const a = await check('GET /jobs/overview', '/jobs/overview');
    expect.soft((a.body?.jobs ?? []).map((j: { jid: string }) => j.jid)).toEqual(expect.arrayContaining([ids.job, ids.failed]));
  });

  it.each([
    ['running', () => ids.job],
    ['failed', () => ids.failed],
  ])('dashboard fields - GET /jobs/:jid (%s job); each plan node id is a vertex id', async (_which, id) => {
    const a = await check('GET /jobs/:jid', `/jobs/${id()}`);
    const vertexIds = (a.body?.vertices ?? []).map((v: { id: string }) => v.id);
    for (const n of a.body?.plan?.nodes ?? []) expect.soft(vertexIds, `plan node ${n.id}`).toContain(n.id);
  });

  it('dashboard fields - GET /jobs/:jid/jobmanager/log-url', async () => {
    await check('GET /jobs/:jid/jobmanager/log-url', `/jobs/${ids.job}/jobmanager/log-url`);
  });

  // ---- 3: job overview tab (graph), per vertex ----
  it('dashboard fields - GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=backPressured..,busy..,numRecordsInPerSecond (every vertex; all three, or the graph shows N/A)', async () => {
    const key = 'GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=backPressuredTimeMsPerSecond,busyTimeMsPerSecond,numRecordsInPerSecond';
    for (const v of ids.vertices) {
      const a = await check(key, `/jobs/${ids.job}/vertices/${v}/subtasks/metrics?get=${GRAPH_METRICS.join(',')}`);
      expect.soft((a.body ?? []).map((m: { id: string }) => m.id).sort(), `vertex ${v}`).toEqual([...GRAPH_METRICS].sort());
      // The dashboard shows max/10 as a percentage: a time per second lies within 0..1000.
      for (const m of a.body ?? []) if (m.id !== 'numRecordsInPerSecond') expect.soft(m.max, `vertex ${v} ${m.id}`).toBeLessThanOrEqual(1000);
    }
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/watermarks (every vertex; one per subtask of a vertex with input)', async () => {
    const details = (await call('GET', `/jobs/${ids.job}`)).body;
    for (const v of ids.vertices) {
      const a = await check('GET /jobs/:jid/vertices/:vid/watermarks', `/jobs/${ids.job}/vertices/${v}/watermarks`);
      for (const w of Array.isArray(a.body) ? a.body : []) expect.soft(w.id, `vertex ${v}`).toMatch(/^\d+\.currentInputWatermark$/);
      if (ids.withInputs.has(v)) {
        const parallelism = details?.vertices?.find((x: { id: string }) => x.id === v)?.parallelism;
        expect.soft(a.body, `vertex ${v}: one currentInputWatermark per subtask`).toHaveLength(parallelism);
      }
    }
  });

  it('dashboard fields - GET and PUT /jobs/:jid/resource-requirements (rescale, web-rescale is on)', async () => {
    const a = await check('GET /jobs/:jid/resource-requirements', `/jobs/${ids.job}/resource-requirements`);
    // The dashboard PUTs the same object back (here with the upper bounds unchanged: no rescale).
    await check('PUT /jobs/:jid/resource-requirements', `/jobs/${ids.job}/resource-requirements`, { method: 'PUT', body: a.body });
  });

  // ---- 3: vertex drawer, per vertex ----
  it('dashboard fields - GET /jobs/:jid/vertices/:vid (subtasks, aggregated; every vertex)', async () => {
    for (const v of ids.vertices) await check('GET /jobs/:jid/vertices/:vid', `/jobs/${ids.job}/vertices/${v}`);
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/taskmanagers (every vertex)', async () => {
    for (const v of ids.vertices) await check('GET /jobs/:jid/vertices/:vid/taskmanagers', `/jobs/${ids.job}/vertices/${v}/taskmanagers`);
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/accumulators and subtasks/accumulators (every vertex)', async () => {
    for (const v of ids.vertices) {
      await check('GET /jobs/:jid/vertices/:vid/accumulators', `/jobs/${ids.job}/vertices/${v}/accumulators`);
      await check('GET /jobs/:jid/vertices/:vid/subtasks/accumulators', `/jobs/${ids.job}/vertices/${v}/subtasks/accumulators`);
    }
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/metrics, ?get=a,b and /backpressure (every vertex)', async () => {
    for (const v of ids.vertices) {
      const names = await check('GET /jobs/:jid/vertices/:vid/metrics', `/jobs/${ids.job}/vertices/${v}/metrics`);
      const list: string[] = (names.body ?? []).map((m: { id: string }) => m.id);
      // Flink's names: `<subtask>.<task metric>` and `<subtask>.<operator>.<operator metric>`, the operator's
      // name (and user group and metric names) filtered as Flink's MetricQueryService: ' ', '.', ':' and ',' become '_'
      // (`Source: numbers` is `Source__numbers`).
      expect.soft(list.filter((id) => /[ :,]/.test(id)), `vertex ${v}: unfiltered metric ids`).toEqual([]);
      expect.soft(list, `vertex ${v}`).toEqual(expect.arrayContaining(['0.numRecordsOut', '0.busyTimeMsPerSecond', '0.backPressuredTimeMsPerSecond', '0.idleTimeMsPerSecond', '0.numBytesOut']));
      const two = list.slice(0, 2);
      const values = await check('GET /jobs/:jid/vertices/:vid/metrics?get=a,b', `/jobs/${ids.job}/vertices/${v}/metrics?get=${two.join(',')}`);
      expect.soft((values.body ?? []).map((m: { id: string }) => m.id), `vertex ${v}`).toEqual(two);
      const bp = await check('GET /jobs/:jid/vertices/:vid/backpressure', `/jobs/${ids.job}/vertices/${v}/backpressure`);
      expect.soft(bp.body?.status, `vertex ${v}`).toBe('ok');
      expect.soft(['ok', 'low', 'high'], `vertex ${v}`).toContain(bp.body?.['backpressure-level']);
    }
  });

  it('dashboard fields - IO metrics of a running job are complete (the vertex table shows them instead of "loading...")', async () => {
    const a = await call('GET', `/jobs/${ids.job}`);
    for (const v of a.body?.vertices ?? []) {
      for (const f of ['read-bytes', 'write-bytes', 'read-records', 'write-records']) expect.soft(v.metrics?.[`${f}-complete`], `${v.name} ${f}`).toBe(true);
    }
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/flamegraph?type=on_cpu|off_cpu|full[&subtaskindex=0] (every vertex)', async () => {
    const key = 'GET /jobs/:jid/vertices/:vid/flamegraph';
    for (const v of ids.vertices) {
      for (const q of ['type=on_cpu', 'type=off_cpu', 'type=full', 'type=on_cpu&subtaskindex=0']) {
        const a = await call('GET', `/jobs/${ids.job}/vertices/${v}/flamegraph?${q}`);
        expect.soft(a.status, `${key}?${q}`).toBe(200);
        const special = [-1, -2, -3].includes(a.body?.endTimestamp);
        // -1/-2/-3: no graph (Flink leaves `data` out); otherwise the graph.
        const fields: Fields = special ? { endTimestamp: 'number', data: 'absent' } : DASHBOARD[key]!;
        expect.soft(violations(a.body, fields, ids.vertices), `${key}?${q} vertex ${v}`).toEqual([]);
      }
    }
  });

  // ---- 3: exceptions, data skew, timeline ----
  it('dashboard fields - GET /jobs/:jid/exceptions?maxExceptions=10 and =20 (Load More), running job', async () => {
    for (const n of [10, 20]) await check('GET /jobs/:jid/exceptions?maxExceptions=10', `/jobs/${ids.job}/exceptions?maxExceptions=${n}`);
  });

  it('dashboard fields - GET /jobs/:jid/exceptions?maxExceptions=10, failed job: entries (Root Exception tab reads entries[0])', async () => {
    await check('GET /jobs/:jid/exceptions?maxExceptions=10', `/jobs/${ids.failed}/exceptions?maxExceptions=10`, { fields: exceptions('array+') });
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=numRecordsIn (data skew; every vertex)', async () => {
    for (const v of ids.vertices) {
      const a = await check('GET /jobs/:jid/vertices/:vid/subtasks/metrics?get=numRecordsIn', `/jobs/${ids.job}/vertices/${v}/subtasks/metrics?get=numRecordsIn`);
      expect.soft(a.body, `vertex ${v}`).toHaveLength(1);
    }
  });

  it('dashboard fields - GET /jobs/:jid/vertices/:vid/subtasktimes (timeline; every vertex)', async () => {
    for (const v of ids.vertices) await check('GET /jobs/:jid/vertices/:vid/subtasktimes', `/jobs/${ids.job}/vertices/${v}/subtasktimes`);
  });

  // ---- 3: checkpoints ----
  it('dashboard fields - GET /jobs/:jid/checkpoints', async () => {
    await check('GET /jobs/:jid/checkpoints', `/jobs/${ids.job}/checkpoints`);
  });

  it('dashboard fields - GET /jobs/:jid/checkpoints/config', async () => {
    await check('GET /jobs/:jid/checkpoints/config', `/jobs/${ids.job}/checkpoints/config`);
  });

  it('dashboard fields - GET /jobs/:jid/checkpoints/details/:cpId and .../subtasks/:vid (a completed checkpoint of the history; every vertex)', async () => {
    const history = (await call('GET', `/jobs/${ids.job}/checkpoints`)).body?.history ?? [];
    const cp = history.find((h: { status: string }) => h.status === 'COMPLETED')?.id;
    expect(typeof cp, 'a COMPLETED checkpoint in the history').toBe('number');
    await check('GET /jobs/:jid/checkpoints/details/:cpId', `/jobs/${ids.job}/checkpoints/details/${cp}`);
    for (const v of ids.vertices) await check('GET /jobs/:jid/checkpoints/details/:cpId/subtasks/:vid', `/jobs/${ids.job}/checkpoints/details/${cp}/subtasks/${v}`);
  });

  // ---- 3: job configuration, history-server-mode calls ----
  it('dashboard fields - GET /jobs/:jid/config', async () => {
    await check('GET /jobs/:jid/config', `/jobs/${ids.job}/config`);
  });

  it('dashboard fields - GET /jobs/:jid/jobmanager/config, /jobmanager/environment, /taskmanagers/:tmId/log-url', async () => {
    await check('GET /jobs/:jid/jobmanager/config', `/jobs/${ids.job}/jobmanager/config`);
    await check('GET /jobs/:jid/jobmanager/environment', `/jobs/${ids.job}/jobmanager/environment`);
    await check('GET /jobs/:jid/taskmanagers/:tmId/log-url', `/jobs/${ids.job}/taskmanagers/${ids.tm}/log-url`);
  });

  // ---- 3: task managers ----
  it('dashboard fields - GET /taskmanagers', async () => {
    await check('GET /taskmanagers', '/taskmanagers');
  });

  it('dashboard fields - GET /taskmanagers/:tmId (a slot allocated to the running job)', async () => {
    const a = await check('GET /taskmanagers/:tmId', `/taskmanagers/${ids.tm}`);
    expect.soft((a.body?.allocatedSlots ?? []).map((s: { jobId: string }) => s.jobId)).toContain(ids.job);
  });

  it('dashboard fields - GET /taskmanagers/:tmId/metrics?get=<the 8 metrics of the metrics tab>', async () => {
    const a = await check('GET /taskmanagers/:tmId/metrics?get=<TM_METRICS>', `/taskmanagers/${ids.tm}/metrics?get=${TM_METRICS.join(',')}`);
    // The heap is real (the sum of the TaskManager's slot threads); the rest has no V8 equivalent.
    expect.soft(missingEntries(a.body, 'id', TM_METRICS)).toEqual(TM_METRICS.filter((m) => !TM_METRICS_PRESENT.includes(m)).map((n) => `no entry with id "${n}"`));
    for (const e of a.body as Array<{ id: string; value: string }>) expect.soft(Number(e.value), e.id).toBeGreaterThan(0);
  });

  it('dashboard fields - GET /taskmanagers/:tmId/logs, /logs/:name and /thread-dump', async () => {
    const a = await check('GET /taskmanagers/:tmId/logs', `/taskmanagers/${ids.tm}/logs`);
    const files = (a.body?.logs ?? []) as Array<{ name: string; size: number; mtime: number }>;
    expect.soft(files.map((f) => f.name)).toEqual([expect.stringMatching(/^miniflink-.+-taskexecutor-\d+-.+\.log$/)]);
    for (const f of files) expect.soft(f.size > 0 && f.mtime > 0, f.name).toBe(true);
    const one = await call('GET', `/taskmanagers/${ids.tm}/logs/${files[0]?.name ?? 'x'}`);
    expect.soft(one.status).toBe(200);
    expect.soft(one.type).toMatch(/^text\/plain/);
    expect.soft(one.text).toContain('org.apache.flink.runtime.taskexecutor.TaskExecutor');
    const none = await call('GET', `/taskmanagers/${ids.tm}/logs/taskmanager.log`);
    expect.soft(none.status).toBe(404);
    expect.soft(violations(none.body, { errors: 'array+', 'errors[]': 'string' }, [])).toEqual([]);
    await check('GET /taskmanagers/:tmId/thread-dump', `/taskmanagers/${ids.tm}/thread-dump`);
  });

  // ---- 3: job manager ----
  it('dashboard fields - GET /jobmanager/config (the JVM memory keys of the metrics page are absent: no JVM)', async () => {
    const a = await check('GET /jobmanager/config', '/jobmanager/config');
    expect.soft(missingEntries(a.body, 'key', JM_MEMORY_KEYS)).toEqual(JM_MEMORY_KEYS.map((k) => `no entry with key "${k}"`));
  });

  it('dashboard fields - GET /jobmanager/metrics (the names, with Status.JVM.GarbageCollector.<name>.Count|Time)', async () => {
    const a = await check('GET /jobmanager/metrics', '/jobmanager/metrics');
    ids.gcMetrics = (Array.isArray(a.body) ? a.body.map((x: { id: string }) => x.id) : []).filter((id: string) => id.includes('Status.JVM.GarbageCollector'));
    expect.soft(ids.gcMetrics.filter((id) => /^Status\.JVM\.GarbageCollector\.[^.]+\.(Count|Time)$/.test(id)).length, 'GC metric ids').toBeGreaterThan(0);
  });

  it('dashboard fields - GET /jobmanager/metrics?get=<the memory metrics and GC ids of the metrics page>', async () => {
    const names = [...JM_METRICS, ...ids.gcMetrics];
    const a = await check('GET /jobmanager/metrics?get=<JM_METRICS + GC ids>', `/jobmanager/metrics?get=${names.join(',')}`);
    // Heap, buffer memory and GC counts are the JobManager thread's own; non-heap, metaspace and mapped memory do not exist in V8.
    expect.soft(missingEntries(a.body, 'id', names)).toEqual(JM_METRICS.filter((m) => !JM_METRICS_PRESENT.includes(m)).map((n) => `no entry with id "${n}"`));
  });

  it('dashboard fields - GET /jobmanager/environment, /jobmanager/logs, /jobmanager/thread-dump', async () => {
    await check('GET /jobmanager/environment', '/jobmanager/environment');
    const a = await check('GET /jobmanager/logs', '/jobmanager/logs');
    const files = (a.body?.logs ?? []) as Array<{ name: string; size: number }>;
    expect.soft(files.map((f) => f.name)).toEqual([expect.stringMatching(/^miniflink-.+-standalonesession-\d+-.+\.log$/)]);
    const one = await call('GET', `/jobmanager/logs/${files[0]?.name ?? 'x'}`);
    expect.soft([one.status, one.text.includes('Received JobGraph submission')]).toEqual([200, true]);
    const none = await call('GET', '/jobmanager/logs/jobmanager.log');
    expect.soft(none.status).toBe(404);
    expect.soft(violations(none.body, { errors: 'array+', 'errors[]': 'string' }, [])).toEqual([]);
    await check('GET /jobmanager/thread-dump', '/jobmanager/thread-dump');
  });

  it.each(TEXTS)('dashboard fields - %s is plain text', async (_call, url) => {
    const a = await call('GET', url());
    expect.soft(a.status, a.text.slice(0, 300)).toBe(200);
    expect.soft(a.type).toMatch(/^text\/plain/);
  });

  it.each(ERRORS)("dashboard fields - %s answers Flink's error", async (_call, method, url, status) => {
    const a = await call(method, url(), method === 'POST' ? { mode: 'ITIMER', duration: 30 } : undefined);
    expect.soft(a.status).toBe(status);
    expect.soft(a.type).toMatch(/^application\/json/);
    expect.soft(violations(a.body, { errors: 'array+', 'errors[]': 'string' }, [])).toEqual([]);
  });

  // ---- 3: submit new job, as the page does it ----
  it('dashboard fields - GET /jars, POST /jars/upload (part "jarfile"), GET /jars again', async () => {
    await check('GET /jars', '/jars');
    const form = new FormData();
    form.append('jarfile', new Blob([readFileSync(join(ROOT, 'test/jobs/savepoint-job.ts'))]), 'savepoint-job.ts');
    const up = await fetch(`${base}/jars/upload`, { method: 'POST', body: form });
    expect(up.status, await up.text()).toBe(200);
    const a = await check('GET /jars', '/jars');
    ids.jar = (a.body?.files ?? []).find((f: { name: string }) => f.name === 'savepoint-job.ts')?.id;
    expect(ids.jar, 'the upload listed by GET /jars').toBeDefined();
  });

  const programArgs = () => `${join(root, 'out-submitted')} 5000000 100 run slow`;

  it('dashboard fields - GET /jars/:jarId/plan?parallelism=1&program-args=..', async () => {
    const q = new URLSearchParams({ parallelism: '1', 'program-args': programArgs() });
    await check('GET /jars/:jarId/plan', `/jars/${need(ids.jar, 'uploaded jar')}/plan?${q}`);
  });

  it('dashboard fields - POST /jars/:jarId/run with the query and the body the page sends (nulls, parallelism as a string)', async () => {
    const q = new URLSearchParams({ parallelism: '1', 'program-args': programArgs() });
    const body = { entryClass: null, parallelism: '1', programArgs: programArgs(), savepointPath: null, allowNonRestoredState: null };
    const a = await check('POST /jars/:jarId/run', `/jars/${need(ids.jar, 'uploaded jar')}/run?${q}`, { method: 'POST', body });
    ids.submitted = need(a.body?.jobid, 'the jobid of the run');
    expect(await waitFor('the submitted job RUNNING', async () => (await stateOf(a.body.jobid)) === 'RUNNING')).toBe(true);
  });

  it('dashboard fields - DELETE /jars/:jarId', async () => {
    await check('DELETE /jars/:jarId', `/jars/${need(ids.jar, 'uploaded jar')}`, { method: 'DELETE' });
  });

  // ---- 4: applications (Flink 2.3 wraps every submitted job in an application whose id is the job id) ----
  const applicationOf = async (jobId: string): Promise<string> => (await call('GET', `/jobs/${jobId}`)).body?.['application-id'] ?? jobId;

  it('dashboard fields - GET /applications/overview', async () => {
    const a = await check('GET /applications/overview', '/applications/overview');
    expect.soft((a.body?.applications ?? []).map((x: { id: string }) => x.id), 'an application for the running job').toContain(await applicationOf(ids.job));
  });

  it.each([
    ['running', () => ids.job],
    ['failed', () => ids.failed],
  ])('dashboard fields - GET /applications/:id and /applications/:id/exceptions (%s job)', async (_which, id) => {
    const app = await applicationOf(id());
    await check('GET /applications/:id', `/applications/${app}`);
    await check('GET /applications/:id/exceptions', `/applications/${app}/exceptions`);
  });

  it('dashboard fields - GET /jobs/:jid/rescales/config and /rescales/history', async () => {
    await check('GET /jobs/:jid/rescales/config', `/jobs/${ids.job}/rescales/config`);
    await check('GET /jobs/:jid/rescales/history', `/jobs/${ids.job}/rescales/history`);
  });

  // ---- cancelling, last: POST /applications/:id/cancel (the submitted job), GET yarn-cancel (the first job) ----
  it('dashboard fields - POST /applications/:id/cancel with {} answers 2xx', async () => {
    const a = await call('POST', `/applications/${await applicationOf(need(ids.submitted, 'job submitted through /jars/:jarId/run'))}/cancel`, {});
    expect(a.status, a.text.slice(0, 300)).toBeGreaterThanOrEqual(200);
    expect(a.status, a.text.slice(0, 300)).toBeLessThan(300);
  });

  it('dashboard fields - GET /jobs/:jid/yarn-cancel answers 2xx and cancels', async () => {
    const a = await call('GET', `/jobs/${ids.job}/yarn-cancel`);
    expect(a.status, a.text.slice(0, 300)).toBeGreaterThanOrEqual(200);
    expect(a.status, a.text.slice(0, 300)).toBeLessThan(300);
    expect(await waitFor('the job CANCELED', async () => (await stateOf(ids.job)) === 'CANCELED')).toBe(true);
  });
});
