/**
 * The JobMaster of one job (Flink's JobMaster with its DefaultScheduler): it owns the job's status
 * and result, routes what slot threads report, and wires its parts:
 *
 *   scheduler.ts            the subtasks and their attempts: deploy, cancel, release
 *   failover.ts             failures, the exception history, restarts (full or by pipelined region)
 *                           under the restart strategy
 *   checkpointing.ts        the CheckpointCoordinator's glue, the final checkpoint, what to restore
 *   savepoint-operations.ts savepoints, stop (with or without drain) and rescale
 *   cancellation.ts         the cancellation watchdog (task.cancellation.interval / timeout)
 *   collected-records.ts    what executeAndCollect's sinks sent
 *
 * A lost slot thread (its exit or error event, a killed TaskManager, a heartbeat timeout, the
 * cancellation watchdog) fails the subtasks deployed to it, and the job fails over as for any task
 * failure; the next attempt deploys once every slot it runs in has a live thread again (the
 * cluster replaces a lost one), waiting up to slot.request.timeout as Flink waits for slots.
 *
 *   CREATED -> RUNNING -> FINISHED
 *                      -> RESTARTING -> RUNNING (a new attempt of every subtask, or of the failed
 *                                       pipelined regions only, restored from the latest checkpoint)
 *                      -> FAILING -> FAILED | CANCELLING -> CANCELED
 *                      -> RESTARTING -> RUNNING (rescaled: savepoint, then the new graph restored from it)
 */
import { NO_LOGGING, type LoggerFactory } from '../../core/logging.js';
import { JobExecutionResult, type JobStatusName } from '../../api/index.js';
import type { CheckpointCoordinator, CompletedCheckpoint } from '../../checkpoint/index.js';
import type { Clock } from '../../core/clock.js';
import type { MetricStore } from '../../metrics/index.js';
import { deserializeError, MiniFlinkError, stackWithCauses, type SerializedError } from '../../core/errors.js';
import { RecordBatchCodec } from '../../core/serde.js';
import { jsonPlan, pipelinedRegions, type JsonPlan } from '../../graph/index.js';
import type { CheckpointFaultKind, FromSlot } from '../protocol.js';
import { CancellationWatchdog, cancellationSettings } from './cancellation.js';
import { JobCheckpoints, type RestoredEntry } from './checkpointing.js';
import { CollectedRecords } from './collected-records.js';
import { Failover, type FailureEntry } from './failover.js';
import type { JobContext, JobSubmission } from './job-context.js';
import { checkTransition, TERMINAL } from './job-status.js';
import type { Placement } from './placement.js';
import { SavepointOperations } from './savepoint-operations.js';
import { isTerminalExecution, Scheduler, type SlotGateway, type SubtaskInfo } from './scheduler.js';

export type { JobSubmission } from './job-context.js';
export type { ExecutionStateName, SlotGateway, SubtaskInfo } from './scheduler.js';
export { restoreSpecOf } from './checkpointing.js';

/** Settings of the JobManager that every JobMaster shares. */
export interface JobMasterOptions {
  /** How many failures the exception history keeps (Flink's `web.exception-history-size`, default 16). */
  readonly exceptionHistorySize?: number | undefined;
  /** How long a restarted attempt waits for lost slot threads to be replaced (Flink's `slot.request.timeout`, default 5 min). */
  readonly slotRequestTimeoutMs?: number | undefined;
  /** Where the final metric values of ended tasks go (the cluster's metric store). */
  readonly metrics?: MetricStore | undefined;
  /** The JobManager's loggers (none: nothing is logged). */
  readonly loggers?: LoggerFactory | undefined;
}

/** A subtask's attempt that a restart or rescale replaced. */
export interface PriorAttempt {
  readonly attempt: number;
  readonly subtask: SubtaskInfo;
  /** The metric values the attempt reported last (task and operator metrics as REST names them). */
  readonly metrics: ReadonlyMap<string, string> | undefined;
}

/** Prior attempts kept per subtask (Flink's jobmanager.execution.attempts-history-size default). */
const PRIOR_ATTEMPTS_KEPT = 16;

/** Flink's loggers of a job's lifecycle. */
const JOB_MASTER = 'org.apache.flink.runtime.jobmaster.JobMaster';
const EXECUTION_GRAPH = 'org.apache.flink.runtime.executiongraph.ExecutionGraph';

/** Flink's default of `slot.request.timeout`. */
const DEFAULT_SLOT_REQUEST_TIMEOUT_MS = 300_000;

/** Flink's Long.MIN_VALUE: no watermark yet. */
const MIN_LONG = -(2n ** 63n);

