/**
 * The Dispatcher: the one door through which jobs are submitted, listed and canceled (REST and
 * the CLI's local path share it). It owns the JobMasters and the cluster's free slots.
 */
import { NO_LOGGING, type LoggerFactory } from '../../core/logging.js';
import { MetricStore } from '../../metrics/index.js';
import { parseDuration } from '../../config/index.js';
import type { Clock } from '../../core/clock.js';
import { isMiniFlinkError, MiniFlinkError } from '../../core/errors.js';
import type { FromSlot, ToSlot } from '../protocol.js';
import { DEFAULT_EXCEPTION_HISTORY_SIZE } from './failover.js';
import { JobMaster, type JobSubmission } from './job-master.js';
import { TERMINAL } from './job-status.js';
import { placeSubtasks, type Placement } from './placement.js';

/** What the dispatcher needs of the cluster. */
export interface ClusterSlots {
  /** Total number of slots. */
  readonly totalSlots: number;
  /** Sends a message to a slot thread (dropped while the thread is dead and not yet replaced). */
  send(slot: number, msg: ToSlot): void;
  /** Whether the slot's thread runs (false between its loss and its replacement). */
  isAlive(slot: number): boolean;
  /** Terminates a slot's thread (a hang, a task that does not cancel, an injected fault); it is replaced after `cluster.taskmanager.restart-delay`. */
  kill(slot: number, reason: string): void;
}

/** The dispatcher's settings, Flink's defaults where a key is not set. */
export interface DispatcherOptions {
  /** How long a job waits for free slots before it fails (Flink's slot.request.timeout). */
  readonly slotRequestTimeoutMs: number;
  /** Finished jobs kept at most; the oldest go first (Flink's jobstore.max-capacity). */
  readonly jobStoreMaxCapacity: number;
  /** How long a finished job is kept after it ended (Flink's jobstore.expiration-time, given in seconds). */
  readonly jobStoreExpirationMs: number;
  /** Failures each job's exception history keeps (Flink's web.exception-history-size). */
  readonly exceptionHistorySize: number;
  /** The JobManager's loggers (none: nothing is logged). */
  readonly loggers?: LoggerFactory;
}

/** Flink's defaults: 5 min, Integer.MAX_VALUE jobs, 3600 s, 16 failures. */
const DEFAULTS: DispatcherOptions = { slotRequestTimeoutMs: 300_000, jobStoreMaxCapacity: 2147483647, jobStoreExpirationMs: 3_600_000, exceptionHistorySize: DEFAULT_EXCEPTION_HISTORY_SIZE };

