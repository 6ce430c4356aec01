/**
 * The slot thread's entry (worker side of slot-thread.ts). One slot thread runs the subtasks the
 * JobManager deploys to its slot: for each job attempt it loads the job module once in capture
 * mode, rebuilds the JobGraph, checks it against the JobManager's, and starts the tasks.
 *
 *   parentPort  <-- ToSlot (init, deploy, cancel, release, shutdown)
 *               --> FromSlot (ready, task-state, collect, stdio, deploy-failed)
 *   peer ports  <-> DataMessage (see network/transport.ts)
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { InjectedFailure, MiniFlinkError, serializeError, stackWithCauses } from '../../core/errors.js';
import { loggerFactory, NO_LOGGING, type LoggerFactory } from '../../core/logging.js';
import { RecordBatchCodec } from '../../core/serde.js';
import { slotTmpDir } from '../../core/temp-dirs.js';
import { installNativeGuard } from '../../core/native-guard.js';
import { generateJobGraph, generateStreamGraph, withMaxParallelism } from '../../graph/index.js';
import type { FromSlot, ToSlot } from '../protocol.js';
import { Transport } from '../network/transport.js';
import { captureProgram } from '../program/program-loader.js';
import { StreamTask, type TaskReporter } from './stream-task.js';
import { TaskMetrics } from './task-metrics.js';
import { MetricRegistry } from '../../metrics/index.js';
import { SlotStdio } from './slot-stdio.js';
import { LocalStateStore } from '../../checkpoint/local-recovery.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { collectGarbage, memoryStats, watchGarbageCollection } from '../memory-stats.js';
import { alignmentGroups, subtaskWatermarks, WatermarkTable } from '../watermark-table.js';

if (!parentPort) throw new Error('slot-entry.ts must run in a worker thread');
// Compiled job modules carry inline source maps: user stack traces point at the user's files.
process.setSourceMapsEnabled(true);
const port: MessagePort = parentPort;
const post = (msg: FromSlot, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer ?? []);

watchGarbageCollection();
const stdio = new SlotStdio(post);
stdio.install();

let transport: Transport | undefined;
let slotIndex = -1;
let taskManagerId = '';
/** Tasks by `<jobId>/<attempt>`, then by `<vertexId>/<subtask>`. */
const jobs = new Map<string, Map<string, StreamTask>>();
/** The tasks of this thread that have not ended (their run()). */
const running = new Set<Promise<void>>();
/** Job attempts canceled before their tasks were created. */
const canceled = new Set<string>();
/** Captures run one at a time: the execution context is per thread. */
let captureQueue: Promise<unknown> = Promise.resolve();
const codec = new RecordBatchCodec();
/** Local recovery's copies of the subtasks that ran in this thread (checkpoint/local-recovery.ts). */
const localStore = new LocalStateStore();
/** The thread's metrics (those of the tasks it runs). */
const registry = new MetricRegistry();
/** Flink's `<host>` of the scope formats: every TaskManager runs on this machine. */
const HOST = 'localhost';
/** The TaskManager's loggers in this thread (their lines go to its log); none until init says the cluster logs. */
let loggers: LoggerFactory = NO_LOGGING;
/** Flink's logger names of a TaskManager's lifecycle. */
const TASK_EXECUTOR = 'org.apache.flink.runtime.taskexecutor.TaskExecutor';
const TASK = 'org.apache.flink.runtime.taskmanager.Task';
const ASYNC_CHECKPOINT = 'org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable';
const SUBTASK_CHECKPOINT = 'org.apache.flink.streaming.runtime.tasks.SubtaskCheckpointCoordinatorImpl';

// An error no code caught or handled: a timer or promise a user function left behind (or a job
// module's top-level code, which also runs here in capture). It is reported on stderr, and the tasks
// running in this thread fail with it, so their job fails over as for any task failure (the thread
// lives on; Node would end it). With no task running (top-level code), the slot lives on as it was.
const uncaught = (what: string, e: unknown) => {
  console.error(`Slot thread ${slotIndex}: ${what}: ${(e as Error)?.stack ?? String(e)}`);
  loggers(TASK_EXECUTOR).error('Slot thread {}: {}; the tasks running in it fail.', slotIndex, what, e instanceof Error ? e : new Error(String(e)));
  for (const tasks of jobs.values()) for (const t of tasks.values()) t.fail(e);
};
process.on('unhandledRejection', (e) => uncaught('an error no code handled', e));
process.on('uncaughtException', (e) => uncaught('an exception no code caught', e));

