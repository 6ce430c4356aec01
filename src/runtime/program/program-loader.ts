/**
 * Loads a job module, in the submitting process or in a slot thread.
 *
 * Capture mode (slot threads, a cluster's JobManager): the module runs with a context whose
 * executor records the pipeline at execute() and never resolves, so the rest of the module does
 * not run; the slot thread then takes its operators' functions from the recorded transformations
 * by their stable ids. While a compiled bundle's top-level code runs in capture mode, process.env
 * is the one its header carries (the client's, program-compiler.ts), and process.argv[1] the
 * module's original path.
 *
 * A capture's code runs in an async context of its own (AsyncLocalStorage): what it prints with
 * console.log/info/debug/warn is dropped (the client prints the program's output once), while
 * the rest of the process (other jobs' warnings, the cluster's own) prints as usual; and only
 * that capture's own code reaches its executor. A capture may have a time limit (a cluster's
 * cluster.program-capture.timeout): past it the capture fails and the next one starts; its code
 * cannot be stopped and runs on, but its execute() reaches nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { register } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDefaultExecutor, JobExecutionResult, setDefaultExecutor, setExecutionContext, type JobClient, type Pipeline, type PipelineExecutor } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { addJobExports } from '../../core/pojo-types.js';
import type { ProgramSpec } from '../protocol.js';
import { bundleExportNames, readBundleInfo, type BundleInfo } from './program-compiler.js';

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
  // An entry function the module does not export fails before its code runs, as Flink fails on
  // an unknown entry class before main(): the module's top-level code may submit a job itself.
  const exported = program.entry !== undefined && program.compiledPath !== undefined ? bundleExportNames(program.compiledPath) : undefined;
  if (exported !== undefined && !exported.has(program.entry!)) throw noEntry(program);
  const url = pathToFileURL(program.compiledPath ?? program.path);
  if (instance !== undefined) url.searchParams.set('miniflink', instance);
  const savedArgv = process.argv;
  // The module sees the path it has on the client, also when a cluster runs an uploaded bundle.
  process.argv = [process.argv[0]!, (bundle ?? readCompiledInfo(program))?.path ?? program.path, ...program.args];
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    addJobExports(() => mod); // Its exported classes keep their class as records (core/pojo-types.ts).
    if (program.entry !== undefined) {
      const fn = mod[program.entry];
      if (typeof fn !== 'function') throw noEntry(program);
      await fn([...program.args]);
    }
  } finally {
    process.argv = savedArgv;
  }
}

function noEntry(program: ProgramSpec): MiniFlinkError {
  return new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job module ${program.path} has no exported function '${program.entry}' (-c/--class)`);
}

const NO_JOB = "The program didn't contain a Flink job. Perhaps you forgot to call execute() on the execution environment.";

/** Options of a capture. */
export interface CaptureOptions {
  /** How long the module's code may run before it reaches the execute() call wanted; no limit when absent. */
  readonly timeoutMs?: number | undefined;
  /** The configuration key that sets the limit, for the error message. */
  readonly timeoutKey?: string | undefined;
}

/**
 * Runs the module in capture mode and returns the pipeline of its execute() call number
 * `program.executeIndex` (0 by default). Earlier execute() calls resolve at once with an empty
 * result, so a program that runs several jobs one after another reaches the one wanted.
 */
export function captureProgram(program: ProgramSpec, instance: string, options: CaptureOptions = {}): Promise<Pipeline> {
  // One capture at a time per thread: a capture sets the thread's process.argv and execution
  // context while the module's top-level code runs, so two at once would see each other's.
  const run = captureQueue.then(() => captureOne(program, instance, options));
  captureQueue = run.then(
    () => {},
    () => {},
  );
  return run;
}

let captureQueue: Promise<void> = Promise.resolve();

/** The capture a piece of code belongs to: its module's code and everything that code started. */
interface CaptureScope {
  /** Set when the capture was given up (its time limit): its code runs on, reaching nothing. */
  abandoned: boolean;
  /** The job module's path (for messages). */
  readonly path: string;
}

const captureScope = new AsyncLocalStorage<CaptureScope>();

