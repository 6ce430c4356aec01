/**
 * Loads a job module, in the submitting process or in a slot thread.
 *
 * Capture mode (slot threads): the module runs with a context whose executor records the pipeline
 * at execute() and never resolves, so the rest of the module does not run; the slot thread then
 * takes its operators' functions from the recorded transformations by their stable ids.
 */
import { register } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobExecutionResult, setExecutionContext, type JobClient, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import type { ProgramSpec } from '../protocol.js';

let hooksRegistered = false;

/** Registers tsx and miniflink's module hooks in this thread (once). */
export async function registerJobLoader(): Promise<void> {
  if (hooksRegistered) return;
  hooksRegistered = true;
  const tsx = (await import('tsx/esm/api')) as { register: () => unknown };
  tsx.register();
  register(new URL('./loader-hooks.js', import.meta.url));
}

/** Checks that a job module exists and is a file; returns its absolute path. */
export function resolveProgramPath(path: string): string {
  const abs = resolvePath(path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `Could not get job jar and dependencies from JAR file: JAR file does not exist: ${abs}`);
  }
  return abs;
}

/**
 * Imports the module with the given arguments in process.argv; with `entry`, calls that exported
 * function with the arguments. `instance` makes a fresh module instance (a query on the URL).
 */
export async function runProgram(program: ProgramSpec, instance: string | undefined): Promise<void> {
  if (program.compiledPath === undefined) await registerJobLoader();
  const url = pathToFileURL(program.compiledPath ?? program.path);
  if (instance !== undefined) url.searchParams.set('miniflink', instance);
  const savedArgv = process.argv;
  process.argv = [process.argv[0]!, program.path, ...program.args];
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    if (program.entry !== undefined) {
      const fn = mod[program.entry];
      if (typeof fn !== 'function') {
        throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job module ${program.path} has no exported function '${program.entry}' (-c/--class)`);
      }
      await fn([...program.args]);
    }
  } finally {
    process.argv = savedArgv;
  }
}

const NO_JOB = "The program didn't contain a Flink job. Perhaps you forgot to call execute() on the execution environment.";

/**
 * Runs the module in capture mode and returns the pipeline of its execute() call number
 * `program.executeIndex` (0 by default). Earlier execute() calls resolve at once with an empty
 * result, so a program that runs several jobs one after another reaches the one wanted.
 */
export function captureProgram(program: ProgramSpec, instance: string): Promise<Pipeline> {
  // One capture at a time per thread: a capture sets the thread's process.argv and execution
  // context while the module's top-level code runs, so two at once would see each other's.
  const run = captureQueue.then(() => captureOne(program, instance));
  captureQueue = run.then(
    () => {},
    () => {},
  );
  return run;
}

let captureQueue: Promise<void> = Promise.resolve();

async function captureOne(program: ProgramSpec, instance: string): Promise<Pipeline> {
  let captured: ((p: Pipeline) => void) | undefined;
  const gotPipeline = new Promise<Pipeline>((resolve) => (captured = resolve));
  const target = program.executeIndex ?? 0;
  let calls = 0;
  const executor: PipelineExecutor = {
    execute: (pipeline) => {
      if (calls++ < target) return Promise.resolve(skippedJobClient());
      captured!(pipeline);
      return new Promise(() => {}); // Never resolves: the rest of the program must not run here.
    },
  };
  setExecutionContext({ executor, parallelism: program.parallelism, configuration: program.configuration, programPath: program.path });
  const restore = silenceConsole();
  try {
    const ran = runProgram(program, instance).then(
      () => {
        throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', NO_JOB);
      },
      (e: unknown) => {
        throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job module ${program.path} threw while building its job graph: ${(e as Error)?.message ?? String(e)}`, { cause: e });
      },
    );
    return await Promise.race([gotPipeline, ran]);
  } finally {
    restore();
    setExecutionContext(undefined);
  }
}

/** The client of a job that a capture skips: it finished at once with nothing. */
function skippedJobClient(): JobClient {
  const result = new JobExecutionResult('00000000000000000000000000000000', 0, {});
  return {
    getJobID: () => result.getJobID(),
    getJobStatus: async () => 'FINISHED',
    cancel: async () => {},
    getJobExecutionResult: async () => result,
    triggerSavepoint: async () => '',
    stopWithSavepoint: async () => '',
  };
}

/** The program's own console output is printed once, by the client; slot threads stay quiet. */
function silenceConsole(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug, warn: console.warn };
  const noop = () => {};
  console.log = noop;
  console.info = noop;
  console.debug = noop;
  console.warn = noop;
  return () => Object.assign(console, saved);
}

export { NO_JOB };
