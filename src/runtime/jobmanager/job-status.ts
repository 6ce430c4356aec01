/**
 * Flink's JobStatus as data: which states are terminal, and the legal moves (STYLE.md 3.7).
 */
import type { JobStatusName } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';

/** Globally terminal states (the job is cleaned up). */
export const TERMINAL: ReadonlySet<JobStatusName> = new Set(['FAILED', 'CANCELED', 'FINISHED']);

/** Legal moves: from -> allowed targets. Any non-terminal state may also move to SUSPENDED. */
export const TRANSITIONS: Readonly<Record<JobStatusName, readonly JobStatusName[]>> = {
  INITIALIZING: ['CREATED', 'FAILED', 'CANCELLING'],
  CREATED: ['RUNNING', 'CANCELLING', 'FAILING', 'FAILED'],
  RUNNING: ['FINISHED', 'RESTARTING', 'FAILING', 'CANCELLING'],
  RESTARTING: ['RUNNING', 'FAILING', 'CANCELLING'],
  FAILING: ['FAILED', 'CANCELLING'],
  CANCELLING: ['CANCELED', 'FAILED'],
  FINISHED: [],
  FAILED: [],
  CANCELED: [],
  SUSPENDED: [],
  RECONCILING: [],
};

/** Checks a move; throws with from->to and the job id when it is illegal. */
export function checkTransition(jobId: string, from: JobStatusName, to: JobStatusName): void {
  if (to === 'SUSPENDED' && !TERMINAL.has(from) && from !== 'SUSPENDED') return;
  if (!TRANSITIONS[from].includes(to)) {
    throw new MiniFlinkError('MF_ERR_INTERNAL', `Illegal job status transition ${from} -> ${to} for job ${jobId} (this is a bug in miniflink)`);
  }
}
