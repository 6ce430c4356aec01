/**
 * What a rich function sees of the task it runs in (Flink's RuntimeContext).
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

/** Flink's Accumulator, reduced to what jobs use: add values, read a local result, merge. */
export interface Accumulator<V, R> {
  /** Adds a value. */
  add(value: V): void;
  /** The local result. */
  getLocalValue(): R;
}

import type { MetricGroup } from '../../metrics/index.js';
import type { Logger } from '../../core/logging.js';

export type { MetricGroup, Logger };

/** Flink's RuntimeContext. */
export interface RuntimeContext {
  /** The task's name (`A -> B`). */
  getTaskName(): string;
  /** 0-based index of this subtask. */
  getIndexOfThisSubtask(): number;
  /** The operator's parallelism. */
  getNumberOfParallelSubtasks(): number;
  /** The operator's max parallelism. */
  getMaxNumberOfParallelSubtasks(): number;
  /** Which attempt this is (0 for the first). */
  getAttemptNumber(): number;
  /** The job's id. */
  getJobId(): string;
  /** The operator's id: unique within the job, the same in every attempt and submission (Flink's StreamingRuntimeContext). */
  getOperatorUniqueID(): string;
  /** Whether the job takes periodic checkpoints (Flink's StreamingRuntimeContext). */
  isCheckpointingEnabled(): boolean;
  /** Keyed ValueState for the current key; only in keyed operators. */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  /** Keyed ListState. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Keyed MapState. */
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  /** Keyed ReducingState. */
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  /** Keyed AggregatingState. */
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  /** Registers an accumulator, whose merged result the JobExecutionResult reports. */
  addAccumulator<V, R>(name: string, accumulator: Accumulator<V, R>): void;
  /** The accumulator registered under the name in this subtask. */
  getAccumulator<V, R>(name: string): Accumulator<V, R> | undefined;
  /** The operator's metric group. */
  getMetricGroup(): MetricGroup;
  /**
   * A logger whose lines go to this TaskManager's log (miniflink: Flink's user code takes an SLF4J
   * logger of its own). Named `name`, else after the operator; its level comes from the cluster's
   * log4j properties as for any logger. Messages take SLF4J's `{}` placeholders.
   */
  getLogger(name?: string): Logger;
}

/** Flink's IntCounter / LongCounter. */
export class IntCounter implements Accumulator<number, number> {
  private count = 0;
  constructor(initial = 0) {
    this.count = initial;
  }
  /** Adds to the count. */
  add(value: number): void {
    this.count += value;
  }
  /** The count. */
  getLocalValue(): number {
    return this.count;
  }
}

/** Flink's LongCounter (a JavaScript number). */
export class LongCounter extends IntCounter {}
