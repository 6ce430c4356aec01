/**
 * Flink's client side of `run -m host:port`: the program runs in the CLI process, and each
 * execute() uploads the job's bundle (once: the module compiled with everything it imports, its
 * path and the client's environment, as program-compiler.ts makes it; the very file the client
 * itself runs), runs it on the cluster through `POST /jars/:id/run`
 * (naming which execute() call it is, so the cluster captures that job), and, attached, waits
 * for `GET /jobs/:id/execution-result`, whose accumulator results also bring executeAndCollect's
 * records back. Detached, execute() returns at once with a DetachedJobExecutionResult.
 */
import { DetachedJobExecutionResult, JobExecutionResult, type JobClient, type JobStatusName, type Pipeline, type PipelineExecutor } from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { compileProgram, decodeResults, discardCompiledProgram, EXECUTE_INDEX_KEY } from '../runtime/index.js';
import { headlineOnly, withoutFrames } from './output.js';
import { operationFailure, type RestClient } from './rest-client.js';

/** What `run` says about the program. */
export interface RemoteRun {
  readonly path: string;
  /** The module's bundle (compileProgram), which the client runs itself: what is uploaded. Compiled here when absent. */
  readonly bundlePath?: string | undefined;
  readonly args: readonly string[];
  readonly entry: string | undefined;
  readonly parallelism: number | undefined;
  readonly savepointPath: string | undefined;
  readonly allowNonRestoredState: boolean;
  readonly claimMode: string | undefined;
  /** The job's part of the client's configuration (config.yaml and -D, `jobConfiguration`), sent as its flinkConfiguration. */
  readonly configuration: Readonly<Record<string, string>>;
  readonly detached: boolean;
}

interface ExecutionResultBody {
  status: { id: string };
  'job-execution-result'?: {
    'application-status': string;
    'net-runtime': number;
    'accumulator-results'?: Record<string, unknown>;
    'failure-cause'?: { class?: string; 'stack-trace'?: string };
  };
}

/** Submits a program's jobs to a running cluster over REST. */
export class RemoteExecutor implements PipelineExecutor {
  private executeCount = 0;
  private jarId: Promise<string> | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly run: RemoteRun,
    /** Called with the job id once the job is submitted (the CLI prints it). */
    private readonly onSubmitted: (jobId: string) => void,
  ) {}

  async execute(pipeline: Pipeline): Promise<JobClient> {
    const index = this.executeCount++;
    // Refuse before submitting: a detached job's records would have nobody to go to.
    if (this.run.detached && pipeline.env.transformations.some((t) => t.operator?.type === 'collect')) {
      throw headlineOnly(new MiniFlinkError('MF_ERR_INVALID_PROGRAM', 'executeAndCollect() needs an attached run: its records come back to the client when the job ends. Run without -d.'));
    }
    this.jarId ??= this.upload();
    const jarId = await this.jarId;
    const { jobid } = await this.client.call<{ jobid: string }>('POST', `/jars/${jarId}/run`, {
      programArgsList: this.run.args,
      parallelism: this.run.parallelism,
      entryClass: this.run.entry,
      // -s restores the program's first job, as with -t local.
      ...(index === 0 ? { savepointPath: this.run.savepointPath, allowNonRestoredState: this.run.allowNonRestoredState, claimMode: this.run.claimMode } : {}),
      flinkConfiguration: { ...this.run.configuration, [EXECUTE_INDEX_KEY]: String(index) },
    });
    this.onSubmitted(jobid);
    return new RestJobClient(this.client, jobid, this.run.detached);
  }

  /** Uploads the bundle, compiling it first when `run` did not. */
  private async upload(): Promise<string> {
    if (this.run.bundlePath !== undefined) return this.client.upload(this.run.bundlePath);
    const bundle = await compileProgram(this.run.path);
    try {
      return await this.client.upload(bundle);
    } finally {
      discardCompiledProgram(bundle);
    }
  }

  /** Deletes the uploaded module (the cluster keeps its own compiled copy for its jobs). */
  async close(): Promise<void> {
    const id = await this.jarId?.catch(() => undefined);
    if (id !== undefined) await this.client.call('DELETE', `/jars/${id}`).catch(() => {});
  }
}

/** A JobClient that reaches its job through the REST API. */
class RestJobClient implements JobClient {
  constructor(
    private readonly client: RestClient,
    private readonly jobId: string,
    private readonly detached: boolean,
  ) {}

  getJobID(): string {
    return this.jobId;
  }

  async getJobStatus(): Promise<JobStatusName> {
    return (await this.client.call<{ status: JobStatusName }>('GET', `/jobs/${this.jobId}/status`)).status;
  }

  async cancel(): Promise<void> {
    await this.client.call('PATCH', `/jobs/${this.jobId}`);
  }

  async triggerSavepoint(directory?: string): Promise<string> {
    const { 'request-id': t } = await this.client.call<{ 'request-id': string }>('POST', `/jobs/${this.jobId}/savepoints`, { 'target-directory': directory, 'cancel-job': false });
    return location(await this.client.waitFor(`/jobs/${this.jobId}/savepoints/${t}`));
  }

  async stopWithSavepoint(advanceToEndOfEventTime: boolean, directory?: string): Promise<string> {
    const { 'request-id': t } = await this.client.call<{ 'request-id': string }>('POST', `/jobs/${this.jobId}/stop`, { targetDirectory: directory, drain: advanceToEndOfEventTime });
    return location(await this.client.waitFor(`/jobs/${this.jobId}/savepoints/${t}`));
  }

  async getJobExecutionResult(): Promise<JobExecutionResult> {
    if (this.detached) return new DetachedJobExecutionResult(this.jobId);
    for (;;) {
      const r = await this.client.call<ExecutionResultBody>('GET', `/jobs/${this.jobId}/execution-result`);
      if (r.status.id === 'COMPLETED') {
        const res = r['job-execution-result']!;
        const results = decodeResults(res['accumulator-results'] ?? {});
        const app = res['application-status'];
        if (app === 'SUCCEEDED' || (app === 'CANCELED' && results.limitReached)) {
          return new JobExecutionResult(this.jobId, res['net-runtime'], results.accumulators, results.collected);
        }
        if (app === 'CANCELED') throw headlineOnly(new MiniFlinkError('MF_ERR_JOB_CANCELED', `Job ${this.jobId} was canceled.`));
        const cause = res['failure-cause'];
        const e = new Error('Job execution failed.', { cause: remoteError(cause?.class, cause?.['stack-trace']) });
        e.name = 'JobExecutionException';
        // The client's frames say nothing; the cause carries the cluster's stack of the failure.
        throw headlineOnly(e);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A savepoint operation's location, or its failure as an error. */
function location(op: Record<string, unknown>): string {
  const failure = operationFailure(op);
  if (failure !== undefined) throw headlineOnly(new Error(`The savepoint failed: ${withoutFrames(failure)}`));
  return String(op.location);
}

/** The cluster's error as the client shows it: its class and stack as the cluster wrote them. */
function remoteError(cls: string | undefined, stack: string | undefined): Error {
  const first = stack?.split('\n')[0] ?? cls ?? 'Unknown failure';
  const name = cls ?? 'Error';
  const e = new Error(first.startsWith(`${name}: `) ? first.slice(name.length + 2) : first);
  e.name = name;
  if (stack !== undefined) e.stack = stack;
  return e;
}
