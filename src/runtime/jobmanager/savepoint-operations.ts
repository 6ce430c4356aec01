/**
 * Savepoints, stop and rescale of one job (Flink's SchedulerBase savepoint operations and its
 * StopWithSavepointTerminationManager):
 *
 *   triggerSavepoint:        an intermediate savepoint; the job runs on
 *   stopWithSavepoint:       a synchronous savepoint, then every task ends FINISHED, and the job
 *   stopWithSavepoint drain: sources end their input; the final checkpoint is the savepoint
 *   stopForRescale/redeploy: a synchronous savepoint, every task stops (RESTARTING), and the new
 *                            graph runs as the next attempt, restored from it
 */
import type { CompletedCheckpoint } from '../../checkpoint/index.js';
import { isMiniFlinkError, MiniFlinkError, serializeError, type SerializedError } from '../../core/errors.js';
import type { JobCheckpoints } from './checkpointing.js';
import type { Failover } from './failover.js';
import type { JobContext, JobSubmission } from './job-context.js';
import type { Placement } from './placement.js';
import type { Scheduler } from './scheduler.js';

/** What the operations ask of the JobMaster. */
export interface OperationHooks {
  /** Cancels every subtask still running. */
  cancelTasks(): void;
  /** The stop's savepoint completed: every task ends FINISHED without ending its input. */
  finishStopped(): void;
  /** Releases the stopped attempt's channels (and what it collected after the last checkpoint). */
  releaseAttempt(): void;
  /** Runs `next` (placed in `placement`) as the next attempt. */
  startRescaled(next: JobSubmission, placement: Placement): void;
}

/** Stop, savepoint and rescale operations of one job. */
export class SavepointOperations {
  /** Set by stopWithSavepoint: the savepoint's id; the job ends FINISHED once its tasks stopped. */
  stopping: number | undefined;
  /** Set while a stop's synchronous savepoint is in flight (before `stopping`). */
  private stopInFlight = false;
  /** Set while a stop's or a rescale's synchronous savepoint is in flight: no final checkpoint starts meanwhile. */
  private syncSavepointInFlight = false;
  /** Who waits for the stop's tasks to end. */
  private stopEnd: { savepoint: CompletedCheckpoint; resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Set while the job rescales: its tasks stop after the savepoint (then `resolve`), and redeploy() brings the new graph. */
  rescaling: { resolve: () => void } | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly scheduler: Scheduler,
    private readonly checkpoints: JobCheckpoints,
    private readonly failover: Failover,
    private readonly hooks: OperationHooks,
  ) {}

  /** Whether a stop or a rescale is under way. */
  get busy(): boolean {
    return this.stopping !== undefined || this.rescaling !== undefined;
  }

  /**
   * Whether the job's final checkpoint may start (every task's input ended): not while a stop or
   * a rescale is under way, nor while its synchronous savepoint is in flight. Flink takes no
   * checkpoint after a synchronous savepoint; one started beside it was taken by the tasks after
   * the savepoint and never notified. Should the savepoint fail, the final checkpoint follows.
   */
  get mayTakeFinal(): boolean {
    return !this.busy && !this.syncSavepointInFlight;
  }

  private get coordinator() {
    return this.checkpoints.coordinator;
  }

