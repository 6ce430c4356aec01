/**
 * The checkpoint coordinator of one job (Flink's CheckpointCoordinator, kept small): triggers
 * checkpoints, collects acknowledgements, completes a checkpoint by writing `_metadata` last, tells
 * the tasks, and subsumes old checkpoints. It reaches the tasks through a gateway the runtime
 * implements.
 */
import { NOOP_LOGGER, type Logger } from '../core/logging.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MiniFlinkError, type SerializedError } from '../core/errors.js';
import type { JobGraph } from '../graph/index.js';
import { qualify, savepointDirName, unqualify, writeMetadata, type CheckpointMetadata, type OperatorEntry, type StateHandle } from './metadata.js';
import type { CheckpointSettings } from './settings.js';

/** A subtask, as the coordinator names it. */
export interface TaskRef {
  readonly vertexId: string;
  readonly subtaskIndex: number;
}

/** How the coordinator reaches the tasks of the current attempt. */
export interface CheckpointTaskGateway {
  /** Whether every task is running (Flink does not start a checkpoint before that). */
  allRunning(): boolean;
  /** Tasks to trigger directly: running sources and tasks whose input ended. */
  tasksToTrigger(): TaskRef[];
  /** Every task that must acknowledge. */
  allTasks(): TaskRef[];
  /** Sends the trigger. */
  trigger(checkpointId: number, timestamp: number, kind: 'checkpoint' | 'savepoint', targetDir: string | undefined, tasks: TaskRef[], stop: boolean): void;
  /** Whether every task's input has ended (a checkpoint triggered then is the job's final one). */
  allInputEnded(): boolean;
  /** Tells every task a checkpoint's outcome; `final`: taken after every task's input ended. */
  notify(checkpointId: number, outcome: 'complete' | 'aborted', final: boolean): void;
  /** Fails the job (too many failed checkpoints). */
  failJob(error: SerializedError): void;
}

/** A completed checkpoint or savepoint. */
export interface CompletedCheckpoint {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly timestamp: number;
  readonly completedAt: number;
  /** Where it is (`file:/...`), or undefined in JobManager memory. */
  readonly externalPath: string | undefined;
  /** Its directory on disk, if any. */
  readonly dir: string | undefined;
  readonly metadata: CheckpointMetadata;
  /** Stored (compressed) size of all state, bytes. */
  readonly stateSize: number;
  /** Size before compression, bytes. */
  readonly rawSize: number;
  /** Longest synchronous part of any task, ms. */
  readonly syncMs: number;
  /** Longest asynchronous part of any task, ms. */
  readonly asyncMs: number;
  /** Longest barrier alignment of any task, ms. */
  readonly alignmentMs: number;
  /** From trigger to completion, ms. */
  readonly durationMs: number;
  /** Each subtask's acknowledgement, by vertex id (statistics: Flink's subtask checkpoint details). */
  readonly subtasks?: Readonly<Record<string, readonly SubtaskCheckpointStats[]>>;
}

/** What one subtask's acknowledgement of a checkpoint tells (Flink's SubtaskCheckpointStatistics). */
export interface SubtaskCheckpointStats {
  readonly subtaskIndex: number;
  /** When the JobManager received the acknowledgement. */
  readonly ackTimestamp: number;
  /** Stored size of the subtask's state, bytes. */
  readonly stateSize: number;
  readonly syncMs: number;
  readonly asyncMs: number;
  /** From its first barrier to its last (0 for a source or one input channel's barrier), ms. */
  readonly alignmentMs: number;
  /** From the trigger to its first barrier, ms. */
  readonly startDelayMs: number;
  /** Bytes of input processed from its first barrier to its last (Flink's processed_data). */
  readonly processedBytes: number;
  /** Bytes of in-flight data stored (Flink's persisted_data: an unaligned checkpoint's channel state). */
  readonly persistedBytes: number;
  /** Whether its checkpoint was unaligned. */
  readonly unaligned: boolean;
}

/** A subtask's durations as it reports them. */
export interface AckTimes {
  readonly sync: number;
  readonly async: number;
  readonly alignment: number;
  readonly startDelay?: number;
  readonly processedBytes?: number;
  readonly persistedBytes?: number;
  readonly unaligned?: boolean;
}

/** What the statistics keep of a completed checkpoint or savepoint: everything but its state. */
export type CheckpointStatistics = Omit<CompletedCheckpoint, 'metadata'>;

