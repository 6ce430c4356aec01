/**
 * Flink's DataStream: each method appends a Transformation to the environment and returns the
 * stream of its output. Settings (name, uid, parallelism, chaining, slot sharing) apply to the
 * operator that produced the stream.
 */
import type { Collector, FilterFunction, FlatMapFunction, KeySelector, MapFunction } from './functions/functions.js';
import { OutputTag, type ProcessFunction } from './functions/process-function.js';
import type { SinkFunction } from './functions/sink-function.js';
import { PrintSinkFunction } from './connectors/print-sink.js';
import type { StreamExecutionEnvironment } from './environment.js';
import { Transformation, type OperatorSpec, type PartitionerKind } from './transformation.js';
import { KeyedStream } from './keyed-stream.js';
import { AllWindowedStream } from './windowing/all-windowed-stream.js';
import { GlobalWindows } from './windowing/global-windows.js';
import { CountTrigger, PurgingTrigger } from './windowing/triggers.js';
import { CountEvictor } from './windowing/evictors.js';
import type { WindowAssigner } from './windowing/window-assigner.js';
import type { GlobalWindow, Window } from './windowing/windows.js';
import { BroadcastConnectedStream, BroadcastStream } from './broadcast-stream.js';
import { ConnectedStreams } from './connected-streams.js';
import { CoGroupedStreams, JoinedStreams } from './co-grouped-streams.js';
import { MapStateDescriptor } from './state/state.js';
import { isWatermarkStrategy, type WatermarkStrategy } from './watermark-strategy.js';

/** Flink's DataStream<T>. */
export class DataStream<T> {
  constructor(
    /** The environment the stream belongs to. */
    readonly env: StreamExecutionEnvironment,
    /** The transformation producing this stream. */
    readonly transformation: Transformation,
  ) {}

  /** Internal: appends a one-input operator. */
  protected transform<R>(name: string, operator: OperatorSpec): DataStream<R> {
    const t = this.env.addTransformation('oneInput', name, [this.transformation], operator, undefined);
    t.stateKeySelector = this.stateKeySelector();
    return new DataStream<R>(this.env, t);
  }

  /** Internal: the key the next operator's keyed state is scoped to (a KeyedStream's key selector). */
  protected stateKeySelector(): KeySelector<unknown, unknown> | undefined {
    return undefined;
  }

