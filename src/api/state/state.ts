/**
 * Keyed state interfaces and their descriptors, as Flink's (ValueState, ListState, MapState,
 * ReducingState, AggregatingState). Values are scoped to the current key of a keyed operator.
 */

import type { StateTtlConfig } from './state-ttl-config.js';

/** Flink's ValueState. */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default (null when none, as in Flink). */
  value(): T | null;
  /** Sets the value for the current key; null or undefined clears it (as Flink's update(null)). */
  update(value: T | null): void;
  /** Removes the value for the current key. */
  clear(): void;
}

/** Flink's ListState. */
export interface ListState<T> {
  /** The list for the current key (empty when none). */
  get(): Iterable<T>;
  /** Appends one value. */
  add(value: T): void;
  /** Appends several values. */
  addAll(values: Iterable<T>): void;
  /** Replaces the list. */
  update(values: Iterable<T>): void;
  /** Removes the list. */
  clear(): void;
}

/** Flink's MapState. */
export interface MapState<K, V> {
  /** The value under the user key. */
  get(key: K): V | undefined;
  /** Puts one entry. */
  put(key: K, value: V): void;
  /** Puts several entries. */
  putAll(entries: Map<K, V> | Iterable<[K, V]>): void;
  /** Removes one entry. */
  remove(key: K): void;
  /** Whether the user key is present. */
  contains(key: K): boolean;
  /** All entries. */
  entries(): Iterable<[K, V]>;
  /** All user keys. */
  keys(): Iterable<K>;
  /** All values. */
  values(): Iterable<V>;
  /** Whether there are no entries. */
  isEmpty(): boolean;
  /** Removes every entry. */
  clear(): void;
}

/** Flink's ReducingState: add() folds the value into the current one with the reduce function. */
export interface ReducingState<T> {
  /** The reduced value, or undefined. */
  get(): T | undefined;
  /** Folds in one value. */
  add(value: T): void;
  /** Removes the value. */
  clear(): void;
}

/** Flink's AggregatingState: add() feeds the accumulator, get() returns its result. */
export interface AggregatingState<IN, OUT> {
  /** The aggregate's result, or undefined when nothing was added. */
  get(): OUT | undefined;
  /** Adds one value to the accumulator. */
  add(value: IN): void;
  /** Removes the accumulator. */
  clear(): void;
}

/** Flink's AggregateFunction. */
export interface AggregateFunction<IN, ACC, OUT> {
  /** A new, empty accumulator. */
  createAccumulator(): ACC;
  /** Adds a value; may return a new accumulator or the mutated one. */
  add(value: IN, accumulator: ACC): ACC;
  /** The result of an accumulator. */
  getResult(accumulator: ACC): OUT;
  /** Merges two accumulators. */
  merge(a: ACC, b: ACC): ACC;
}

/** The kinds of keyed state. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** What every descriptor has: a name unique within the operator, and the kind. */
export abstract class StateDescriptor<T = unknown> {
  /** The kind of state this describes. */
  abstract readonly kind: StateKind;
  /** Time to live of values, when enabled. */
  ttlConfig: StateTtlConfig | undefined;
  /** Enables state TTL (Flink's enableTimeToLive). */
  enableTimeToLive(config: StateTtlConfig): void {
    this.ttlConfig = config;
  }
  constructor(
    /** Name, unique within the operator; state is stored and restored under it. */
    readonly name: string,
    /** Default value for ValueState (Flink's deprecated defaultValue). */
    readonly defaultValue?: T,
  ) {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('A state descriptor needs a non-empty name');
  }
}

/** Describes a ValueState. The type argument is for TypeScript only. */
export class ValueStateDescriptor<T> extends StateDescriptor<T> {
  readonly kind = 'value' as const;
}

/** Describes a ListState. */
export class ListStateDescriptor<T> extends StateDescriptor<T[]> {
  readonly kind = 'list' as const;
  constructor(name: string) {
    super(name);
  }
}

/** Describes a MapState. */
export class MapStateDescriptor<K, V> extends StateDescriptor<Map<K, V>> {
  readonly kind = 'map' as const;
  constructor(name: string) {
    super(name);
  }
}

/** Describes a ReducingState with its reduce function. */
export class ReducingStateDescriptor<T> extends StateDescriptor<T> {
  readonly kind = 'reducing' as const;
  constructor(
    name: string,
    /** Folds two values into one. */
    readonly reduceFunction: (a: T, b: T) => T,
  ) {
    super(name);
  }
}

/** Describes an AggregatingState with its aggregate function. */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<ACC> {
  readonly kind = 'aggregating' as const;
  constructor(
    name: string,
    /** The aggregate function. */
    readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(name);
  }
}
