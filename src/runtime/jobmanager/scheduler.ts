/**
 * Scheduling and deployment of one job attempt (Flink's scheduler with its ExecutionDeployer, for a
 * full restart): the subtasks and their execution states, the slot each runs in, and the messages
 * that deploy, cancel and release them. A subtask without a slot yet (-1) waits SCHEDULED until
 * the dispatcher assigns slots (Flink's default scheduler waiting for resources).
 */
import type { Clock } from '../../core/clock.js';
import type { JobGraph } from '../../graph/index.js';
import type { ReportedState, RestoreSpec, ToSlot } from '../protocol.js';
import type { JobSubmission } from './job-context.js';
import type { Placement } from './placement.js';
import { WatermarkTable } from '../watermark-table.js';

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
  /** Sends a message (dropped while the slot's thread is dead and not yet replaced). */
  send(slot: number, msg: ToSlot): void;
  /** Whether the slot's thread runs (false between its loss and its replacement); absent: always. */
  isAlive?(slot: number): boolean;
  /** Terminates the slot's thread (it is replaced after cluster.taskmanager.restart-delay); absent: nothing happens. */
  kill?(slot: number, reason: string): void;
}

/** Whether a subtask's execution ended. */
export const isTerminalExecution = (s: ExecutionStateName): boolean => s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';

/** Whether a subtask was sent to its slot thread (and has not ended): it runs there, or is about to. */
const isDeployed = (s: ExecutionStateName): boolean => s !== 'CREATED' && s !== 'SCHEDULED' && !isTerminalExecution(s);

/** The subtasks of the current attempt, and what is sent to their slot threads. */
export class Scheduler {
  /** Every subtask of the current attempt, by `<vertexId>/<index>`. */
  readonly subtasks = new Map<string, SubtaskInfo>();
  private job: JobGraph | undefined;
  /** The deployed attempt's watermark table, shared with its slot threads (undefined before the first deployment). */
  watermarks: WatermarkTable | undefined;

  constructor(
    private readonly gateway: SlotGateway,
    private readonly clock: Clock,
  ) {}

