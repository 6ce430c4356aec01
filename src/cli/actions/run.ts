/**
 * `miniflink run [OPTIONS] <job> [args]`: runs the job module in this process; its execute()
 * submits to an embedded cluster (`-t local`) or, with the cluster issue, to a running one.
 */
import { setExecutionContext, type JobExecutionResult, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { compileProgram, discardCompiledProgram, LocalExecutor, NO_JOB, resolveProgramPath, runProgram } from '../../runtime/index.js';
import { CliArgumentError, parseArgs, stringOption } from '../args.js';
import { RestClient } from '../rest-client.js';
import { COMMON_OPTIONS, loadConfiguration, parseParallelism } from './common.js';

/** Options of run. */
const RUN_OPTIONS = [
  ...COMMON_OPTIONS,
  { short: 'p', long: 'parallelism', takesValue: true },
  { short: 'c', long: 'class', takesValue: true },
  { short: 'd', long: 'detached', takesValue: false },
  { short: 's', long: 'fromSavepoint', takesValue: true },
  { short: 'n', long: 'allowNonRestoredState', takesValue: false },
  { short: 'rm', long: 'restoreMode', takesValue: true },
  { short: 'cm', long: 'claimMode', takesValue: true },
] as const;

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
  const path = resolveProgramPath(jobPath);
  if (target !== 'local') return runRemote(path, programArgs, parsed, configuration, parallelism, io);
  const entry = stringOption(parsed, 'class');
  const compiledPath = await compileProgram(path);

  let submitted: string | undefined;
  let result: JobExecutionResult | undefined;
  const savepointPath = stringOption(parsed, 'fromSavepoint');
  const mode = stringOption(parsed, 'claimMode') ?? stringOption(parsed, 'restoreMode');
  if (mode !== undefined && !['claim', 'no_claim', 'legacy'].includes(mode.toLowerCase())) {
    throw new CliArgumentError(`Unknown restore mode '${mode}': expected claim, no_claim or legacy`);
  }
  const allowNonRestoredState = parsed.options['allowNonRestoredState'] === true;
  const local = new LocalExecutor({ path, compiledPath, args: programArgs, entry, savepointPath, allowNonRestoredState, claimMode: mode }, (jobId) => {
    submitted = jobId;
    io.out(`Job has been submitted with JobID ${jobId}`);
  });
  const executor: PipelineExecutor = {
    execute: async (pipeline: Pipeline) => {
      const client = await local.execute(pipeline);
      return {
        ...client,
        getJobID: () => client.getJobID(),
        getJobExecutionResult: async () => (result = await client.getJobExecutionResult()),
      };
    },
  };
  setExecutionContext({ executor, parallelism, configuration, programPath: path });
  try {
    await runProgram({ path, compiledPath, args: programArgs, entry, parallelism, configuration }, undefined);
  } finally {
    setExecutionContext(undefined);
    discardCompiledProgram(compiledPath);
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

/** `run` against a running cluster: upload the module, run it there, wait unless detached. */
async function runRemote(path: string, args: string[], parsed: ReturnType<typeof parseArgs>, configuration: Record<string, string>, parallelism: number | undefined, io: CliIO): Promise<number> {
  const client = RestClient.fromConfig(configuration);
  const jarId = await client.upload(path);
  let jobid: string;
  try {
    ({ jobid } = await client.call<{ jobid: string }>('POST', `/jars/${jarId}/run`, {
      programArgsList: args,
      parallelism,
      entryClass: stringOption(parsed, 'class'),
      savepointPath: stringOption(parsed, 'fromSavepoint'),
      allowNonRestoredState: parsed.options['allowNonRestoredState'] === true,
    }));
  } finally {
    await client.call('DELETE', `/jars/${jarId}`).catch(() => {});
  }
  io.out(`Job has been submitted with JobID ${jobid}`);
  if (parsed.options['detached'] === true) return 0;
  for (;;) {
    const r = await client.call<{ status: { id: string }; 'job-execution-result'?: { 'application-status': string; 'net-runtime': number; 'failure-cause'?: { 'stack-trace': string } } }>('GET', `/jobs/${jobid}/execution-result`);
    if (r.status.id === 'COMPLETED') {
      const res = r['job-execution-result']!;
      if (res['application-status'] !== 'SUCCEEDED') {
        throw new MiniFlinkError('MF_ERR_JOB_CANCELED', `Job ${jobid} ended ${res['application-status']}.${res['failure-cause'] ? `\n${res['failure-cause']['stack-trace']}` : ''}`);
      }
      io.out('Program execution finished');
      io.out(`Job with JobID ${jobid} has finished.`);
      io.out(`Job Runtime: ${res['net-runtime']} ms`);
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
