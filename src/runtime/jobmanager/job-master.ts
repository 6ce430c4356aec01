/**
 * The JobMaster of one job: deploys its subtasks to slot threads, follows their states, turns
 * them into the job's status, and ends the job (Flink's JobMaster + a full-restart-less scheduler;
 * restart strategies arrive with checkpoints).
 */
import { JobExecutionResult, type JobStatusName } from '../../api/index.js';
import type { Clock } from '../../core/clock.js';
import { deserializeError, MiniFlinkError, type SerializedError } from '../../core/errors.js';
import { RecordBatchCodec } from '../../core/serde.js';
import type { JobGraph } from '../../graph/index.js';
import type { FromSlot, ProgramSpec, ReportedState, ToSlot } from '../protocol.js';
import { checkTransition, TERMINAL } from './job-status.js';
import type { Placement } from './placement.js';

/** Flink's ExecutionState names as the JobMaster tracks them. */
export type ExecutionStateName = 'CREATED' | 'SCHEDULED' | 'DEPLOYING' | ReportedState | 'CANCELING';

/** One subtask as the JobMaster sees it. */
export interface SubtaskInfo {
  /** The vertex. */
  readonly vertexId: string;
  /** Subtask index. */
  readonly index: number;
  /** The slot thread it runs in. */
  readonly slot: number;
  /** Current state. */
  state: ExecutionStateName;
  /** Timestamps of the states it went through. */
  readonly timestamps: Partial<Record<ExecutionStateName, number>>;
}

/** How the JobMaster reaches slot threads. */
export interface SlotGateway {
  /** Sends a message to a slot thread. */
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
}

const isTerminalExecution = (s: ExecutionStateName) => s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';