  /** Fresh subtasks (CREATED) of a graph, in the slots of `placement` (none: -1). */
  reset(job: JobGraph, placement: Placement): void {
    this.job = job;
    this.subtasks.clear();
    const now = this.clock.now();
    for (const v of job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.subtasks.set(`${v.id}/${i}`, { vertexId: v.id, index: i, slot: placement[v.id]?.[i] ?? -1, state: 'CREATED', inputEnded: false, timestamps: { CREATED: now } });
      }
    }
  }

  /** A subtask by vertex and index. */
  get(vertexId: string, index: number): SubtaskInfo | undefined {
    return this.subtasks.get(`${vertexId}/${index}`);
  }

  /** Moves a subtask to an execution state, noting when. */
  setState(s: SubtaskInfo, state: ExecutionStateName): void {
    s.state = state;
    s.timestamps[state] = this.clock.now();
  }

  /** The slots the attempt runs in. */
  slots(): Set<number> {
    return new Set([...this.subtasks.values()].map((s) => s.slot).filter((s) => s >= 0));
  }

  /** Whether some subtask has no slot yet. */
  lacksSlots(): boolean {
    return [...this.subtasks.values()].some((s) => s.slot < 0);
  }

  /** Subtasks wait for slots: SCHEDULED. */
  markScheduled(): void {
    for (const s of this.subtasks.values()) this.setState(s, 'SCHEDULED');
  }

  /** Gives every subtask its slot in `placement`. */
  assign(placement: Placement): void {
    for (const s of this.subtasks.values()) s.slot = placement[s.vertexId]![s.index]!;
  }

  /** Deploys every subtask to its slot thread, one message per slot. */
  deploy(jobId: string, attempt: number, submission: JobSubmission, placement: Placement, restore: RestoreSpec | undefined): void {
    const bySlot = new Map<number, { vertexId: string; subtaskIndex: number }[]>();
    for (const s of this.subtasks.values()) {
      let l = bySlot.get(s.slot);
      if (!l) bySlot.set(s.slot, (l = []));
      l.push({ vertexId: s.vertexId, subtaskIndex: s.index });
      this.setState(s, 'SCHEDULED');
      this.setState(s, 'DEPLOYING');
    }
    const { job, program, objectReuse, bufferTimeout, checkpoints } = submission;
    const checkpointing = { enabled: checkpoints.interval !== undefined, mode: checkpoints.mode, compression: checkpoints.compression, stateBackend: submission.stateBackend };
    // A fresh table per attempt: watermarks start again from Long.MIN_VALUE, as the tasks do.
    this.watermarks = WatermarkTable.allocate(job);
    const watermarks = this.watermarks.buffer;
    for (const [slot, tasks] of bySlot) {
      this.gateway.send(slot, { type: 'deploy', jobId, attempt, program, fingerprint: job.fingerprint, placement, tasks, bufferTimeout, objectReuse, checkpointing, restore, watermarks });
    }
  }

  /** Cancels every subtask still running; one that was never deployed (no slot yet, or waiting for its slot's thread) ends CANCELED at once. */
  cancel(jobId: string, attempt: number): void {
    const slots = new Set<number>();
    for (const s of this.subtasks.values()) {
      if (isTerminalExecution(s.state)) continue;
      if (s.slot < 0 || !isDeployed(s.state)) {
        this.setState(s, 'CANCELED');
        continue;
      }
      slots.add(s.slot);
      this.setState(s, 'CANCELING');
    }
    for (const slot of slots) this.gateway.send(slot, { type: 'cancel', jobId, attempt });
  }

  /** Sends a message to one slot thread. */
  send(slot: number, msg: ToSlot): void {
    this.gateway.send(slot, msg);
  }

  /** Whether a slot's thread runs. */
  isAlive(slot: number): boolean {
    return this.gateway.isAlive?.(slot) ?? true;
  }

  /** The slots of the attempt whose thread is dead (lost, not yet replaced). */
  deadSlots(): number[] {
    return [...this.slots()].filter((s) => !this.isAlive(s));
  }

  /** Terminates a slot's thread (the cancellation watchdog); it is replaced after cluster.taskmanager.restart-delay. */
  kill(slot: number, reason: string): void {
    this.gateway.kill?.(slot, reason);
  }

  /** Sends a message to every slot thread of the attempt. */
  broadcast(msg: ToSlot): void {
    for (const slot of this.slots()) this.gateway.send(slot, msg);
  }

  /**
   * A slot thread died: the subtasks deployed to it ended, FAILED (a CANCELING one CANCELED, as
   * Flink completes a cancellation whose TaskManager is lost). Returns them, in order.
   * Subtasks that wait for the slot's replacement (SCHEDULED) were never there: they wait on.
   */
  failSlot(slot: number): SubtaskInfo[] {
    const ended: SubtaskInfo[] = [];
    for (const s of this.subtasks.values()) {
      if (s.slot === slot && isDeployed(s.state)) {
        this.setState(s, s.state === 'CANCELING' ? 'CANCELED' : 'FAILED');
        ended.push(s);
      }
    }
    return ended;
  }

  /** Every subtask still running on a slot failed (its deployment failed). */
  failDeployment(slot: number): void {
    for (const s of this.subtasks.values()) if (s.slot === slot && !isTerminalExecution(s.state)) this.setState(s, 'FAILED');
  }

  /** Whether every subtask passes `test`. */
  every(test: (s: SubtaskInfo) => boolean): boolean {
    return [...this.subtasks.values()].every(test);
  }

  /** Whether a vertex is a source (no inputs). */
  isSource(vertexId: string): boolean {
    return this.job!.vertices.find((v) => v.id === vertexId)!.inputs.length === 0;
  }
}
