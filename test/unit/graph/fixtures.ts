/**
 * Helpers of the graph unit tests: an environment built under a test context (no executor runs),
 * and the StreamGraph / JobGraph of what a test built on it.
 */
import { setExecutionContext, StreamExecutionEnvironment } from '../../../src/api/index.js';
import { generateJobGraph, generateStreamGraph, type JobGraph, type StreamGraph } from '../../../src/graph/index.js';

/** An environment of default parallelism 4 (or `parallelism`), with the given configuration. */
export function newEnv(options: { parallelism?: number; configuration?: Record<string, string> } = {}): StreamExecutionEnvironment {
  setExecutionContext({
    executor: {
      execute: async () => {
        throw new Error('not in unit tests');
      },
    },
    parallelism: options.parallelism ?? 4,
    configuration: options.configuration ?? {},
  });
  try {
    return StreamExecutionEnvironment.getExecutionEnvironment();
  } finally {
    setExecutionContext(undefined);
  }
}

/** The StreamGraph of the environment's program. */
export function streamGraphOf(env: StreamExecutionEnvironment, jobName = 'test job'): StreamGraph {
  return generateStreamGraph(env, jobName);
}

/** The JobGraph of the environment's program. */
export function jobGraphOf(env: StreamExecutionEnvironment, jobName = 'test job'): JobGraph {
  return generateJobGraph(generateStreamGraph(env, jobName));
}

/** Vertex names in topological order. */
export function vertexNames(job: JobGraph): string[] {
  return job.vertices.map((v) => v.name);
}

/** Ship strategies of the job edges, in edge order. */
export function shipStrategies(job: JobGraph): string[] {
  return job.edges.map((e) => e.shipStrategy);
}

/** A sink that drops everything (the graph never runs it). */
export const discard = { invoke: (): void => undefined };

/** Identity map function on numbers (the tests' streams are fromSequence). */
export const id = (x: number): number => x;

/** Filter that keeps everything. */
export const all = (): boolean => true;
