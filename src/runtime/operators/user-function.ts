/**
 * Opening and closing user functions: rich functions get the runtime context and their lifecycle.
 * And the one rule about what they return: a function that processes records is synchronous, as
 * Flink's are (a promise it returns fails the task).
 */
import { isRichFunction, type RuntimeContext } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { isPromiseLike } from '../../core/promise-like.js';

/** Sets the runtime context (again: initializeState set it already) and calls open() when the function is rich. */
export async function openUserFunction(fn: unknown, rc: RuntimeContext): Promise<void> {
  if (!isRichFunction(fn)) return;
  fn.setRuntimeContext(rc);
  await fn.open({});
}

/** Calls close() when the function is rich. */
export async function closeUserFunction(fn: unknown): Promise<void> {
  if (isRichFunction(fn)) await fn.close();
}

export { isPromiseLike };

/** Where a user function runs, for the message of one that broke a rule. */
export interface UserCallSite {
  /** The function (or object) the user gave. */
  readonly fn: unknown;
  /** The method called (`processElement`, `map`, ...). */
  readonly method: string;
  /** What Flink calls the function (`KeyedProcessFunction`, `FilterFunction`, ...). */
  readonly kind: string;
  /** The operator's runtime context (its task name and subtask). */
  readonly runtimeContext: RuntimeContext;
  /** The operator's name, when the chain gave it one. */
  readonly operatorName?: string | undefined;
}

/**
 * The failure of a task whose user function returned a promise (an async processElement, map,
 * flatMap, filter, reduce, onTimer or window function). Flink's functions are synchronous: keyed
 * state and the current key belong to the call, so what an async function does after an await
 * reads and writes the state of whatever key is current then; a filter's promise is truthy, so
 * every record would pass; a function on a stream that is not keyed would emit after an await
 * out of the task's order (behind checkpoint barriers, or after the input ended: lost), and an
 * async map's record would be the Promise. Asynchronous work belongs in a sink's invoke() (the
 * task waits for it) or a source's run(). The promise gets a handler, so that its own failure, if
 * any, is not reported again as an unhandled rejection.
 */
export function asyncUserFunctionError(result: PromiseLike<unknown>, site: UserCallSite, keyed = true): MiniFlinkError {
  Promise.resolve(result).catch(() => {});
  const why =
    site.method === 'filter'
      ? 'a Promise is always truthy, so every record would pass the filter'
      : keyed
        ? 'keyed state and the current key belong to the call, so after an await the function would read and write the state of whatever key is current then'
        : site.method === 'map' || site.method === 'map1' || site.method === 'map2'
          ? 'the Promise itself would be the record it emits'
          : 'what it emits after an await would come after the records and checkpoint barriers the task passed on meanwhile, or be lost once the input ended';
  return new MiniFlinkError(
    'MF_ERR_INVALID_PROGRAM',
    `The ${site.kind} ${functionName(site.fn)} of ${operatorOf(site)} returned a Promise from ${site.method}(): user functions must be synchronous, as Flink's are (${why}). ` +
      "Do asynchronous work in a sink's invoke() (the task waits for it) or in a source's run().",
  );
}

/** The operator (and task) a function runs in, as `'Map' in task 'Source -> Map (1/2)'`. */
function operatorOf(site: UserCallSite): string {
  const rc = site.runtimeContext as Partial<RuntimeContext> | undefined;
  let task = '';
  try {
    const name = rc?.getTaskName?.();
    if (name !== undefined) task = `task '${name} (${(rc?.getIndexOfThisSubtask?.() ?? 0) + 1}/${rc?.getNumberOfParallelSubtasks?.() ?? 1})'`;
  } catch {
    // A runtime context without task facts (a unit test's): the operator's name is all there is.
  }
  if (site.operatorName !== undefined) return task === '' ? `operator '${site.operatorName}'` : `operator '${site.operatorName}' in ${task}`;
  return task === '' ? 'its operator' : task;
}

/** A function's name for messages: its class's, or the function's own. */
function functionName(fn: unknown): string {
  if (typeof fn === 'function') return fn.name ? fn.name : '(an anonymous function)';
  const ctor = (fn as { constructor?: { name?: unknown } } | null)?.constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' && ctor !== Object ? ctor.name : '(an object)';
}