async function captureOne(program: ProgramSpec, instance: string, options: CaptureOptions): Promise<Pipeline> {
  let captured: ((p: Pipeline) => void) | undefined;
  const gotPipeline = new Promise<Pipeline>((resolve) => (captured = resolve));
  const target = program.executeIndex ?? 0;
  let calls = 0;
  const scope: CaptureScope = { abandoned: false, path: program.path };
  const executor: PipelineExecutor = {
    execute: (pipeline) => {
      // Only this capture's own code, while it is wanted: the code of a capture given up may run
      // on and reach execute() while this one's context is installed.
      if (captureScope.getStore() !== scope || scope.abandoned) return new Promise(() => {});
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
  muteCapturesOutput();
  interceptCapturesExit();
  guardDefaultExecutor();
  let timer: NodeJS.Timeout | undefined;
  try {
    const ran = captureScope
      .run(scope, () => runProgram(program, instance, bundle))
      .then(
        () => {
          throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', NO_JOB);
        },
        (e: unknown) => {
          throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job module ${program.path} threw while building its job graph: ${(e as Error)?.message ?? String(e)}`, { cause: e });
        },
      );
    const outcomes: Array<Promise<Pipeline>> = [gotPipeline, ran];
    const ms = options.timeoutMs;
    if (ms !== undefined) {
      outcomes.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            scope.abandoned = true;
            reject(
              new MiniFlinkError(
                'MF_ERR_INVALID_PROGRAM',
                `The job module ${bundle?.path ?? program.path} did not reach execute() within ${ms} ms${options.timeoutKey !== undefined ? ` (${options.timeoutKey})` : ''}: ` +
                  'its top-level code, which runs here to build the job graph, waits or computes too long. Its code cannot be stopped and runs on in this process, but its execute() is ignored; ' +
                  'move slow work after execute() or into the job\'s functions.',
              ),
            );
          }, ms);
        }),
      );
    }
    return await Promise.race(outcomes);
  } finally {
    clearTimeout(timer);
    restoreEnv();
    setExecutionContext(undefined);
    // The module has imported miniflink by now, which registered its default executor.
    guardDefaultExecutor();
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

let consoleMuted = false;

/**
 * The program's own console output is printed once, by the client: in this thread, console.log,
 * info, debug and warn drop what code of a capture prints (its top-level code and what that code
 * started: timers, promises). Everything else prints as before, so a cluster's warnings about
 * other jobs submitted meanwhile are not lost. Installed once per thread.
 */
function muteCapturesOutput(): void {
  if (consoleMuted) return;
  consoleMuted = true;
  for (const method of ['log', 'info', 'debug', 'warn'] as const) {
    const print = console[method];
    console[method] = function (this: Console, ...args: unknown[]) {
      if (captureScope.getStore() === undefined) print.apply(this, args);
    };
  }
}

let exitIntercepted = false;

/**
 * process.exit() called by a capture's code (its top-level code, or what that code started) throws
 * instead of ending the process: in a cluster's JobManager that would end the cluster and every
 * job in it (a module that checks its arguments and exits, run over REST without them), in a slot
 * thread every task of the thread. Flink's cluster.intercept-user-system-exit: THROW. Installed
 * once per thread; other code exits as before.
 */
function interceptCapturesExit(): void {
  if (exitIntercepted) return;
  exitIntercepted = true;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const scope = captureScope.getStore();
    if (scope === undefined) return exit(code);
    throw new MiniFlinkError(
      'MF_ERR_INVALID_PROGRAM',
      `The job module ${scope.path} called process.exit(${code ?? ''}) from its top-level code (or code that code started), which runs here to build the job graph: ` +
        'that would end this process and every job in it, so the call throws instead (as Flink with cluster.intercept-user-system-exit: THROW). ' +
        'Pass the module the arguments it expects (programArgs), and leave no timer behind that exits.',
    );
  }) as typeof process.exit;
}

const guards = new WeakSet<PipelineExecutor>();

/**
 * Keeps a capture's code from running a job in this process: code a capture started that runs
 * on after its context is gone (a capture given up) would reach the default executor (an
 * embedded cluster) with its execute(); inside a capture's async context that executor now
 * never resolves instead.
 */
function guardDefaultExecutor(): void {
  const current = getDefaultExecutor();
  if (current === undefined || guards.has(current)) return;
  const guard: PipelineExecutor = { execute: (pipeline) => (captureScope.getStore() !== undefined ? new Promise(() => {}) : current.execute(pipeline)) };
  guards.add(guard);
  setDefaultExecutor(guard);
}

export { NO_JOB };
