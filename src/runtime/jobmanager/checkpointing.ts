/**
 * The checkpoint glue of one job, between the JobMaster and its CheckpointCoordinator (what
 * Flink's scheduler and ExecutionGraph do for the coordinator): the coordinator's view of the
 * subtasks, acknowledgements and declines from slot threads, completions and aborts told to the
 * tasks, the job's final checkpoint (Flink's FLIP-147), and what each attempt restores.
 */
import { CheckpointCoordinator, type CompletedCheckpoint, type StateHandle } from '../../checkpoint/index.js';
import { MiniFlinkError, type SerializedError } from '../../core/errors.js';
import type { FromSlot, RestoreSpec } from '../protocol.js';
import type { JobContext, JobSubmission } from './job-context.js';
import type { Scheduler } from './scheduler.js';

/** What the glue asks of the JobMaster. */
export interface CheckpointHooks {
  /** Checkpoint `id` completed: records collected before its barrier are final. */
  completed(checkpointId: number): void;
  /** Too many checkpoints failed: the job fails. */
  failJob(error: SerializedError): void;
  /** Whether the final checkpoint may be taken (the job runs, and no stop or rescale is under way). */
  mayTakeFinal(): boolean;
}

/** The checkpoint side of one job. */
export class JobCheckpoints {
  readonly coordinator: CheckpointCoordinator;
  /** What the current attempt restores from (sent with its deployment). */
  restore: RestoreSpec | undefined;
  /**
   * What the job last restored from, and when (Flink's `latest.restored`), with where each
   * restored subtask's state came from (local recovery), by `<vertexId>/<index>`.
   */
  restored: RestoredEntry | undefined;
  /** Set by stop --drain: where the final savepoint goes, and who waits for it. */
  private drain: { dir: string | undefined; savepoint?: CompletedCheckpoint; done: { resolve: (c: CompletedCheckpoint) => void; reject: (e: Error) => void } } | undefined;
  /** The one chain of final-checkpoint attempts: the attempt it runs for, and its retry timer. */
  private final: { attempt: number; retry: NodeJS.Timeout | undefined } | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly scheduler: Scheduler,
    private readonly hooks: CheckpointHooks,
  ) {
    const { submission } = ctx;
    const subtasks = () => [...scheduler.subtasks.values()];
    this.coordinator = new CheckpointCoordinator(
      submission.jobId,
      submission.job,
      submission.operators,
      submission.checkpoints,
      {
        allRunning: () => subtasks().every((s) => s.state === 'RUNNING'),
        tasksToTrigger: () => subtasks().filter((s) => s.state === 'RUNNING' && (s.inputEnded || scheduler.isSource(s.vertexId))).map((s) => ({ vertexId: s.vertexId, subtaskIndex: s.index })),
        allTasks: () => subtasks().map((s) => ({ vertexId: s.vertexId, subtaskIndex: s.index })),
        trigger: (checkpointId, timestamp, kind, targetDir, tasks, stop) => {
          // One message per slot and attempt (subtasks of restarted regions run as a later attempt).
          const byDeployment = new Map<string, { slot: number; attempt: number; tasks: { vertexId: string; subtaskIndex: number }[] }>();
          for (const t of tasks) {
            const { slot, attempt } = scheduler.get(t.vertexId, t.subtaskIndex)!;
            let d = byDeployment.get(`${slot}/${attempt}`);
            if (!d) byDeployment.set(`${slot}/${attempt}`, (d = { slot, attempt, tasks: [] }));
            d.tasks.push(t);
          }
          for (const d of byDeployment.values()) scheduler.send(d.slot, { type: 'trigger-checkpoint', jobId: ctx.jobId, attempt: d.attempt, checkpointId, timestamp, kind, targetDir, tasks: d.tasks, stop });
        },
        allInputEnded: () => subtasks().every((s) => s.inputEnded),
        notify: (checkpointId, outcome, final) => {
          if (outcome === 'complete') hooks.completed(checkpointId);
          scheduler.broadcast((attempt) => ({ type: 'notify-checkpoint', jobId: ctx.jobId, attempt, checkpointId, outcome, final }));
        },
        failJob: (error) => hooks.failJob(error),
      },
      submission.restore?.checkpointId ?? 0,
      ctx.loggers(COORDINATOR),
    );
    this.restore = submission.restore;
    if (submission.restore) {
      this.logRestore(submission.restore);
      this.coordinator.counts.restored++;
      this.restored = { spec: submission.restore, timestamp: ctx.clock.now(), subtasks: new Map() };
    }
    if (submission.restore?.claimed && submission.restore.dir !== undefined) this.coordinator.adopt(submission.restore.dir, submission.restore.checkpointId);
  }

  /** A subtask's input ended: it owes acknowledgements; once every input ended, the final checkpoint is taken. */
  inputEnded(msg: Extract<FromSlot, { type: 'input-ended' }>): void {
    const s = this.scheduler.get(msg.vertexId, msg.subtaskIndex);
    if (!s) return;
    s.inputEnded = true;
    this.coordinator.onTaskInputEnded({ vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex });
    this.takeFinalIfInputEnded();
  }

  /** Every task ended its input: takes the final checkpoint now (Flink's FLIP-147); no more periodic ones. */
  takeFinalIfInputEnded(): void {
    if (this.scheduler.every((x) => x.inputEnded) && this.hooks.mayTakeFinal()) {
      this.coordinator.stopPeriodic();
      this.triggerFinal();
    }
  }

  /** A subtask restored its state: where from (local copy or storage), for the restore statistics. */
  subtaskRestored(msg: Extract<FromSlot, { type: 'restored' }>): void {
    const r = this.restored;
    if (!r || r.spec.checkpointId !== msg.checkpointId) return;
    r.subtasks.set(`${msg.vertexId}/${msg.subtaskIndex}`, { local: msg.local, remote: msg.remote, durationMs: msg.durationMs });
    if (msg.local > 0) this.ctx.loggers(COORDINATOR).info('Subtask {} of vertex {} restored {} operator state(s) of checkpoint {} from its local copy{} in {} ms.', msg.subtaskIndex, msg.vertexId, msg.local, msg.checkpointId, msg.remote > 0 ? ` and ${msg.remote} from checkpoint storage` : '', Math.round(msg.durationMs));
  }

  acknowledge(msg: Extract<FromSlot, { type: 'checkpoint-ack' }>): void {
    this.coordinator.acknowledge(msg.checkpointId, { vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex }, msg.handles as StateHandle[], { sync: msg.syncMs, async: msg.asyncMs, alignment: msg.alignmentMs, startDelay: msg.startDelayMs, processedBytes: msg.processedBytes ?? 0, persistedBytes: msg.persistedBytes ?? 0, unaligned: msg.unaligned === true });
  }

  decline(msg: Extract<FromSlot, { type: 'checkpoint-decline' }>): void {
    this.coordinator.decline(msg.checkpointId, { vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex }, msg.error, msg.counts);
  }

  /**
   * Takes the final checkpoint (every task's input ended; with stop --drain, the savepoint) and
   * tries again until one completes: one chain per attempt, one try in flight at a time, the next
   * one checkpoint interval (at least the min pause) after a failed one, as Flink's periodic
   * trigger would take it. A restart or the job's end stops the chain.
   */
  private triggerFinal(): void {
    if (this.final?.attempt === this.ctx.attempt) return; // The chain runs already.
    this.final = { attempt: this.ctx.attempt, retry: undefined };
    this.tryFinal(this.final);
  }

  private tryFinal(chain: { attempt: number; retry: NodeJS.Timeout | undefined }): void {
    // The chain ends when the attempt ended, or a stop or rescale took over.
    const ended = () => {
      if (this.final === chain && chain.attempt === this.ctx.attempt && this.hooks.mayTakeFinal()) return false;
      if (this.final === chain) this.final = undefined;
      return true;
    };
    if (ended()) return;
    const d = this.drain;
    // The final checkpoint is the job's next checkpoint, as in Flink: it keeps the minimum pause
    // and the concurrency limit (a drain's savepoint does not, as no savepoint does).
    const wait = d ? 0 : this.coordinator.untilNextCheckpoint();
    if (wait > 0) {
      chain.retry = setTimeout(() => {
        chain.retry = undefined;
        this.tryFinal(chain);
      }, wait);
      return;
    }
    this.coordinator.trigger(d ? 'savepoint' : 'checkpoint', d?.dir, false, d !== undefined).then(
      (c) => {
        if (this.final === chain) this.final = undefined;
        if (chain.attempt === this.ctx.attempt) this.finalDoneAttempt = chain.attempt;
        // A drain's savepoint: the stop completes once the job finished (a task failing while the
        // tasks finish fails it, as Flink's stop-with-savepoint termination handling).
        if (d && this.drain === d) d.savepoint = c;
      },
      () => {
        if (ended()) return;
        const { interval, minPause } = this.ctx.submission.checkpoints;
        chain.retry = setTimeout(() => {
          chain.retry = undefined;
          this.tryFinal(chain);
        }, Math.max(interval ?? 0, minPause));
      },
    );
  }

  /** The attempt whose final checkpoint completed (its tasks then finish), if any. */
  private finalDoneAttempt = -1;

  /** Whether the final checkpoint of the running attempt completed: every task may finish now. */
  get finalCompleted(): boolean {
    return this.finalDoneAttempt === this.ctx.attempt;
  }

  /** A restart, a rescale or the job's end: no more final-checkpoint tries of the old attempt. */
  private stopFinal(): void {
    if (this.final?.retry) clearTimeout(this.final.retry);
    this.final = undefined;
  }

  /** stop --drain: the final checkpoint is a savepoint into `dir`; resolves with it. */
  drainInto(dir: string | undefined): Promise<CompletedCheckpoint> {
    const result = new Promise<CompletedCheckpoint>((resolve, reject) => (this.drain = { dir, done: { resolve, reject } }));
    // Every input had ended and the final checkpoint waits for its next try (the minimum pause, a
    // failed try): the savepoint is taken now, as no savepoint waits for the pause.
    const chain = this.final;
    if (chain?.retry !== undefined) {
      clearTimeout(chain.retry);
      chain.retry = undefined;
      this.tryFinal(chain);
    }
    return result;
  }

  /** Whether a stop --drain is under way. */
  get draining(): boolean {
    return this.drain !== undefined;
  }

  /**
   * A failure while a stop --drain waits for its savepoint: the stop fails with it, and the
   * restarted attempt runs as before (its sources were never told to drain).
   */
  failDrain(error: SerializedError): void {
    const d = this.drain;
    if (!d) return;
    this.drain = undefined;
    if (d.savepoint) {
      // The savepoint completed and its sinks committed up to it: it is the restart point (until
      // a newer checkpoint completes), so nothing is committed twice.
      this.coordinator.resumeAfterFailedStop(d.savepoint);
      d.done.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Inconsistent execution state after stopping with savepoint (drain): a task failed before every task finished (${error.name}: ${error.message}). The savepoint ${d.savepoint.externalPath ?? ''} stays; the job ${this.ctx.jobId} recovers from it.`));
      return;
    }
    d.done.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The stop-with-savepoint (drain) of job ${this.ctx.jobId} failed: a task failed before its savepoint completed (${error.name}: ${error.message}). The job recovers from its latest checkpoint.`));
  }

  /** The job ended: a drain whose savepoint completed succeeds if the job finished; otherwise it fails. */
  jobEnded(error: Error | undefined, jobId: string): void {
    this.stopFinal();
    const d = this.drain;
    this.drain = undefined;
    if (!d) return;
    if (d.savepoint && !error && this.ctx.status === 'FINISHED') d.done.resolve(d.savepoint);
    else d.done.reject(error ?? new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${jobId} ended (${this.ctx.status}) before its drain completed`));
  }

  /**
   * A restart: the next attempt restores the latest completed checkpoint, or without one what the
   * job (or its rescale) started from; never an intermediate savepoint (Flink 1.15+).
   */
  restoreLatest(): void {
    this.stopFinal();
    const latest = this.coordinator.latest;
    if (latest) this.restore = restoreSpecOf(latest);
    if (this.restore) {
      this.logRestore(this.restore);
      this.coordinator.counts.restored++;
      this.restored = { spec: this.restore, timestamp: this.ctx.clock.now(), subtasks: new Map() };
    }
  }

  /** Flink's line of a restore. */
  private logRestore(r: RestoreSpec): void {
    this.ctx.loggers(COORDINATOR).info('Restoring job {} from {} {}{}.', this.ctx.jobId, r.kind === 'savepoint' ? 'Savepoint' : 'Checkpoint', r.checkpointId, r.dir !== undefined ? ` located at ${r.dir}` : ' (kept in the JobManager\'s memory)');
  }

  /** A rescale: the new graph restores `next.restore` (the rescale's savepoint). */
  rescaled(next: JobSubmission): void {
    this.stopFinal();
    this.restore = next.restore;
    this.coordinator.rescaled(next.job, next.operators);
    this.coordinator.counts.restored++;
    if (next.restore) this.logRestore(next.restore);
    if (next.restore) this.restored = { spec: next.restore, timestamp: this.ctx.clock.now(), subtasks: new Map() };
  }
}

/** A restore of the job (or of some regions), and where each restored subtask's state came from. */
export interface RestoredEntry {
  readonly spec: RestoreSpec;
  readonly timestamp: number;
  /** By `<vertexId>/<index>`: operators restored from the slot's local copy and from checkpoint storage, and how long it took. */
  readonly subtasks: Map<string, { local: number; remote: number; durationMs: number }>;
}

/** Flink's logger of checkpoints. */
const COORDINATOR = 'org.apache.flink.runtime.checkpoint.CheckpointCoordinator';

/** The restore spec of a completed checkpoint: every handle by operator id. */
export function restoreSpecOf(c: CompletedCheckpoint): RestoreSpec {
  const handles: Record<string, StateHandle[]> = {};
  const parallelism: Record<string, number> = {};
  for (const op of c.metadata.operators) {
    handles[op.operatorId] = op.handles;
    parallelism[op.operatorId] = op.parallelism;
  }
  return { dir: c.dir, checkpointId: c.id, kind: c.kind, handles, parallelism };
}
