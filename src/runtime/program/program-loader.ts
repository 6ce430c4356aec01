/**
 * Loads a job module, in the submitting process or in a slot thread.
 *
 * Capture mode (slot threads): the module runs with a context whose executor records the pipeline
 * at execute() and never resolves, so the rest of the module does not run; the slot thread then
 * takes its operators' functions from the recorded transformations by their stable ids. While a
 * compiled bundle's top-level code runs in capture mode, process.env is the one its header carries
 * (the client's, program-compiler.ts), and process.argv[1] the module's original path.
 */
import { register } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobExecutionResult, setExecutionContext, type JobClient, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import type { ProgramSpec } from '../protocol.js';
import { readBundleInfo, type BundleInfo } from './program-compiler.js';

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
export async function runProgram(program: ProgramSpec, instance: string | undefined, bundle?: BundleInfo): Promise<void> {
  if (program.compiledPath === undefined) await registerJobLoader();
  const url = pathToFileURL(program.compiledPath ?? program.path);
  if (instance !== undefined) url.searchParams.set('miniflink', instance);
  const savedArgv = process.argv;
  // The module sees the path it has on the client, also when a cluster runs an uploaded bundle.
  process.argv = [process.argv[0]!, (bundle ?? readCompiledInfo(program))?.path ?? program.path, ...program.args];
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
  // The client's environment while the module's top-level code runs (a cluster's JobManager and
  // slot threads have their own): values it reads from process.env are the client's, as locally.
  const bundle = readCompiledInfo(program);
  const restoreEnv = bundle !== undefined ? installEnv(bundle.env) : () => {};
  setExecutionContext({ executor, parallelism: program.parallelism, configuration: program.configuration, programPath: program.path });
  const restore = silenceConsole();
  try {
    const ran = runProgram(program, instance, bundle).then(
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
    restoreEnv();
    setExecutionContext(undefined);
  }
}

/** The header of the program's compiled bundle, if it has one. */
function readCompiledInfo(program: ProgramSpec): BundleInfo | undefined {
  return program.compiledPath !== undefined ? readBundleInfo(program.compiledPath) : undefined;
}

/** Variables that stay the running process's own while the client's environment is installed. */
const RUNNER_ENV = ['TMPDIR', 'TMP', 'TEMP'];

/**
 * Makes process.env exactly `env` (in place: code that holds process.env, or imported `env` from
 * node:process, sees it too); returns what puts the previous environment back. In a slot thread,
 * process.env is the thread's own copy; in the main thread this is the process's environment,
 * for as long as the capture runs.
 */
function installEnv(env: Readonly<Record<string, string>>): () => void {
  const saved = { ...process.env };
  const next: Record<string, string | undefined> = { ...env };
  // os.tmpdir() is where this process keeps its own working files (TaskManager folders, compiled
  // modules): other tasks of this thread may create them meanwhile, so these stay the runner's.
  for (const k of RUNNER_ENV) next[k] = saved[k];
  setEnv(next);
  return () => setEnv(saved);
}


function setEnv(env: Readonly<Record<string, string | undefined>>): void {
  for (const k of Object.keys(process.env)) if (!Object.hasOwn(env, k) || env[k] === undefined) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (v !== undefined && process.env[k] !== v) process.env[k] = v;
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
