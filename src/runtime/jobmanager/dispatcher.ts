/**
 * The Dispatcher: the one door through which jobs are submitted, listed and canceled (REST and
 * the CLI's local path share it). It owns the JobMasters and the cluster's free slots.
 */
import type { Clock } from '../../core/clock.js';
import { isMiniFlinkError, MiniFlinkError } from '../../core/errors.js';
import type { FromSlot, ToSlot } from '../protocol.js';
import { JobMaster, type JobSubmission } from './job-master.js';
import { placeSubtasks, type Placement } from './placement.js';

/** What the dispatcher needs of the cluster. */
export interface ClusterSlots {
  /** Total number of slots. */
  readonly totalSlots: number;
  /** Sends a message to a slot thread. */
  send(slot: number, msg: ToSlot): void;
}

/** Flink's Dispatcher. */
export class Dispatcher {
  private readonly jobs = new Map<string, JobMaster>();
  /** The slots each running job holds. */
  private readonly held = new Map<string, Set<number>>();
  private closed = false;

  /** Jobs waiting for slots, oldest first, with their slot.request.timeout timers. */
  private readonly waiting: Array<{ jm: JobMaster; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly cluster: ClusterSlots,
    private readonly clock: Clock,
    /** How long a job waits for free slots before it fails (Flink's slot.request.timeout). */
    private readonly slotRequestTimeoutMs = 300_000,
  ) {}

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
    const jm = new JobMaster(submission, placement, { send: (slot, msg) => this.cluster.send(slot, msg) }, this.clock);
    if (Object.keys(placement).length > 0) this.held.set(submission.jobId, new Set(Object.values(placement).flat()));
    jm.onTerminal = () => {
      this.held.delete(submission.jobId);
      this.dropWaiting(jm);
      this.placeWaiting();
    };
    this.jobs.set(submission.jobId, jm);
    jm.start();
    if (jm.waitingForSlots) {
      const timer = setTimeout(() => {
        this.dropWaiting(jm);
        jm.failNoResources(this.slotRequestTimeoutMs);
      }, this.slotRequestTimeoutMs);
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

  /** Places a job graph on the free slots (plus those `owner` holds); throws when it does not fit. */
  private place(job: JobSubmission['job'], owner: string | undefined) {
    const busy = new Set([...this.held].filter(([id]) => id !== owner).flatMap(([, slots]) => [...slots]));
    const free: number[] = [];
    for (let i = 0; i < this.cluster.totalSlots; i++) if (!busy.has(i)) free.push(i);
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

  /** Slots not used by a running job. */
  freeSlots(): number {
    let n = 0;
    for (const slots of this.held.values()) n += slots.size;
    return this.cluster.totalSlots - n;
  }

  /** A job by id. */
  getJob(jobId: string): JobMaster {
    const jm = this.jobs.get(jobId);
    if (!jm) throw new MiniFlinkError('MF_ERR_JOB_NOT_FOUND', `Job ${jobId} not found`);
    return jm;
  }

  /** All jobs, oldest first. */
  listJobs(): JobMaster[] {
    return [...this.jobs.values()];
  }

  /** Routes a slot thread's message to its job. */
  onSlotMessage(slot: number, msg: FromSlot): void {
    if ('jobId' in msg) this.jobs.get(msg.jobId)?.handle(msg, slot);
  }

  /** A slot thread died. */
  onSlotLost(slot: number, error: Parameters<JobMaster['slotLost']>[1]): void {
    for (const jm of this.jobs.values()) jm.slotLost(slot, error);
  }

  /** Suspends every running job and accepts no more. */
  close(): void {
    this.closed = true;
    for (const w of this.waiting) clearTimeout(w.timer);
    this.waiting.length = 0;
    for (const jm of this.jobs.values()) jm.suspend();
  }
}
