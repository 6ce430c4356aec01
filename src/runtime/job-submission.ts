/**
 * From a program's pipeline to what the Dispatcher runs: the JobGraph plus the settings the
 * runtime needs, taken from the job's code first, then the configuration.
 */
import type { Pipeline } from '../api/index.js';
import { parseDuration } from '../config/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { newJobId } from '../core/ids.js';
import { generateJobGraph, generateStreamGraph, type JobGraph } from '../graph/index.js';
import type { JobSubmission } from './jobmanager/job-master.js';
import type { ProgramSpec } from './protocol.js';

/** Flink's default buffer timeout. */
const DEFAULT_BUFFER_TIMEOUT_MS = 100;

/** Builds the JobGraph of a pipeline. */
export function buildJobGraph(pipeline: Pipeline): JobGraph {
  return generateJobGraph(generateStreamGraph(pipeline.env, pipeline.jobName));
}

/** Builds a submission for a pipeline whose program is known. */
export function buildSubmission(pipeline: Pipeline, program: Omit<ProgramSpec, 'parallelism' | 'configuration'>): JobSubmission {
  // compiledPath is set by the caller (compileProgram) before deployment.
  const env = pipeline.env;
  const conf = env.configuration;
  const timeoutText = conf['execution.buffer-timeout.interval'] ?? conf['execution.buffer-timeout'];
  const bufferTimeout = env.getBufferTimeout() ?? (timeoutText !== undefined ? parseDuration(timeoutText, 'execution.buffer-timeout.interval') : DEFAULT_BUFFER_TIMEOUT_MS);
  return {
    jobId: newJobId(),
    job: buildJobGraph(pipeline),
    program: { ...program, parallelism: env.initialParallelism, configuration: conf },
    objectReuse: env.getConfig().isObjectReuseEnabled(),
    bufferTimeout,
    collectLimits: new Map(env.collectLimits),
  };
}

/** The program path of a pipeline, or a clear error. */
export function requireProgramPath(pipeline: Pipeline): string {
  if (!pipeline.programPath) {
    throw new MiniFlinkError(
      'MF_ERR_INVALID_PROGRAM',
      'Could not tell which module built this job: slot threads load the job module again to get its functions. Run the job as a module (npx tsx job.ts, node job.js, or miniflink run job.ts).',
    );
  }
  return pipeline.programPath;
}
