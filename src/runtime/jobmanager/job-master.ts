/**
 * The JobMaster of one job: deploys its subtasks to slot threads, follows their states, runs the
 * checkpoint coordinator, restarts the job from its latest checkpoint under its restart strategy,
 * and ends the job (Flink's JobMaster with a full-restart scheduler).
 *
 *   CREATED -> RUNNING -> FINISHED
 *                      -> RESTARTING -> RUNNING (attempt + 1, restored from the latest checkpoint)
 *                      -> FAILING -> FAILED | CANCELLING -> CANCELED
 *                      -> RESTARTING -> RUNNING (rescaled: savepoint, then the new graph restored from it)
 */
import { JobExecutionResult, type JobStatusName } from '../../api/index.js';
import { CheckpointCoordinator, type CheckpointSettings, type CompletedCheckpoint, type StateHandle } from '../../checkpoint/index.js';
import type { Clock } from '../../core/clock.js';
import { deserializeError, isRetryable, MiniFlinkError, serializeError, type SerializedError } from '../../core/errors.js';
import { RecordBatchCodec } from '../../core/serde.js';
import { jsonPlan, type JobGraph, type JsonPlan } from '../../graph/index.js';
import type { FromSlot, ProgramSpec, ReportedState, RestoreSpec, ToSlot } from '../protocol.js';
import { checkTransition, TERMINAL } from './job-status.js';
import type { Placement } from './placement.js';
import type { RestartStrategy } from './restart-strategy.js';

/** Flink's ExecutionState names as the JobMaster tracks them. */
export type ExecutionStateName = 'CREATED' | 'SCHEDULED' | 'DEPLOYING' | ReportedState | 'CANCELING';

/** One subtask as the JobMaster sees it. */
export interface SubtaskInfo {
  readonly vertexId: string;
  readonly index: number;
  /** The slot it runs in; -1 while the job waits for slots. */
  slot: number;
  state: ExecutionStateName;
  /** Whether its input ended (it waits for the final checkpoint). */
  inputEnded: boolean;
  readonly timestamps: Partial<Record<ExecutionStateName, number>>;
}

/** How the JobMaster reaches slot threads. */
export interface SlotGateway {
  send(slot: number, msg: ToSlot): void;
}

/** Settings of one submission. */
export interface JobSubmission {
  readonly jobId: string;
  readonly job: JobGraph;
  readonly program: ProgramSpec;
  readonly objectReuse: boolean;
  readonly bufferTimeout: number;
  readonly collectLimits: ReadonlyMap<string, number>;
  readonly checkpoints: CheckpointSettings;
  readonly restartStrategy: RestartStrategy;
  /** uid and name by operator id. */
  readonly operators: ReadonlyMap<string, { uid: string | undefined; name: string }>;
  /** State to start from (`-s`), if any. */
  readonly restore: RestoreSpec | undefined;
  /** Where keyed state lives. */
  readonly stateBackend: 'hashmap' | 'leveldb';
  /** Flink's text for the restart strategy set in the job's code (`/jobs/:id/config`). */
  readonly restartStrategyText: string;
}

const isTerminalExecution = (s: ExecutionStateName) => s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';

