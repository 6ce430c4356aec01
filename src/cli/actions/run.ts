/**
 * `miniflink run [OPTIONS] <job> [args]`: runs the job module in this process; its execute()
 * submits to an embedded cluster (`-t local`) or to a running one (`-m`, `execution.target: remote`).
 *
 * The program may return before its submissions are done: a job started with executeAsync() that
 * the program does not await (a Java main() returns right after executeAsync) is still submitted,
 * and the run waits for that before it decides whether the program contained a job. On a running
 * cluster the run then ends, as Flink's client does; with -t local it waits for such jobs to end,
 * since they run in this process.
 */
import { setExecutionContext, type JobClient, type JobExecutionResult, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { compileProgram, discardCompiledProgram, LocalExecutor, NO_JOB, resolveProgramPath, runProgram } from '../../runtime/index.js';
import { absolutePath, absolutePaths, clusterOnlyKeys, jobConfiguration } from '../../config/index.js';
import { CliArgumentError, listOption, parseArgs, stringOption } from '../args.js';
import { RemoteExecutor } from '../remote-executor.js';
import { RestClient } from '../rest-client.js';
import { parserOptions } from '../help.js';
import { loadConfiguration, parseParallelism } from './common.js';

/** Options of run (declared with their help in help.ts). */
const RUN_OPTIONS = parserOptions('run');

/** How long an interrupted client tries to delete its upload before it exits anyway. */
const CLEANUP_ON_SIGNAL_MS = 5_000;

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
  const configuration = loadConfiguration(parsed, io.err, 'run');
  const parallelism = parseParallelism(parsed);
  const target = configuration['execution.target'] ?? 'remote';
  if (target !== 'local' && target !== 'remote') {
    throw new CliArgumentError(`Unsupported execution target '${target}' (-t or execution.target): miniflink runs a job on an embedded cluster (local) or on a running miniflink cluster (remote); Flink's other targets deploy to YARN or Kubernetes.`);
  }
  const local = target === 'local';
  if (!local) warnClusterKeys(listOption(parsed, 'D'), io.err);
  const path = resolveProgramPath(jobPath);
  const entry = stringOption(parsed, 'class');
  // A relative path means the client's working directory, also for a cluster that has another.
  const fromSavepoint = stringOption(parsed, 'fromSavepoint');
  const savepointPath = fromSavepoint !== undefined ? absolutePath(fromSavepoint) : undefined;
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
        RestClient.fromConfig(configuration, "Start one with 'miniflink cluster start', or run the job with -t local."),
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
          // Its paths are the client's: relative ones are made absolute here.
          configuration: absolutePaths(jobConfiguration(configuration)),
          detached: parsed.options['detached'] === true,
        },
        onSubmitted,
      );
  const inner: PipelineExecutor = remote ?? new LocalExecutor({ path, compiledPath, args: programArgs, entry, savepointPath, allowNonRestoredState, claimMode }, onSubmitted);
  /** Submissions not yet accepted (or refused), and the jobs accepted, in order. */
  const inFlight = new Set<Promise<unknown>>();
  const started: JobClient[] = [];
  const executor: PipelineExecutor = {
    execute: (pipeline: Pipeline) => {
      const submission = inner.execute(pipeline).then((client) => {
        started.push(client);
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
        } satisfies JobClient;
      });
      inFlight.add(submission);
      const settle = () => inFlight.delete(submission);
      submission.then(settle, settle);
      return submission;
    },
  };
  // A rejection the program leaves unhandled (an executeAsync() it did not await, which the
  // cluster refused) is the program's failure, reported as Flink reports an exception of main().
  let unhandled: { reason: unknown } | undefined;
  const onUnhandled = (reason: unknown) => {
    unhandled ??= { reason };
  };
  process.on('unhandledRejection', onUnhandled);
  const stopCleanupOnSignal = remote !== undefined ? deleteUploadOnSignal(remote) : () => {};
  setExecutionContext({ executor, parallelism, configuration, programPath: path });
  try {
    await runProgram({ path, compiledPath, args: programArgs, entry, parallelism, configuration }, undefined);
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    // Jobs of this process's embedded cluster end with it: wait for those the program did not wait for.
    if (local) await Promise.allSettled(started.map((c) => c.getJobExecutionResult()));
    // Node reports an unhandled rejection after the microtasks that follow it.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.removeListener('unhandledRejection', onUnhandled);
    setExecutionContext(undefined);
    discardCompiledProgram(compiledPath);
    await remote?.close();
    stopCleanupOnSignal();
  }
  if (unhandled !== undefined) throw unhandled.reason;
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

/**
 * Warns about cluster keys given with -D to a run on a running cluster: the job does not take
 * them (they are the cluster's: slots, heartbeats, REST, ...), and the cluster keeps its own.
 */
function warnClusterKeys(dynamicProperties: readonly string[], warn: (m: string) => void): void {
  const keys = clusterOnlyKeys(dynamicProperties.map((p) => p.slice(0, Math.max(0, p.indexOf('='))).trim()));
  if (keys.length === 0) return;
  const names = keys.map((k) => `'${k}'`).join(', ');
  const one = keys.length === 1;
  warn(
    `Configuration ${one ? 'key' : 'keys'} ${names} given with -D ${one ? 'is' : 'are'} the cluster's, not the job's: a job submitted to a running cluster does not take ${one ? 'it' : 'them'}, and the cluster keeps the ${one ? 'value' : 'values'} it started with. Set ${one ? 'it' : 'them'} in the cluster's config.yaml, or with -D on 'miniflink cluster start'.`,
  );
}

/**
 * While an attached client waits, SIGINT or SIGTERM first deletes the upload (the cluster keeps
 * its own copy for the job, which runs on), then ends the process as the signal would. Returns
 * what removes the listeners.
 */
function deleteUploadOnSignal(remote: RemoteExecutor): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    const deadline = new Promise((resolve) => setTimeout(resolve, CLEANUP_ON_SIGNAL_MS).unref());
    void Promise.race([remote.close(), deadline]).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
