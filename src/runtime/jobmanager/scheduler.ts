/**
 * Scheduling and deployment of one job (Flink's scheduler with its ExecutionDeployer): the subtasks
 * and their execution states, the slot each runs in, and the messages that deploy, cancel and
 * release them. A subtask without a slot yet (-1) waits SCHEDULED until the dispatcher assigns
 * slots (Flink's default scheduler waiting for resources).
 *
 * Every deployment has its own attempt number, the job's next (a full restart deploys every
 * subtask as one attempt; a region restart only the region's subtasks): slot threads key a
 * deployment's tasks and channels by `<jobId>/<attempt>`, so a message names what it is for by the
 * attempt of the subtasks it concerns, and one slot may run subtasks of several attempts at once.
 */
import type { Clock } from '../../core/clock.js';
import type { JobGraph } from '../../graph/index.js';
import type { LocalRecoverySettings, ReportedState, RestoreSpec, TaskDeployment, ToSlot } from '../protocol.js';
import { resolve } from 'node:path';
import { parseBoolean, pathList } from '../../config/index.js';
import type { JobSubmission } from './job-context.js';
import type { Placement } from './placement.js';
import { WatermarkTable } from '../watermark-table.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';

/** Flink's ExecutionState names as the JobMaster tracks them. */
export type ExecutionStateName = 'CREATED' | 'SCHEDULED' | 'DEPLOYING' | ReportedState | 'CANCELING';

/** One subtask as the JobMaster sees it. */
export interface SubtaskInfo {
  readonly vertexId: string;
  readonly index: number;
  /** The slot it runs in; -1 while the job waits for slots. */
  slot: number;
  /** The attempt (deployment) it belongs to: the job's attempt number when it was (re)deployed. */
  readonly attempt: number;
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