  /** Maps each record to one record. */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.transform('Map', { type: 'map', fn });
  }

  /** Emits zero or more records per record through `out.collect`. */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.transform('Flat Map', { type: 'flatMap', fn });
  }

  /** Keeps the records for which the function is true. */
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.transform('Filter', { type: 'filter', fn });
  }

  /** Runs a ProcessFunction. */
  process<R>(fn: ProcessFunction<T, R> | ((value: T, ctx: unknown, out: Collector<R>) => void)): DataStream<R> {
    return this.transform('Process', { type: 'process', fn });
  }

  /**
   * Assigns event-time timestamps and generates watermarks with the strategy (Flink's
   * TimestampsAndWatermarksOperator, named `Timestamps/Watermarks`): each record gets the
   * timestamp the strategy's assigner extracts, and watermarks from upstream are replaced by the
   * strategy's own (all but the final one at the end of a bounded input). Prefer
   * `env.fromSource(source, strategy, name)`, which runs the strategy inside the source.
   */
  assignTimestampsAndWatermarks(watermarkStrategy: WatermarkStrategy<T>): DataStream<T> {
    if (!isWatermarkStrategy(watermarkStrategy)) throw new TypeError('assignTimestampsAndWatermarks needs a WatermarkStrategy (WatermarkStrategy.forBoundedOutOfOrderness(...), forMonotonousTimestamps(), forGenerator(...), noWatermarks())');
    return this.transform('Timestamps/Watermarks', { type: 'timestampsAndWatermarks', strategy: watermarkStrategy, executionConfig: this.env.getConfig() });
  }

  /** Partitions by key (Flink's hash partitioning by key group). */
  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    if (typeof keySelector !== 'function' && (typeof keySelector !== 'object' || keySelector === null || typeof keySelector.getKey !== 'function')) {
      throw new TypeError('keyBy needs a key selector: a function or an object with getKey()');
    }
    const t = this.env.addTransformation('partition', 'Partition', [this.transformation], undefined, {
      kind: 'hash',
      keySelector: keySelector as KeySelector<unknown, unknown>,
    });
    return new KeyedStream<T, K>(this.env, t, keySelector);
  }

  /**
   * Cuts the whole stream into windows, evaluated by one subtask (Flink's windowAll: keyed by one
   * constant key, parallelism 1).
   */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(this, assigner);
  }

  /** Windows of `size` elements of the whole stream, or of the last `size` every `slide` (Flink's countWindowAll). */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const w = this.windowAll<GlobalWindow>(GlobalWindows.create());
    return slide === undefined ? w.trigger(PurgingTrigger.of(CountTrigger.of(size))) : w.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }

  /** Merges streams of the same type. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) if (o.env !== this.env) throw new Error('union: all streams must come from the same environment');
    const t = this.env.addTransformation('union', 'Union', [this.transformation, ...others.map((o) => o.transformation)], undefined, undefined);
    return new DataStream<T>(this.env, t);
  }

  private partition(kind: PartitionerKind): DataStream<T> {
    const t = this.env.addTransformation('partition', 'Partition', [this.transformation], undefined, { kind });
    return new DataStream<T>(this.env, t);
  }

  /** Round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return this.partition('rebalance');
  }
  /** Round-robin over a local subset of downstream subtasks. */
  rescale(): DataStream<T> {
    return this.partition('rescale');
  }
  /** Uniformly random. */
  shuffle(): DataStream<T> {
    return this.partition('shuffle');
  }
  /** Every record to every downstream subtask. */
  broadcast(): DataStream<T>;
  /** Broadcasts the stream to feed the broadcast state the descriptors name (Flink's broadcast(MapStateDescriptor...)). */
  broadcast(...descriptors: Array<MapStateDescriptor<unknown, unknown>>): BroadcastStream<T>;
  broadcast(...descriptors: Array<MapStateDescriptor<unknown, unknown>>): DataStream<T> | BroadcastStream<T> {
    const stream = this.partition('broadcast');
    if (descriptors.length === 0) return stream;
    for (const d of descriptors) if (!(d instanceof MapStateDescriptor)) throw new TypeError('broadcast() takes MapStateDescriptors: broadcast state is a map');
    return new BroadcastStream<T>(this.env, stream.transformation, descriptors);
  }

  /** Connects this stream with a broadcast stream (Flink's connect(BroadcastStream)). */
  connect<R>(broadcastStream: BroadcastStream<R>): BroadcastConnectedStream<T, R>;
  /** Connects this stream with another, of any type, into one two-input operator (Flink's connect(DataStream)). */
  connect<R>(other: DataStream<R>): ConnectedStreams<T, R>;
  connect<R>(other: BroadcastStream<R> | DataStream<R>): BroadcastConnectedStream<T, R> | ConnectedStreams<T, R> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, R>(this, other);
    if (!(other instanceof DataStream)) throw new TypeError('connect() takes a DataStream or a BroadcastStream (stream.broadcast(descriptor))');
    if (other.env !== this.env) throw new TypeError('connect() takes a stream of the same StreamExecutionEnvironment');
    return new ConnectedStreams<T, R>(this, other);
  }
  /** A window join with another stream: `join(other).where(k1).equalTo(k2).window(assigner).apply(JoinFunction)`. */
  join<R>(other: DataStream<R>): JoinedStreams<T, R> {
    return new JoinedStreams<T, R>(this, other);
  }

  /** A window coGroup with another stream: `coGroup(other).where(k1).equalTo(k2).window(assigner).apply(CoGroupFunction)`. */
  coGroup<R>(other: DataStream<R>): CoGroupedStreams<T, R> {
    return new CoGroupedStreams<T, R>(this, other);
  }

  /** Subtask i to subtask i (needs equal parallelism). */
  forward(): DataStream<T> {
    return this.partition('forward');
  }
  /** Everything to the first downstream subtask. */
  global(): DataStream<T> {
    return this.partition('global');
  }

  /**
   * The records a function of this operator emitted to the side output `tag` (`ctx.output(tag, v)`),
   * as a stream of their own (Flink's SingleOutputStreamOperator.getSideOutput).
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (!(tag instanceof OutputTag)) throw new TypeError('getSideOutput needs an OutputTag');
    const t = this.env.addTransformation('sideOutput', `SideOutput(${tag.id})`, [this.transformation], undefined, undefined);
    t.sideOutputTag = tag.id;
    return new DataStream<X>(this.env, t);
  }

  /** Adds a sink. */
  addSink(fn: SinkFunction<T> | object): DataStreamSink<T> {
    const t = this.env.addTransformation('sink', 'Unnamed', [this.transformation], { type: 'sink', fn }, undefined);
    t.stateKeySelector = this.stateKeySelector();
    return new DataStreamSink<T>(t);
  }

  /** Adds a sink (Flink's sinkTo for the unified Sink API). */
  sinkTo(sink: SinkFunction<T> | object): DataStreamSink<T> {
    return this.addSink(sink);
  }

  /** Prints every record to stdout (`N> ` prefixed when parallel). */
  print(sinkIdentifier?: string): DataStreamSink<T> {
    const s = this.addSink(new PrintSinkFunction<T>(false, sinkIdentifier ?? ''));
    s.transformation.name = 'Print to Std. Out';
    return s;
  }

  /** Prints every record to stderr. */
  printToErr(sinkIdentifier?: string): DataStreamSink<T> {
    const s = this.addSink(new PrintSinkFunction<T>(true, sinkIdentifier ?? ''));
    s.transformation.name = 'Print to Std. Err';
    return s;
  }

  /**
   * Runs the job and returns its records to the caller (Flink's executeAndCollect). With a limit,
   * the job is canceled once that many records arrived. Must be awaited like execute().
   */
  async executeAndCollect(limitOrJobName?: number | string, limit?: number): Promise<T[]> {
    const jobName = typeof limitOrJobName === 'string' ? limitOrJobName : 'DataStream Collect';
    const max = typeof limitOrJobName === 'number' ? limitOrJobName : limit;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new RangeError(`executeAndCollect: limit must be a positive integer, got ${max}`);
    const collectId = `collect-${this.env.nextCollectId()}`;
    this.env.addTransformation('sink', 'Data stream collect sink', [this.transformation], { type: 'collect', collectId }, undefined, { parallelism: 1, parallelismLocked: true });
    if (max !== undefined) this.env.collectLimits.set(collectId, max);
    const result = await this.env.execute(jobName);
    if (!result.isJobExecutionResult()) throw new Error(`executeAndCollect() needs an attached run: job ${result.getJobID()} was submitted detached (-d), so its records do not come back.`);
    const records = (result.collected.get(collectId) ?? []) as T[];
    return max !== undefined ? records.slice(0, max) : records;
  }

  // ---- operator settings ----

  /** Names the operator. */
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }
  /** The operator's name. */
  getName(): string {
    return this.transformation.name;
  }
  /** Sets the stable id under which the operator's state is stored. */
  uid(uid: string): this {
    if (typeof uid !== 'string' || uid.length === 0) throw new TypeError('uid must be a non-empty string');
    this.transformation.uid = uid;
    return this;
  }
  /** Sets the operator's parallelism. */
  setParallelism(parallelism: number): this {
    this.env.checkParallelism(parallelism, 'setParallelism');
    if (this.transformation.kind === 'partition' || this.transformation.kind === 'union') {
      throw new Error(`Cannot set the parallelism of a ${this.transformation.kind} step: set it on the operator after it`);
    }
    if (this.transformation.parallelismLocked && parallelism !== 1) {
      throw new Error(`The parallelism of non parallel operator '${this.transformation.name}' must be 1.`);
    }
    this.transformation.parallelism = parallelism;
    return this;
  }
  /** The operator's parallelism (the environment's default when unset). */
  getParallelism(): number {
    return this.transformation.parallelism ?? this.env.getParallelism();
  }
  /** Sets the operator's max parallelism (number of key groups). */
  setMaxParallelism(maxParallelism: number): this {
    this.env.checkMaxParallelism(maxParallelism);
    this.transformation.maxParallelism = maxParallelism;
    return this;
  }
  /** Puts the operator into a slot sharing group. */
  slotSharingGroup(name: string): this {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('slotSharingGroup needs a non-empty name');
    this.transformation.slotSharingGroup = name;
    return this;
  }
  /** Never chains this operator to its neighbours. */
  disableChaining(): this {
    this.transformation.chainingStrategy = 'NEVER';
    return this;
  }
  /** Starts a new chain at this operator. */
  startNewChain(): this {
    this.transformation.chainingStrategy = 'HEAD';
    return this;
  }
}

/** Flink's DataStreamSink: the settings of a sink. */
export class DataStreamSink<T> {
  /** For TypeScript only. */
  declare readonly __type?: T;
  constructor(
    /** The sink's transformation. */
    readonly transformation: Transformation,
  ) {}
  /** Names the sink. */
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }
  /** Sets the sink's stable id. */
  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }
  /** Sets the sink's parallelism. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`The parallelism must be at least one, got ${parallelism}`);
    this.transformation.parallelism = parallelism;
    return this;
  }
  /** Puts the sink into a slot sharing group. */
  slotSharingGroup(name: string): this {
    this.transformation.slotSharingGroup = name;
    return this;
  }
  /** Never chains the sink. */
  disableChaining(): this {
    this.transformation.chainingStrategy = 'NEVER';
    return this;
  }
  /** Starts a new chain at the sink. */
  startNewChain(): this {
    this.transformation.chainingStrategy = 'HEAD';
    return this;
  }
}
