/**
 * Flink's ConnectedStreams: `first.connect(second)` joins two streams of possibly different types
 * into one two-input operator (`map`, `flatMap`, `process`), which sees the records of both in the
 * order they arrive, with one watermark (the minimum of both inputs) and checkpoint barriers
 * aligned across both. `keyBy(key1, key2)` partitions each side by its own key, so that records of
 * both sides with the same key meet in one subtask and share its keyed state and timers. With one
 * side keyed only, as in Flink, that side is partitioned by its key and its records make their key
 * current for keyed state; the other side's records leave the current key as it was (the key of
 * the last keyed record), and there are no timers.
 *
 * Names as Flink's plan shows them: `Co-Map`, `Co-Flat Map`, `Co-Process`, `KeyedCoProcess`.
 */
import type { KeySelector } from './functions/functions.js';
import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction } from './functions/co-functions.js';
import { DataStream } from './data-stream.js';
import { KeyedStream } from './keyed-stream.js';

/** Flink's ConnectedStreams<IN1, IN2>. */
export class ConnectedStreams<IN1, IN2> {
  constructor(
    readonly first: DataStream<IN1>,
    readonly second: DataStream<IN2>,
  ) {}

  /** The first input. */
  getFirstInput(): DataStream<IN1> {
    return this.first;
  }

  /** The second input. */
  getSecondInput(): DataStream<IN2> {
    return this.second;
  }

  /** Partitions each input by its own key: records of both with the same key go to the same subtask. */
  keyBy<K>(key1: KeySelector<IN1, K>, key2: KeySelector<IN2, K>): ConnectedStreams<IN1, IN2> {
    return new ConnectedStreams(this.first.keyBy(key1), this.second.keyBy(key2));
  }

  /** A CoMapFunction (or `{ map1, map2 }`): one record out per record in. */
  map<OUT>(fn: CoMapFunction<IN1, IN2, OUT>): DataStream<OUT> {
    return this.twoInput<OUT>('Co-Map', { type: 'coMap', fn, ...this.keys() });
  }

  /** A CoFlatMapFunction (or `{ flatMap1, flatMap2 }`): any number of records out per record in. */
  flatMap<OUT>(fn: CoFlatMapFunction<IN1, IN2, OUT>): DataStream<OUT> {
    return this.twoInput<OUT>('Co-Flat Map', { type: 'coFlatMap', fn, ...this.keys() });
  }

  /**
   * A CoProcessFunction, or on keyed connected streams a KeyedCoProcessFunction (or a
   * CoProcessFunction, which then has keyed state and timers too, as in Flink).
   */
  process<OUT>(fn: CoProcessFunction<IN1, IN2, OUT> | KeyedCoProcessFunction<unknown, IN1, IN2, OUT>): DataStream<OUT> {
    const keys = this.keys();
    if (keys.keySelector1 !== undefined && keys.keySelector2 !== undefined) return this.twoInput<OUT>('KeyedCoProcess', { type: 'keyedCoProcess', fn, keySelector1: keys.keySelector1, keySelector2: keys.keySelector2 });
    // One side keyed (Flink's CoProcessOperator with that side's state key selector): keyed state, no timers.
    return this.twoInput<OUT>('Co-Process', { type: 'coProcess', fn, ...keys });
  }

  /** The key selectors of the keyed inputs (both keyed: keyed state and timers; one: keyed state on that side). */
  private keys(): { keySelector1?: KeySelector<unknown, unknown>; keySelector2?: KeySelector<unknown, unknown> } {
    const k1 = this.first instanceof KeyedStream ? (this.first.keySelector as KeySelector<unknown, unknown>) : undefined;
    const k2 = this.second instanceof KeyedStream ? (this.second.keySelector as KeySelector<unknown, unknown>) : undefined;
    return { ...(k1 !== undefined ? { keySelector1: k1 } : {}), ...(k2 !== undefined ? { keySelector2: k2 } : {}) };
  }

  private twoInput<OUT>(name: string, operator: Parameters<DataStream<IN1>['env']['addTransformation']>[3]): DataStream<OUT> {
    const env = this.first.env;
    const t = env.addTransformation('twoInput', name, [this.first.transformation, this.second.transformation], operator, undefined);
    if (operator !== undefined && 'keySelector1' in operator && operator.keySelector1 !== undefined) t.stateKeySelector = operator.keySelector1;
    else if (operator !== undefined && 'keySelector2' in operator && operator.keySelector2 !== undefined) t.stateKeySelector = operator.keySelector2;
    return new DataStream<OUT>(env, t);
  }
}