port.on('message', (msg: ToSlot) => {
  switch (msg.type) {
    case 'init': {
      slotIndex = msg.slotIndex;
      taskManagerId = msg.taskManagerId;
      if (msg.stdioPending) stdio.countPendingIn(msg.stdioPending);
      if (msg.nativeGuard) installNativeGuard(new Int32Array(msg.nativeGuard));
      if (msg.logLevels) loggers = loggerFactory(msg.logLevels, (line) => stdio.appendLog(line), `slot-${slotIndex}`);
      loggers(TASK_EXECUTOR).info('Slot {} of TaskManager {} started.', slotIndex, taskManagerId);
      transport = new Transport(msg.slotIndex, new Map(msg.peers));
      // Job modules import 'miniflink', whose entry loads the local executor: load that now, while
      // the cluster starts, rather than when a job deploys.
      void import('../local-executor.js').finally(() => post({ type: 'ready', slotIndex }));
      break;
    }
    case 'deploy':
      void deploy(msg);
      break;
    case 'cancel': {
      const key = `${msg.jobId}/${msg.attempt}`;
      if (msg.tasks) {
        // A region's tasks only: those not created yet are canceled once they are.
        if (jobs.has(key)) loggers(TASK_EXECUTOR).info('Cancelling {} tasks of job {} (attempt #{}) in slot {}: their pipelined region restarts.', msg.tasks.length, msg.jobId, msg.attempt, slotIndex);
        for (const d of msg.tasks) {
          canceled.add(`${key}/${d.vertexId}/${d.subtaskIndex}`);
          jobs.get(key)?.get(`${d.vertexId}/${d.subtaskIndex}`)?.cancel();
        }
        break;
      }
      if (jobs.has(key)) loggers(TASK_EXECUTOR).info('Cancelling the tasks of job {} (attempt #{}) in slot {}.', msg.jobId, msg.attempt, slotIndex);
      canceled.add(key);
      for (const t of jobs.get(key)?.values() ?? []) t.cancel();
      break;
    }
    case 'finish-stopped':
      for (const t of jobs.get(`${msg.jobId}/${msg.attempt}`)?.values() ?? []) t.finishStopped();
      break;
    case 'drain':
      for (const t of jobs.get(`${msg.jobId}/${msg.attempt}`)?.values() ?? []) t.drain();
      break;
    case 'release': {
      const key = `${msg.jobId}/${msg.attempt}`;
      const tasks = jobs.get(key);
      if (msg.tasks && tasks) {
        // A restarted region's tasks only: the attempt's other tasks run on.
        loggers(TASK_EXECUTOR).info('Freeing the resources of {} tasks of job {} (attempt #{}) in slot {}.', msg.tasks.length, msg.jobId, msg.attempt, slotIndex);
        for (const d of msg.tasks) {
          const id = `${d.vertexId}/${d.subtaskIndex}`;
          const t = tasks.get(id);
          if (t) transport?.releaseChannels(t.channelKeys());
          tasks.delete(id);
          canceled.delete(`${key}/${id}`);
        }
        if (tasks.size > 0) break;
      }
      if (jobs.has(key)) loggers(TASK_EXECUTOR).info('Freeing the task resources of job {} (attempt #{}) in slot {}.', msg.jobId, msg.attempt, slotIndex);
      if (msg.jobEnded === true) localStore.discardJob(msg.jobId);
      jobs.delete(key);
      canceled.delete(key);
      for (const c of [...canceled]) if (c.startsWith(`${key}/`)) canceled.delete(c);
      transport?.release(`${key}/`);
      break;
    }
    case 'trigger-checkpoint': {
      const tasks = jobs.get(`${msg.jobId}/${msg.attempt}`);
      for (const d of msg.tasks) tasks?.get(`${d.vertexId}/${d.subtaskIndex}`)?.trigger(msg.checkpointId, msg.timestamp, msg.targetDir, msg.stop, msg.kind);
      break;
    }
    case 'notify-checkpoint':
      if (msg.outcome === 'complete') localStore.confirm(msg.jobId, msg.checkpointId);
      else localStore.abort(msg.jobId, msg.checkpointId);
      for (const t of jobs.get(`${msg.jobId}/${msg.attempt}`)?.values() ?? []) void t.notify(msg.checkpointId, msg.outcome, msg.final);
      break;
    case 'metric-dump': {
      const dumps = [];
      for (const tasks of jobs.values()) for (const t of tasks.values()) if (t.metrics) dumps.push(...t.metrics.dump());
      post({ type: 'metric-dump', requestId: msg.requestId, dumps });
      break;
    }
    case 'memory-stats':
      if (msg.collectGarbage === true) collectGarbage();
      post({ type: 'memory-stats', requestId: msg.requestId, stats: memoryStats() });
      break;
    case 'heartbeat':
      post({ type: 'heartbeat', id: msg.id });
      break;
    case 'peer':
      transport?.replacePeer(msg.slot, msg.port);
      break;
    case 'inject-failure':
      loggers(TASK_EXECUTOR).warn('Injecting a failure into subtask {} of vertex {} of job {}: {}', msg.subtaskIndex, msg.vertexId, msg.jobId, msg.message);
      jobs.get(`${msg.jobId}/${msg.attempt}`)?.get(`${msg.vertexId}/${msg.subtaskIndex}`)?.fail(new InjectedFailure(msg.message));
      break;
    case 'inject-checkpoint-fault':
      jobs.get(`${msg.jobId}/${msg.attempt}`)?.get(`${msg.vertexId}/${msg.subtaskIndex}`)?.injectCheckpointFaults(msg.kind, msg.count);
      break;
    case 'shutdown':
      for (const tasks of jobs.values()) for (const t of tasks.values()) t.cancel();
      localStore.discardAll();
      stdio.flush();
      transport?.close();
      port.close();
      // Once every task ended (its state closed), the thread ends, even if a user function left a
      // timer or a socket behind that would keep it alive (the JobManager would wait for it up to
      // its grace period, and execute() with it). A task that does not end is left to that grace.
      void Promise.allSettled([...running]).then(() => {
        stdio.flush();
        process.exit(0);
      });
      break;
  }
});

