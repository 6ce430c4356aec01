/**
 * A standalone cluster (`miniflink cluster start`): one JobManager and N TaskManagers that stay up
 * and run job modules submitted to them (Flink's session cluster). A job module is compiled once,
 * its pipeline captured in this process (as a slot thread does), and the JobGraph submitted to the
 * dispatcher; the REST API and the CLI reach the cluster only through this class.
 */
import { checkConfiguration, parseDuration, type ConfigMap } from '../config/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { newJobId } from '../core/ids.js';
import { jsonPlan, type JsonPlan } from '../graph/index.js';
import { buildSubmission, restoredSubmission } from './job-submission.js';
import { dispatcherOptions } from './jobmanager/dispatcher.js';
import type { JobMaster } from './jobmanager/job-master.js';
import { faultOptions, MiniCluster } from './minicluster.js';
import { ClusterLogs, type ClusterLogOptions } from './cluster-logs.js';
import { captureProgram, NO_JOB } from './program/program-loader.js';
import { compileProgram, discardCompiledProgram } from './program/program-compiler.js';


/** The cluster's limit on a submitted module's capture (options.ts). */
const CAPTURE_TIMEOUT_KEY = 'cluster.program-capture.timeout';

/** What a submission of a job module says (`run`, `POST /jars/:id/run`). */
export interface ProgramRun {
  readonly path: string;
  readonly args: readonly string[];
  readonly entry?: string | undefined;
  readonly parallelism?: number | undefined;
  readonly savepointPath?: string | undefined;
  readonly allowNonRestoredState?: boolean | undefined;
  /** CLAIM, NO_CLAIM (default) or LEGACY. */
  readonly claimMode?: string | undefined;
  /** A fixed JobID (Flink's `jobId` of a jar run); a new one when absent. */
  readonly jobId?: string | undefined;
  /** Which execute() call of the program this job is (0 = the first): a client running the program submits each in turn. */
  readonly executeIndex?: number | undefined;
  /** Configuration for this job only (Flink's flinkConfiguration). */
  readonly configuration?: Readonly<Record<string, string>> | undefined;
}

/** A session cluster. */
export class StandaloneCluster {
  /** The JobManager and TaskManagers. */
  readonly mini: MiniCluster;
  /** When the cluster started. */
  readonly startedAt = Date.now();
  private programs = 0;
  /** How long a submitted module's top-level code may run in a capture (cluster.program-capture.timeout). */
  private readonly captureTimeoutMs: number;
  /** How each job was submitted, and its compiled module (kept for rescaling until the job ends). */
  private readonly runs = new Map<string, { run: ProgramRun; compiledPath: string }>();
  /** Jobs with a rescale under way, from its checks to its restart (see prepareRescale). */
  private readonly rescales = new Set<string>();

