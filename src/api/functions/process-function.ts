/**
 * Flink's ProcessFunction and KeyedProcessFunction.
 */
import { AbstractRichFunction } from './rich-function.js';
import type { Collector } from './functions.js';

/** Flink's OutputTag: names a side output. */
export class OutputTag<T = unknown> {
  /** For TypeScript only. */
  declare readonly __type?: T;
  constructor(
    /** The side output's id. */
    readonly id: string,
  ) {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('An OutputTag needs a non-empty id');
  }
}

/** Flink's TimerService. */
export interface TimerService {
  /** The current processing time (ms since the epoch). */
  currentProcessingTime(): number;
  /** The current event-time watermark. */
  currentWatermark(): number;
  /** Registers a processing-time timer for the current key. */
  registerProcessingTimeTimer(time: number): void;
  /** Registers an event-time timer for the current key. */
  registerEventTimeTimer(time: number): void;
  /** Deletes a processing-time timer. */
  deleteProcessingTimeTimer(time: number): void;
  /** Deletes an event-time timer. */
  deleteEventTimeTimer(time: number): void;
}

/** The context of ProcessFunction.processElement. */
export interface ProcessContext {
  /** The record's timestamp, or null when it has none. */
  timestamp(): number | null;
  /** The timer service. */
  timerService(): TimerService;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The context of KeyedProcessFunction.processElement. */
export interface KeyedProcessContext<K> extends ProcessContext {
  /** The key of the record being processed. */
  getCurrentKey(): K;
}

/** The context of onTimer. */
export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  /** Whether the timer was an event-time or a processing-time one. */
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** Flink's ProcessFunction. */
export abstract class ProcessFunction<IN, OUT> extends AbstractRichFunction {
  /** Processes one record. */
  abstract processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): void;
}

/** Flink's KeyedProcessFunction. */
export abstract class KeyedProcessFunction<K, IN, OUT> extends AbstractRichFunction {
  /** Processes one record; keyed state is scoped to its key. */
  abstract processElement(value: IN, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  /** Called when a timer fires. */
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<OUT>): void {}
}
