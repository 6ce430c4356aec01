/**
 * The cancellation watchdog of one job (Flink's TaskCanceler and TaskCancelerWatchDog, run from the
 * JobManager): once the subtasks of an attempt were told to end (a cancel, the cancellation of the
 * other tasks during a failover, a rescale, or a stop's `finish-stopped`), those that have not ended
 * are told again every `task.cancellation.interval`, with a line logged each time; those that have
 * not ended after `task.cancellation.timeout` (0: never) have their slot thread terminated. The
 * cluster replaces the thread after `cluster.taskmanager.restart-delay`; the lost thread ends the
 * subtasks (a CANCELING one as CANCELED). Flink kills the whole TaskManager there; miniflink only
 * that slot thread.
 *
 *   cancel sent -> every interval: not ended? send again, log -> timeout: not ended? kill the slot thread
 */
import { parseDuration } from '../../config/index.js';
import type { TaskDeployment, ToSlot } from '../protocol.js';
import { isTerminalExecution, type Scheduler, type SubtaskInfo } from './scheduler.js';

/** The watchdog's settings (Flink's task.cancellation.interval and task.cancellation.timeout). */
export interface CancellationSettings {
  /** How often a canceled subtask that has not ended is told again (ms; 0: never). */
  readonly intervalMs: number;
  /** When a canceled subtask that has not ended has its slot thread terminated (ms; 0: never). */
  readonly timeoutMs: number;
}

/** Flink's defaults: 30 s and 180 s. */
export const DEFAULT_CANCELLATION: CancellationSettings = { intervalMs: 30_000, timeoutMs: 180_000 };

/** The watchdog's settings from a job's configuration (task.cancellation.*), Flink's defaults for keys not set. */
export function cancellationSettings(conf: Readonly<Record<string, string | undefined>>): CancellationSettings {
  const ms = (key: string, fallback: number) => (conf[key] !== undefined ? Math.max(0, parseDuration(conf[key], key)) : fallback);
  return { intervalMs: ms('task.cancellation.interval', DEFAULT_CANCELLATION.intervalMs), timeoutMs: ms('task.cancellation.timeout', DEFAULT_CANCELLATION.timeoutMs) };
}

/** What one watch looks after. */
interface Watch {
  /** The job's attempt counter when the watch began: a later call with the same one adds to it. */
  readonly generation: number;
  readonly subtasks: Set<SubtaskInfo>;
  /** What is sent again to a subtask's slot for its attempt and the subtasks there that did not end (`cancel`, or a stop's `finish-stopped`). */
  message: (attempt: number, tasks: readonly TaskDeployment[] | undefined) => ToSlot;
  readonly since: number;
  readonly interval: NodeJS.Timeout | undefined;
  readonly timeout: NodeJS.Timeout | undefined;
}

/** Watches the subtasks of one job that were told to end. */
export class CancellationWatchdog {
  private watch: Watch | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly settings: CancellationSettings,
    /** Flink's name of a subtask: `<name> (i/p)#attempt`. */
    private readonly taskName: (s: SubtaskInfo) => string,
    private readonly jobId: () => string,
    private readonly log: (line: string) => void = (line) => console.warn(line),
  ) {}

  /**
   * The subtasks given (default: all) still running were just told to end with `message`: watch
   * them. A second call of the same generation (a cancel during a failover, a second region
   * failing) keeps the first one's clock.
   */
  watchAttempt(generation: number, message: (attempt: number, tasks: readonly TaskDeployment[] | undefined) => ToSlot, only?: readonly SubtaskInfo[]): void {
    const running = [...(only ?? this.scheduler.subtasks.values())].filter((s) => !isTerminalExecution(s.state) && s.slot >= 0);
    if (this.watch?.generation === generation) {
      for (const s of running) this.watch.subtasks.add(s);
      this.watch.message = message;
      return;
    }
    this.stop();
    if (running.length === 0) return;
    const { intervalMs, timeoutMs } = this.settings;
    this.watch = {
      generation,
      subtasks: new Set(running),
      message,
      since: Date.now(),
      interval: intervalMs > 0 ? setInterval(() => this.remind(), intervalMs) : undefined,
      timeout: timeoutMs > 0 ? setTimeout(() => this.expire(), timeoutMs) : undefined,
    };
  }

  /** The subtasks of the watched attempt that have not ended. */
  private pending(): SubtaskInfo[] {
    return this.watch ? [...this.watch.subtasks].filter((s) => !isTerminalExecution(s.state)) : [];
  }

  /** Stops watching once every watched subtask ended. */
  update(): void {
    if (this.watch && this.pending().length === 0) this.stop();
  }

  /** Every interval: those that have not ended are told again, and a line says so. */
  private remind(): void {
    const w = this.watch;
    const pending = this.pending();
    if (!w || pending.length === 0) return this.stop();
    const seconds = Math.round((Date.now() - w.since) / 100) / 10;
    for (const s of pending) {
      this.log(`Task '${this.taskName(s)}' of job ${this.jobId()} did not react to cancelling for ${seconds} s (slot thread ${s.slot}); sending the cancellation again (task.cancellation.interval).`);
    }
    for (const { slot, attempt, tasks } of this.scheduler.targets(pending, true)) this.scheduler.send(slot, w.message(attempt, tasks));
  }

  /** The timeout passed: the slot thread of every subtask that has not ended is terminated (and replaced). */
  private expire(): void {
    const w = this.watch;
    const pending = this.pending();
    this.stop();
    if (!w) return;
    const bySlot = new Map<number, SubtaskInfo[]>();
    for (const s of pending) bySlot.set(s.slot, [...(bySlot.get(s.slot) ?? []), s]);
    for (const [slot, tasks] of bySlot) {
      const names = tasks.map((s) => `'${this.taskName(s)}'`).join(', ');
      const reason = `${tasks.length === 1 ? 'Task' : 'Tasks'} ${names} of job ${this.jobId()} did not end within task.cancellation.timeout (${this.settings.timeoutMs} ms) after ${tasks.length === 1 ? 'it was' : 'they were'} canceled`;
      this.log(`${reason}: terminating slot thread ${slot}; it is replaced after cluster.taskmanager.restart-delay.`);
      this.scheduler.kill(slot, reason);
    }
  }

  /** Stops watching (every subtask ended, a restart, or the job's end). */
  stop(): void {
    if (this.watch?.interval) clearInterval(this.watch.interval);
    if (this.watch?.timeout) clearTimeout(this.watch.timeout);
    this.watch = undefined;
  }
}
