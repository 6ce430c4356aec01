/**
 * Flink's BroadcastProcessFunction and KeyedBroadcastProcessFunction: the function of a stream
 * connected with a broadcast stream. The broadcast side may change broadcast state (a map every
 * subtask holds the same copy of, as long as every subtask changes it the same way); the other
 * side may only read it.
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../state/state.js';
import type { Collector } from './functions.js';
import type { OutputTag, TimerService } from './process-function.js';
import { AbstractRichFunction } from './rich-function.js';

/** Flink's ReadOnlyBroadcastState: what the non-broadcast side sees. */
export interface ReadOnlyBroadcastState<K, V> {
  /** The value under the key, or null. */
  get(key: K): V | null;
  /** Whether the key is present. */
  contains(key: K): boolean;
  /** Every entry (read-only: changing a value here changes nothing). */
  immutableEntries(): Iterable<[K, V]>;
}

/** Flink's BroadcastState: what the broadcast side may change. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  /** Puts one entry. */
  put(key: K, value: V): void;
  /** Puts several entries. */
  putAll(entries: Map<K, V> | Iterable<[K, V]>): void;
  /** Removes one entry. */
  remove(key: K): void;
  /** Every entry. */
  entries(): Iterable<[K, V]>;
  /** Every entry (Flink's iterator()). */
  iterator(): Iterator<[K, V]>;
  /** Removes every entry. */
  clear(): void;
}

/** What both sides' contexts offer. */
export interface BaseBroadcastProcessContext {
  /** The record's timestamp, or null when it has none. */
  timestamp(): number | null;
  /** The current processing time. */
  currentProcessingTime(): number;
  /** The current event-time watermark. */
  currentWatermark(): number;
  /** Emits to a side output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The context of processElement: broadcast state is read-only. */
export interface ReadOnlyBroadcastContext extends BaseBroadcastProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** The context of processBroadcastElement: broadcast state may change. */
export interface BroadcastContext extends BaseBroadcastProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** The keyed side's context: its key and timers as well. */
export interface KeyedReadOnlyBroadcastContext<KS> extends ReadOnlyBroadcastContext {
  /** The key of the record being processed. */
  getCurrentKey(): KS;
  /** Timers of the current key. */
  timerService(): TimerService;
}

/** The broadcast side's context in a keyed function: it may visit the keyed state of every key. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /**
   * Applies the function to the state of every key this subtask holds (Flink's applyToKeyedState);
   * the state passed is scoped to that key.
   */
  applyToKeyedState<T>(descriptor: ValueStateDescriptor<T>, fn: (key: unknown, state: ValueState<T>) => void): void;
  applyToKeyedState<T>(descriptor: ListStateDescriptor<T>, fn: (key: unknown, state: ListState<T>) => void): void;
  applyToKeyedState<K, V>(descriptor: MapStateDescriptor<K, V>, fn: (key: unknown, state: MapState<K, V>) => void): void;
  applyToKeyedState<T>(descriptor: ReducingStateDescriptor<T>, fn: (key: unknown, state: ReducingState<T>) => void): void;
  applyToKeyedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>, fn: (key: unknown, state: AggregatingState<IN, OUT>) => void): void;
}

/** The context of a keyed broadcast function's onTimer. */
export interface KeyedBroadcastOnTimerContext<KS> extends KeyedReadOnlyBroadcastContext<KS> {
  /** Whether the timer was an event-time or a processing-time one. */
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** Flink's BroadcastProcessFunction<IN1, IN2, OUT>. */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  /** A record of the non-broadcast side. */
  abstract processElement(value: IN1, ctx: ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  /** A record of the broadcast side. */
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** Flink's KeyedBroadcastProcessFunction<KS, IN1, IN2, OUT>. */
export abstract class KeyedBroadcastProcessFunction<KS, IN1, IN2, OUT> extends AbstractRichFunction {
  /** A record of the keyed side; keyed state is scoped to its key. */
  abstract processElement(value: IN1, ctx: KeyedReadOnlyBroadcastContext<KS>, out: Collector<OUT>): void;
  /** A record of the broadcast side. */
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext, out: Collector<OUT>): void;
  /** Called when a timer of the keyed side fires. */
  onTimer(_timestamp: number, _ctx: KeyedBroadcastOnTimerContext<KS>, _out: Collector<OUT>): void {}
}