  /** Fresh subtasks (CREATED) of a graph as attempt `attempt`, in the slots of `placement` (none: -1). */
  reset(job: JobGraph, placement: Placement, attempt: number): void {
    this.job = job;
    this.subtasks.clear();
    this.watermarks = undefined;
    const now = this.clock.now();
    for (const v of job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        this.subtasks.set(`${v.id}/${i}`, { vertexId: v.id, index: i, slot: placement[v.id]?.[i] ?? -1, attempt, state: 'CREATED', inputEnded: false, timestamps: { CREATED: now } });
      }
    }
  }

  /** Fresh subtasks (CREATED) as attempt `attempt` in place of `ended` (a region restart), in the same slots; returns them. */
  resetSome(ended: readonly SubtaskInfo[], attempt: number): SubtaskInfo[] {
    const now = this.clock.now();
    return ended.map((s) => {
      const fresh: SubtaskInfo = { vertexId: s.vertexId, index: s.index, slot: s.slot, attempt, state: 'CREATED', inputEnded: false, timestamps: { CREATED: now } };
      this.subtasks.set(`${s.vertexId}/${s.index}`, fresh);
      return fresh;
    });
  }

  /** The current subtasks of `keys` (`<vertexId>/<index>`). */
  pick(keys: Iterable<string>): SubtaskInfo[] {
    return [...keys].map((k) => this.subtasks.get(k)).filter((s): s is SubtaskInfo => s !== undefined);
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

  /** Subtasks (default: all) wait for slots: SCHEDULED. */
  markScheduled(only?: readonly SubtaskInfo[]): void {
    for (const s of only ?? this.subtasks.values()) this.setState(s, 'SCHEDULED');
  }

  /** Gives every subtask its slot in `placement`. */
  assign(placement: Placement): void {
    for (const s of this.subtasks.values()) s.slot = placement[s.vertexId]![s.index]!;
  }

  /**
   * Deploys subtasks (default: all) of attempt `attempt` to their slot threads, one message per
   * slot. A deployment of every subtask gets a fresh watermark table; a region's deployment shares
   * the job's, its subtasks' entries back at Long.MIN_VALUE.
   */
  deploy(jobId: string, attempt: number, submission: JobSubmission, placement: Placement, restore: RestoreSpec | undefined, only?: readonly SubtaskInfo[]): void {
    const bySlot = new Map<number, { vertexId: string; subtaskIndex: number }[]>();
    for (const s of only ?? this.subtasks.values()) {
      let l = bySlot.get(s.slot);
      if (!l) bySlot.set(s.slot, (l = []));
      l.push({ vertexId: s.vertexId, subtaskIndex: s.index });
      this.setState(s, 'SCHEDULED');
      this.setState(s, 'DEPLOYING');
    }
    const { job, program, objectReuse, bufferTimeout, localByReference, checkpoints } = submission;
    const localRecovery = localRecoveryOf(program.configuration);
    const checkpointing = { enabled: checkpoints.interval !== undefined, mode: checkpoints.mode, compression: checkpoints.compression, stateBackend: submission.stateBackend, ...(localRecovery ? { localRecovery } : {}), ...(checkpoints.unaligned && checkpoints.mode === 'EXACTLY_ONCE' ? { unaligned: { timeoutMs: checkpoints.alignedTimeout } } : {}) };
    // Watermarks start again from Long.MIN_VALUE, as the tasks do.
    if (only === undefined || this.watermarks === undefined) this.watermarks = WatermarkTable.allocate(job);
    else for (const s of only) this.watermarks.set(this.watermarks.indexOf(s.vertexId, s.index), MIN_WATERMARK);
    const watermarks = this.watermarks.buffer;
    const liveAttempts = [...this.attempts()].filter((a) => a !== attempt);
    for (const [slot, tasks] of bySlot) {
      this.gateway.send(slot, { type: 'deploy', jobId, attempt, program, fingerprint: job.fingerprint, placement, tasks, bufferTimeout, localByReference, objectReuse, checkpointing, restore, watermarks, liveAttempts });
    }
  }

  /**
   * Cancels the subtasks (default: all) still running, one message per slot and attempt; one that
   * was never deployed (no slot yet, or waiting for its slot's thread) ends CANCELED at once.
   */
  cancel(jobId: string, only?: readonly SubtaskInfo[]): void {
    const canceling: SubtaskInfo[] = [];
    for (const s of only ?? this.subtasks.values()) {
      if (isTerminalExecution(s.state)) continue;
      if (s.slot < 0 || !isDeployed(s.state)) {
        this.setState(s, 'CANCELED');
        continue;
      }
      canceling.push(s);
      this.setState(s, 'CANCELING');
    }
    for (const { slot, attempt, tasks } of this.targets(canceling, only !== undefined)) this.gateway.send(slot, { type: 'cancel', jobId, attempt, ...(tasks ? { tasks } : {}) });
  }

  /**
   * The slot threads that run `these` subtasks, once per slot and attempt; with `partial`, each
   * names its subtasks unless they are all the subtasks of that attempt in that slot (a region's
   * subtasks in an attempt that other regions run too).
   */
  targets(these: readonly SubtaskInfo[], partial: boolean): Array<{ slot: number; attempt: number; tasks: TaskDeployment[] | undefined }> {
    const groups = new Map<string, { slot: number; attempt: number; tasks: TaskDeployment[] }>();
    for (const s of these) {
      if (s.slot < 0) continue;
      const k = `${s.slot}/${s.attempt}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { slot: s.slot, attempt: s.attempt, tasks: [] }));
      g.tasks.push({ vertexId: s.vertexId, subtaskIndex: s.index });
    }
    if (!partial) return [...groups.values()].map((g) => ({ ...g, tasks: undefined }));
    const all = new Map<string, number>();
    for (const s of this.subtasks.values()) all.set(`${s.slot}/${s.attempt}`, (all.get(`${s.slot}/${s.attempt}`) ?? 0) + 1);
    return [...groups.entries()].map(([k, g]) => ({ ...g, tasks: all.get(k) === g.tasks.length ? undefined : g.tasks }));
  }

  /** Sends a message to one slot thread. */
  send(slot: number, msg: ToSlot): void {
    this.gateway.send(slot, msg);
  }

  /** Whether a slot's thread runs. */
  isAlive(slot: number): boolean {
    return this.gateway.isAlive?.(slot) ?? true;
  }

  /** The slots of the subtasks (default: all) whose thread is dead (lost, not yet replaced). */
  deadSlots(only?: readonly SubtaskInfo[]): number[] {
    const slots = only ? new Set(only.map((s) => s.slot).filter((s) => s >= 0)) : this.slots();
    return [...slots].filter((s) => !this.isAlive(s));
  }

  /** Terminates a slot's thread (the cancellation watchdog); it is replaced after cluster.taskmanager.restart-delay. */
  kill(slot: number, reason: string): void {
    this.gateway.kill?.(slot, reason);
  }

  /**
   * Sends `message(attempt)` to every slot thread running a subtask (default: any) of some attempt,
   * once per slot and attempt.
   */
  broadcast(message: (attempt: number) => ToSlot, only?: readonly SubtaskInfo[]): void {
    for (const { slot, attempt } of this.targets(only ?? [...this.subtasks.values()], false)) this.gateway.send(slot, message(attempt));
  }

  /** The attempts of the current subtasks. */
  attempts(): Set<number> {
    return new Set([...this.subtasks.values()].map((s) => s.attempt));
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

  /** Every subtask of `attempt` still running on a slot failed (its deployment failed). */
  failDeployment(slot: number, attempt: number): void {
    for (const s of this.subtasks.values()) if (s.slot === slot && s.attempt === attempt && !isTerminalExecution(s.state)) this.setState(s, 'FAILED');
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

/**
 * Local recovery from a job's configuration: execution.checkpointing.local-backup.enabled and
 * execution.state-recovery.from-local, each defaulting to Flink 1.x's state.backend.local-recovery
 * (false); the LevelDB copies' roots from execution.checkpointing.local-backup.dirs. Undefined when off.
 */
export function localRecoveryOf(conf: Readonly<Record<string, string>>): LocalRecoverySettings | undefined {
  const bool = (key: string, fallback: boolean) => (conf[key] !== undefined ? parseBoolean(conf[key], key) : fallback);
  const legacy = bool('state.backend.local-recovery', false);
  const backup = bool('execution.checkpointing.local-backup.enabled', legacy);
  const fromLocal = bool('execution.state-recovery.from-local', legacy);
  if (!backup && !fromLocal) return undefined;
  const dirsText = conf['execution.checkpointing.local-backup.dirs'] ?? conf['taskmanager.state.local.root-dirs'] ?? '';
  const dirs = pathList(dirsText).map((d) => resolve(d.replace(/^file:(\/\/)?/, '')));
  return { backup, fromLocal, dirs };
}