function reporter(jobId: string, attempt: number, vertexId: string, subtaskIndex: number, metrics: TaskMetrics | undefined, taskName: string): TaskReporter {
  const ids = { jobId, attempt, vertexId, subtaskIndex };
  // Flink's task log lines, on the task's thread: `<name> (i/p)#attempt switched from A to B.`
  const task = loggers(TASK, taskName);
  let was = 'DEPLOYING';
  return {
    state: (state, extra) => {
      if (state === 'FAILED') task.warn('{} switched from {} to FAILED with failure cause:\n{}', taskName, was, stackWithCauses(extra?.error));
      else task.info('{} switched from {} to {}.', taskName, was, state);
      was = state;
      if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') {
        stdio.flush();
        // The task's last values go with its end; then its metrics leave the registry.
        if (metrics) {
          metrics.idle.update();
          metrics.backPressured.update();
          const dumps = metrics.dump();
          metrics.close();
          post({ type: 'task-state', ...ids, state, ...extra, metrics: dumps });
          return;
        }
      }
      post({ type: 'task-state', ...ids, state, ...extra });
    },
    ack: (checkpointId, handles, syncMs, asyncMs, alignmentMs, startDelayMs, data) => {
      loggers(SUBTASK_CHECKPOINT, taskName).debug('{} - finished synchronous part of checkpoint {}. Alignment duration: {} ms, synchronous duration: {} ms', taskName, checkpointId, Math.round(alignmentMs), Math.round(syncMs));
      loggers(ASYNC_CHECKPOINT, taskName).debug(
        '{} - finished asynchronous part of checkpoint {}. Asynchronous duration: {} ms, state size: {} bytes',
        taskName,
        checkpointId,
        Math.round(asyncMs),
        handles.reduce((n, h) => n + h.size, 0),
      );
      post({ type: 'checkpoint-ack', ...ids, checkpointId, handles, syncMs, asyncMs, alignmentMs, startDelayMs, ...data });
    },
    decline: (checkpointId, error, counts) => {
      loggers(SUBTASK_CHECKPOINT, taskName).info('{} - declining checkpoint {}: {}', taskName, checkpointId, `${error.name}: ${error.message}`);
      post({ type: 'checkpoint-decline', ...ids, checkpointId, error, counts });
    },
    inputEnded: () => post({ type: 'input-ended', ...ids }),
    restored: (checkpointId, local, remote, durationMs) => post({ type: 'restored', ...ids, checkpointId, local, remote, durationMs }),
  };
}

