/**
 * Flink's functions of the joins: JoinFunction and FlatJoinFunction (window join), CoGroupFunction
 * (window coGroup), their rich variants, and ProcessJoinFunction (interval join).
 *
 * A plain function given to a window join's apply() is a FlatJoinFunction when it declares three
 * parameters `(first, second, out)`, a JoinFunction otherwise; an object is a FlatJoinFunction when
 * it is a RichFlatJoinFunction or its `join` declares three parameters (Flink tells them apart by
 * type, which JavaScript does not have at run time).
 */
import { AbstractRichFunction } from './rich-function.js';
import type { Collector } from './functions.js';
import type { OutputTag } from './process-function.js';

/** Flink's JoinFunction: one pair of matching records (one from each side) to one record. */
export type JoinFunction<IN1, IN2, OUT> = ((first: IN1, second: IN2) => OUT) | { join(first: IN1, second: IN2): OUT };

/** Flink's FlatJoinFunction: one pair of matching records to any number of records. */
export type FlatJoinFunction<IN1, IN2, OUT> = ((first: IN1, second: IN2, out: Collector<OUT>) => void) | { join(first: IN1, second: IN2, out: Collector<OUT>): void };

/**
 * What a window join's apply() takes: a JoinFunction or a FlatJoinFunction, in one type so that a
 * lambda's parameters are inferred either way (`(a, b) => x` or `(a, b, out) => out.collect(x)`).
 */
export type JoinFunctionLike<IN1, IN2, OUT> = ((first: IN1, second: IN2, out: Collector<OUT>) => OUT | void) | { join(first: IN1, second: IN2, out: Collector<OUT>): OUT | void };

/** Flink's CoGroupFunction: all records of both sides with one key in one window (either side may be empty). */
export type CoGroupFunction<IN1, IN2, OUT> = ((first: IN1[], second: IN2[], out: Collector<OUT>) => void) | { coGroup(first: IN1[], second: IN2[], out: Collector<OUT>): void };

/** Flink's RichJoinFunction: a JoinFunction with open/close and the runtime context. */
export abstract class RichJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2): OUT;
}

/** Flink's RichFlatJoinFunction: a FlatJoinFunction with open/close and the runtime context. */
export abstract class RichFlatJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2, out: Collector<OUT>): void;
}

/** Flink's RichCoGroupFunction: a CoGroupFunction with open/close and the runtime context. */
export abstract class RichCoGroupFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract coGroup(first: IN1[], second: IN2[], out: Collector<OUT>): void;
}

/** What a ProcessJoinFunction sees of the pair being joined (Flink's ProcessJoinFunction.Context). */
export interface ProcessJoinContext {
  /** The left record's timestamp. */
  getLeftTimestamp(): number;
  /** The right record's timestamp. */
  getRightTimestamp(): number;
  /** The joined record's timestamp: the larger of the two. */
  getTimestamp(): number;
  /** Emits to a side output. */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

/** Flink's ProcessJoinFunction: each pair an interval join matched, with both timestamps. */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

/** A ProcessJoinFunction or a plain function of the same signature. */
export type ProcessJoinFunctionLike<IN1, IN2, OUT> = ProcessJoinFunction<IN1, IN2, OUT> | ((left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>) => void);

/** Whether a join function emits through a collector (FlatJoinFunction) rather than returning its record. */
export function isFlatJoinFunction(fn: unknown): boolean {
  if (fn instanceof RichFlatJoinFunction) return true;
  if (fn instanceof RichJoinFunction) return false;
  if (typeof fn === 'function') return fn.length >= 3;
  const join = (fn as { join?: unknown } | null)?.join;
  return typeof join === 'function' && join.length >= 3;
}
