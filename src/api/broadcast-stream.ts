/**
 * Flink's BroadcastStream and BroadcastConnectedStream: `stream.broadcast(descriptors...)` sends
 * every record to every subtask of the operator it is connected to, whose broadcast state the
 * descriptors name; `other.connect(broadcastStream).process(fn)` runs a (Keyed)BroadcastProcessFunction.
 */
import type { MapStateDescriptor } from './state/state.js';
import type { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from './functions/broadcast-process-function.js';
import type { KeySelector } from './functions/functions.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { Transformation } from './transformation.js';
import { DataStream } from './data-stream.js';
import { KeyedStream } from './keyed-stream.js';

/** Flink's BroadcastStream<T>: a broadcast partitioning with the broadcast state it feeds. */
export class BroadcastStream<T> {
  /** For TypeScript only. */
  declare readonly __type?: T;
  constructor(
    readonly env: StreamExecutionEnvironment,
    /** The broadcast partition transformation. */
    readonly transformation: Transformation,
    /** The broadcast state the connected function may use. */
    readonly descriptors: ReadonlyArray<MapStateDescriptor<unknown, unknown>>,
  ) {}
}

/** Flink's BroadcastConnectedStream<IN1, IN2>. */
export class BroadcastConnectedStream<IN1, IN2> {
  constructor(
    /** The non-broadcast side (first input). */
    readonly nonBroadcastStream: DataStream<IN1>,
    /** The broadcast side (second input). */
    readonly broadcastStream: BroadcastStream<IN2>,
  ) {}

  /** Runs a BroadcastProcessFunction, or a KeyedBroadcastProcessFunction when the first side is keyed. */
  process<OUT>(fn: BroadcastProcessFunction<IN1, IN2, OUT> | KeyedBroadcastProcessFunction<unknown, IN1, IN2, OUT> | object): DataStream<OUT> {
    const first = this.nonBroadcastStream;
    const descriptors = this.broadcastStream.descriptors;
    const env = first.env;
    if (first instanceof KeyedStream) {
      const keySelector = first.keySelector as KeySelector<unknown, unknown>;
      const t = env.addTransformation('twoInput', 'Co-Process-Broadcast-Keyed', [first.transformation, this.broadcastStream.transformation], { type: 'keyedBroadcastProcess', fn, keySelector, descriptors }, undefined);
      t.stateKeySelector = keySelector;
      return new DataStream<OUT>(env, t);
    }
    const t = env.addTransformation('twoInput', 'Co-Process-Broadcast', [first.transformation, this.broadcastStream.transformation], { type: 'broadcastProcess', fn, descriptors }, undefined);
    return new DataStream<OUT>(env, t);
  }
}
