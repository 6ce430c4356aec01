/**
 * `miniflink info [-p N] [-c entry] <job> [args]`: prints the JobGraph plan as Flink's
 * `/jobs/:id/plan` JSON (a documented difference: `flink info` prints the StreamGraph).
 */
import { generateJobGraph, generateStreamGraph, jsonPlan } from '../../graph/index.js';
import { newJobId } from '../../core/ids.js';
import { captureProgram, compileProgram, discardCompiledProgram, resolveProgramPath } from '../../runtime/index.js';
import { CliArgumentError, parseArgs, stringOption } from '../args.js';
import { parserOptions } from '../help.js';
import { loadConfiguration, parseParallelism } from './common.js';
import type { CliIO } from './run.js';

/** Options of info (declared with their help in help.ts). */
const INFO_OPTIONS = parserOptions('info');

/** Runs the action; resolves with the exit code. */
export async function infoAction(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(argv, INFO_OPTIONS);
  const [jobPath, ...programArgs] = parsed.positional;
  if (jobPath === undefined) throw new CliArgumentError('No job module specified: miniflink info [OPTIONS] <job.ts|job.js> [arguments]');
  const configuration = loadConfiguration(parsed, io.err, 'info');
  const parallelism = parseParallelism(parsed);
  const path = resolveProgramPath(jobPath);
  const compiledPath = await compileProgram(path);
  let pipeline;
  try {
    pipeline = await captureProgram({ path, compiledPath, args: programArgs, entry: stringOption(parsed, 'class'), parallelism, configuration }, 'info');
  } finally {
    discardCompiledProgram(compiledPath);
  }
  const job = generateJobGraph(generateStreamGraph(pipeline.env, pipeline.jobName));
  io.out('----------------------- Execution Plan -----------------------');
  io.out(JSON.stringify(jsonPlan(job, newJobId()), null, 2));
  io.out('--------------------------------------------------------------');
  io.out('');
  io.out('No description provided.');
  return 0;
}