/** The dispatcher's settings from a configuration (slot.request.timeout, jobstore.*, web.exception-history-size). */
export function dispatcherOptions(conf: Readonly<Record<string, string | undefined>>): DispatcherOptions {
  const int = (key: string, fallback: number) => {
    const text = conf[key];
    if (text === undefined) return fallback;
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(n) || n < 0) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Could not parse value '${text}' for key '${key}': expected an integer >= 0`);
    return n;
  };
  const timeout = conf['slot.request.timeout'];
  return {
    slotRequestTimeoutMs: timeout !== undefined ? parseDuration(timeout, 'slot.request.timeout') : DEFAULTS.slotRequestTimeoutMs,
    jobStoreMaxCapacity: int('jobstore.max-capacity', DEFAULTS.jobStoreMaxCapacity),
    jobStoreExpirationMs: int('jobstore.expiration-time', DEFAULTS.jobStoreExpirationMs / 1000) * 1000,
    exceptionHistorySize: int('web.exception-history-size', DEFAULTS.exceptionHistorySize),
  };
}

/** Flink's logger of the dispatcher. */
const DISPATCHER = 'org.apache.flink.runtime.dispatcher.StandaloneDispatcher';

/** Longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Flink's Dispatcher. */
export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();
  /** The slots each running job holds. */
  private readonly held = new Map<string, Set<number>>();
  private closed = false;

  /** Jobs waiting for slots, oldest first, with their slot.request.timeout timers. */
  private readonly waiting: Array<{ jm: JobMaster; timer: NodeJS.Timeout }> = [];
  private readonly options: DispatcherOptions;
  /** Timers that evict finished jobs once they expire. */
  private readonly expiries = new Set<NodeJS.Timeout>();

  /** The latest metric values of the cluster's jobs (REST reads them; tasks' final values land here). */
  readonly metrics = new MetricStore();

  constructor(
    private readonly cluster: ClusterSlots,
    private readonly clock: Clock,
    /** Settings; Flink's defaults for those not given. */
    options: Partial<DispatcherOptions> = {},
  ) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { ...DEFAULTS, ...given };
  }

  /** Submits a job: places its subtasks on free slots and deploys them. */
  submitJob(submission: JobSubmission): JobMaster {
    if (this.closed) throw new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', 'The cluster is shutting down and accepts no jobs.');
    if (this.jobs.has(submission.jobId)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${submission.jobId} was already submitted.`);
    // More slots than the cluster has: refused at once. Slots other jobs hold for now: the job
    // waits for them (its subtasks SCHEDULED), as Flink's scheduler does, up to slot.request.timeout.
    placeSubtasks(submission.job, Array.from({ length: this.cluster.totalSlots }, (_, i) => i), this.cluster.totalSlots);
    let placement: Placement = {};
    try {
      placement = this.place(submission.job, undefined);
    } catch (e) {
      if (!isMiniFlinkError(e) || e.code !== 'MF_ERR_NOT_ENOUGH_SLOTS') throw e;
    }
    const gateway = { send: (slot: number, msg: ToSlot) => this.cluster.send(slot, msg), isAlive: (slot: number) => this.cluster.isAlive(slot), kill: (slot: number, reason: string) => this.cluster.kill(slot, reason) };
    const loggers = this.options.loggers ?? NO_LOGGING;
    const name = submission.job.jobName;
    loggers(DISPATCHER).info("Received JobGraph submission '{}' ({}).", name, submission.jobId);
    loggers(DISPATCHER).info("Submitting job '{}' ({}).", name, submission.jobId);
    const jm = new JobMaster(submission, placement, gateway, this.clock, { exceptionHistorySize: this.options.exceptionHistorySize, slotRequestTimeoutMs: this.options.slotRequestTimeoutMs, metrics: this.metrics, loggers });
    if (Object.keys(placement).length > 0) this.held.set(submission.jobId, new Set(Object.values(placement).flat()));
    jm.onTerminal = () => {
      this.held.delete(submission.jobId);
      this.dropWaiting(jm);
      this.placeWaiting();
      this.evictFinished();
      this.expireLater();
    };
    this.jobs.set(submission.jobId, jm);
    jm.start();
    if (jm.waitingForSlots) {
      const timer = setTimeout(() => {
        this.dropWaiting(jm);
        jm.failNoResources(this.options.slotRequestTimeoutMs);
      }, this.options.slotRequestTimeoutMs);
      timer.unref();
      this.waiting.push({ jm, timer });
    }
    return jm;
  }

  /** Gives waiting jobs free slots, oldest first (one that does not fit yet keeps the others waiting). */
  private placeWaiting(): void {
    while (this.waiting.length > 0 && !this.closed) {
      const { jm, timer } = this.waiting[0]!;
      let placement: Placement;
      try {
        placement = this.place(jm.submission.job, undefined);
      } catch {
        return;
      }
      this.waiting.shift();
      clearTimeout(timer);
      this.held.set(jm.jobId, new Set(Object.values(placement).flat()));
      jm.assign(placement);
    }
  }

  private dropWaiting(jm: JobMaster): void {
    const i = this.waiting.findIndex((w) => w.jm === jm);
    if (i < 0) return;
    clearTimeout(this.waiting[i]!.timer);
    this.waiting.splice(i, 1);
  }

  /**
   * Places a job graph on the free slots (plus those `owner` holds); throws when it does not fit.
   * A slot whose thread was lost and is not replaced yet is not free.
   */
  private place(job: JobSubmission['job'], owner: string | undefined) {
    const busy = new Set([...this.held].filter(([id]) => id !== owner).flatMap(([, slots]) => [...slots]));
    const free: number[] = [];
    for (let i = 0; i < this.cluster.totalSlots; i++) if (!busy.has(i) && this.cluster.isAlive(i)) free.push(i);
    return placeSubtasks(job, free, this.cluster.totalSlots);
  }

  /** Throws when a job's new graph would not fit in the slots it holds plus the free ones. */
  checkRescale(jobId: string, job: JobSubmission['job']): void {
    this.place(job, jobId);
  }

  /** Runs a rescaled job's new graph (its tasks have stopped) in the slots it holds plus free ones. */
  redeploy(jm: JobMaster, next: JobSubmission): void {
    if (this.closed) throw new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', 'The cluster is shutting down and accepts no jobs.');
    const placement = this.place(next.job, jm.jobId);
    jm.redeploy(next, placement);
    this.held.set(jm.jobId, new Set(Object.values(placement).flat()));
    // A job rescaled down may leave slots for a waiting one.
    this.placeWaiting();
  }

  /** Which job holds each held slot. */
  slotOwners(): Map<number, string> {
    const owners = new Map<number, string>();
    for (const [id, slots] of this.held) for (const s of slots) owners.set(s, id);
    return owners;
  }

  /** Slots not used by a running job whose thread runs (a lost one counts again once it is replaced). */
  freeSlots(): number {
    const held = new Set([...this.held.values()].flatMap((slots) => [...slots]));
    let n = 0;
    for (let i = 0; i < this.cluster.totalSlots; i++) if (!held.has(i) && this.cluster.isAlive(i)) n++;
    return n;
  }

  /**
   * Flink's job store: finished jobs beyond jobstore.max-capacity (the oldest first) and those
   * that ended longer than jobstore.expiration-time ago are forgotten. Running jobs stay.
   */
  private evictFinished(): void {
    const now = this.clock.now();
    const finished = [...this.jobs.values()].filter((j) => TERMINAL.has(j.status)).sort((a, b) => a.endTime - b.endTime);
    let excess = finished.length - this.options.jobStoreMaxCapacity;
    for (const jm of finished) {
      if (excess > 0 || now - jm.endTime > this.options.jobStoreExpirationMs) {
        this.jobs.delete(jm.jobId);
        excess--;
      }
    }
    this.metrics.retainJobs(new Set(this.jobs.keys()));
  }

  /** A job just ended: evicts it once it expired, also when nobody asks for jobs meanwhile. */
  private expireLater(): void {
    const delay = this.options.jobStoreExpirationMs + 1;
    if (delay > MAX_TIMER_MS || this.closed) return;
    const timer = setTimeout(() => {
      this.expiries.delete(timer);
      this.evictFinished();
    }, delay);
    timer.unref();
    this.expiries.add(timer);
  }

  /** A job by id. */
  getJob(jobId: string): JobMaster {
    this.evictFinished();
    const jm = this.jobs.get(jobId);
    if (!jm) throw new MiniFlinkError('MF_ERR_JOB_NOT_FOUND', `Job ${jobId} not found`);
    return jm;
  }

  /** All jobs, oldest first. */
  listJobs(): JobMaster[] {
    this.evictFinished();
    return [...this.jobs.values()];
  }

  /** Routes a slot thread's message to its job. */
  onSlotMessage(slot: number, msg: FromSlot): void {
    if ('jobId' in msg) this.jobs.get(msg.jobId)?.handle(msg, slot);
  }

  /** A slot thread died: every job with a subtask on it fails over. */
  onSlotLost(slot: number, error: Parameters<JobMaster['slotLost']>[1]): void {
    for (const jm of [...this.jobs.values()]) jm.slotLost(slot, error);
  }

  /** A lost slot thread was replaced: a restarted job that waited for it deploys, and its slot can be used again. */
  onSlotRestored(slot: number): void {
    for (const jm of [...this.jobs.values()]) jm.slotRestored(slot);
    this.placeWaiting();
  }

  /** Suspends every running job and accepts no more. */
  close(): void {
    this.closed = true;
    for (const t of this.expiries) clearTimeout(t);
    this.expiries.clear();
    for (const w of this.waiting) clearTimeout(w.timer);
    this.waiting.length = 0;
    for (const jm of this.jobs.values()) jm.suspend();
  }
}
