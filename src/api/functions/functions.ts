/**
 * User function shapes: each can be a plain function or an object with Flink's method name, and
 * the Rich* classes add open/close and the runtime context.
 */
import { AbstractRichFunction } from './rich-function.js';

/** Flink's Collector. */
export interface Collector<T> {
  /** Emits a record. */
  collect(record: T): void;
}

/** map: a function or an object with map(). */
export type MapFunction<IN, OUT> = ((value: IN) => OUT) | { map(value: IN): OUT };
/** flatMap: a function or an object with flatMap(). */
export type FlatMapFunction<IN, OUT> = ((value: IN, out: Collector<OUT>) => void) | { flatMap(value: IN, out: Collector<OUT>): void };
/** filter: a function or an object with filter(). */
export type FilterFunction<T> = ((value: T) => boolean) | { filter(value: T): boolean };
/** reduce: a function or an object with reduce(). */
export type ReduceFunction<T> = ((a: T, b: T) => T) | { reduce(a: T, b: T): T };
/** A key selector: a function or an object with getKey(). */
export type KeySelector<T, K> = ((value: T) => K) | { getKey(value: T): K };

/** Flink's RichMapFunction. */
export abstract class RichMapFunction<IN, OUT> extends AbstractRichFunction {
  /** Maps one record. */
  abstract map(value: IN): OUT;
}

/** Flink's RichFlatMapFunction. */
export abstract class RichFlatMapFunction<IN, OUT> extends AbstractRichFunction {
  /** Emits zero or more records for one. */
  abstract flatMap(value: IN, out: Collector<OUT>): void;
}

/** Flink's RichFilterFunction. */
export abstract class RichFilterFunction<T> extends AbstractRichFunction {
  /** Keeps the record when true. */
  abstract filter(value: T): boolean;
}

/** Flink's RichReduceFunction. */
export abstract class RichReduceFunction<T> extends AbstractRichFunction {
  /** Folds two records into one. */
  abstract reduce(a: T, b: T): T;
}

/** Turns a function-or-object into a call, binding the method to its object. */
export function toCallable<F extends (...args: any[]) => any>(fn: unknown, method: string, what: string): F {
  if (typeof fn === 'function') return fn as F;
  if (typeof fn === 'object' && fn !== null && typeof (fn as Record<string, unknown>)[method] === 'function') {
    const m = (fn as Record<string, F>)[method]!;
    return m.bind(fn) as F;
  }
  throw new TypeError(`${what} must be a function or an object with a ${method}() method, got ${describe(fn)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object without ${'that method'}`;
  return typeof v;
}
