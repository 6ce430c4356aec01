/**
 * How execute() reaches a runtime it does not import (Flink's PipelineExecutor and
 * StreamExecutionEnvironmentFactory).
 *
 * The context lives on globalThis under a Symbol.for key, so that it is shared by every copy of
 * the library in one thread (a job module may load miniflink through another path than the
 * runtime did).
 *
 *   direct run   (npx tsx job.ts)      no context      -> the default executor: a local MiniCluster
 *   CLI / REST   (miniflink run ...)   client context  -> local (-t local) or remote executor
 *   slot thread  (capture mode)        capture context -> records the pipeline, never resolves
 */
import type { JobClient } from './job-client.js';
import type { StreamExecutionEnvironment } from './environment.js';

/** What execute() hands to an executor. */
export interface Pipeline {
  /** The job's name. */
  readonly jobName: string;
  /** The environment, with its transformations and settings. */
  readonly env: StreamExecutionEnvironment;
  /** Where the program came from, when known (the module a slot thread loads). */
  readonly programPath: string | undefined;
}

/** Runs a pipeline. */
export interface PipelineExecutor {
  /** Submits the pipeline; resolves once the job is accepted. */
  execute(pipeline: Pipeline): Promise<JobClient>;
}

/** Settings a context gives every environment created under it. */
export interface ExecutionContext {
  /** The executor execute() uses. */
  readonly executor: PipelineExecutor;
  /** Default parallelism (`-p`), overriding `parallelism.default`. */
  readonly parallelism?: number | undefined;
  /** Configuration (`config.yaml` and `-D`), as strings. */
  readonly configuration?: Readonly<Record<string, string>>;
  /** The program's module path, for executors that need it. */
  readonly programPath?: string;
}

const CONTEXT = Symbol.for('miniflink.executionContext');
const DEFAULT_EXECUTOR = Symbol.for('miniflink.defaultExecutor');

type Slots = { [CONTEXT]?: ExecutionContext; [DEFAULT_EXECUTOR]?: PipelineExecutor };
const slots = globalThis as unknown as Slots;

/** Sets (or clears) the context that getExecutionEnvironment() uses in this thread. */
export function setExecutionContext(ctx: ExecutionContext | undefined): void {
  if (ctx) slots[CONTEXT] = ctx;
  else delete slots[CONTEXT];
}

/** The current context, if any. */
export function getExecutionContext(): ExecutionContext | undefined {
  return slots[CONTEXT];
}

/** Registers the executor used when there is no context (the runtime registers a local one). */
export function setDefaultExecutor(executor: PipelineExecutor): void {
  slots[DEFAULT_EXECUTOR] = executor;
}

/** The executor for a direct run, if the runtime registered one. */
export function getDefaultExecutor(): PipelineExecutor | undefined {
  return slots[DEFAULT_EXECUTOR];
}
