/**
 * The failover of one job (Flink's ExecutionFailureHandler with the full-restart strategy): a
 * failure is recorded in the exception history; if the restart strategy allows it, every subtask
 * is canceled and, once all ended and the strategy's backoff passed, the job restarts as a new
 * attempt from its latest checkpoint; otherwise the job fails.
 *
 *   RUNNING -> RESTARTING -> (every subtask ended, backoff) -> RUNNING (attempt + 1)
 *   RUNNING -> FAILING -> (every subtask ended) -> FAILED
 */
import type { CheckpointCoordinator } from '../../checkpoint/index.js';
import { isRetryable, type SerializedError } from '../../core/errors.js';
import type { JobContext } from './job-context.js';
import type { SubtaskInfo } from './scheduler.js';

/** One entry of the exception history, with the subtask it came from (none: a global failure). */
export interface FailureEntry {
  readonly error: SerializedError;
  readonly timestamp: number;
  /** The job's attempt the failure ended. */
  readonly attempt: number;
  readonly task?: { vertexId: string; subtaskIndex: number; slot: number; attempt: number };
  /**
   * Failures of other subtasks of the same attempt that came while this one was handled (Flink's
   * concurrentExceptions: e.g. every subtask of a lost TaskManager), oldest first.
   */
  readonly concurrent: Array<Omit<FailureEntry, 'concurrent'>>;
}

/** What failover asks of the JobMaster. */
export interface FailoverHooks {
  readonly coordinator: CheckpointCoordinator;
  /** Whether a rescale is under way: a failure then only records its cause (the rescale's tasks stop anyway). */
  busy(): boolean;
  /**
   * A failure while the job runs: a stop --drain waiting for its savepoint, or a stop whose tasks
   * were finishing after its savepoint, fails with it (Flink's stop-with-savepoint termination
   * handler); the job then restarts or fails as any failure decides.
   */
  interruptOperations(error: SerializedError): void;
  /** Whether the job is being canceled because executeAndCollect's limit was reached. */
  limitReached(): boolean;
  /** Cancels every subtask still running. */
  cancelTasks(): void;
  /** Releases the ended attempt (its channels, and what it collected after the last checkpoint). */
  releaseAttempt(): void;
  /** Starts the next attempt from the latest checkpoint. */
  restart(): void;
}

/** Flink's default of `web.exception-history-size`. */
export const DEFAULT_EXCEPTION_HISTORY_SIZE = 16;

/** Failure handling and restarts of one job. */
export class Failover {
  /** The failure that ended the job (or the latest one a restart recovered from). */
  failure: SerializedError | undefined;
  /** The newest failures, newest last (the exception history, at most `historySize` entries). */
  readonly failures: FailureEntry[] = [];
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: JobContext,
    private readonly hooks: FailoverHooks,
    /** How many failures the exception history keeps (`web.exception-history-size`). */
    private readonly historySize = DEFAULT_EXCEPTION_HISTORY_SIZE,
  ) {}

  /**
   * Adds a failure to the exception history (the oldest one goes beyond its size). A failure that
   * comes while an earlier failure of the same attempt is handled (the job no longer RUNNING) is
   * one of that entry's concurrent exceptions, as Flink groups them.
   */
  record(error: SerializedError, task?: SubtaskInfo): void {
    const { attempt } = this.ctx;
    const entry = { error, timestamp: this.ctx.clock.now(), attempt, ...(task ? { task: { vertexId: task.vertexId, subtaskIndex: task.index, slot: task.slot, attempt } } : {}) };
    const last = this.failures.at(-1);
    if (this.ctx.status !== 'RUNNING' && last?.attempt === attempt) {
      last.concurrent.push(entry);
      return;
    }
    this.failures.push({ ...entry, concurrent: [] });
    if (this.failures.length > this.historySize) this.failures.splice(0, this.failures.length - this.historySize);
  }

  /**
   * A subtask (or the job as a whole) failed: restarts the job when the failure is `restartable`
   * and the restart strategy allows it, else fails it. A failure during a stop, a rescale, a
   * cancellation or a restart only records its cause.
   */
  onFailure(error: SerializedError, restartable: boolean, task?: SubtaskInfo): void {
    this.record(error, task);
    if (this.ctx.status === 'RUNNING') this.hooks.interruptOperations(error);
    if (this.ctx.status !== 'RUNNING' || this.hooks.busy()) {
      this.failure ??= error;
      return;
    }
    this.failure = error;
    const strategy = this.ctx.submission.restartStrategy;
    strategy.notifyFailure(this.ctx.clock.now());
    const { coordinator } = this.hooks;
    coordinator.abortAll(`The job failed: ${error.message}`, false);
    if (restartable && isRetryable(error) && strategy.canRestart() && !this.hooks.limitReached()) {
      coordinator.stopPeriodic();
      this.ctx.transition('RESTARTING');
    } else {
      coordinator.shutdown('The job is failing');
      this.ctx.transition('FAILING');
    }
    this.hooks.cancelTasks();
    this.ctx.checkDone();
  }

  /** Every subtask of the failed attempt ended: the next one starts after the strategy's backoff. */
  scheduleRestart(): void {
    // checkDone may run more than once after the last subtask ended: one restart per failure.
    if (this.restartTimer !== undefined) return;
    this.hooks.releaseAttempt();
    const delay = this.ctx.submission.restartStrategy.getBackoffTime();
    this.ctx.loggers('org.apache.flink.runtime.jobmaster.JobMaster').info('Job {} restarts in {} ms (the restart strategy\'s backoff).', this.ctx.jobId, delay);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.ctx.status !== 'RESTARTING') return;
      this.hooks.restart();
    }, delay);
  }

  /** The job is canceled or suspended: no restart. */
  cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }
}