/** What the statistics' summary keeps of each completed checkpoint or savepoint. */
export interface CompletedFigures {
  readonly kind: 'checkpoint' | 'savepoint';
  readonly stateSize: number;
  readonly durationMs: number;
  readonly processedBytes: number;
  readonly persistedBytes: number;
}

/** Acknowledgements of a checkpoint by vertex id, as far as the sums below read them. */
export type AcknowledgedSubtasks = Readonly<Record<string, ReadonlyArray<Partial<Pick<SubtaskCheckpointStats, 'stateSize' | 'processedBytes' | 'persistedBytes'>>>>>;

/**
 * Over every subtask that acknowledged a checkpoint: the state it stored, the bytes it processed
 * during alignment and the in-flight bytes it persisted (Flink's state_size, processed_data and
 * persisted_data).
 */
export function acknowledgedTotals(subtasks: AcknowledgedSubtasks | undefined): { stateSize: number; processedBytes: number; persistedBytes: number } {
  let stateSize = 0;
  let processedBytes = 0;
  let persistedBytes = 0;
  for (const acks of Object.values(subtasks ?? {})) {
    for (const a of acks) {
      stateSize += a.stateSize ?? 0;
      processedBytes += a.processedBytes ?? 0;
      persistedBytes += a.persistedBytes ?? 0;
    }
  }
  return { stateSize, processedBytes, persistedBytes };
}

/** How many completed checkpoints the summary covers at most (Flink's StatsSummary histogram window). */
const SUMMARY_WINDOW = 10_000;

/** Counters and recent history, for statistics. */
export interface CheckpointCounts {
  completed: number;
  failed: number;
  restored: number;
}

interface Pending {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly timestamp: number;
  readonly dir: string | undefined;
  readonly needed: Set<string>;
  readonly handles: StateHandle[];
  /** Triggered after every task's input ended: its completion lets the tasks finish. */
  readonly final: boolean;
  /** A stop-with-savepoint's savepoint: sources emit nothing after its barrier. */
  readonly stop: boolean;
  /**
   * A checkpoint, or a synchronous savepoint (of a stop, a drain or a rescale): its completion
   * subsumes older pending checkpoints and is told to the tasks (2PC sinks commit). An
   * intermediate savepoint does neither (Flink 1.15+, FLINK-25191).
   */
  readonly notifies: boolean;
  readonly times: { sync: number; async: number; alignment: number };
  /** Acknowledgements so far, by vertex id. */
  readonly acks: Map<string, SubtaskCheckpointStats[]>;
  readonly timer: NodeJS.Timeout;
  readonly done: { resolve: (c: CompletedCheckpoint) => void; reject: (e: Error) => void };
}

const key = (t: TaskRef) => `${t.vertexId}/${t.subtaskIndex}`;

/** How often a checkpoint waiting for the concurrency limit looks again (ms). */
const POLL_MS = 10;

/** The coordinator. */
export class CheckpointCoordinator {
  private nextId: number;
  private readonly pending = new Map<number, Pending>();
  /** Retained completed checkpoints, oldest first (savepoints are not kept here). */
  private readonly completed: CompletedCheckpoint[] = [];
  /**
   * The last completed checkpoints and savepoints, for statistics (Flink's web.checkpoints.history:
   * 10): statistics only, never their state (without a checkpoint directory all state is inline).
   */
  readonly history: CheckpointStatistics[] = [];
  /**
   * The latest completed checkpoint: what a restart restores. Never a savepoint: since Flink 1.15
   * (FLINK-25191) savepoints are not in the completed checkpoint store.
   */
  latest: CompletedCheckpoint | undefined;
  /**
   * The figures of every completed checkpoint and savepoint, up to the last SUMMARY_WINDOW (Flink's
   * StatsSummary: the summary covers all of them, not the history's last 10).
   */
  readonly summary: CompletedFigures[] = [];
  /** The latest completed checkpoint and savepoint, however long ago (Flink's latest.savepoint stays). */
  readonly latestOf: { checkpoint?: CheckpointStatistics; savepoint?: CheckpointStatistics } = {};
  readonly counts: CheckpointCounts = { completed: 0, failed: 0, restored: 0 };
  /** The last failed checkpoints and savepoints (counted as failures), for statistics. */
  readonly failedHistory: Array<{
    id: number;
    kind: 'checkpoint' | 'savepoint';
    timestamp: number;
    failedAt: number;
    message: string;
    acknowledged: number;
    total: number;
    /** The acknowledgements it had, by vertex id. */
    subtasks: Readonly<Record<string, readonly SubtaskCheckpointStats[]>>;
  }> = [];
  private consecutiveFailures = 0;
  private periodic: NodeJS.Timeout | undefined;
  private lastCompletedAt = 0;
  private stopped = false;

