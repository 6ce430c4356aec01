/**
 * Flink's KeyedStream: a stream partitioned by key, whose operators have keyed state.
 */
import type { KeySelector, ReduceFunction } from './functions/functions.js';
import type { KeyedProcessFunction } from './functions/process-function.js';
import { aggregationReducer, type AggregationType, type FieldExpression } from './aggregations.js';
import { DataStream } from './data-stream.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { Transformation } from './transformation.js';
import { IntervalJoin } from './interval-join.js';
import { WindowedStream } from './windowing/windowed-stream.js';
import { GlobalWindows } from './windowing/global-windows.js';
import { CountTrigger, PurgingTrigger } from './windowing/triggers.js';
import { CountEvictor } from './windowing/evictors.js';
import type { WindowAssigner } from './windowing/window-assigner.js';
import type { GlobalWindow, Window } from './windowing/windows.js';

/** Flink's KeyedStream<T, K>. */
export class KeyedStream<T, K> extends DataStream<T> {
  constructor(
    env: StreamExecutionEnvironment,
    transformation: Transformation,
    /** Extracts the key. */
    readonly keySelector: KeySelector<T, K>,
  ) {
    super(env, transformation);
  }

  /** Every operator applied on a KeyedStream has keyed state scoped to the record's key (map, filter, sinks too). */
  protected override stateKeySelector(): KeySelector<unknown, unknown> {
    return this.keySelector as KeySelector<unknown, unknown>;
  }

  /** Runs a KeyedProcessFunction with keyed state and timers. */
  override process<R>(fn: KeyedProcessFunction<K, T, R> | object): DataStream<R> {
    return this.transform('KeyedProcess', { type: 'keyedProcess', fn, keySelector: this.keySelector as KeySelector<unknown, unknown> });
  }

  /** Rolling reduce per key: emits the reduced value after every record. */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.transform('Keyed Reduce', { type: 'reduce', fn, keySelector: this.keySelector as KeySelector<unknown, unknown> });
  }

  private aggregate(type: AggregationType, field: FieldExpression): DataStream<T> {
    if (typeof field !== 'number' && (typeof field !== 'string' || field.length === 0)) throw new TypeError(`${type} needs a field name or position`);
    return this.transform('Keyed Aggregation', { type: 'reduce', fn: aggregationReducer(type, field), keySelector: this.keySelector as KeySelector<unknown, unknown> });
  }

  /** Rolling sum of a field; other fields are the first record's. */
  sum(field: FieldExpression): DataStream<T> {
    return this.aggregate('sum', field);
  }
  /** Rolling minimum of a field; other fields are the first record's. */
  min(field: FieldExpression): DataStream<T> {
    return this.aggregate('min', field);
  }
  /** Rolling maximum of a field; other fields are the first record's. */
  max(field: FieldExpression): DataStream<T> {
    return this.aggregate('max', field);
  }
  /** The record with the minimum field (the first on a tie). */
  minBy(field: FieldExpression): DataStream<T> {
    return this.aggregate('minBy', field);
  }
  /** The record with the maximum field (the first on a tie). */
  maxBy(field: FieldExpression): DataStream<T> {
    return this.aggregate('maxBy', field);
  }

  /**
   * An interval join with another keyed stream (same key type): `intervalJoin(other).between(lower, upper).process(fn)`
   * joins records whose timestamps lie within the bounds of each other (event time).
   */
  intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
    if (!(other instanceof KeyedStream)) throw new TypeError('intervalJoin() takes a KeyedStream (other.keyBy(...))');
    return new IntervalJoin<T, T2, K>(this, other, (t) => new DataStream<unknown>(this.env, t));
  }

  /** Cuts the keyed stream into windows (Flink's KeyedStream.window). */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /**
   * Windows of `size` elements per key, or, with `slide`, of the last `size` elements every `slide`
   * elements (Flink's countWindow: GlobalWindows with a (purging) CountTrigger, and a CountEvictor
   * when sliding).
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const w = this.window<GlobalWindow>(GlobalWindows.create());
    return slide === undefined ? w.trigger(PurgingTrigger.of(CountTrigger.of(size))) : w.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }
}
