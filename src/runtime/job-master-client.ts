/**
 * A JobClient over a JobMaster in this process.
 */
import type { JobClient, JobExecutionResult, JobStatusName } from '../api/index.js';
import type { JobMaster } from './jobmanager/job-master.js';

/** JobClient for a job of an in-process cluster. */
export class JobMasterClient implements JobClient {
  constructor(private readonly jm: JobMaster) {}
  getJobID(): string {
    return this.jm.jobId;
  }
  async getJobStatus(): Promise<JobStatusName> {
    return this.jm.status;
  }
  async cancel(): Promise<void> {
    this.jm.cancel();
  }
  getJobExecutionResult(): Promise<JobExecutionResult> {
    return this.jm.result();
  }
  /** Takes a savepoint; resolves with its path (`file:/...`). */
  async triggerSavepoint(directory?: string): Promise<string> {
    const s = await this.jm.triggerSavepoint(directory);
    return s.externalPath!;
  }
  /** Stops the job with a savepoint; resolves with its path. */
  async stopWithSavepoint(advanceToEndOfEventTime: boolean, directory?: string): Promise<string> {
    const s = await this.jm.stopWithSavepoint(directory, advanceToEndOfEventTime);
    return s.externalPath!;
  }
}