  constructor(
    private readonly jobId: string,
    private job: JobGraph,
    /** uid and name of every operator, by operator id. */
    private operators: ReadonlyMap<string, { uid: string | undefined; name: string }>,
    readonly settings: CheckpointSettings,
    private readonly gateway: CheckpointTaskGateway,
    /** Id of the checkpoint the job was restored from (0: none). */
    restoredFrom = 0,
    /** Flink's CheckpointCoordinator log lines. */
    private readonly log: Logger = NOOP_LOGGER,
  ) {
    this.nextId = restoredFrom + 1;
  }

  /** The job's checkpoint directory (`<dir>/<jobId>`), if checkpoints go to disk. */
  get jobDir(): string | undefined {
    return this.settings.dir === undefined ? undefined : join(this.settings.dir, this.jobId);
  }

  /** Starts periodic checkpoints (when an interval is set). */
  startPeriodic(): void {
    if (this.settings.interval === undefined || this.periodic || this.stopped) return;
    const tick = () => {
      this.periodic = setTimeout(() => {
        if (this.untilNextCheckpoint() === 0 && !this.stopped) {
          this.trigger('checkpoint', undefined).catch(() => {});
        }
        tick();
      }, this.settings.interval);
    };
    tick();
  }

  /**
   * How long until a checkpoint may start (0: now): the minimum pause after the last completed one,
   * the concurrency limit and, unaligned, a pending savepoint (while so: POLL_MS, to look again). A minimum pause means one
   * checkpoint at a time, as in Flink, whatever max-concurrent says: else a checkpoint started in
   * the pause while another ran, and tasks whose snapshots outlast the interval went from one
   * barrier to the next with no time for records.
   */
  untilNextCheckpoint(): number {
    const concurrent = [...this.pending.values()].filter((p) => p.kind === 'checkpoint').length;
    const maxConcurrent = this.settings.minPause > 0 ? 1 : this.settings.maxConcurrent;
    if (concurrent >= maxConcurrent) return POLL_MS;
    // An unaligned checkpoint's barriers would overtake a pending savepoint's (always aligned),
    // which the tasks then could not take: none starts until the savepoint is done.
    if (this.settings.unaligned && [...this.pending.values()].some((p) => p.kind === 'savepoint')) return POLL_MS;
    return Math.max(0, this.lastCompletedAt + this.settings.minPause - Date.now());
  }

  /** Stops periodic triggering. */
  stopPeriodic(): void {
    if (this.periodic) clearTimeout(this.periodic);
    this.periodic = undefined;
  }

  /**
   * The job was rescaled: its new graph (checkpoint ids, history and retained checkpoints go on).
   * Checkpoints of the old graph are no restart point for the new one: until one of its own
   * completes, it restarts from the rescale's savepoint it was restored from (as Flink adds the
   * snapshot a job restores to its store).
   */
  rescaled(job: JobGraph, operators: ReadonlyMap<string, { uid: string | undefined; name: string }>): void {
    this.abortAll('The job was rescaled', false);
    this.job = job;
    this.operators = operators;
    this.latest = undefined;
    this.stopped = false;
  }

  /**
   * A stop failed after its savepoint completed (a task failed while the tasks were finishing):
   * checkpoints go on with the recovered job, whose restart point is that savepoint (its sinks
   * committed up to it, as a synchronous savepoint notifies them) until a newer checkpoint completes.
   */
  resumeAfterFailedStop(savepoint: CompletedCheckpoint): void {
    this.stopped = false;
    if (savepoint.id > (this.latest?.id ?? 0)) this.latest = savepoint;
  }

  /** Stops everything: no more triggers, pending checkpoints aborted. */
  shutdown(reason: string): void {
    this.stopped = true;
    this.stopPeriodic();
    this.abortAll(reason, false);
  }

