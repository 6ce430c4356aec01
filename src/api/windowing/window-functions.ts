/**
 * The functions that evaluate a window (Flink's WindowFunction, ProcessWindowFunction,
 * AllWindowFunction, ProcessAllWindowFunction). Each may be a plain function or an object (a
 * class) with Flink's method; the Process* ones are rich (open/close, runtime context) and get a
 * context with the window, the time, per-window and per-key state and side outputs.
 */
import { AbstractRichFunction } from '../functions/rich-function.js';
import type { Collector } from '../functions/functions.js';
import type { OutputTag } from '../functions/process-function.js';
import type { RuntimeContext } from '../functions/runtime-context.js';
import type { Window } from './windows.js';

/** Keyed state by descriptor (Flink's KeyedStateStore). */
export type KeyedStateStore = Pick<RuntimeContext, 'getState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState'>;

/** Flink's WindowFunction: `apply(key, window, input, out)`, a function or an object with apply(). */
export type WindowFunction<IN, OUT, KEY, W extends Window> =
  | ((key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>): void };

/** Flink's AllWindowFunction: `apply(window, values, out)`, a function or an object with apply(). */
export type AllWindowFunction<IN, OUT, W extends Window> =
  | ((window: W, values: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(window: W, values: Iterable<IN>, out: Collector<OUT>): void };

/** Flink's RichWindowFunction. */
export abstract class RichWindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  /** Evaluates one window of one key. */
  abstract apply(key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>): void;
}

/** Flink's RichAllWindowFunction. */
export abstract class RichAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  /** Evaluates one window. */
  abstract apply(window: W, values: Iterable<IN>, out: Collector<OUT>): void;
}

/** The context of ProcessWindowFunction.process and clear (Flink's ProcessWindowFunction.Context). */
export interface ProcessWindowContext<W extends Window> {
  /** The window being evaluated. */
  window(): W;
  /** The current processing time. */
  currentProcessingTime(): number;
  /** The current watermark. */
  currentWatermark(): number;
  /** State of this key and this window (clear it in clear()). */
  windowState(): KeyedStateStore;
  /** State of this key, across its windows. */
  globalState(): KeyedStateStore;
  /** Emits to a side output (with the window's max timestamp). */
  output<X>(outputTag: OutputTag<X>, value: X): void;
}

/** Flink's ProcessWindowFunction. */
export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> extends AbstractRichFunction {
  /** Evaluates one window of one key. */
  abstract process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is purged for good: clear per-window state here. */
  clear(_context: ProcessWindowContext<W>): void {}
}

/** Flink's ProcessAllWindowFunction. */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window> extends AbstractRichFunction {
  /** Evaluates one window. */
  abstract process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;
  /** Called when the window is purged for good: clear per-window state here. */
  clear(_context: ProcessWindowContext<W>): void {}
}

/** A ProcessWindowFunction given as a plain function or any object with process(). */
export type ProcessWindowFunctionLike<IN, OUT, KEY, W extends Window> =
  | ProcessWindowFunction<IN, OUT, KEY, W>
  | ((key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void };

/** A ProcessAllWindowFunction given as a plain function or any object with process(). */
export type ProcessAllWindowFunctionLike<IN, OUT, W extends Window> =
  | ProcessAllWindowFunction<IN, OUT, W>
  | ((context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | { process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void };
