/**
 * The failover of one job (Flink's ExecutionFailureHandler with its failover strategies): a failure
 * is recorded in the exception history; if the restart strategy allows it, the subtasks to restart
 * are canceled and, once they ended and the strategy's backoff passed, they run again as a new
 * attempt from the latest checkpoint; otherwise the job fails.
 *
 * What restarts (`jobmanager.execution.failover-strategy`): `full`, every subtask; `region`
 * (Flink's default), the pipelined regions of the failed subtasks, while the other regions run on.
 * A failure of no subtask (a global one: too many failed checkpoints, a failed deployment, no
 * slots), a failure while a stop is under way, and a job of one region restart everything. A
 * subtask of another region failing while regions restart adds its region to the restart (one
 * more failure for the restart strategy, as Flink counts every failure it handles).
 *
 *   RUNNING -> RESTARTING -> (the subtasks to restart ended, backoff) -> RUNNING (a new attempt)
 *   RUNNING | RESTARTING -> FAILING -> (every subtask ended) -> FAILED
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
  /** Cancels the subtasks given (default: every one) still running. */
  cancelTasks(only?: readonly SubtaskInfo[]): void;
  /** Releases the ended subtasks given (default: every one): their channels, and what they collected after the last checkpoint. */
  releaseAttempt(only?: readonly SubtaskInfo[]): void;
  /** Starts the subtasks given (default: every one) again as the next attempt, from the latest checkpoint. */
  restart(only?: readonly SubtaskInfo[]): void;
  /**
   * The keys (`<vertexId>/<index>`) of the subtasks of the pipelined regions of `failed` when only
   * those regions restart; undefined when everything restarts (the full strategy, a stop under
   * way, or regions that span the whole job).
   */
  regionsOf(failed: readonly SubtaskInfo[]): Set<string> | undefined;
  /** The current subtasks of `keys`. */
  subtasks(keys: Iterable<string>): SubtaskInfo[];
  /** A failure is handled by a restart (Flink's numRestarts counts each, also two that one restart serves). */
  countRestart(): void;
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
   * The subtasks (keys) of the regions being restarted; undefined while nothing restarts or
   * everything does.
   */
  regional: Set<string> | undefined;

  /**
   * Adds a failure to the exception history (the oldest one goes beyond its size). A failure that
   * comes while an earlier failure of the same attempt is handled (the job no longer RUNNING) is
   * one of that entry's concurrent exceptions, as Flink groups them, unless it is `separate` (a
   * failure handled on its own: another region failing while regions restart).
   */
  record(error: SerializedError, task?: SubtaskInfo, mode: 'auto' | 'separate' | 'concurrent' = 'auto'): void {
    const attempt = task?.attempt ?? this.ctx.attempt;
    const entry = { error, timestamp: this.ctx.clock.now(), attempt, ...(task ? { task: { vertexId: task.vertexId, subtaskIndex: task.index, slot: task.slot, attempt } } : {}) };
    const last = this.failures.at(-1);
    const joins = mode === 'concurrent' || (mode === 'auto' && this.ctx.status !== 'RUNNING');
    if (joins && last !== undefined && last === this.handling && this.handlingAt === this.ctx.attempt) {
      last.concurrent.push(entry);
      return;
    }
    const full = { ...entry, concurrent: [] };
    this.handling = full;
    this.handlingAt = this.ctx.attempt;
    this.failures.push(full);
    if (this.failures.length > this.historySize) this.failures.splice(0, this.failures.length - this.historySize);
  }

  /** The entry of the failure being handled (later ones while the job is not RUNNING join it). */
  private handling: FailureEntry | undefined;
  /** The job's attempt counter when that failure came. */
  private handlingAt = -1;

  /**
   * A subtask (or the job as a whole) failed, with `others` that failed with it (every subtask of
   * a lost slot thread): restarts the job, or the failed subtasks' regions, when the failure is
   * `restartable` and the restart strategy allows it, else fails the job. A failure during a stop,
   * a rescale, a cancellation or a restart only records its cause, except a subtask of a region
   * still running while other regions restart.
   */
  onFailure(error: SerializedError, restartable: boolean, task?: SubtaskInfo, others: readonly SubtaskInfo[] = []): void {
    const failed = task ? [task, ...others] : [];
    if (this.ctx.status === 'RESTARTING' && this.regional !== undefined && failed.length > 0 && !this.hooks.busy()) {
      const fresh = failed.filter((s) => !this.regional!.has(`${s.vertexId}/${s.index}`));
      if (fresh.length > 0) return this.anotherRegionFailed(error, restartable, fresh);
    }
    const regions = failed.length > 0 && this.ctx.status === 'RUNNING' && !this.hooks.busy() ? this.hooks.regionsOf(failed) : undefined;
    this.record(error, task);
    for (const s of others) this.record(error, s, 'concurrent');
    if (this.ctx.status === 'RUNNING') this.hooks.interruptOperations(error);
    if (this.ctx.status !== 'RUNNING' || this.hooks.busy()) {
      this.failure ??= error;
      return;
    }
    this.failure = error;
    const newAttempt = this.ctx.submission.restartStrategy.notifyFailure(this.ctx.clock.now());
    const { coordinator } = this.hooks;
    coordinator.abortAll(`The job failed: ${error.message}`, false);
    if (this.mayRestart(error, restartable)) {
      coordinator.stopPeriodic();
      this.regional = regions;
      if (newAttempt) this.hooks.countRestart();
      this.ctx.transition('RESTARTING');
      this.hooks.cancelTasks(regions && this.hooks.subtasks(regions));
    } else this.fail();
    this.ctx.checkDone();
  }

  /** Whether a failure may be handled by a restart: restartable, retryable, allowed by the strategy (just told of it), and not a cancel at the collect limit. */
  private mayRestart(error: SerializedError, restartable: boolean): boolean {
    return restartable && isRetryable(error) && this.ctx.submission.restartStrategy.canRestart() && !this.hooks.limitReached();
  }

  /** No restart: the job goes FAILING, every subtask is canceled. */
  private fail(): void {
    this.regional = undefined;
    this.hooks.coordinator.shutdown('The job is failing');
    this.ctx.transition('FAILING');
    this.hooks.cancelTasks();
  }

  /**
   * While regions restart, subtasks of a region that was running failed: a failure of its own for
   * the restart strategy; their regions join the restart (or everything restarts, or the job
   * fails, as the strategy decides).
   */
  private anotherRegionFailed(error: SerializedError, restartable: boolean, failed: readonly SubtaskInfo[]): void {
    this.record(error, failed[0], 'separate');
    for (const s of failed.slice(1)) this.record(error, s, 'concurrent');
    this.failure = error;
    // Before the pending restart's time, exponential-delay merges it into that restart (Flink 1.19+).
    const newAttempt = this.ctx.submission.restartStrategy.notifyFailure(this.ctx.clock.now());
    // The restart waits until the new regions' subtasks ended too.
    this.cancelRestart();
    if (this.mayRestart(error, restartable)) {
      if (newAttempt) this.hooks.countRestart();
      const more = this.hooks.regionsOf(failed);
      if (more) {
        for (const k of more) this.regional!.add(k);
        this.hooks.cancelTasks(this.hooks.subtasks(more));
      } else {
        this.regional = undefined;
        this.hooks.cancelTasks();
      }
    } else this.fail();
    this.ctx.checkDone();
  }

  /** Every subtask to restart ended: they start again after the strategy's backoff. */
  scheduleRestart(): void {
    // checkDone may run more than once after the last subtask ended: one restart per failure.
    if (this.restartTimer !== undefined) return;
    const only = this.restarting();
    this.hooks.releaseAttempt(only);
    const delay = this.ctx.submission.restartStrategy.getBackoffTime();
    this.ctx.loggers('org.apache.flink.runtime.jobmaster.JobMaster').info(
      only ? 'Job {} restarts {} subtasks of its failed pipelined regions in {} ms (the restart strategy\'s backoff).' : 'Job {} restarts in {} ms (the restart strategy\'s backoff).',
      ...(only ? [this.ctx.jobId, only.length, delay] : [this.ctx.jobId, delay]),
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.ctx.status !== 'RESTARTING') return;
      const regions = this.regional;
      this.regional = undefined;
      this.hooks.restart(regions && this.hooks.subtasks(regions));
    }, delay);
  }

  /** The subtasks a restart waits for to end (undefined: every one). */
  restarting(): SubtaskInfo[] | undefined {
    return this.regional && this.hooks.subtasks(this.regional);
  }

  /** The job is canceled or suspended: no restart. */
  cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }
}