/** The JobMaster. */
export class JobMaster {
  /** Current job status. */
  status: JobStatusName = 'INITIALIZING';
  /** When each status was entered. */
  readonly statusTimestamps: Partial<Record<JobStatusName, number>> = {};
  /** Subtasks by `<vertexId>/<index>`. */
  readonly subtasks = new Map<string, SubtaskInfo>();
  /** The first failure, if any. */
  failure: SerializedError | undefined;
  /** When the job ended, or -1. */
  endTime = -1;
  /** Records gathered by executeAndCollect, by collect id. */
  private readonly collected = new Map<string, unknown[]>();
  private limitReached = false;
  private readonly accumulators: Record<string, unknown> = {};
  private readonly codec = new RecordBatchCodec();
  private readonly attempt = 0;
  private readonly done: Promise<JobExecutionResult>;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: Error) => void };
  /** Called once the job reached a terminal state and its slots can be freed. */
  onTerminal: (() => void) | undefined;
  /** The start time. */
  readonly startTime: number;

  constructor(
    /** What was submitted. */
    readonly submission: JobSubmission,
    /** Where each subtask runs. */
    readonly placement: Placement,
    private readonly gateway: SlotGateway,
    private readonly clock: Clock,
  ) {
    this.startTime = clock.now();
    this.statusTimestamps.INITIALIZING = this.startTime;
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Callers may never ask for the result (detached jobs): keep a rejection from going unhandled.
    this.done.catch(() => {});
    for (const v of submission.job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.subtasks.set(`${v.id}/${i}`, { vertexId: v.id, index: i, slot: placement[v.id]![i]!, state: 'CREATED', timestamps: { CREATED: this.startTime } });
      }
    }
  }

  /** The job's id. */
  get jobId(): string {
    return this.submission.jobId;
  }

  /** The job's name. */
  get jobName(): string {
    return this.submission.job.jobName;
  }

  /** Resolves with the result when the job finishes; rejects when it fails or is canceled. */
  result(): Promise<JobExecutionResult> {
    return this.done;
  }

  private transition(to: JobStatusName): void {
    checkTransition(this.jobId, this.status, to);
    this.status = to;
    this.statusTimestamps[to] = this.clock.now();
  }

  /** Deploys every subtask. */
  start(): void {
    this.transition('CREATED');
    this.transition('RUNNING');
    const bySlot = new Map<number, { vertexId: string; subtaskIndex: number }[]>();
    for (const s of this.subtasks.values()) {
      let l = bySlot.get(s.slot);
      if (!l) bySlot.set(s.slot, (l = []));
      l.push({ vertexId: s.vertexId, subtaskIndex: s.index });
      this.setState(s, 'DEPLOYING');
    }
    const { job, program, objectReuse, bufferTimeout } = this.submission;
    for (const [slot, tasks] of bySlot) {
      this.gateway.send(slot, {
        type: 'deploy',
        jobId: this.jobId,
        attempt: this.attempt,
        program,
        fingerprint: job.fingerprint,
        placement: this.placement,
        tasks,
        bufferTimeout,
        objectReuse,
      });
    }
  }

  private setState(s: SubtaskInfo, state: ExecutionStateName): void {
    s.state = state;
    s.timestamps[state] = this.clock.now();
  }

  /** Handles a message from a slot thread about this job. */
  handle(msg: FromSlot, fromSlot: number): void {
    if (TERMINAL.has(this.status)) return;
    switch (msg.type) {
      case 'task-state': {
        const s = this.subtasks.get(`${msg.vertexId}/${msg.subtaskIndex}`);
        if (!s || isTerminalExecution(s.state)) return;
        this.setState(s, msg.state);
        if (msg.state === 'FINISHED') mergeAccumulators(this.accumulators, msg.accumulators ?? {});
        if (msg.state === 'FAILED') this.fail(msg.error ?? { name: 'Error', message: 'A task failed' });
        this.checkDone();
        break;
      }
      case 'deploy-failed': {
        for (const s of this.subtasks.values()) if (s.slot === fromSlot && !isTerminalExecution(s.state)) this.setState(s, 'FAILED');
        this.fail(msg.error);
        this.checkDone();
        break;
      }
      case 'collect': {
        const records = this.codec.decode(msg.bytes);
        let list = this.collected.get(msg.collectId);
        if (!list) this.collected.set(msg.collectId, (list = []));
        for (const r of records) list.push(r);
        const limit = this.submission.collectLimits.get(msg.collectId);
        if (limit !== undefined && list.length >= limit && !this.limitReached) {
          this.limitReached = true;
          this.cancel();
        }
        break;
      }
      default:
        break;
    }
  }

  /** A slot thread died: its subtasks failed. */
  slotLost(slot: number, error: SerializedError): void {
    if (TERMINAL.has(this.status)) return;
    let hit = false;
    for (const s of this.subtasks.values()) {
      if (s.slot === slot && !isTerminalExecution(s.state)) {
        this.setState(s, 'FAILED');
        hit = true;
      }
    }
    if (hit) {
      this.fail(error);
      this.checkDone();
    }
  }

  private fail(error: SerializedError): void {
    if (this.status === 'FAILING' || this.status === 'CANCELLING') {
      this.failure ??= error;
      return;
    }
    this.failure = error;
    this.transition('FAILING');
    this.cancelTasks();
  }

  /** Cancels the job. */
  cancel(): void {
    if (TERMINAL.has(this.status) || this.status === 'CANCELLING') return;
    this.transition('CANCELLING');
    this.cancelTasks();
    this.checkDone();
  }

  private cancelTasks(): void {
    const slots = new Set<number>();
    for (const s of this.subtasks.values()) {
      if (isTerminalExecution(s.state)) continue;
      slots.add(s.slot);
      this.setState(s, 'CANCELING');
    }
    for (const slot of slots) this.gateway.send(slot, { type: 'cancel', jobId: this.jobId, attempt: this.attempt });
  }

  /** Suspends the job (cluster shutdown). */
  suspend(): void {
    if (TERMINAL.has(this.status) || this.status === 'SUSPENDED') return;
    this.cancelTasks();
    this.status = 'SUSPENDED';
    this.statusTimestamps.SUSPENDED = this.clock.now();
    this.end(new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', `Job ${this.jobId} was suspended because the cluster shut down.`));
  }

  private checkDone(): void {
    const all = [...this.subtasks.values()];
    if (!all.every((s) => isTerminalExecution(s.state))) return;
    if (this.status === 'RUNNING' && all.every((s) => s.state === 'FINISHED')) {
      this.transition('FINISHED');
      this.end();
    } else if (this.status === 'FAILING') {
      this.transition('FAILED');
      this.end(jobFailed(this.failure!));
    } else if (this.status === 'CANCELLING') {
      if (this.failure && !this.limitReached) {
        this.transition('FAILED');
        this.end(jobFailed(this.failure));
      } else {
        this.transition('CANCELED');
        this.end(this.limitReached ? undefined : new MiniFlinkError('MF_ERR_JOB_CANCELED', `Job ${this.jobId} was canceled.`));
      }
    }
  }

  private end(error?: Error): void {
    this.endTime = this.clock.now();
    for (const slot of new Set([...this.subtasks.values()].map((s) => s.slot))) this.gateway.send(slot, { type: 'release', jobId: this.jobId, attempt: this.attempt });
    if (error) this.settle.reject(error);
    else this.settle.resolve(new JobExecutionResult(this.jobId, this.endTime - this.startTime, { ...this.accumulators }, this.collected));
    this.onTerminal?.();
  }
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