/** The JobMaster. */
export class JobMaster {
  status: JobStatusName = 'INITIALIZING';
  readonly statusTimestamps: Partial<Record<JobStatusName, number>> = {};
  endTime = -1;
  /**
   * The newest attempt: every deployment (the first, a restart of every subtask or of some regions,
   * a rescale) takes the next number, and each subtask keeps the one it was deployed with.
   */
  attempt = 0;
  /** Failures handled by a restart so far (full or regional: two regions failing while one restart serves both count two), and rescales: Flink's numRestarts. */
  restarts = 0;
  /** Which subtasks a failure restarts: `region` (Flink's default) or `full` (jobmanager.execution.failover-strategy). */
  readonly failoverStrategy: 'region' | 'full';
  /** The job graph's pipelined regions: for each subtask key, the keys of its region. */
  private regions = new Map<string, readonly string[]>();
  onTerminal: (() => void) | undefined;
  readonly startTime: number;
  /** The cluster's metric store (final values of ended tasks go there). */
  /** Where task metrics go (the dispatcher's store; REST reads them there). */
  readonly metricStore: MetricStore | undefined;
  private readonly scheduler: Scheduler;
  private readonly checkpoints: JobCheckpoints;
  private readonly failover: Failover;
  private readonly operations: SavepointOperations;
  private readonly collected = new CollectedRecords();
  private limitReached = false;
  /** The accumulators each finished subtask reported, by `<vertexId>/<index>`. */
  private readonly accumulators = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly codec = new RecordBatchCodec();
  private readonly done: Promise<JobExecutionResult>;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: Error) => void };
  private readonly watchdog: CancellationWatchdog;
  private readonly slotRequestTimeoutMs: number;
  /** Set while the attempt waits for lost slot threads to be replaced: fails the job after slot.request.timeout. */
  private slotWait: NodeJS.Timeout | undefined;
  /** The JobManager's loggers. */
  readonly loggers: LoggerFactory;
  /**
   * Prior attempts of each subtask (`<vertexId>/<index>`), oldest first, at most
   * PRIOR_ATTEMPTS_KEPT (Flink's execution history, jobmanager.execution.attempts-history-size):
   * what the subtask was when its attempt ended, with the metric values it reported last.
   */
  readonly priorAttempts = new Map<string, PriorAttempt[]>();

  constructor(
    /** What was submitted; a rescale replaces it with the same program at the new parallelism. */
    public submission: JobSubmission,
    /** Where each subtask runs. */
    public placement: Placement,
    gateway: SlotGateway,
    private readonly clock: Clock,
    options: JobMasterOptions = {},
  ) {
    this.startTime = clock.now();
    this.metricStore = options.metrics;
    this.loggers = options.loggers ?? NO_LOGGING;
    this.statusTimestamps.INITIALIZING = this.startTime;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {});
    const ctx = this.context();
    this.scheduler = new Scheduler(gateway, clock);
    this.slotRequestTimeoutMs = options.slotRequestTimeoutMs ?? DEFAULT_SLOT_REQUEST_TIMEOUT_MS;
    // task.cancellation.* as the job's configuration (the cluster's, then the job's own) sets them.
    this.watchdog = new CancellationWatchdog(this.scheduler, cancellationSettings(submission.program.configuration), (s) => this.taskName(s.vertexId, s.index, s.attempt), () => this.jobId);
    this.failoverStrategy = failoverStrategyOf(submission.program.configuration);
    this.checkpoints = new JobCheckpoints(ctx, this.scheduler, {
      completed: (id) => this.collected.commit(id),
      // Beyond the tolerable checkpoint failures: a global failover under the restart strategy
      // (Flink's CheckpointFailureManager), so the job fails only once the strategy gives up.
      failJob: (error) => this.failover.onFailure(error, true),
      mayTakeFinal: () => this.status === 'RUNNING' && this.operations.mayTakeFinal,
    });
    const failoverHooks = {
      coordinator: this.checkpoints.coordinator,
      busy: () => this.operations.rescaling !== undefined,
      interruptOperations: (error: SerializedError) => {
        this.operations.interruptStop(error);
        this.checkpoints.failDrain(error);
      },
      limitReached: () => this.limitReached,
      cancelTasks: (only?: readonly SubtaskInfo[]) => this.cancelTasks(only),
      releaseAttempt: (only?: readonly SubtaskInfo[]) => this.releaseAttempt(true, only),
      restart: (only?: readonly SubtaskInfo[]) => this.restart(only),
      regionsOf: (failed: readonly SubtaskInfo[]) => this.regionsOf(failed),
      subtasks: (keys: Iterable<string>) => this.scheduler.pick(keys),
      countRestart: () => void this.restarts++,
    };
    this.failover = new Failover(ctx, failoverHooks, options.exceptionHistorySize);
    this.operations = new SavepointOperations(ctx, this.scheduler, this.checkpoints, this.failover, {
      cancelTasks: () => this.cancelTasks(),
      finishStopped: () => this.finishStopped(),
      releaseAttempt: () => this.releaseAttempt(),
      startRescaled: (next, placement) => this.startRescaled(next, placement),
    });
    this.scheduler.reset(submission.job, placement, this.attempt);
    this.computeRegions();
  }

  /** The pipelined regions of the current graph. */
  private computeRegions(): void {
    this.regions.clear();
    for (const region of pipelinedRegions(this.submission.job)) {
      const keys = region.map((s) => `${s.vertexId}/${s.index}`);
      for (const k of keys) this.regions.set(k, keys);
    }
  }

  /**
   * The subtasks (keys) of the pipelined regions of `failed` when only those restart; undefined
   * when everything restarts: the full strategy, a stop or drain under way (its savepoint spans
   * every task), subtasks waiting for lost slots, or regions that cover the whole job.
   */
  private regionsOf(failed: readonly SubtaskInfo[]): Set<string> | undefined {
    // A deployment still waiting for lost slots is restarted with the rest: everything restarts.
    if (this.failoverStrategy !== 'region' || this.operations.stopping !== undefined || this.checkpoints.draining || this.slotWait !== undefined) return undefined;
    const keys = new Set<string>();
    for (const s of failed) for (const k of this.regions.get(`${s.vertexId}/${s.index}`) ?? []) keys.add(k);
    // The final checkpoint completed (with checkpointing, no task finishes before it does): the
    // other regions' tasks finish now, and no checkpoint is taken while a task is finished (Flink
    // takes them, FLIP-147), so the region restarted alone could never take the final checkpoint
    // it needs and would wait for it for good. Everything restarts instead, from that final
    // checkpoint, where every task had ended its input: the others end again at once.
    if (this.checkpoints.finalCompleted) return undefined;
    return keys.size > 0 && keys.size < this.scheduler.subtasks.size ? keys : undefined;
  }

  /** The attempt a subtask runs as now (undefined: no such subtask). */
  subtaskAttempt(vertexId: string, index: number): number | undefined {
    return this.scheduler.get(vertexId, index)?.attempt;
  }

  /** The job as its parts see it. */
  private context(): JobContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const jm = this;
    return {
      get jobId() {
        return jm.jobId;
      },
      get status() {
        return jm.status;
      },
      get attempt() {
        return jm.attempt;
      },
      get submission() {
        return jm.submission;
      },
      clock: this.clock,
      loggers: this.loggers,
      transition: (to) => this.transition(to),
      checkDone: () => this.checkDone(),
    };
  }

  get jobId(): string {
    return this.submission.jobId;
  }

  get jobName(): string {
    return this.submission.job.jobName;
  }

  /** Every subtask of the current attempt, by `<vertexId>/<index>`. */
  get subtasks(): Map<string, SubtaskInfo> {
    return this.scheduler.subtasks;
  }

  /**
   * Each subtask's current input watermark as Flink's REST API prints a long (`-9223372036854775808`
   * before any watermark), read from the attempt's shared watermark table; undefined for an
   * unknown vertex.
   */
  currentInputWatermarks(vertexId: string): string[] | undefined {
    const v = this.submission.job.vertices.find((x) => x.id === vertexId);
    if (!v) return undefined;
    return this.scheduler.watermarks?.vertexValues(v.id, v.parallelism) ?? new Array<string>(v.parallelism).fill(String(MIN_LONG));
  }

  /** The checkpoint coordinator. */
  get coordinator(): CheckpointCoordinator {
    return this.checkpoints.coordinator;
  }

  /** The failure that ended the job (or the latest one a restart recovered from). */
  get failure(): SerializedError | undefined {
    return this.failover.failure;
  }

  /** The exception history, newest last, each with the subtask it came from (none: a global failure). */
  get failures(): readonly FailureEntry[] {
    return this.failover.failures;
  }

  /** What the job last restored from, and when (Flink's `latest.restored`). */
  get restored(): RestoredEntry | undefined {
    return this.checkpoints.restored;
  }

  /** Resolves with the result when the job finishes; rejects when it fails or is canceled. */
  result(): Promise<JobExecutionResult> {
    return this.done;
  }

  private transition(to: JobStatusName): void {
    checkTransition(this.jobId, this.status, to);
    const log = this.loggers(EXECUTION_GRAPH);
    const failed = to === 'FAILING' || to === 'FAILED' || to === 'RESTARTING';
    if (failed && this.failover.failure !== undefined) log.info('Job {} ({}) switched from state {} to {}.\n{}', this.jobName, this.jobId, this.status, to, stackWithCauses(this.failover.failure));
    else log.info('Job {} ({}) switched from state {} to {}.', this.jobName, this.jobId, this.status, to);
    this.enterStatus(to);
  }

  /** Ms spent in each status before the current one (Flink's `<status>TimeTotal` adds the current stay). */
  private readonly statusTotals: Partial<Record<JobStatusName, number>> = {};

  private enterStatus(to: JobStatusName): void {
    const now = this.clock.now();
    const since = this.statusTimestamps[this.status];
    if (since !== undefined) this.statusTotals[this.status] = (this.statusTotals[this.status] ?? 0) + Math.max(0, now - since);
    this.status = to;
    this.statusTimestamps[to] = now;
  }

  /**
   * Flink's job status metrics of one status: `current`, the ms since the job entered it if it is
   * in it now, else 0 (`<status>Time`); `total`, every stay's ms added up (`<status>TimeTotal`).
   */
  statusTime(status: JobStatusName, now = this.clock.now()): { current: number; total: number } {
    const current = this.status === status ? Math.max(0, now - (this.statusTimestamps[status] ?? now)) : 0;
    return { current, total: (this.statusTotals[status] ?? 0) + current };
  }

  /**
   * Deploys every subtask; without slots yet (an empty placement), the job runs with its subtasks
   * SCHEDULED until assign() gives it slots (Flink's default scheduler waiting for resources).
   */
  start(): void {
    this.transition('CREATED');
    this.transition('RUNNING');
    if (Object.keys(this.placement).length === 0) {
      this.scheduler.markScheduled();
      return;
    }
    this.deploy();
  }

  /** Whether the job waits for slots. */
  get waitingForSlots(): boolean {
    return this.status === 'RUNNING' && this.scheduler.lacksSlots();
  }

  /** The slots a waiting job waited for are free: its subtasks deploy there. */
  assign(placement: Placement): void {
    if (!this.waitingForSlots) return;
    this.placement = placement;
    this.scheduler.assign(placement);
    this.deploy();
  }

  /** No slots came within slot.request.timeout: the job fails (Flink's NoResourceAvailableException). */
  failNoResources(timeoutMs: number): void {
    if (!this.waitingForSlots) return;
    this.failover.onFailure(
      { name: 'NoResourceAvailableException', code: 'MF_ERR_NOT_ENOUGH_SLOTS', message: `Slot request bulk is not fulfillable! Could not allocate the required slots within slot request timeout (${timeoutMs} ms, slot.request.timeout).` },
      false,
    );
  }

  /** Deploys the subtasks given (default: every one) as the newest attempt. */
  private deploy(only?: readonly SubtaskInfo[]): void {
    const log = this.loggers(EXECUTION_GRAPH);
    if (log.isInfoEnabled()) {
      for (const s of only ?? this.scheduler.subtasks.values()) log.info('Deploying {} (attempt #{}) to slot {}.', this.taskName(s.vertexId, s.index, this.attempt), this.attempt, s.slot);
    }
    this.scheduler.deploy(this.jobId, this.attempt, this.submission, this.placement, this.checkpoints.restore, only);
    this.coordinator.startPeriodic();
  }

  /**
   * Deploys the attempt once every slot it runs in has a live thread: a slot whose thread was lost
   * waits for its replacement (its subtasks SCHEDULED), up to slot.request.timeout, as Flink's
   * scheduler waits for slots; then the job fails with NoResourceAvailableException.
   */
  private deployWhenSlotsAlive(only?: readonly SubtaskInfo[]): void {
    this.clearSlotWait();
    const dead = this.scheduler.deadSlots(only);
    if (dead.length === 0) {
      this.deploy(only);
      return;
    }
    this.scheduler.markScheduled(only);
    this.waitingToDeploy = only;
    const attempt = this.attempt;
    this.slotWait = setTimeout(() => {
      this.slotWait = undefined;
      if (this.status !== 'RUNNING' || this.attempt !== attempt) return;
      const still = this.scheduler.deadSlots(only);
      this.failover.onFailure(
        {
          name: 'NoResourceAvailableException',
          code: 'MF_ERR_NOT_ENOUGH_SLOTS',
          message: `Could not acquire the slots of attempt ${attempt} within slot request timeout (${this.slotRequestTimeoutMs} ms, slot.request.timeout): the thread of slot ${still.join(', ')} was lost and not replaced.`,
        },
        false,
      );
    }, this.slotRequestTimeoutMs);
    this.slotWait.unref();
  }

  private clearSlotWait(): void {
    if (this.slotWait) clearTimeout(this.slotWait);
    this.slotWait = undefined;
    this.waitingToDeploy = undefined;
  }

  /** The subtasks an attempt waiting for its slots deploys (undefined: every one). */
  private waitingToDeploy: readonly SubtaskInfo[] | undefined;

  /** A lost slot thread was replaced: an attempt that waited for it deploys once all its slots are back. */
  slotRestored(_slot: number): void {
    if (this.slotWait === undefined || this.status !== 'RUNNING') return;
    const only = this.waitingToDeploy;
    if (this.scheduler.deadSlots(only).length > 0) return;
    this.clearSlotWait();
    this.deploy(only);
  }

  /** Keeps the ending attempt of the subtasks given (default: every one) in the execution history, before a new attempt replaces it. */
  private keepPriorAttempts(only?: readonly SubtaskInfo[]): void {
    for (const s of only ?? this.scheduler.subtasks.values()) {
      const key = `${s.vertexId}/${s.index}`;
      const sub = this.metricStore?.vertexMetrics(this.jobId, s.vertexId).get(s.index);
      const kept = this.priorAttempts.get(key) ?? [];
      kept.push({ attempt: s.attempt, subtask: { ...s, timestamps: { ...s.timestamps } }, metrics: sub && sub.attempt === s.attempt ? new Map(sub.metrics) : undefined });
      if (kept.length > PRIOR_ATTEMPTS_KEPT) kept.shift();
      this.priorAttempts.set(key, kept);
    }
  }

  /** A restart of the subtasks given (default: every one) as the next attempt, from the latest checkpoint. */
  private restart(only?: readonly SubtaskInfo[]): void {
    this.watchdog.stop();
    this.keepPriorAttempts(only);
    this.attempt++;
    this.checkpoints.restoreLatest();
    const from = this.checkpoints.restore;
    const source = from ? `${from.kind ?? 'checkpoint'} ${from.checkpointId}` : 'the beginning (no checkpoint completed)';
    if (only) this.loggers(JOB_MASTER).info('Restarting the {} subtasks of the failed pipelined regions of job {} ({}) as attempt #{} from {}.', only.length, this.jobName, this.jobId, this.attempt, source);
    else this.loggers(JOB_MASTER).info('Restarting job {} ({}) as attempt #{} from {}.', this.jobName, this.jobId, this.attempt, source);
    let fresh: SubtaskInfo[] | undefined;
    if (only) {
      fresh = this.scheduler.resetSome(only, this.attempt);
      for (const s of only) this.accumulators.delete(`${s.vertexId}/${s.index}`);
    } else {
      this.scheduler.reset(this.submission.job, this.placement, this.attempt);
      this.accumulators.clear();
    }
    this.transition('RUNNING');
    this.deployWhenSlotsAlive(fresh);
  }

  /** A rescale: the new graph runs as the next attempt (the restart strategy keeps counting across it). */
  private startRescaled(next: JobSubmission, placement: Placement): void {
    this.loggers(JOB_MASTER).info(
      'Rescaling job {} ({}): {}.',
      this.jobName,
      this.jobId,
      next.job.vertices.map((v) => `${v.name} p=${this.submission.job.vertices.find((o) => o.id === v.id)?.parallelism ?? '?'} -> ${v.parallelism}`).join(', '),
    );
    this.submission = { ...next, jobId: this.jobId, restartStrategy: this.submission.restartStrategy };
    this.placement = placement;
    this.keepPriorAttempts();
    this.checkpoints.rescaled(this.submission);
    this.watchdog.stop();
    this.attempt++;
    this.restarts++;
    this.accumulators.clear();
    this.scheduler.reset(this.submission.job, placement, this.attempt);
    this.computeRegions();
    this.transition('RUNNING');
    this.deployWhenSlotsAlive();
  }

  /** Handles a message from a slot thread about this job. */
  handle(msg: FromSlot, fromSlot: number): void {
    if (TERMINAL.has(this.status)) return;
    // A message of an attempt that ended (a subtask that was restarted since, or a whole earlier attempt) is stale.
    if ('subtaskIndex' in msg && 'attempt' in msg && this.scheduler.get(msg.vertexId, msg.subtaskIndex)?.attempt !== msg.attempt) return;
    if (msg.type === 'deploy-failed' && !this.scheduler.attempts().has(msg.attempt)) return;
    switch (msg.type) {
      case 'task-state': {
        const s = this.scheduler.get(msg.vertexId, msg.subtaskIndex);
        if (!s || isTerminalExecution(s.state)) return;
        const name = this.taskName(msg.vertexId, msg.subtaskIndex, msg.attempt);
        if (msg.state === 'FAILED') this.loggers(EXECUTION_GRAPH).warn('{} switched from {} to FAILED on slot {}.\n{}', name, s.state, fromSlot, stackWithCauses(msg.error));
        else this.loggers(EXECUTION_GRAPH).info('{} switched from {} to {}.', name, s.state, msg.state);
        this.scheduler.setState(s, msg.state);
        if (msg.state === 'FINISHED') this.accumulators.set(`${msg.vertexId}/${msg.subtaskIndex}`, msg.accumulators ?? {});
        if (msg.metrics) this.metricStore?.add(msg.metrics);
        if (msg.state === 'FAILED') this.failover.onFailure(msg.error ?? { name: 'Error', message: 'A task failed' }, true, s);
        this.checkDone();
        break;
      }
      case 'input-ended':
        this.checkpoints.inputEnded(msg);
        break;
      case 'restored':
        this.checkpoints.subtaskRestored(msg);
        break;
      case 'checkpoint-ack':
        this.checkpoints.acknowledge(msg);
        break;
      case 'checkpoint-decline':
        this.checkpoints.decline(msg);
        break;
      case 'deploy-failed':
        this.scheduler.failDeployment(fromSlot, msg.attempt);
        this.failover.onFailure(msg.error, true);
        this.checkDone();
        break;
      case 'collect': {
        const seen = this.collected.add(msg.collectId, `${msg.vertexId}/${msg.subtaskIndex}`, msg.epoch, this.codec.decode(msg.bytes), this.submission.checkpoints.interval !== undefined);
        const limit = this.submission.collectLimits.get(msg.collectId);
        if (limit !== undefined && seen >= limit && !this.limitReached) {
          this.limitReached = true;
          this.cancel();
        }
        break;
      }
      default:
        break;
    }
  }

  /**
   * A slot thread died (its exit or error event, its TaskManager killed, a heartbeat timeout, the
   * cancellation watchdog): the subtasks deployed to it failed, and the job fails over under its
   * restart strategy as for any task failure (a canceling subtask just ends CANCELED).
   */
  slotLost(slot: number, error: SerializedError): void {
    if (TERMINAL.has(this.status)) return;
    const [first, ...others] = this.scheduler.failSlot(slot);
    if (first) {
      // Every task of the lost slot failed: the first is the failure, the others that failed its
      // concurrent exceptions (Flink lists each task of a lost TaskManager); their regions restart.
      this.failover.onFailure(error, true, first, others.filter((s) => s.state === 'FAILED'));
      this.checkDone();
    }
  }

  /** Cancels the job. */
  cancel(): void {
    if (TERMINAL.has(this.status) || this.status === 'CANCELLING') return;
    this.loggers(JOB_MASTER).info('Trying to cancel job {} ({}).', this.jobName, this.jobId);
    this.failover.cancelRestart();
    this.coordinator.shutdown('The job is being canceled');
    this.transition('CANCELLING');
    this.cancelTasks();
    this.checkDone();
  }

  /**
   * Cancels the subtasks given (default: every one) still running; the watchdog tells them again,
   * and terminates their slot threads if they do not end.
   */
  private cancelTasks(only?: readonly SubtaskInfo[]): void {
    const { jobId } = this;
    this.clearSlotWait();
    this.scheduler.cancel(jobId, only);
    this.watchdog.watchAttempt(this.attempt, (attempt, tasks) => ({ type: 'cancel', jobId, attempt, ...(tasks ? { tasks } : {}) }), only);
  }

  /** The stop's savepoint completed: every task ends FINISHED (watched as a cancellation). */
  private finishStopped(): void {
    const { jobId } = this;
    this.scheduler.broadcast((attempt) => ({ type: 'finish-stopped', jobId, attempt }));
    this.watchdog.watchAttempt(this.attempt, (attempt) => ({ type: 'finish-stopped', jobId, attempt }));
  }

  /** Flink's name of a subtask: `<name> (i/p)#attempt`. */
  private taskName(vertexId: string, index: number, attempt: number): string {
    const v = this.submission.job.vertices.find((x) => x.id === vertexId);
    return `${v?.name ?? vertexId} (${index + 1}/${v?.parallelism ?? '?'})#${attempt}`;
  }

  /** The running subtask a fault is injected into; MF_ERR_INVALID_ARGUMENT for an unknown one or a job not RUNNING. */
  private injectionTarget(vertexId: string, subtaskIndex: number, what: string) {
    const v = this.submission.job.vertices.find((x) => x.id === vertexId);
    if (!v) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} has no vertex ${vertexId}`);
    if (!Number.isInteger(subtaskIndex) || subtaskIndex < 0 || subtaskIndex >= v.parallelism) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Subtask index ${subtaskIndex} is out of range: vertex '${v.name}' (${v.id}) has parallelism ${v.parallelism}`);
    }
    if (this.status !== 'RUNNING') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} is ${this.status}: ${what} can only be injected into a RUNNING job`);
    const s = this.scheduler.get(vertexId, subtaskIndex)!;
    if (s.state !== 'RUNNING' && s.state !== 'INITIALIZING') {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Subtask ${this.taskName(vertexId, subtaskIndex, s.attempt)} of job ${this.jobId} is ${s.state}: ${what} can only be injected into a running subtask`);
    }
    return s;
  }

  /**
   * Fault injection (a miniflink extension): the subtask throws InjectedFailure from its task loop at
   * once; the job fails over as for any task failure, and the exception history shows it.
   */
  injectSubtaskFailure(vertexId: string, subtaskIndex: number): { vertexId: string; subtaskIndex: number; attempt: number; taskName: string } {
    const s = this.injectionTarget(vertexId, subtaskIndex, 'a subtask failure');
    const { jobId } = this;
    const { attempt } = s;
    const taskName = this.taskName(vertexId, subtaskIndex, attempt);
    const message = `Failure injected into ${taskName} of job ${jobId} (fault injection)`;
    this.scheduler.send(s.slot, { type: 'inject-failure', jobId, attempt, vertexId, subtaskIndex, message });
    return { vertexId, subtaskIndex, attempt, taskName };
  }

  /**
   * Fault injection (a miniflink extension): for its next `count` checkpoints the subtask (default:
   * subtask 0 of the first vertex) declines in its asynchronous part (`fail`) or withholds its
   * acknowledgement until the checkpoint times out (`stall`).
   */
  injectCheckpointFaults(kind: CheckpointFaultKind, count: number, vertexId?: string, subtaskIndex?: number): { kind: CheckpointFaultKind; count: number; vertexId: string; subtaskIndex: number } {
    if (kind !== 'fail' && kind !== 'stall') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `A checkpoint fault is 'fail' or 'stall', not '${String(kind)}'`);
    if (!Number.isSafeInteger(count) || count < 1) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The number of checkpoint faults must be a positive integer, got ${count}`);
    if (this.submission.checkpoints.interval === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Checkpointing is not enabled for job ${this.jobId}`);
    const vertex = vertexId ?? this.submission.job.vertices[0]!.id;
    const index = subtaskIndex ?? 0;
    const s = this.injectionTarget(vertex, index, 'a checkpoint fault');
    const { jobId } = this;
    this.scheduler.send(s.slot, { type: 'inject-checkpoint-fault', jobId, attempt: s.attempt, vertexId: vertex, subtaskIndex: index, kind, count });
    return { kind, count, vertexId: vertex, subtaskIndex: index };
  }

  /** Suspends the job (cluster shutdown). */
  suspend(): void {
    if (TERMINAL.has(this.status) || this.status === 'SUSPENDED') return;
    this.failover.cancelRestart();
    this.scheduler.cancel(this.jobId);
    this.enterStatus('SUSPENDED');
    this.coordinator.onJobEnd('SUSPENDED');
    this.end(new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', `Job ${this.jobId} was suspended because the cluster shut down.`));
  }

  /** Once every subtask ended: ends the job, restarts it, or completes a stop or rescale. */
  private checkDone(): void {
    this.watchdog.update();
    if (this.status === 'RESTARTING') {
      // A restart waits for the subtasks it restarts (every one, or those of the failed regions).
      const restarting = this.failover.restarting();
      if (restarting ? restarting.every((s) => isTerminalExecution(s.state)) : this.scheduler.every((s) => isTerminalExecution(s.state))) this.failover.scheduleRestart();
      return;
    }
    if (!this.scheduler.every((s) => isTerminalExecution(s.state))) return;
    const failure = this.failover.failure;
    if (this.status === 'RUNNING' && this.operations.rescaling !== undefined) {
      this.operations.rescaleStopped();
    } else if (this.status === 'RUNNING' && this.operations.stopping !== undefined) {
      this.transition('FINISHED');
      this.coordinator.onJobEnd('FINISHED');
      this.operations.stopFinished();
      this.end();
    } else if (this.status === 'RUNNING' && this.scheduler.every((s) => s.state === 'FINISHED')) {
      this.transition('FINISHED');
      this.collected.commitAll();
      this.coordinator.onJobEnd('FINISHED');
      this.end();
    } else if (this.status === 'FAILING') {
      this.transition('FAILED');
      this.coordinator.onJobEnd('FAILED');
      this.end(jobFailed(failure!));
    } else if (this.status === 'CANCELLING') {
      if (failure && !this.limitReached && this.statusTimestamps.FAILING !== undefined) {
        this.transition('FAILED');
        this.coordinator.onJobEnd('FAILED');
        this.end(jobFailed(failure));
      } else {
        this.transition('CANCELED');
        if (this.limitReached) this.collected.commitAll();
        this.coordinator.onJobEnd('CANCELED');
        this.end(this.limitReached ? undefined : new MiniFlinkError('MF_ERR_JOB_CANCELED', `Job ${this.jobId} was canceled.`));
      }
    }
  }

  /**
   * Releases the ended attempts of the subtasks given (default: every one): their channels, and
   * what they collected after the last checkpoint. After a failure without checkpointing they run
   * again from scratch, so what they collected so far is dropped too (else executeAndCollect would
   * return it twice). Their accumulators go when their next attempt starts (Flink reports those of
   * the final execution).
   */
  private releaseAttempt(failover = false, only?: readonly SubtaskInfo[]): void {
    const { jobId } = this;
    if (only) for (const { slot, attempt, tasks } of this.scheduler.targets(only, true)) this.scheduler.send(slot, { type: 'release', jobId, attempt, ...(tasks ? { tasks } : {}) });
    else this.scheduler.broadcast((attempt) => ({ type: 'release', jobId, attempt }));
    const tasks = only && new Set(only.map((s) => `${s.vertexId}/${s.index}`));
    this.collected.dropPending(tasks);
    if (failover && this.submission.checkpoints.interval === undefined) this.collected.dropAll(tasks);
  }

  /** The job's plan as Flink's JSON (`/jobs/:id/plan`). */
  plan(): JsonPlan {
    return jsonPlan(this.submission.job, this.jobId);
  }

  /** Triggers a savepoint into `dir` (or the configured savepoint directory). */
  triggerSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    this.loggers(JOB_MASTER).info('Triggering savepoint for job {} into {}.', this.jobId, dir ?? 'the configured savepoint directory');
    return this.operations.triggerSavepoint(dir);
  }

  /**
   * Flink's stop-with-savepoint: a synchronous savepoint (sources emit nothing after its barrier),
   * then every task ends FINISHED, and so does the job. Resolves with the savepoint.
   */
  stopWithSavepoint(dir: string | undefined, drain = false): Promise<CompletedCheckpoint> {
    this.loggers(JOB_MASTER).info('Triggering stop-with-savepoint{} for job {} into {}.', drain ? ' (drain)' : '', this.jobId, dir ?? 'the configured savepoint directory');
    return this.operations.stopWithSavepoint(dir, drain);
  }

  /** Why the job cannot be rescaled now (not RUNNING, or a stop or rescale under way), if it cannot. */
  rescaleRefusal(): string | undefined {
    return this.operations.rescaleRefusal();
  }

  /** First half of a rescale: a savepoint, then every task stops; the job waits in RESTARTING for redeploy(). */
  stopForRescale(dir: string): Promise<CompletedCheckpoint> {
    this.loggers(JOB_MASTER).info('Stopping job {} with a savepoint into {} to rescale it.', this.jobId, dir);
    return this.operations.stopForRescale(dir);
  }

  /** Second half of a rescale: `next` (restoring the rescale's savepoint) runs as a new attempt in `placement`. */
  redeploy(next: JobSubmission, placement: Placement): void {
    this.operations.redeploy(next, placement);
  }

  /** A rescale that stopped the job could not bring it back: the job fails with the reason. */
  failRescale(error: Error): void {
    this.operations.failRescale(error);
  }

  /** The accumulators of finished tasks, merged. */
  accumulatorResults(): Readonly<Record<string, unknown>> {
    const merged: Record<string, unknown> = {};
    for (const values of this.accumulators.values()) mergeAccumulators(merged, values);
    return merged;
  }

  /** Whether executeAndCollect's limit was reached (the job was canceled for it). */
  get collectLimitReached(): boolean {
    return this.limitReached;
  }

  /** Records collected so far (committed ones). */
  collectedRecords(): Map<string, unknown[]> {
    return this.collected.committed();
  }

  private end(error?: Error): void {
    this.watchdog.stop();
    this.clearSlotWait();
    this.endTime = this.clock.now();
    this.checkpoints.jobEnded(error, this.jobId);
    this.operations.jobEnded(error);
    const { jobId } = this;
    this.scheduler.broadcast((attempt) => ({ type: 'release', jobId, attempt, jobEnded: true }));
    this.loggers(JOB_MASTER).info('Job {} ({}) reached terminal state {}.', this.jobName, this.jobId, this.status);
    if (error) this.settle.reject(error);
    else this.settle.resolve(new JobExecutionResult(this.jobId, this.endTime - this.startTime, this.accumulatorResults(), this.collectedRecords()));
    this.onTerminal?.();
  }
}

/** The failover strategy of a job's configuration (jobmanager.execution.failover-strategy; Flink's default, region). */
function failoverStrategyOf(conf: Readonly<Record<string, string>>): 'region' | 'full' {
  const text = conf['jobmanager.execution.failover-strategy']?.trim().toLowerCase();
  if (text === undefined || text === 'region') return 'region';
  if (text === 'full') return 'full';
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${conf['jobmanager.execution.failover-strategy']}' for key 'jobmanager.execution.failover-strategy': expected region or full`);
}

/** Flink's JobExecutionException: "Job execution failed." caused by the task's error. */
function jobFailed(error: SerializedError): Error {
  const cause = deserializeError(error);
  const e = new Error('Job execution failed.', { cause });
  e.name = 'JobExecutionException';
  return e;
}

function mergeAccumulators(into: Record<string, unknown>, values: Readonly<Record<string, unknown>>): void {
  for (const [k, v] of Object.entries(values)) {
    const cur = into[k];
    if (cur === undefined) into[k] = v;
    else if (typeof cur === 'number' && typeof v === 'number') into[k] = cur + v;
    else if (Array.isArray(cur) && Array.isArray(v)) into[k] = [...cur, ...v];
    else into[k] = v;
  }
}