async function deploy(msg: Extract<ToSlot, { type: 'deploy' }>): Promise<void> {
  const key = `${msg.jobId}/${msg.attempt}`;
  const tasks = new Map<string, StreamTask>();
  jobs.set(key, tasks);
  transport?.deployed(msg.jobId, msg.attempt, msg.liveAttempts ?? []);
  try {
    const capture = captureQueue.then(() => captureProgram(msg.program, `${msg.jobId}-${msg.attempt}-${slotIndex}`));
    captureQueue = capture.catch(() => {});
    const pipeline = await capture;
    const job = withMaxParallelism(generateJobGraph(generateStreamGraph(pipeline.env, pipeline.jobName)), msg.program.restoredMaxParallelism);
    if (job.fingerprint !== msg.fingerprint) {
      throw new MiniFlinkError(
        'MF_ERR_GRAPH_MISMATCH',
        `The job module ${msg.program.path} built a different job graph in slot thread ${slotIndex} than in the submitting process ` +
          `(expected fingerprint ${msg.fingerprint}, found ${job.fingerprint}; vertices here: ${job.vertices.map((v) => `'${v.name}' (${v.id}, p=${v.parallelism})`).join(', ')}). ` +
          'A job module must build the same graph for the same arguments: do not branch on randomness, time or the environment.',
      );
    }
    const table = msg.watermarks ? new WatermarkTable(msg.watermarks, job) : undefined;
    const groups = table ? alignmentGroups(job, pipeline.env.transformations, table) : undefined;
    const metricsOn = msg.program.configuration?.['metrics.enabled'] !== 'false';
    const local = localStateOf(msg);
    for (const d of msg.tasks) {
      const vertex = job.vertices.find((v) => v.id === d.vertexId);
      if (!vertex) throw new MiniFlinkError('MF_ERR_GRAPH_MISMATCH', `Vertex ${d.vertexId} is not in the job graph built by slot thread ${slotIndex}`);
      // Flink's name of the task's thread: `<name> (i/p)#attempt`.
      const threadName = `${vertex.name} (${d.subtaskIndex + 1}/${vertex.parallelism})#${msg.attempt}`;
      loggers(TASK_EXECUTOR).info('Received task {}, deploy into slot {} of TaskManager {}.', threadName, slotIndex, taskManagerId);
      const metrics = metricsOn
        ? new TaskMetrics(
            registry,
            { host: HOST, tmId: taskManagerId, jobId: msg.jobId, jobName: job.jobName, vertexId: vertex.id, taskName: vertex.name, subtaskIndex: d.subtaskIndex, attempt: msg.attempt },
            vertex.operators.map((o) => ({ id: o.operatorId, name: o.name })),
          )
        : undefined;
      const task = new StreamTask(
        {
          job,
          vertex,
          env: pipeline.env,
          jobId: msg.jobId,
          attempt: msg.attempt,
          subtaskIndex: d.subtaskIndex,
          placement: msg.placement,
          transport: transport!,
          objectReuse: msg.objectReuse,
          bufferTimeout: msg.bufferTimeout,
          localByReference: msg.localByReference,
          checkpointing: msg.checkpointing,
          stateBackend: msg.checkpointing.stateBackend,
          // Per slot thread: the cluster removes it when the thread dies (a kill leaves no LevelDB behind).
          tmpDir: slotTmpDir(taskManagerId, slotIndex),
          restore: msg.restore,
          ...(local ? { localState: local } : {}),
          watermarks: table ? subtaskWatermarks(table, d.vertexId, d.subtaskIndex, groups!) : undefined,
          metrics,
          loggers: (name) => loggers(name, threadName),
          now: () => Date.now(),
          sendCollected: (collectId, records, epoch) => {
            const bytes = codec.encode(records);
            post({ type: 'collect', jobId: msg.jobId, attempt: msg.attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, collectId, epoch, bytes }, [bytes.buffer as ArrayBuffer]);
          },
        },
        reporter(msg.jobId, msg.attempt, d.vertexId, d.subtaskIndex, metrics, threadName),
      );
      tasks.set(`${d.vertexId}/${d.subtaskIndex}`, task);
    }
    if (canceled.has(key)) for (const t of tasks.values()) t.cancel();
    else for (const [id, t] of tasks) if (canceled.has(`${key}/${id}`)) t.cancel();
    for (const t of tasks.values()) {
      const run = t.run();
      running.add(run);
      void run.finally(() => running.delete(run));
    }
  } catch (e) {
    loggers(TASK_EXECUTOR).error('Could not deploy the tasks of job {} (attempt #{}) in slot {}.', msg.jobId, msg.attempt, slotIndex, e);
    stdio.flush();
    post({ type: 'deploy-failed', jobId: msg.jobId, attempt: msg.attempt, error: serializeError(e) });
  }
}

/**
 * Local recovery's store and root for a deployment (none when the job has local recovery off):
 * LevelDB copies go under `<dir>/localState/<tm>-slot<n>` of the configured directories (taken in
 * turn by slot), else under the slot thread's temporary directory. A job this thread keeps no
 * copies of has none on disk either: what a lost thread of this slot left there goes.
 */
function localStateOf(msg: Extract<ToSlot, { type: 'deploy' }>): { store: LocalStateStore; root: string } | undefined {
  const settings = msg.checkpointing.localRecovery;
  if (!settings) return undefined;
  const { dirs } = settings;
  const root = dirs.length > 0 ? join(dirs[slotIndex % dirs.length]!, 'localState', `${taskManagerId}-slot${slotIndex}`) : join(slotTmpDir(taskManagerId, slotIndex), 'localState');
  if (!localStore.hasJob(msg.jobId)) rmSync(join(root, `jid_${msg.jobId}`), { recursive: true, force: true });
  return { store: localStore, root };
}
