/**
 * Flink's JobClient and JobExecutionResult.
 */

/** Flink's JobStatus names. */
export type JobStatusName =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

/** The result of a finished job. */
export class JobExecutionResult {
  constructor(
    private readonly jobId: string,
    private readonly netRuntime: number,
    private readonly accumulators: Readonly<Record<string, unknown>>,
    /** Records gathered by executeAndCollect, by collect id. */
    readonly collected: ReadonlyMap<string, unknown[]> = new Map(),
  ) {}
  /** The job's id. */
  getJobID(): string {
    return this.jobId;
  }
  /** Run time in milliseconds. */
  getNetRuntime(): number {
    return this.netRuntime;
  }
  /** An accumulator's merged result. */
  getAccumulatorResult<T = unknown>(name: string): T | undefined {
    return this.accumulators[name] as T | undefined;
  }
  /** All accumulator results. */
  getAllAccumulatorResults(): Readonly<Record<string, unknown>> {
    return this.accumulators;
  }
  /** False for the result of a detached submission, which has no results. */
  isJobExecutionResult(): boolean {
    return true;
  }
}

/** Flink's message for results asked of a detached job. */
const DETACHED_MESSAGE =
  "Job was submitted in detached mode. Results of job execution, such as accumulators, runtime, etc. are not available. Please make sure your program doesn't call an eager execution function [collect, print, printToErr, count].";

/** What execute() returns when the job was submitted detached (`run -d`): only the job id. */
export class DetachedJobExecutionResult extends JobExecutionResult {
  constructor(jobId: string) {
    super(jobId, 0, {});
  }
  override getNetRuntime(): number {
    throw new Error(DETACHED_MESSAGE);
  }
  override getAccumulatorResult<T = unknown>(_name: string): T | undefined {
    throw new Error(DETACHED_MESSAGE);
  }
  override getAllAccumulatorResults(): Readonly<Record<string, unknown>> {
    throw new Error(DETACHED_MESSAGE);
  }
  override isJobExecutionResult(): boolean {
    return false;
  }
}

/** A handle on a submitted job (all methods async). */
export interface JobClient {
  /** The job's id. */
  getJobID(): string;
  /** The job's current status. */
  getJobStatus(): Promise<JobStatusName>;
  /** Cancels the job. */
  cancel(): Promise<void>;
  /** Resolves when the job finishes; rejects when it fails or is canceled. */
  getJobExecutionResult(): Promise<JobExecutionResult>;
  /** Triggers a savepoint (arrives with checkpoints). */
  triggerSavepoint(directory?: string): Promise<string>;
  /** Stops the job with a savepoint (arrives with checkpoints). */
  stopWithSavepoint(advanceToEndOfEventTime: boolean, directory?: string): Promise<string>;
}
