/**
 * The local executor: runs a pipeline on a MiniCluster of its own in this process, sized to the
 * job as Flink's local environment does (one TaskManager with as many slots as the job needs),
 * unless `taskmanager.numberOfTaskSlots` / `local.number-taskmanager` say otherwise. The cluster
 * stops when the job ends.
 */
import { ClusterLogs, clusterLogOptions } from './cluster-logs.js';
import type { JobClient, Pipeline, PipelineExecutor } from '../api/index.js';
import { requiredSlots } from '../graph/index.js';
import { JobMasterClient } from './job-master-client.js';
import { dispatcherOptions } from './jobmanager/dispatcher.js';
import { faultOptions, MiniCluster } from './minicluster.js';
import { placeSubtasks } from './jobmanager/placement.js';
import { buildSubmission, requireProgramPath } from './job-submission.js';
import type { ProgramSpec } from './protocol.js';
import { compileProgram, discardCompiledProgram } from './program/program-compiler.js';

/** What a client knows about the program beyond the pipeline (CLI arguments, -c). */
export type ProgramOverrides = Partial<Pick<ProgramSpec, 'path' | 'compiledPath' | 'args' | 'entry'>> & {
  /** `-s`: restore from this savepoint or retained checkpoint. */
  readonly savepointPath?: string | undefined;
  /** `-n`: skip state that maps to no operator. */
  readonly allowNonRestoredState?: boolean;
  /** `-cm`/`-rm`: CLAIM or NO_CLAIM. */
  readonly claimMode?: string | undefined;
};

/** Runs pipelines on an embedded MiniCluster. */
export class LocalExecutor implements PipelineExecutor {
  /** execute() calls so far: a slot thread skips to the same call of the program. */
  private executeCount = 0;
  constructor(
    private readonly overrides: ProgramOverrides = {},
    /** Called with the job id once the job is submitted (the CLI prints it). */
    private readonly onSubmitted?: (jobId: string) => void,
  ) {}

  async execute(pipeline: Pipeline): Promise<JobClient> {
    const path = this.overrides.path ?? requireProgramPath(pipeline);
    const compiledPath = this.overrides.compiledPath ?? (await compileProgram(path));
    const executeIndex = this.executeCount++;
    const restore = this.overrides.savepointPath !== undefined && executeIndex === 0 ? { savepointPath: this.overrides.savepointPath, allowNonRestoredState: this.overrides.allowNonRestoredState ?? false, claimMode: this.overrides.claimMode } : undefined;
    const submission = buildSubmission(pipeline, { path, compiledPath, executeIndex, args: this.overrides.args ?? process.argv.slice(2), entry: this.overrides.entry }, restore);
    const conf = pipeline.env.configuration;
    const numTaskManagers = intOption(conf, 'local.number-taskmanager', 1);
    const needed = requiredSlots(submission.job);
    const slotsPerTaskManager = intOption(conf, 'taskmanager.numberOfTaskSlots', Math.ceil(needed / numTaskManagers));
    const total = numTaskManagers * slotsPerTaskManager;
    // Fail before any thread starts when the job can never fit.
    placeSubtasks(submission.job, Array.from({ length: total }, (_, i) => i), total);
    // An embedded run logs as Flink's MiniCluster in an IDE with no file appender: nothing, unless env.log.dir says where.
    const logs = conf['env.log.dir'] !== undefined ? new ClusterLogs(clusterLogOptions(conf, {})) : undefined;
    const cluster = new MiniCluster({ numTaskManagers, slotsPerTaskManager, ...faultOptions(conf), dispatcher: dispatcherOptions(conf), logs });
    await cluster.start();
    let jm;
    try {
      jm = cluster.dispatcher.submitJob(submission);
    } catch (e) {
      if (this.overrides.compiledPath === undefined) discardCompiledProgram(compiledPath);
      await cluster.close();
      throw e;
    }
    this.onSubmitted?.(jm.jobId);
    const result = jm.result();
    const cleanup = () => {
      if (this.overrides.compiledPath === undefined) discardCompiledProgram(compiledPath);
      return cluster.close();
    };
    result.then(cleanup, cleanup);
    const client = new JobMasterClient(jm);
    return {
      getJobID: () => client.getJobID(),
      getJobStatus: () => client.getJobStatus(),
      cancel: () => client.cancel(),
      triggerSavepoint: (dir) => client.triggerSavepoint(dir),
      stopWithSavepoint: (drain, dir) => client.stopWithSavepoint(drain, dir),
      // Resolve only after the cluster's threads are gone, so the process can exit right away.
      getJobExecutionResult: async () => {
        try {
          return await result;
        } finally {
          await cluster.close();
        }
      },
    };
  }
}

function intOption(conf: Readonly<Record<string, string>>, key: string, fallback: number): number {
  const v = conf[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${key} must be a positive integer, got '${v}'`);
  return n;
}
