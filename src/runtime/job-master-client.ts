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
  async triggerSavepoint(): Promise<string> {
    throw new Error('Savepoints arrive with checkpointing (issue #3)');
  }
  async stopWithSavepoint(): Promise<string> {
    throw new Error('Stop with savepoint arrives with checkpointing (issue #3)');
  }
}
