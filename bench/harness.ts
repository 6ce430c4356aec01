/**
 * What the whole-job benchmarks share: running a job module in this process on an embedded
 * cluster (its net runtime, and the process's CPU time over wall time meanwhile), timing a loop,
 * the median, and the machine's description.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { compileProgram, discardCompiledProgram, LocalExecutor, runProgram, setExecutionContext } from 'miniflink/internal';
import type { JobExecutionResult } from 'miniflink';

/** A job's net runtime and the process's CPU time / wall time while it ran (both cores busy: ~2). */
export interface JobRun {
  readonly ms: number;
  readonly cpuPerWall: number;
  /** The job's accumulators, merged (JobExecutionResult.getAllAccumulatorResults()). */
  readonly accumulators: Readonly<Record<string, unknown>>;
}

/** Runs a job module (an absolute path) in this process on an embedded cluster. */
export async function runJob(path: string, args: string[], configuration: Record<string, string> = {}, parallelism?: number): Promise<JobRun> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const compiledPath = await compileProgram(path);
  let result: JobExecutionResult | undefined;
  const local = new LocalExecutor({ path, compiledPath, args });
  setExecutionContext({
    executor: {
      execute: async (pipeline) => {
        const c = await local.execute(pipeline);
        return { ...c, getJobID: () => c.getJobID(), getJobExecutionResult: async () => (result = await c.getJobExecutionResult()) };
      },
    },
    configuration,
    programPath: path,
    ...(parallelism !== undefined ? { parallelism } : {}),
  });
  try {
    await runProgram({ path, compiledPath, args, configuration }, undefined);
  } finally {
    setExecutionContext(undefined);
    discardCompiledProgram(compiledPath);
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: result!.getNetRuntime(), cpuPerWall: (cpu.user + cpu.system) / 1000 / (performance.now() - wall0), accumulators: result!.getAllAccumulatorResults() };
}

/** Milliseconds a synchronous loop takes. */
export function timeLoop(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The machine, for the results. */
export const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
