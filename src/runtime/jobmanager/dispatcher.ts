/**
 * The Dispatcher: the one door through which jobs are submitted, listed and canceled (REST and
 * the CLI's local path share it). It owns the JobMasters and the cluster's free slots.
 */
import type { Clock } from '../../core/clock.js';
import { MiniFlinkError } from '../../core/errors.js';
import type { FromSlot, ToSlot } from '../protocol.js';
import { JobMaster, type JobSubmission } from './job-master.js';
import { placeSubtasks } from './placement.js';

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

  constructor(
    private readonly cluster: ClusterSlots,
    private readonly clock: Clock,
  ) {}

  /** Submits a job: places its subtasks on free slots and deploys them. */
  submitJob(submission: JobSubmission): JobMaster {
    if (this.closed) throw new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', 'The cluster is shutting down and accepts no jobs.');
    if (this.jobs.has(submission.jobId)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Job ${submission.jobId} was already submitted.`);
    const placement = this.place(submission.job, undefined);
    const jm = new JobMaster(submission, placement, { send: (slot, msg) => this.cluster.send(slot, msg) }, this.clock);
    this.held.set(submission.jobId, new Set(Object.values(placement).flat()));
    jm.onTerminal = () => this.held.delete(submission.jobId);
    this.jobs.set(submission.jobId, jm);
    jm.start();
    return jm;
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
    for (const jm of this.jobs.values()) jm.suspend();
  }
}
