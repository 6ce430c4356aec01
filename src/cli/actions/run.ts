/**
 * `miniflink run [OPTIONS] <job> [args]`: runs the job module in this process; its execute()
 * submits to an embedded cluster (`-t local`) or to a running one (`-m`, `execution.target: remote`).
 */
import { setExecutionContext, type JobExecutionResult, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { compileProgram, discardCompiledProgram, LocalExecutor, NO_JOB, resolveProgramPath, runProgram } from '../../runtime/index.js';
import { jobConfiguration } from '../../config/index.js';
import { CliArgumentError, parseArgs, stringOption } from '../args.js';
import { RemoteExecutor } from '../remote-executor.js';
import { RestClient } from '../rest-client.js';
import { parserOptions } from '../help.js';
import { loadConfiguration, parseParallelism } from './common.js';

/** Options of run (declared with their help in help.ts). */
const RUN_OPTIONS = parserOptions('run');

/** Where the run action writes. */
export interface CliIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs the action; resolves with the exit code. */
export async function runAction(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(argv, RUN_OPTIONS);
  const [jobPath, ...programArgs] = parsed.positional;
  if (jobPath === undefined) throw new CliArgumentError('No job module specified: miniflink run [OPTIONS] <job.ts|job.js> [arguments]');
  const configuration = loadConfiguration(parsed, io.err);
  const parallelism = parseParallelism(parsed);
  const target = configuration['execution.target'] ?? 'remote';
  if (target !== 'local' && target !== 'remote') {
    throw new CliArgumentError(`Unsupported execution target '${target}' (-t or execution.target): miniflink runs a job on an embedded cluster (local) or on a running miniflink cluster (remote); Flink's other targets deploy to YARN or Kubernetes.`);
  }
  const local = target === 'local';
  const path = resolveProgramPath(jobPath);
  const entry = stringOption(parsed, 'class');
  const savepointPath = stringOption(parsed, 'fromSavepoint');
  const claimMode = stringOption(parsed, 'claimMode') ?? stringOption(parsed, 'restoreMode');
  if (claimMode !== undefined && !['claim', 'no_claim', 'legacy'].includes(claimMode.toLowerCase())) {
    throw new CliArgumentError(`Unknown restore mode '${claimMode}': expected claim, no_claim or legacy`);
  }
  const allowNonRestoredState = parsed.options['allowNonRestoredState'] === true;
  const compiledPath = await compileProgram(path);

  // The program runs here, as Flink's client runs main(); its execute() calls submit to an
  // embedded cluster (-t local) or to the running one (Flink's RemoteExecutor).
  let submitted: string | undefined;
  let result: JobExecutionResult | undefined;
  const onSubmitted = (jobId: string) => {
    submitted = jobId;
    io.out(`Job has been submitted with JobID ${jobId}`);
  };
  const remote = local
    ? undefined
    : new RemoteExecutor(
        RestClient.fromConfig(configuration),
        {
          path,
          bundlePath: compiledPath,
          args: programArgs,
          entry,
          parallelism,
          savepointPath,
          allowNonRestoredState,
          claimMode: claimMode?.toUpperCase(),
          // What the job reads of the configuration a local run would use (config.yaml, then -D),
          // as Flink's client puts it in the JobGraph: the job runs on the cluster as it does here.
          configuration: jobConfiguration(configuration),
          detached: parsed.options['detached'] === true,
        },
        onSubmitted,
      );
  const inner: PipelineExecutor = remote ?? new LocalExecutor({ path, compiledPath, args: programArgs, entry, savepointPath, allowNonRestoredState, claimMode }, onSubmitted);
  const executor: PipelineExecutor = {
    execute: async (pipeline: Pipeline) => {
      const client = await inner.execute(pipeline);
      // A new object, not a spread: a client may be a class instance whose methods live on its prototype.
      return {
        getJobID: () => client.getJobID(),
        getJobStatus: () => client.getJobStatus(),
        cancel: () => client.cancel(),
        triggerSavepoint: (directory?: string) => client.triggerSavepoint(directory),
        stopWithSavepoint: (drain: boolean, directory?: string) => client.stopWithSavepoint(drain, directory),
        getJobExecutionResult: async () => {
          const r = await client.getJobExecutionResult();
          if (r.isJobExecutionResult()) result = r;
          return r;
        },
      };
    },
  };
  setExecutionContext({ executor, parallelism, configuration, programPath: path });
  try {
    await runProgram({ path, compiledPath, args: programArgs, entry, parallelism, configuration }, undefined);
  } finally {
    setExecutionContext(undefined);
    discardCompiledProgram(compiledPath);
    await remote?.close();
  }
  if (submitted === undefined) throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', NO_JOB);
  if (result) {
    io.out('Program execution finished');
    io.out(`Job with JobID ${result.getJobID()} has finished.`);
    io.out(`Job Runtime: ${result.getNetRuntime()} ms`);
    const accs = result.getAllAccumulatorResults();
    const names = Object.keys(accs);
    if (names.length > 0) {
      io.out('Accumulator Results: ');
      for (const k of names) io.out(`- ${k} (${typeof accs[k]}): ${String(accs[k])}`);
    }
  }
  return 0;
}