  /**
   * Triggers a checkpoint (or a savepoint into `targetDir`). Resolves when it completes; rejects
   * when it is aborted. `stop`: the savepoint of a stop or rescale: sources emit nothing after its
   * barrier. `synchronous`: a savepoint that ends the job's run (stop, drain, rescale), whose
   * completion is told to the tasks as a checkpoint's is (Flink's synchronous savepoint).
   */
  trigger(kind: 'checkpoint' | 'savepoint', targetDir: string | undefined, stop = false, synchronous = stop): Promise<CompletedCheckpoint> {
    if (this.stopped) return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'The job is not running: no checkpoint can be taken'));
    if (!this.gateway.allRunning()) return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'Not all tasks of the job are running yet: the checkpoint was not started'));
    const id = this.nextId++;
    const timestamp = Date.now();
    let dir: string | undefined;
    if (kind === 'savepoint') {
      const base = targetDir !== undefined ? unqualify(targetDir) : this.settings.savepointDir;
      if (base === undefined) return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'No savepoint directory: give one, or set execution.checkpointing.savepoint-dir (state.savepoints.dir)'));
      dir = join(base, savepointDirName(this.jobId));
    } else if (this.jobDir !== undefined) dir = join(this.jobDir, `chk-${id}`);
    if (dir !== undefined) {
      // A directory that cannot be made (a file in the way, a name too long, a NUL byte) fails
      // this checkpoint now, with the reason, instead of later in a task or the JobManager.
      try {
        mkdirSync(dir, { recursive: true });
      } catch (e) {
        this.nextId--;
        return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Cannot create the ${kind} directory ${dir}: ${(e as Error).message}`));
      }
    }
    return new Promise<CompletedCheckpoint>((resolve, reject) => {
      const timer = setTimeout(() => this.abort(id, `Checkpoint expired before completing (timeout ${this.settings.timeout} ms)`, true), this.settings.timeout);
      const notifies = kind === 'checkpoint' || synchronous;
      const p: Pending = { id, kind, timestamp, dir, needed: new Set(this.gateway.allTasks().map(key)), handles: [], final: this.gateway.allInputEnded(), stop, notifies, times: { sync: 0, async: 0, alignment: 0 }, acks: new Map(), timer, done: { resolve, reject } };
      this.pending.set(id, p);
      this.log.info('Triggering {} {} (type={}) @ {} for job {}.', kind, id, kind === 'checkpoint' ? 'CHECKPOINT' : synchronous ? 'SYNC_SAVEPOINT' : 'SAVEPOINT', timestamp, this.jobId);
      this.gateway.trigger(id, timestamp, kind, dir, this.gateway.tasksToTrigger(), stop);
    });
  }

  /** A task whose input ended owes acknowledgements for pending checkpoints: trigger it directly. */
  onTaskInputEnded(task: TaskRef): void {
    for (const p of this.pending.values()) if (p.needed.has(key(task))) this.gateway.trigger(p.id, p.timestamp, p.kind, p.dir, [task], p.stop);
  }

  /** A task acknowledged, with the durations of its parts. */
  acknowledge(checkpointId: number, task: TaskRef, handles: readonly StateHandle[], times: AckTimes = { sync: 0, async: 0, alignment: 0 }): void {
    const p = this.pending.get(checkpointId);
    if (!p || !p.needed.delete(key(task))) return;
    p.handles.push(...handles);
    let acks = p.acks.get(task.vertexId);
    if (!acks) p.acks.set(task.vertexId, (acks = []));
    acks.push({
      subtaskIndex: task.subtaskIndex,
      ackTimestamp: Date.now(),
      stateSize: handles.reduce((n, h) => n + h.size, 0),
      syncMs: times.sync,
      asyncMs: times.async,
      alignmentMs: times.alignment,
      startDelayMs: times.startDelay ?? 0,
      processedBytes: times.processedBytes ?? 0,
      persistedBytes: times.persistedBytes ?? 0,
      unaligned: times.unaligned ?? false,
    });
    p.times.sync = Math.max(p.times.sync, times.sync);
    p.times.async = Math.max(p.times.async, times.async);
    p.times.alignment = Math.max(p.times.alignment, times.alignment);
    if (p.needed.size === 0) this.complete(p);
  }

  /** A task declined; `counts` says whether it counts toward the tolerable failures. */
  decline(checkpointId: number, task: TaskRef, error: SerializedError, counts: boolean): void {
    if (!this.pending.has(checkpointId)) return;
    this.log.info('Decline checkpoint {} by task {} ({}) of job {}: {}', checkpointId, task.vertexId, task.subtaskIndex, this.jobId, error.message);
    this.abort(checkpointId, `Task ${task.vertexId} (${task.subtaskIndex}) declined checkpoint ${checkpointId}: ${error.message}`, counts);
  }

  private complete(p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(p.id);
    const operators: OperatorEntry[] = [];
    for (const v of this.job.vertices) {
      for (const op of v.operators) {
        const info = this.operators.get(op.operatorId);
        operators.push({
          operatorId: op.operatorId,
          uid: info?.uid,
          name: info?.name ?? op.name,
          parallelism: v.parallelism,
          maxParallelism: v.maxParallelism,
          handles: p.handles.filter((h) => h.operatorId === op.operatorId),
        });
      }
    }
    const metadata: CheckpointMetadata = { version: 1, jobId: this.jobId, checkpointId: p.id, timestamp: p.timestamp, kind: p.kind, operators };
    try {
      if (p.dir !== undefined) writeMetadata(p.dir, metadata);
    } catch (e) {
      this.fail(p, `Could not write the checkpoint's metadata: ${(e as Error).message}`, true);
      return;
    }
    const done: CompletedCheckpoint = {
      id: p.id,
      kind: p.kind,
      timestamp: p.timestamp,
      completedAt: Date.now(),
      externalPath: p.dir !== undefined ? qualify(p.dir) : undefined,
      dir: p.dir,
      metadata,
      stateSize: p.handles.reduce((a, h) => a + h.size, 0),
      rawSize: p.handles.reduce((a, h) => a + h.rawSize, 0),
      syncMs: p.times.sync,
      asyncMs: p.times.async,
      alignmentMs: p.times.alignment,
      durationMs: Date.now() - p.timestamp,
      subtasks: Object.fromEntries([...p.acks].map(([v, acks]) => [v, [...acks].sort((a, b) => a.subtaskIndex - b.subtaskIndex)])),
    };
    this.counts.completed++;
    this.log.info(
      'Completed {} {} for job {} ({} bytes, checkpointDuration={} ms, finalizationTime={} ms){}.',
      p.kind,
      p.id,
      this.jobId,
      done.stateSize,
      done.durationMs,
      Math.max(0, Date.now() - done.completedAt),
      done.externalPath !== undefined ? ` at ${done.externalPath}` : '',
    );
    this.consecutiveFailures = 0;
    this.lastCompletedAt = done.completedAt;
    const { metadata: _state, ...statistics } = done;
    this.history.push(statistics);
    if (this.history.length > 10) this.history.shift();
    this.latestOf[p.kind] = statistics;
    const { processedBytes, persistedBytes } = acknowledgedTotals(statistics.subtasks);
    this.summary.push({ kind: p.kind, stateSize: done.stateSize, durationMs: done.durationMs, processedBytes, persistedBytes });
    if (this.summary.length > SUMMARY_WINDOW) this.summary.shift();
    // Only checkpoints are restart points and retained (savepoints are never, as Flink's store).
    if (p.kind === 'checkpoint') {
      this.latest = done;
      this.completed.push(done);
      while (this.completed.length > this.settings.numRetained) {
        const old = this.completed.shift()!;
        if (old.dir !== undefined) removeDir(old.dir);
      }
    }
    if (p.notifies) {
      // Older pending checkpoints are subsumed by this one.
      for (const older of [...this.pending.values()]) if (older.id < p.id && older.kind === 'checkpoint') this.abort(older.id, `Checkpoint ${older.id} was subsumed by ${p.id}`, false);
      // Final only when every task's input had ended at the trigger: only then does every task's
      // snapshot hold all it did (a checkpoint triggered earlier misses what came after its barrier).
      this.gateway.notify(p.id, 'complete', p.final);
    }
    p.done.resolve(done);
  }

  private abort(id: number, reason: string, countAsFailure: boolean): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.fail(p, reason, countAsFailure);
  }

  private fail(p: Pending, reason: string, countAsFailure: boolean): void {
    clearTimeout(p.timer);
    this.pending.delete(p.id);
    if (p.dir !== undefined && p.kind === 'checkpoint') removeDir(p.dir);
    if (p.kind === 'savepoint' && p.dir !== undefined) removeDir(p.dir);
    this.gateway.notify(p.id, 'aborted', false);
    p.done.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', reason));
    // Every checkpoint that did not complete is a failed one in the statistics, as Flink's
    // PendingCheckpoint.abort reports it (aborted by a failover, subsumed, or at the job's end);
    // only declines, expiries and write errors count towards the tolerable failures.
    this.counts.failed++;
    if (countAsFailure) this.log.warn('Failed to complete {} {} for job {} ({} consecutive failed attempts so far): {}', p.kind, p.id, this.jobId, p.kind === 'checkpoint' ? this.consecutiveFailures + 1 : this.consecutiveFailures, reason);
    else this.log.info('{} {} of job {} was aborted: {}', p.kind === 'checkpoint' ? 'Checkpoint' : 'Savepoint', p.id, this.jobId, reason);
    const total = this.gateway.allTasks().length;
    this.failedHistory.push({ id: p.id, kind: p.kind, timestamp: p.timestamp, failedAt: Date.now(), message: reason, acknowledged: total - p.needed.size, total, subtasks: Object.fromEntries(p.acks) });
    if (this.failedHistory.length > 10) this.failedHistory.shift();
    if (countAsFailure && !this.stopped) {
      if (p.kind === 'checkpoint' && ++this.consecutiveFailures > this.settings.tolerableFailures) {
        // The count starts again (Flink's CheckpointFailureManager clears it before failing the job):
        // after the failover's restart the job tolerates as many failures again.
        this.consecutiveFailures = 0;
        this.gateway.failJob({ name: 'FlinkRuntimeException', message: `Exceeded checkpoint tolerable failure threshold. The latest checkpoint failed due to: ${reason}` });
      }
    }
  }

  /** Aborts every pending checkpoint (a failure or restart of the job). */
  abortAll(reason: string, countAsFailure: boolean): void {
    for (const id of [...this.pending.keys()]) this.abort(id, reason, countAsFailure);
  }

  /**
   * Applies the retention policy when the job ends (Flink's CheckpointProperties: a retained
   * checkpoint survives a suspension whichever way it is retained).
   */
  onJobEnd(status: 'FINISHED' | 'CANCELED' | 'FAILED' | 'SUSPENDED'): void {
    this.shutdown(`The job ended (${status})`);
    const r = this.settings.retention;
    const keep = (status === 'CANCELED' && r === 'RETAIN_ON_CANCELLATION') || (status === 'FAILED' && r !== 'NO_EXTERNALIZED_CHECKPOINTS') || (status === 'SUSPENDED' && r !== 'NO_EXTERNALIZED_CHECKPOINTS');
    if (!keep && this.jobDir !== undefined) removeDir(this.jobDir);
  }

  /** The acknowledgements so far of a checkpoint in progress, by vertex id (undefined: not in progress). */
  pendingAcks(id: number): Readonly<Record<string, readonly SubtaskCheckpointStats[]>> | undefined {
    const p = this.pending.get(id);
    return p ? Object.fromEntries(p.acks) : undefined;
  }

  /** The checkpoints in progress: id, kind, trigger time and how many tasks acknowledged. */
  inProgress(): Array<{ id: number; kind: 'checkpoint' | 'savepoint'; timestamp: number; acknowledged: number; total: number }> {
    const total = this.gateway.allTasks().length;
    return [...this.pending.values()].map((p) => ({ id: p.id, kind: p.kind, timestamp: p.timestamp, acknowledged: total - p.needed.size, total }));
  }

  /** Whether a checkpoint is in progress. */
  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * CLAIM mode: the snapshot the job was restored from becomes this job's own oldest retained
   * checkpoint, so it is deleted once newer checkpoints subsume it.
   */
  adopt(dir: string, checkpointId: number): void {
    this.completed.unshift({ id: checkpointId, kind: 'checkpoint', timestamp: 0, completedAt: 0, externalPath: qualify(dir), dir, metadata: { version: 1, jobId: this.jobId, checkpointId, timestamp: 0, kind: 'checkpoint', operators: [] }, stateSize: 0, rawSize: 0, syncMs: 0, asyncMs: 0, alignmentMs: 0, durationMs: 0 });
  }

  /** Retained checkpoints, oldest first. */
  retained(): readonly CompletedCheckpoint[] {
    return this.completed;
  }
}

/** Deletes a checkpoint directory; a failure to delete is reported, never thrown (the JobManager must go on). */
function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    console.warn(`Could not delete ${dir}: ${(e as Error).message}`);
  }
}