  constructor(
    /** The cluster's configuration (config.yaml and -D). */
    readonly configuration: ConfigMap,
    /** Where and how it logs (none: it keeps no logs). */
    logs?: ClusterLogOptions,
  ) {
    const n = (key: string, d: number) => {
      const v = configuration[key];
      if (v === undefined) return d;
      const x = Number(v);
      if (!Number.isInteger(x) || x < 1) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `${key} must be a positive integer, got '${v}'`);
      return x;
    };
    this.captureTimeoutMs = parseDuration(configuration[CAPTURE_TIMEOUT_KEY] ?? '60 s', CAPTURE_TIMEOUT_KEY);
    this.mini = new MiniCluster({
      numTaskManagers: n('local.number-taskmanager', 1),
      slotsPerTaskManager: n('taskmanager.numberOfTaskSlots', 1),
      ...faultOptions(configuration),
      dispatcher: dispatcherOptions(configuration),
      logs: logs ? new ClusterLogs(logs) : undefined,
    });
  }

  /** Starts the TaskManagers' slot threads. */
  start(): Promise<void> {
    return this.mini.start();
  }

  /** Suspends running jobs and stops every thread. */
  close(): Promise<void> {
    return this.mini.close();
  }

  private async capture(run: ProgramRun, compiled?: string) {
    const compiledPath = compiled ?? (await compileProgram(run.path));
    const configuration = { ...this.configuration, ...run.configuration };
    // The cluster's own keys were checked when it started; a job's flinkConfiguration is checked here.
    if (run.configuration !== undefined) checkConfiguration(run.configuration, (m) => console.warn(m));
    try {
      const pipeline = await captureProgram(
        { path: run.path, compiledPath, args: run.args, entry: run.entry, executeIndex: run.executeIndex, parallelism: run.parallelism, configuration },
        `cluster-${++this.programs}`,
        // A module whose top-level code never reaches execute() would hold every later submission.
        { timeoutMs: this.captureTimeoutMs, timeoutKey: CAPTURE_TIMEOUT_KEY },
      ).catch((e: Error) => {
        // Flink's words for a program without a job, and for one that threw.
        throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', e.message === NO_JOB ? 'No jobs included in application.' : `Could not execute application. ${e.message}`, { cause: e });
      });
      return { pipeline, compiledPath };
    } catch (e) {
      if (compiled === undefined) discardCompiledProgram(compiledPath);
      throw e;
    }
  }

  /** Runs a job module on the cluster; resolves with its JobMaster once submitted. */
  async submit(run: ProgramRun): Promise<JobMaster> {
    const { pipeline, compiledPath } = await this.capture(run);
    try {
      const restore = run.savepointPath !== undefined ? { savepointPath: run.savepointPath, allowNonRestoredState: run.allowNonRestoredState ?? false, claimMode: run.claimMode } : undefined;
      const built = buildSubmission(pipeline, { path: run.path, compiledPath, args: run.args, entry: run.entry, executeIndex: run.executeIndex }, restore);
      const jm = this.mini.dispatcher.submitJob(run.jobId !== undefined ? { ...built, jobId: run.jobId } : built);
      this.runs.set(jm.jobId, { run, compiledPath });
      const done = () => {
        this.runs.delete(jm.jobId);
        discardCompiledProgram(compiledPath);
      };
      jm.result().then(done, done);
      return jm;
    } catch (e) {
      discardCompiledProgram(compiledPath);
      throw e;
    }
  }

  /**
   * Rescales a running job to a new default parallelism, in place (what Flink's old rescaling did,
   * and its adaptive scheduler does): the same program is captured at the new parallelism first (so
   * a program that cannot run so leaves the job untouched), then a savepoint is taken and the
   * tasks stop, and the new graph runs under the same JobID as a new attempt, restoring the
   * savepoint: keyed state is redistributed by key groups, operator state by its split or union.
   */
  async rescale(jobId: string, parallelism: number, savepointDir: string): Promise<JobMaster> {
    return (await this.prepareRescale(jobId, parallelism))(savepointDir);
  }

  /**
   * The first half of {@link rescale}: captures the program at the new parallelism and checks that
   * the rescale can run and changes something (failing, it leaves the job untouched); resolves with
   * the second half, which takes the savepoint and restarts the job.
   */
  async prepareRescale(jobId: string, parallelism: number): Promise<(savepointDir: string) => Promise<JobMaster>> {
    const dispatcher = this.mini.dispatcher;
    const jm = dispatcher.getJob(jobId);
    const refused = this.rescaleRefusal(jobId);
    if (refused !== undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', refused);
    // From here until the rescale ends another one is refused (its checks would pass while this
    // one captures the program, before its savepoint starts).
    this.rescales.add(jobId);
    let rest: (savepointDir: string) => Promise<JobMaster>;
    try {
      rest = await this.prepareRescaleChecked(jm, jobId, parallelism);
    } catch (e) {
      this.rescales.delete(jobId);
      throw e;
    }
    return async (savepointDir) => {
      try {
        return await rest(savepointDir);
      } finally {
        this.rescales.delete(jobId);
      }
    };
  }

  /** Why job `jobId` cannot be rescaled now (a rescale of it under way, or the JobMaster's reason), if it cannot. */
  rescaleRefusal(jobId: string): string | undefined {
    if (this.rescales.has(jobId)) return `Job ${jobId} is already being rescaled: only one rescale at a time`;
    return this.mini.dispatcher.getJob(jobId).rescaleRefusal();
  }

  private async prepareRescaleChecked(jm: JobMaster, jobId: string, parallelism: number): Promise<(savepointDir: string) => Promise<JobMaster>> {
    const dispatcher = this.mini.dispatcher;
    const entry = this.runs.get(jobId);
    if (!entry) throw new MiniFlinkError('MF_ERR_JOB_NOT_FOUND', `Job ${jobId} was not submitted to this cluster as a program`);
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The parallelism must be a positive number: ${parallelism}`);
    const run: ProgramRun = { ...entry.run, parallelism, savepointPath: undefined, allowNonRestoredState: false, jobId };
    const { pipeline } = await this.capture(run, entry.compiledPath);
    const next = buildSubmission(pipeline, { path: run.path, compiledPath: entry.compiledPath, args: run.args, entry: run.entry, executeIndex: run.executeIndex });
    dispatcher.checkRescale(jobId, next.job);
    // A job that sets its parallelism itself (env.setParallelism, each operator's) comes out the
    // same: refused before the savepoint, rather than restarted for nothing (found by a review:
    // rescaling the example job of `npm start` restarted it at p=2, as before).
    const before = new Map(jm.submission.job.vertices.map((v) => [v.id, v.parallelism]));
    if (next.job.vertices.length === before.size && next.job.vertices.every((v) => before.get(v.id) === v.parallelism)) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_ARGUMENT',
        `Rescaling job ${jobId} to parallelism ${parallelism} would change no operator's parallelism (${[...new Set(next.job.vertices.map((v) => v.parallelism))].join(', ')}): the job ${next.job.vertices.every((v) => v.parallelism === parallelism) ? 'already runs at it' : 'sets its parallelism itself (env.setParallelism, or setParallelism on its operators)'}. Nothing was restarted.`,
      );
    }
    return async (savepointDir) => {
      const savepoint = await jm.stopForRescale(savepointDir);
      try {
        dispatcher.redeploy(jm, restoredSubmission(next, savepoint.dir!, false));
        entry.run = run;
      } catch (e) {
        // The new graph could not run (e.g. another job took the free slots meanwhile): the job
        // comes back at its old parallelism from the same savepoint, in the slots it still holds.
        try {
          dispatcher.redeploy(jm, restoredSubmission(jm.submission, savepoint.dir!, false));
        } catch {
          jm.failRescale(e as Error);
        }
        throw e;
      }
      return jm;
    };
  }

  /** The plan a job module would run. */
  async plan(run: ProgramRun): Promise<JsonPlan> {
    const { pipeline, compiledPath } = await this.capture(run);
    discardCompiledProgram(compiledPath);
    const submission = buildSubmission(pipeline, { path: run.path, args: run.args });
    return jsonPlan(submission.job, newJobId());
  }
}
