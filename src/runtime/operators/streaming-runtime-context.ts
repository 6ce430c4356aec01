/**
 * The RuntimeContext a task gives its user functions.
 */
import type {
  Accumulator,
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  RuntimeContext,
  ValueStateDescriptor,
} from '../../api/index.js';
import type { AbstractKeyedStateBackend } from '../../state/index.js';
import { MetricGroup, metricKind, type Counter, type SimpleCounter } from '../../metrics/index.js';
import { NOOP_LOGGER, type Logger } from '../../core/logging.js';

/** Facts about the task. */
export interface TaskInfo {
  /** The chain's name. */
  readonly taskName: string;
  /** The job's id. */
  readonly jobId: string;
  /** Subtask index. */
  readonly index: number;
  /** Parallelism. */
  readonly parallelism: number;
  /** Max parallelism. */
  readonly maxParallelism: number;
  /** Attempt number. */
  readonly attempt: number;
  /** Whether the job takes periodic checkpoints (default: no). */
  readonly checkpointingEnabled?: boolean;
}

/** Flink's StreamingRuntimeContext. */
export class StreamingRuntimeContext implements RuntimeContext {
  /** Accumulators registered by the task's functions (shared by the chain). */
  constructor(
    private readonly info: TaskInfo,
    private readonly keyed: AbstractKeyedStateBackend | undefined,
    private readonly accumulators: Map<string, Accumulator<unknown, unknown>>,
    private readonly metrics: MetricGroup,
    /** The task's loggers by name (none outside a cluster that logs). */
    private readonly loggers: (name: string) => Logger = () => NOOP_LOGGER,
    /** The default logger name: the operator's. */
    private readonly operatorName = '',
    /** The operator's id (stable across attempts and submissions of the job: its uid's hash, or its place in the graph). */
    private readonly operatorId = '',
  ) {}
  /** Flink's StreamingRuntimeContext.getOperatorUniqueID: unique within the job, the same in every attempt and submission. */
  getOperatorUniqueID(): string {
    return this.operatorId;
  }
  /** Flink's StreamingRuntimeContext.isCheckpointingEnabled. */
  isCheckpointingEnabled(): boolean {
    return this.info.checkpointingEnabled === true;
  }
  getTaskName(): string {
    return this.info.taskName;
  }
  getIndexOfThisSubtask(): number {
    return this.info.index;
  }
  getNumberOfParallelSubtasks(): number {
    return this.info.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.info.maxParallelism;
  }
  getAttemptNumber(): number {
    return this.info.attempt;
  }
  getJobId(): string {
    return this.info.jobId;
  }
  /** The keyed backend, for a user function's state of this name (not one the operator keeps for itself). */
  private backend(name: string): AbstractKeyedStateBackend {
    if (!this.keyed) throw new Error("Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.");
    this.keyed.checkUserStateName(name);
    return this.keyed;
  }
  getState<T>(d: ValueStateDescriptor<T>) {
    return this.backend(d.name).getValueState(d);
  }
  getListState<T>(d: ListStateDescriptor<T>) {
    return this.backend(d.name).getListState(d);
  }
  getMapState<K, V>(d: MapStateDescriptor<K, V>) {
    return this.backend(d.name).getMapState(d);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>) {
    return this.backend(d.name).getReducingState(d);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>) {
    return this.backend(d.name).getAggregatingState(d);
  }
  addAccumulator<V, R>(name: string, acc: Accumulator<V, R>): void {
    if (this.accumulators.has(name)) throw new Error(`The accumulator '${name}' already exists and cannot be added.`);
    this.accumulators.set(name, acc as Accumulator<unknown, unknown>);
  }
  getAccumulator<V, R>(name: string): Accumulator<V, R> | undefined {
    return this.accumulators.get(name) as Accumulator<V, R> | undefined;
  }
  getMetricGroup(): MetricGroup {
    return this.metrics;
  }
  getLogger(name?: string): Logger {
    return this.loggers(name ?? (this.operatorName || this.info.taskName));
  }
}

/**
 * A metric group in no registry: its metrics are kept but reported nowhere (operators run outside a
 * task). Unlike a registered group (Flink's), `counter(name)` for a name that already holds a counter
 * returns that counter, so code outside the operator (tests, harnesses) can read what it counted.
 */
export class SimpleMetricGroup extends MetricGroup {
  constructor() {
    super(undefined, [], {}, { kind: 'jm' });
  }
  override counter<C extends Counter = SimpleCounter>(name: string, counter?: C): C {
    const existing = counter === undefined ? this.entries().get(name) : undefined;
    if (existing !== undefined && metricKind(existing) === 'counter') return existing as C;
    return super.counter(name, counter);
  }
}
