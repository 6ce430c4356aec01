/**
 * Flink's SourceFunction family. A slot thread is single-threaded, so a source must give the thread
 * back now and then: `ctx.collect()` returns a promise when the output is backpressured or the
 * task should let other work run, and a source awaits it (`await ctx.collect(v)`); awaiting
 * `undefined` when it returns nothing is harmless.
 */
import { AbstractRichFunction } from './rich-function.js';

/** A watermark: event time has reached this timestamp. */
export class Watermark {
  /** Flink's final watermark, Long.MAX_VALUE (2^63 as a number). */
  static readonly MAX_WATERMARK = new Watermark(2 ** 63);
  /** Flink's Long.MIN_VALUE: the watermark before any arrived (-2^63). */
  static readonly UNINITIALIZED = new Watermark(-(2 ** 63));
  constructor(
    /** The timestamp. */
    readonly timestamp: number,
  ) {}
  /** The timestamp. */
  getTimestamp(): number {
    return this.timestamp;
  }
}

/** Flink's SourceContext. */
export interface SourceContext<T> {
  /** Emits a record; returns a promise to await when the source should yield. */
  collect(record: T): void | Promise<void>;
  /** Emits a record with an event timestamp. */
  collectWithTimestamp(record: T, timestamp: number): void | Promise<void>;
  /** Emits a watermark: no record with a smaller timestamp should follow (those that do are late). */
  emitWatermark(mark: Watermark): void;
  /** Declares the source idle: downstream stops waiting for its watermarks until it emits again. */
  markAsTemporarilyIdle(): void;
  /** Flink's checkpoint lock; a slot thread needs none, so this is a plain object to synchronize on. */
  getCheckpointLock(): object;
  /** Whether the task was asked to stop (cancel): a source loop may check it. */
  isCanceled(): boolean;
}

/**
 * Where a source context has it as its own property (not enumerable, so a context made from
 * another by spread does not carry it), miniflink's own sequence source emits runs of numbers through
 * `ctx[EMIT_RANGE](range)` instead of one collect() per number: it emits range[0]..range[1] while
 * the output takes records without waiting, advances range[0] past every number it emitted, and
 * returns what collect() would have returned when the source must wait. Not part of Flink's API.
 */
export const EMIT_RANGE: unique symbol = Symbol('miniflink.emitRange');

/** A source context with the run emitter (SourceOperator's). */
export interface RangeSourceContext extends SourceContext<number> {
  [EMIT_RANGE]?(range: [number, number]): void | Promise<void>;
}

/** Flink's SourceFunction: a plain object or class with run() and cancel(). */
export interface SourceFunction<T> {
  /** Produces the records; a bounded source ends when it returns. May be async. */
  run(ctx: SourceContext<T>): void | Promise<void>;
  /** Asks run() to stop. */
  cancel(): void;
}

/** Flink's RichSourceFunction: a source at parallelism 1 with a runtime context. */
export abstract class RichSourceFunction<T> extends AbstractRichFunction implements SourceFunction<T> {
  /** Produces the records. */
  abstract run(ctx: SourceContext<T>): void | Promise<void>;
  /** Asks run() to stop. */
  abstract cancel(): void;
}

/** Flink's RichParallelSourceFunction: a source that may run at any parallelism. */
export abstract class RichParallelSourceFunction<T> extends RichSourceFunction<T> {
  /** Marks the class as parallel. */
  readonly isParallel = true;
}

/** Whether a source may run with parallelism above 1. */
export function isParallelSource(fn: unknown): boolean {
  return typeof fn === 'object' && fn !== null && (fn as { isParallel?: unknown }).isParallel === true;
}