/** The JobMaster. */
export class JobMaster {
  status: JobStatusName = 'INITIALIZING';
  readonly statusTimestamps: Partial<Record<JobStatusName, number>> = {};
  readonly subtasks = new Map<string, SubtaskInfo>();
  /** The failure that ended the job (or the latest one a restart recovered from). */
  failure: SerializedError | undefined;
  /** Every failure, newest last (exception history), with the subtask it came from (none: a global failure). */
  readonly failures: Array<{ error: SerializedError; timestamp: number; task?: { vertexId: string; subtaskIndex: number; slot: number; attempt: number } }> = [];
  endTime = -1;
  /** The current attempt (restarts increase it). */
  attempt = 0;
  /** The checkpoint coordinator. */
  readonly coordinator: CheckpointCoordinator;
  /** Collected records by collect id: committed, and uncommitted with the checkpoint epoch they follow. */
  private readonly collected = new Map<string, { committed: unknown[]; pending: Array<{ epoch: number; records: unknown[] }> }>();
  private limitReached = false;
  private readonly accumulators: Record<string, unknown> = {};
  private readonly codec = new RecordBatchCodec();
  private readonly done: Promise<JobExecutionResult>;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: Error) => void };
  private restore: RestoreSpec | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Set by stopWithSavepoint: the savepoint's id; the job ends FINISHED once its tasks stopped. */
  private stopping: number | undefined;
  /** Set while the job rescales: its tasks stop after the savepoint (then `resolve`), and redeploy() brings the new graph. */
  private rescaling: { resolve: () => void } | undefined;
  /** Set by stop --drain: where the final savepoint goes, and who waits for it. */
  private draining: { dir: string | undefined; done: { resolve: (c: CompletedCheckpoint) => void; reject: (e: Error) => void } | undefined } | undefined;
  onTerminal: (() => void) | undefined;
  /** What the job last restored from, and when (Flink's `latest.restored`). */
  restored: { readonly spec: RestoreSpec; readonly timestamp: number } | undefined;
  readonly startTime: number;

  constructor(
    /** What was submitted; a rescale replaces it with the same program at the new parallelism. */
    public submission: JobSubmission,
    /** Where each subtask runs. */
    public placement: Placement,
    private readonly gateway: SlotGateway,
    private readonly clock: Clock,
  ) {
    this.startTime = clock.now();
    this.statusTimestamps.INITIALIZING = this.startTime;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => {});
    this.restore = submission.restore;
    this.coordinator = new CheckpointCoordinator(
      submission.jobId,
      submission.job,
      submission.operators,
      submission.checkpoints,
      {
        allRunning: () => [...this.subtasks.values()].every((s) => s.state === 'RUNNING'),
        tasksToTrigger: () => [...this.subtasks.values()].filter((s) => s.state === 'RUNNING' && (s.inputEnded || this.isSource(s.vertexId))).map((s) => ({ vertexId: s.vertexId, subtaskIndex: s.index })),
        allTasks: () => [...this.subtasks.values()].map((s) => ({ vertexId: s.vertexId, subtaskIndex: s.index })),
        trigger: (checkpointId, timestamp, kind, targetDir, tasks, stop) => {
          const bySlot = new Map<number, { vertexId: string; subtaskIndex: number }[]>();
          for (const t of tasks) {
            const slot = this.subtasks.get(`${t.vertexId}/${t.subtaskIndex}`)!.slot;
            let l = bySlot.get(slot);
            if (!l) bySlot.set(slot, (l = []));
            l.push(t);
          }
          for (const [slot, l] of bySlot) this.gateway.send(slot, { type: 'trigger-checkpoint', jobId: this.jobId, attempt: this.attempt, checkpointId, timestamp, kind, targetDir, tasks: l, stop });
        },
        allInputEnded: () => [...this.subtasks.values()].every((s) => s.inputEnded),
        notify: (checkpointId, outcome, final) => {
          if (outcome === 'complete') this.commitCollected(checkpointId);
          // The final checkpoint failed: tasks wait for one, so take another.
          if (outcome === 'aborted' && this.status === 'RUNNING' && this.stopping === undefined && this.rescaling === undefined && [...this.subtasks.values()].every((x) => x.inputEnded)) {
            setTimeout(() => this.triggerFinalCheckpoint(), 50);
          }
          for (const slot of this.slots()) this.gateway.send(slot, { type: 'notify-checkpoint', jobId: this.jobId, attempt: this.attempt, checkpointId, outcome, final });
        },
        failJob: (error) => this.onFailure(error, false),
      },
      submission.restore?.checkpointId ?? 0,
    );
    if (submission.restore) {
      this.coordinator.counts.restored++;
      this.restored = { spec: submission.restore, timestamp: this.startTime };
    }
    if (submission.restore?.claimed && submission.restore.dir !== undefined) this.coordinator.adopt(submission.restore.dir, submission.restore.checkpointId);
    this.resetSubtasks();
  }

  get jobId(): string {
    return this.submission.jobId;
  }

  get jobName(): string {
    return this.submission.job.jobName;
  }

  /** Resolves with the result when the job finishes; rejects when it fails or is canceled. */
  result(): Promise<JobExecutionResult> {
    return this.done;
  }

  private isSource(vertexId: string): boolean {
    return this.submission.job.vertices.find((v) => v.id === vertexId)!.inputs.length === 0;
  }

  private slots(): Set<number> {
    return new Set([...this.subtasks.values()].map((s) => s.slot).filter((s) => s >= 0));
  }

  private resetSubtasks(): void {
    const now = this.clock.now();
    for (const v of this.submission.job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.subtasks.set(`${v.id}/${i}`, { vertexId: v.id, index: i, slot: this.placement[v.id]?.[i] ?? -1, state: 'CREATED', inputEnded: false, timestamps: { CREATED: now } });
      }
    }
  }

  private transition(to: JobStatusName): void {
    checkTransition(this.jobId, this.status, to);
    this.status = to;
    this.statusTimestamps[to] = this.clock.now();
  }

  /**
   * Deploys every subtask; without slots yet (an empty placement), the job runs with its subtasks
   * SCHEDULED until assign() gives it slots (Flink's default scheduler waiting for resources).
   */
  start(): void {
    this.transition('CREATED');
    this.transition('RUNNING');
    if (Object.keys(this.placement).length === 0) {
      for (const s of this.subtasks.values()) this.setState(s, 'SCHEDULED');
      return;
    }
    this.deploy();
  }

  /** Whether the job waits for slots. */
  get waitingForSlots(): boolean {
    return this.status === 'RUNNING' && [...this.subtasks.values()].some((s) => s.slot < 0);
  }

  /** The slots a waiting job waited for are free: its subtasks deploy there. */
  assign(placement: Placement): void {
    if (!this.waitingForSlots) return;
    this.placement = placement;
    for (const s of this.subtasks.values()) s.slot = placement[s.vertexId]![s.index]!;
    this.deploy();
  }

  /** No slots came within slot.request.timeout: the job fails (Flink's NoResourceAvailableException). */
  failNoResources(timeoutMs: number): void {
    if (!this.waitingForSlots) return;
    this.onFailure(
      { name: 'NoResourceAvailableException', code: 'MF_ERR_NOT_ENOUGH_SLOTS', message: `Slot request bulk is not fulfillable! Could not allocate the required slots within slot request timeout (${timeoutMs} ms, slot.request.timeout).` },
      false,
    );
  }

  private deploy(): void {
    const bySlot = new Map<number, { vertexId: string; subtaskIndex: number }[]>();
    for (const s of this.subtasks.values()) {
      let l = bySlot.get(s.slot);
      if (!l) bySlot.set(s.slot, (l = []));
      l.push({ vertexId: s.vertexId, subtaskIndex: s.index });
      this.setState(s, 'SCHEDULED');
      this.setState(s, 'DEPLOYING');
    }
    const { job, program, objectReuse, bufferTimeout, checkpoints } = this.submission;
    const checkpointing = { enabled: checkpoints.interval !== undefined, mode: checkpoints.mode, compression: checkpoints.compression, stateBackend: this.submission.stateBackend };
    for (const [slot, tasks] of bySlot) {
      this.gateway.send(slot, { type: 'deploy', jobId: this.jobId, attempt: this.attempt, program, fingerprint: job.fingerprint, placement: this.placement, tasks, bufferTimeout, objectReuse, checkpointing, restore: this.restore });
    }
    this.coordinator.startPeriodic();
  }

  private setState(s: SubtaskInfo, state: ExecutionStateName): void {
    s.state = state;
    s.timestamps[state] = this.clock.now();
  }

  /** Handles a message from a slot thread about this job. */
  handle(msg: FromSlot, fromSlot: number): void {
    if (TERMINAL.has(this.status)) return;
    if ('attempt' in msg && msg.attempt !== this.attempt) return; // A message of an earlier attempt.
    switch (msg.type) {
      case 'task-state': {
        const s = this.subtasks.get(`${msg.vertexId}/${msg.subtaskIndex}`);
        if (!s || isTerminalExecution(s.state)) return;
        this.setState(s, msg.state);
        if (msg.state === 'FINISHED') mergeAccumulators(this.accumulators, msg.accumulators ?? {});
        if (msg.state === 'FAILED') this.onFailure(msg.error ?? { name: 'Error', message: 'A task failed' }, true, s);
        this.checkDone();
        break;
      }
      case 'input-ended': {
        const s = this.subtasks.get(`${msg.vertexId}/${msg.subtaskIndex}`);
        if (!s) return;
        s.inputEnded = true;
        const ref = { vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex };
        this.coordinator.onTaskInputEnded(ref);
        // Every task ended its input: take the final checkpoint now (Flink's FLIP-147); no more periodic ones.
        if ([...this.subtasks.values()].every((x) => x.inputEnded) && this.status === 'RUNNING' && this.rescaling === undefined) {
          this.coordinator.stopPeriodic();
          this.triggerFinalCheckpoint();
        }
        break;
      }
      case 'checkpoint-ack':
        this.coordinator.acknowledge(msg.checkpointId, { vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex }, msg.handles as StateHandle[], { sync: msg.syncMs, async: msg.asyncMs, alignment: msg.alignmentMs });
        break;
      case 'checkpoint-decline':
        this.coordinator.decline(msg.checkpointId, { vertexId: msg.vertexId, subtaskIndex: msg.subtaskIndex }, msg.error, msg.counts);
        break;
      case 'deploy-failed': {
        for (const s of this.subtasks.values()) if (s.slot === fromSlot && !isTerminalExecution(s.state)) this.setState(s, 'FAILED');
        this.onFailure(msg.error, true);
        this.checkDone();
        break;
      }
      case 'collect': {
        const records = this.codec.decode(msg.bytes);
        let c = this.collected.get(msg.collectId);
        if (!c) this.collected.set(msg.collectId, (c = { committed: [], pending: [] }));
        if (this.submission.checkpoints.interval === undefined) c.committed.push(...records);
        else c.pending.push({ epoch: msg.epoch, records });
        const limit = this.submission.collectLimits.get(msg.collectId);
        const seen = c.committed.length + c.pending.reduce((a, p) => a + p.records.length, 0);
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

  /** Records collected before checkpoint `id`'s barrier are final once it completes. */
  private commitCollected(id: number): void {
    for (const c of this.collected.values()) {
      for (const p of c.pending.filter((x) => x.epoch < id)) c.committed.push(...p.records);
      c.pending = c.pending.filter((x) => x.epoch >= id);
    }
  }

  /** A slot thread died: its subtasks failed. */
  slotLost(slot: number, error: SerializedError): void {
    if (TERMINAL.has(this.status)) return;
    let hit: SubtaskInfo | undefined;
    for (const s of this.subtasks.values()) {
      if (s.slot === slot && !isTerminalExecution(s.state)) {
        this.setState(s, 'FAILED');
        hit ??= s;
      }
    }
    if (hit) {
      this.onFailure(error, false, hit);
      this.checkDone();
    }
  }

  private onFailure(error: SerializedError, restartable: boolean, task?: SubtaskInfo): void {
    this.failures.push({ error, timestamp: this.clock.now(), ...(task ? { task: { vertexId: task.vertexId, subtaskIndex: task.index, slot: task.slot, attempt: this.attempt } } : {}) });
    if (this.status !== 'RUNNING' || this.stopping !== undefined || this.rescaling !== undefined) {
      this.failure ??= error;
      return;
    }
    this.failure = error;
    const strategy = this.submission.restartStrategy;
    strategy.notifyFailure(this.clock.now());
    this.coordinator.abortAll(`The job failed: ${error.message}`, false);
    if (restartable && isRetryable(error) && strategy.canRestart() && !this.limitReached && this.stopping === undefined) {
      this.coordinator.stopPeriodic();
      this.transition('RESTARTING');
    } else {
      this.coordinator.shutdown('The job is failing');
      this.transition('FAILING');
    }
    this.cancelTasks();
    this.checkDone();
  }

  /** Cancels the job. */
  cancel(): void {
    if (TERMINAL.has(this.status) || this.status === 'CANCELLING') return;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.coordinator.shutdown('The job is being canceled');
    this.transition('CANCELLING');
    this.cancelTasks();
    this.checkDone();
  }

  private cancelTasks(): void {
    const slots = new Set<number>();
    for (const s of this.subtasks.values()) {
      if (isTerminalExecution(s.state)) continue;
      // A subtask that never got a slot ends at once.
      if (s.slot < 0) {
        this.setState(s, 'CANCELED');
        continue;
      }
      slots.add(s.slot);
      this.setState(s, 'CANCELING');
    }
    for (const slot of slots) this.gateway.send(slot, { type: 'cancel', jobId: this.jobId, attempt: this.attempt });
  }

  /** Suspends the job (cluster shutdown). */
  suspend(): void {
    if (TERMINAL.has(this.status) || this.status === 'SUSPENDED') return;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.cancelTasks();
    this.status = 'SUSPENDED';
    this.statusTimestamps.SUSPENDED = this.clock.now();
    this.coordinator.onJobEnd('SUSPENDED');
    this.end(new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', `Job ${this.jobId} was suspended because the cluster shut down.`));
  }

  private checkDone(): void {
    const all = [...this.subtasks.values()];
    if (!all.every((s) => isTerminalExecution(s.state))) return;
    if (this.status === 'RUNNING' && this.rescaling !== undefined) {
      this.transition('RESTARTING');
      this.releaseAttempt();
      this.rescaling.resolve();
    } else if (this.status === 'RUNNING' && this.stopping !== undefined) {
      this.transition('FINISHED');
      this.coordinator.onJobEnd('FINISHED');
      this.end();
    } else if (this.status === 'RUNNING' && all.every((s) => s.state === 'FINISHED')) {
      this.transition('FINISHED');
      for (const c of this.collected.values()) for (const p of c.pending) c.committed.push(...p.records);
      this.coordinator.onJobEnd('FINISHED');
      this.end();
    } else if (this.status === 'RESTARTING') {
      this.scheduleRestart();
    } else if (this.status === 'FAILING') {
      this.transition('FAILED');
      this.coordinator.onJobEnd('FAILED');
      this.end(jobFailed(this.failure!));
    } else if (this.status === 'CANCELLING') {
      if (this.failure && !this.limitReached && this.statusTimestamps.FAILING !== undefined) {
        this.transition('FAILED');
        this.coordinator.onJobEnd('FAILED');
        this.end(jobFailed(this.failure));
      } else {
        this.transition('CANCELED');
        if (this.limitReached) for (const c of this.collected.values()) for (const p of c.pending) c.committed.push(...p.records);
        this.coordinator.onJobEnd('CANCELED');
        this.end(this.limitReached ? undefined : new MiniFlinkError('MF_ERR_JOB_CANCELED', `Job ${this.jobId} was canceled.`));
      }
    }
  }

  /** Releases the old attempt's channels and drops what it collected after the last checkpoint. */
  private releaseAttempt(): void {
    for (const slot of this.slots()) this.gateway.send(slot, { type: 'release', jobId: this.jobId, attempt: this.attempt });
    for (const c of this.collected.values()) c.pending = [];
  }

  private scheduleRestart(): void {
    this.releaseAttempt();
    const delay = this.submission.restartStrategy.getBackoffTime();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.status !== 'RESTARTING') return;
      this.attempt++;
      const latest = this.coordinator.latest;
      if (latest) {
        this.restore = restoreSpecOf(latest);
        this.coordinator.counts.restored++;
        this.restored = { spec: this.restore, timestamp: this.clock.now() };
      }
      this.resetSubtasks();
      this.transition('RUNNING');
      this.deploy();
    }, delay);
  }

  /** The job's plan as Flink's JSON (`/jobs/:id/plan`). */
  plan(): JsonPlan {
    return jsonPlan(this.submission.job, this.jobId);
  }

  /** Takes the final checkpoint (every task's input ended); tries again until one completes. */
  private triggerFinalCheckpoint(): void {
    if (this.status !== 'RUNNING' || this.stopping !== undefined || this.rescaling !== undefined) return;
    const d = this.draining;
    this.coordinator.trigger(d ? 'savepoint' : 'checkpoint', d?.dir).then(
      (c) => d?.done?.resolve(c),
      () => setTimeout(() => this.triggerFinalCheckpoint(), 50),
    );
  }

  /** Triggers a savepoint into `dir` (or the configured savepoint directory). */
  triggerSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    if (this.status !== 'RUNNING') return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} is ${this.status}: a savepoint needs a RUNNING job`));
    return this.coordinator.trigger('savepoint', dir);
  }

  /**
   * Flink's stop-with-savepoint: a synchronous savepoint (sources emit nothing after its barrier),
   * then every task ends FINISHED, and so does the job. Resolves with the savepoint.
   */
  async stopWithSavepoint(dir: string | undefined, drain = false): Promise<CompletedCheckpoint> {
    if (this.status !== 'RUNNING') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} is ${this.status}: only a RUNNING job can be stopped`);
    if (drain) return this.drainWithSavepoint(dir);
    const savepoint = await this.synchronousSavepoint(dir);
    if (this.status === 'RUNNING') {
      this.stopping = savepoint.id;
      this.coordinator.shutdown('The job is stopping with a savepoint');
      // Flink's synchronous savepoint: nothing was emitted after it; the tasks now end FINISHED.
      for (const slot of this.slots()) this.gateway.send(slot, { type: 'finish-stopped', jobId: this.jobId, attempt: this.attempt });
      this.checkDone();
    }
    return savepoint;
  }

  /**
   * The savepoint of a stop or a rescale (Flink's synchronous savepoint: sources emit nothing
   * after its barrier). Periodic checkpoints pause for it; should it fail, the job runs on with
   * them, as Flink's scheduler does.
   */
  private async synchronousSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    this.coordinator.stopPeriodic();
    try {
      return await this.coordinator.trigger('savepoint', dir, true);
    } catch (e) {
      if (this.status === 'RUNNING' && this.stopping === undefined && this.rescaling === undefined) this.coordinator.startPeriodic();
      throw e;
    }
  }

  /**
   * First half of a rescale (what Flink's old rescaling did in place): takes a savepoint, then
   * stops every task; the job waits in RESTARTING for redeploy(). Resolves with the savepoint once
   * every task stopped. When the savepoint fails, the job runs on as it was.
   */
  async stopForRescale(dir: string): Promise<CompletedCheckpoint> {
    if (this.status !== 'RUNNING' || this.stopping !== undefined || this.draining !== undefined || this.rescaling !== undefined) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} is ${this.status}${this.rescaling ? ' and already rescaling' : ''}: only a RUNNING job can be rescaled`);
    }
    // As a stop's savepoint: sources emit nothing after it, so no sink sees a record twice.
    const savepoint = await this.synchronousSavepoint(dir);
    if (this.status !== 'RUNNING') throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} became ${this.status} during the rescale's savepoint`);
    const stopped = new Promise<void>((resolve) => (this.rescaling = { resolve }));
    this.coordinator.abortAll('The job is rescaling', false);
    this.cancelTasks();
    this.checkDone();
    await stopped;
    return savepoint;
  }

  /**
   * Second half of a rescale: runs `next` (the same program at its new parallelism, restoring the
   * rescale's savepoint) under this JobID as a new attempt, in the slots of `placement`.
   */
  redeploy(next: JobSubmission, placement: Placement): void {
    if (this.status !== 'RESTARTING' || this.rescaling === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} is ${this.status}: it cannot be redeployed`);
    this.rescaling = undefined;
    // The restart strategy keeps counting across the rescale.
    this.submission = { ...next, jobId: this.jobId, restartStrategy: this.submission.restartStrategy };
    this.placement = placement;
    this.restore = next.restore;
    this.coordinator.rescaled(this.submission.job, this.submission.operators);
    this.coordinator.counts.restored++;
    if (next.restore) this.restored = { spec: next.restore, timestamp: this.clock.now() };
    this.attempt++;
    this.subtasks.clear();
    this.resetSubtasks();
    this.transition('RUNNING');
    this.deploy();
  }

  /** A rescale that stopped the job could not bring it back: the job fails with the reason. */
  failRescale(error: Error): void {
    if (this.status !== 'RESTARTING' || this.rescaling === undefined) return;
    this.rescaling = undefined;
    this.failure = serializeError(error);
    this.failures.push({ error: this.failure, timestamp: this.clock.now() });
    this.coordinator.shutdown('The rescale failed');
    this.transition('FAILING');
    this.checkDone();
  }

  /**
   * stop --drain: sources end their input; every task ends as in a bounded job (event-time timers
   * fire at the final watermark), and the final checkpoint is the savepoint. The job ends FINISHED.
   */
  private drainWithSavepoint(dir: string | undefined): Promise<CompletedCheckpoint> {
    if (dir === undefined && this.submission.checkpoints.savepointDir === undefined) {
      return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'No savepoint directory: give one, or set execution.checkpointing.savepoint-dir (state.savepoints.dir)'));
    }
    if (this.submission.checkpoints.interval === undefined) {
      return Promise.reject(new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'stop --drain needs checkpointing: the savepoint is the final checkpoint after the input ended'));
    }
    this.coordinator.stopPeriodic();
    this.draining = { dir, done: undefined };
    const result = new Promise<CompletedCheckpoint>((resolve, reject) => (this.draining!.done = { resolve, reject }));
    for (const slot of this.slots()) this.gateway.send(slot, { type: 'drain', jobId: this.jobId, attempt: this.attempt });
    return result;
  }

  /** The accumulators of finished tasks, merged. */
  accumulatorResults(): Readonly<Record<string, unknown>> {
    return this.accumulators;
  }

  /** Whether executeAndCollect's limit was reached (the job was canceled for it). */
  get collectLimitReached(): boolean {
    return this.limitReached;
  }

  /** Records collected so far (committed ones). */
  collectedRecords(): Map<string, unknown[]> {
    return new Map([...this.collected].map(([k, v]) => [k, v.committed]));
  }

  private end(error?: Error): void {
    this.endTime = this.clock.now();
    this.draining?.done?.reject(error ?? new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${this.jobId} ended before its drain savepoint completed`));
    for (const slot of this.slots()) this.gateway.send(slot, { type: 'release', jobId: this.jobId, attempt: this.attempt });
    if (error) this.settle.reject(error);
    else this.settle.resolve(new JobExecutionResult(this.jobId, this.endTime - this.startTime, { ...this.accumulators }, this.collectedRecords()));
    this.onTerminal?.();
  }
}

/** The restore spec of a completed checkpoint: every handle by operator id. */
export function restoreSpecOf(c: CompletedCheckpoint): RestoreSpec {
  const handles: Record<string, StateHandle[]> = {};
  for (const op of c.metadata.operators) handles[op.operatorId] = op.handles;
  return { dir: c.dir, checkpointId: c.id, kind: c.kind, handles };
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