  /** Triggers a savepoint into `dir` (or the configured savepoint directory). */
  triggerSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    if (this.ctx.status !== 'RUNNING') return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.ctx.jobId} is ${this.ctx.status}: a savepoint needs a RUNNING job`));
    return this.coordinator.trigger('savepoint', dir);
  }

  /**
   * Flink's stop-with-savepoint: a synchronous savepoint (sources emit nothing after its barrier),
   * then every task ends FINISHED, and so does the job. Resolves with the savepoint.
   */
  async stopWithSavepoint(dir: string | undefined, drain: boolean): Promise<CompletedCheckpoint> {
    if (this.ctx.status !== 'RUNNING') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.ctx.jobId} is ${this.ctx.status}: only a RUNNING job can be stopped`);
    // Also while a rescale's savepoint is in flight (it may stop the job next).
    if (this.stopInFlight || this.syncSavepointInFlight || this.busy || this.checkpoints.draining) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.ctx.jobId} is already being stopped or rescaled: a second stop-with-savepoint is refused.`);
    }
    if (drain) return this.drainWithSavepoint(dir);
    let savepoint: CompletedCheckpoint;
    this.stopInFlight = true;
    try {
      savepoint = await this.synchronousSavepoint(dir);
    } finally {
      this.stopInFlight = false;
    }
    if (this.ctx.status !== 'RUNNING') return savepoint;
    this.stopping = savepoint.id;
    this.coordinator.shutdown('The job is stopping with a savepoint');
    // Flink's synchronous savepoint: nothing was emitted after it; the tasks now end FINISHED, and
    // the stop completes once they all did (a task failing instead fails the stop, and the job recovers).
    const ended = new Promise<void>((resolve, reject) => (this.stopEnd = { savepoint, resolve, reject }));
    this.hooks.finishStopped();
    this.ctx.checkDone();
    await ended;
    return savepoint;
  }

  /** Every task ended FINISHED after the stop's savepoint: the stop completed. */
  stopFinished(): void {
    this.stopEnd?.resolve();
    this.stopEnd = undefined;
  }

  /** The job ended otherwise (canceled, suspended) while its stop's tasks were finishing: the stop fails. */
  jobEnded(error: Error | undefined): void {
    if (!this.stopEnd) return;
    // The savepoint completed before: the message names it, as it can be restored (found by a
    // review: a cancel racing a stop left a savepoint no message mentioned).
    const kept = ` The stop's savepoint ${this.stopEnd.savepoint.dir ?? this.stopEnd.savepoint.id} had completed and can be restored (run -s).`;
    const code = error !== undefined && isMiniFlinkError(error) ? error.code : 'MF_ERR_INVALID_ARGUMENT';
    this.stopEnd.reject(new MiniFlinkError(code, `${error?.message ?? `Job ${this.ctx.jobId} ended before its stop completed.`}${kept}`, { cause: error }));
    this.stopEnd = undefined;
  }

  /**
   * A task failed while the tasks were finishing after the stop's savepoint: as Flink's
   * StopWithSavepointTerminationHandler, the stop fails (the savepoint stays) and the job
   * recovers as from any failure.
   */
  interruptStop(error: SerializedError): void {
    if (this.stopping === undefined || !this.stopEnd) return;
    this.stopping = undefined;
    this.coordinator.resumeAfterFailedStop(this.stopEnd.savepoint);
    this.stopEnd.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Inconsistent execution state after stopping with savepoint: a task failed before every task finished (${error.name}: ${error.message}). A global fail-over is triggered to recover the job ${this.ctx.jobId}. The stop's savepoint ${this.stopEnd.savepoint.dir ?? this.stopEnd.savepoint.id} had completed and can be restored (run -s).`));
    this.stopEnd = undefined;
  }

  /**
   * The savepoint of a stop or a rescale (Flink's synchronous savepoint: sources emit nothing
   * after its barrier). Periodic checkpoints pause for it; should it fail, the job runs on with
   * them, as Flink's scheduler does.
   */
  private async synchronousSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    this.coordinator.stopPeriodic();
    this.syncSavepointInFlight = true;
    try {
      return await this.coordinator.trigger('savepoint', dir, true);
    } catch (e) {
      this.syncSavepointInFlight = false;
      if (this.ctx.status === 'RUNNING' && !this.busy) {
        this.coordinator.startPeriodic();
        // Every input ended while the savepoint was in flight: the final checkpoint now.
        this.checkpoints.takeFinalIfInputEnded();
      }
      throw e;
    } finally {
      this.syncSavepointInFlight = false;
    }
  }

  /** Why the job cannot be rescaled now (not RUNNING, or a stop or rescale under way), if it cannot. */
  rescaleRefusal(): string | undefined {
    if (this.ctx.status === 'RUNNING' && !this.busy && !this.checkpoints.draining && !this.stopInFlight && !this.syncSavepointInFlight) return undefined;
    const why = this.rescaling || this.syncSavepointInFlight ? ' and already being rescaled or stopped' : this.stopInFlight || this.checkpoints.draining ? ' and being stopped' : '';
    return `Job ${this.ctx.jobId} is ${this.ctx.status}${why}: only a RUNNING job can be rescaled`;
  }

  /**
   * First half of a rescale (what Flink's old rescaling did in place): takes a savepoint, then
   * stops every task; the job waits in RESTARTING for redeploy(). Resolves with the savepoint once
   * every task stopped. When the savepoint fails, the job runs on as it was.
   */
  async stopForRescale(dir: string): Promise<CompletedCheckpoint> {
    const refused = this.rescaleRefusal();
    if (refused !== undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', refused);
    // As a stop's savepoint: sources emit nothing after it, so no sink sees a record twice.
    const savepoint = await this.synchronousSavepoint(dir);
    if (this.ctx.status !== 'RUNNING') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.ctx.jobId} became ${this.ctx.status} during the rescale's savepoint`);
    const stopped = new Promise<void>((resolve) => (this.rescaling = { resolve }));
    this.coordinator.abortAll('The job is rescaling', false);
    this.hooks.cancelTasks();
    this.ctx.checkDone();
    await stopped;
    return savepoint;
  }

  /** Every task stopped for the rescale: the job waits in RESTARTING for redeploy(). */
  rescaleStopped(): void {
    this.ctx.transition('RESTARTING');
    this.hooks.releaseAttempt();
    this.rescaling!.resolve();
  }

  /**
   * Second half of a rescale: runs `next` (the same program at its new parallelism, restoring the
   * rescale's savepoint) under this JobID as a new attempt, in the slots of `placement`.
   */
  redeploy(next: JobSubmission, placement: Placement): void {
    if (this.ctx.status !== 'RESTARTING' || this.rescaling === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.ctx.jobId} is ${this.ctx.status}: it cannot be redeployed`);
    this.rescaling = undefined;
    this.hooks.startRescaled(next, placement);
  }

  /** A rescale that stopped the job could not bring it back: the job fails with the reason. */
  failRescale(error: Error): void {
    if (this.ctx.status !== 'RESTARTING' || this.rescaling === undefined) return;
    this.rescaling = undefined;
    this.failover.failure = serializeError(error);
    this.failover.record(this.failover.failure);
    this.coordinator.shutdown('The rescale failed');
    this.ctx.transition('FAILING');
    this.ctx.checkDone();
  }

  /**
   * stop --drain: sources end their input; every task ends as in a bounded job (event-time timers
   * fire at the final watermark), and the final checkpoint is the savepoint. The job ends FINISHED.
   */
  private drainWithSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    const { checkpoints } = this.ctx.submission;
    if (dir === undefined && checkpoints.savepointDir === undefined) {
      return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'No savepoint directory: give one, or set execution.checkpointing.savepoint-dir (state.savepoints.dir)'));
    }
    if (checkpoints.interval === undefined) {
      return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'stop --drain needs checkpointing: the savepoint is the final checkpoint after the input ended'));
    }
    this.coordinator.stopPeriodic();
    const result = this.checkpoints.drainInto(dir);
    const { jobId } = this.ctx;
    this.scheduler.broadcast((attempt) => ({ type: 'drain', jobId, attempt }));
    return result;
  }
}
