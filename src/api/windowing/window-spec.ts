/**
 * What a window operator runs (the `window` OperatorSpec): assigner, trigger, evictor, lateness,
 * how the window's contents are kept (incrementally reduced or aggregated, or every element) and
 * the function that evaluates a window. Also the operator's name as Flink builds it
 * (WindowOperatorBuilder#generateOperatorDescription for keyed windows, AllWindowedStream's
 * `TriggerWindow(...)` for windowAll).
 */
import { MiniFlinkError } from '../../core/errors.js';
import type { StreamExecutionEnvironment } from '../environment.js';
import { isRichFunction } from '../functions/rich-function.js';
import type { OutputTag } from '../functions/process-function.js';
import type { AggregateFunction } from '../state/state.js';
import type { Evictor } from './evictors.js';
import type { Trigger } from './trigger.js';
import type { WindowAssigner } from './window-assigner.js';

/** How a window keeps its contents. */
export type WindowContentsSpec =
  /** Reduced as elements arrive (Flink's ReducingState `window-contents`). */
  | { readonly kind: 'reduce'; readonly fn: (a: unknown, b: unknown) => unknown }
  /** Aggregated as elements arrive (AggregatingState). */
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction<unknown, unknown, unknown> }
  /** Every element (ListState), for a function that sees them all. */
  | { readonly kind: 'list' };

/** The function that evaluates a window, by the signature it has. */
export type WindowFunctionSpec =
  /** Emits the reduced or aggregated value itself (Flink's PassThroughWindowFunction). */
  | { readonly kind: 'passThrough' }
  /** WindowFunction: apply(key, window, input, out). */
  | { readonly kind: 'window'; readonly fn: unknown }
  /** ProcessWindowFunction: process(key, context, elements, out). */
  | { readonly kind: 'process'; readonly fn: unknown }
  /** AllWindowFunction: apply(window, values, out). */
  | { readonly kind: 'allWindow'; readonly fn: unknown }
  /** ProcessAllWindowFunction: process(context, elements, out). */
  | { readonly kind: 'processAll'; readonly fn: unknown };

/** Everything a window operator needs. */
export interface WindowOperatorSpec {
  readonly assigner: WindowAssigner<any, any>;
  readonly trigger: Trigger<any, any>;
  /** With an evictor the window keeps every element (and the contents spec applies at firing). */
  readonly evictor: Evictor<any, any> | undefined;
  /** Milliseconds after a window's end during which late elements still update it. */
  readonly allowedLateness: number;
  /** Where late elements go (undefined: dropped and counted in numLateRecordsDropped). */
  readonly lateDataTag: OutputTag<unknown> | undefined;
  readonly contents: WindowContentsSpec;
  readonly windowFunction: WindowFunctionSpec;
}

/** Anonymous functions numbered per environment, in the order the program names them. */
const anonymous = new WeakMap<StreamExecutionEnvironment, number>();

/**
 * A user function's name as Flink's generateFunctionName gives it: the class name, a named
 * function's name, or `<Interface>$<n>` for an anonymous one (a Java anonymous class).
 */
export function functionName(env: StreamExecutionEnvironment, fn: unknown, iface: string): string {
  if (typeof fn === 'function' && fn.name && !fn.name.startsWith('bound ')) return fn.name;
  if (typeof fn === 'object' && fn !== null) {
    const ctor = (fn as { constructor?: { name?: string } }).constructor;
    if (ctor && ctor !== Object && ctor.name) return ctor.name;
  }
  const n = (anonymous.get(env) ?? 0) + 1;
  anonymous.set(env, n);
  return `${iface}$${n}`;
}

/** The class name of a trigger or evictor (Flink's getClass().getSimpleName()). */
export function simpleName(o: object): string {
  return o.constructor?.name || 'Object';
}

/**
 * Rejects a rich function where Flink does (incremental functions run inside state access).
 * @throws MF_ERR_INVALID_ARGUMENT with Flink's message.
 */
export function checkNotRich(fn: unknown, message: string): void {
  if (isRichFunction(fn)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', message);
}

/** Checks an AggregateFunction's four methods. */
export function checkAggregateFunction(fn: unknown): AggregateFunction<unknown, unknown, unknown> {
  const f = fn as Record<string, unknown> | null;
  for (const m of ['createAccumulator', 'add', 'getResult', 'merge']) {
    if (typeof f !== 'object' || f === null || typeof f[m] !== 'function') {
      throw new TypeError(`aggregate() needs an AggregateFunction with createAccumulator, add, getResult and merge; ${m}() is missing`);
    }
  }
  return fn as AggregateFunction<unknown, unknown, unknown>;
}
