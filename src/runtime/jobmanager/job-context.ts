/**
 * What the parts of a JobMaster share: the submission, and the job as its parts see it (status,
 * attempt, the status transitions and the check that ends or restarts the job once every subtask
 * ended). The JobMaster implements JobContext; its parts (scheduler.ts, failover.ts,
 * checkpointing.ts, savepoint-operations.ts) receive it.
 */
import type { JobStatusName } from '../../api/index.js';
import type { CheckpointSettings } from '../../checkpoint/index.js';
import type { Clock } from '../../core/clock.js';
import type { LoggerFactory } from '../../core/logging.js';
import type { JobGraph } from '../../graph/index.js';
import type { ProgramSpec, RestoreSpec } from '../protocol.js';
import type { RestartStrategy } from './restart-strategy.js';

/** Settings of one submission. */
export interface JobSubmission {
  readonly jobId: string;
  readonly job: JobGraph;
  readonly program: ProgramSpec;
  readonly objectReuse: boolean;
  readonly bufferTimeout: number;
  /** Batches to a task in the same slot thread go by reference (`pipeline.local-exchange.by-reference`). */
  readonly localByReference: boolean;
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
  /** The job's default parallelism when it was submitted (env.setParallelism, else -p or parallelism.default): `/jobs/:id/config`'s job-parallelism. */
  readonly jobParallelism?: number;
}

/** The job, as the JobMaster's parts see it. */
export interface JobContext {
  readonly jobId: string;
  readonly status: JobStatusName;
  /** The current attempt (restarts and rescales increase it). */
  readonly attempt: number;
  readonly submission: JobSubmission;
  readonly clock: Clock;
  /** The JobManager's loggers. */
  readonly loggers: LoggerFactory;
  /** Moves the job to another status (checked against Flink's transitions). */
  transition(to: JobStatusName): void;
  /** Once every subtask ended: ends the job, restarts it, or completes a stop or rescale. */
  checkDone(): void;
}
