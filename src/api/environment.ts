/**
 * Flink's StreamExecutionEnvironment: the entry point of a job program.
 */
import { availableParallelism } from 'node:os';
// keyed-stream before data-stream: KeyedStream extends DataStream, which refers back to it lazily.
import './keyed-stream.js';
import { DataStream } from './data-stream.js';
import { CollectionSource } from './connectors/collection-source.js';
import { SequenceSource } from './connectors/sequence-source.js';
import { SocketTextStreamSource } from './connectors/socket-source.js';
import { TextFileSource } from './connectors/text-file-source.js';
import { CheckpointConfig, ExecutionConfig, type CheckpointingMode } from './execution-config.js';
import { getDefaultExecutor, getExecutionContext, type PipelineExecutor } from './executor.js';
import { isParallelSource, type SourceFunction } from './functions/source-function.js';
import type { JobClient, JobExecutionResult } from './job-client.js';
import type { RestartStrategyConfiguration } from './restart-strategies.js';
import type { StateBackend } from './state-backends.js';
import { findProgramPath } from './program-path.js';
import { Transformation, type OperatorSpec, type PartitionerSpec, type TransformationKind } from './transformation.js';
import { isWatermarkStrategy, type WatermarkStrategy } from './watermark-strategy.js';
import { parseDuration } from '../config/duration.js';

/** Flink's upper bound of max parallelism. */
const MAX_MAX_PARALLELISM = 1 << 15;

/** Flink's StreamExecutionEnvironment. */
export class StreamExecutionEnvironment {
  /** Every transformation, in creation order. */
  readonly transformations: Transformation[] = [];
  /** Records limits of executeAndCollect, by collect id. */
  readonly collectLimits = new Map<string, number>();
  /** Configuration strings (config.yaml, -D), as the context gave them. */
  readonly configuration: Readonly<Record<string, string>>;
  private readonly executionConfig = new ExecutionConfig();
  private readonly checkpointConfig = new CheckpointConfig();
  private parallelism: number;
  /** The default parallelism the environment was created with (a slot thread must start from the same). */
  readonly initialParallelism: number;
  private maxParallelism: number | undefined;
  private chainingEnabled = true;
  private bufferTimeout: number | undefined;
  private restartStrategy: RestartStrategyConfiguration | undefined;
  private stateBackend: StateBackend | undefined;
  private collectCounter = 0;

  private constructor(private readonly executor: PipelineExecutor | undefined, parallelism: number, configuration: Readonly<Record<string, string>>) {
    this.parallelism = parallelism;
    this.initialParallelism = parallelism;
    this.configuration = configuration;
    const chaining = configuration['pipeline.operator-chaining.enabled'] ?? configuration['pipeline.operator-chaining'];
    if (chaining !== undefined && chaining.trim().toLowerCase() === 'false') this.chainingEnabled = false;
    if (configuration['pipeline.object-reuse']?.trim().toLowerCase() === 'true') this.executionConfig.enableObjectReuse();
    const maxP = configuration['pipeline.max-parallelism'];
    if (maxP !== undefined) this.setMaxParallelism(Number(maxP));
    const watermarkInterval = configuration['pipeline.auto-watermark-interval'];
    if (watermarkInterval !== undefined) this.executionConfig.setAutoWatermarkInterval(parseDuration(watermarkInterval, 'pipeline.auto-watermark-interval'));
  }

  /**
   * The environment for this program: under `miniflink run` or in a slot thread, the context's;
   * run directly, a local one whose default parallelism is `parallelism.default` or the number of
   * cores (as Flink's local environment).
   */
  static getExecutionEnvironment(): StreamExecutionEnvironment {
    const ctx = getExecutionContext();
    const configuration = ctx?.configuration ?? {};
    const fromConfig = configuration['parallelism.default'];
    const parallelism = ctx?.parallelism ?? (fromConfig !== undefined ? Number(fromConfig) : ctx ? 1 : availableParallelism());
    const env = new StreamExecutionEnvironment(ctx?.executor, parallelism, configuration);
    env.checkParallelism(parallelism, 'parallelism.default');
    return env;
  }

  /** Flink's createLocalEnvironment: same as a direct run. */
  static createLocalEnvironment(parallelism?: number): StreamExecutionEnvironment {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (parallelism !== undefined) env.setParallelism(parallelism);
    return env;
  }

  // ---- settings ----

  /** Validates a parallelism value. */
  checkParallelism(p: number, what: string): void {
    if (!Number.isInteger(p) || p < 1) throw new RangeError(`The parallelism must be at least one (${what}): ${p}`);
    const maxP = this.maxParallelism;
    if (maxP !== undefined && p > maxP) throw new RangeError(`The parallelism (${p}) must not be greater than the max parallelism (${maxP}) (${what})`);
    if (p > MAX_MAX_PARALLELISM) throw new RangeError(`The parallelism (${p}) must not be greater than ${MAX_MAX_PARALLELISM} (${what})`);
  }
  /** Validates a max parallelism value. */
  checkMaxParallelism(p: number): void {
    if (!Number.isInteger(p) || p < 1 || p > MAX_MAX_PARALLELISM) throw new RangeError(`The maximum parallelism must be between 1 and ${MAX_MAX_PARALLELISM}: ${p}`);
  }
  /** Sets the default parallelism of operators. */
  setParallelism(parallelism: number): this {
    this.checkParallelism(parallelism, 'setParallelism');
    this.parallelism = parallelism;
    return this;
  }
  /** The default parallelism. */
  getParallelism(): number {
    return this.parallelism;
  }
  /** Sets the default max parallelism (number of key groups). */
  setMaxParallelism(maxParallelism: number): this {
    this.checkMaxParallelism(maxParallelism);
    this.maxParallelism = maxParallelism;
    return this;
  }
  /** The default max parallelism, or undefined for Flink's default rule. */
  getMaxParallelism(): number | undefined {
    return this.maxParallelism;
  }
  /** Turns chaining off for the whole job. */
  disableOperatorChaining(): this {
    this.chainingEnabled = false;
    return this;
  }
  /** Whether chaining is on. */
  isChainingEnabled(): boolean {
    return this.chainingEnabled;
  }
  /** Max time a network buffer waits before it is flushed (ms); 0 flushes every record. */
  setBufferTimeout(ms: number): this {
    if (!Number.isFinite(ms) || ms < -1) throw new RangeError(`Buffer timeout must be >= -1, got ${ms}`);
    this.bufferTimeout = ms;
    return this;
  }
  /** The buffer timeout, when set in code. */
  getBufferTimeout(): number | undefined {
    return this.bufferTimeout;
  }
  /** The ExecutionConfig. */
  getConfig(): ExecutionConfig {
    return this.executionConfig;
  }
  /** The CheckpointConfig. */
  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }
  /** Enables periodic checkpoints. */
  enableCheckpointing(intervalMs: number, mode?: CheckpointingMode): this {
    this.checkpointConfig.setCheckpointInterval(intervalMs);
    if (mode !== undefined) this.checkpointConfig.setCheckpointingMode(mode);
    return this;
  }
  /** Sets the restart strategy. */
  setRestartStrategy(strategy: RestartStrategyConfiguration): void {
    this.restartStrategy = strategy;
  }
  /** The restart strategy set in code. */
  getRestartStrategy(): RestartStrategyConfiguration | undefined {
    return this.restartStrategy;
  }
  /** Sets the state backend. */
  setStateBackend(backend: StateBackend): this {
    this.stateBackend = backend;
    return this;
  }
  /** The state backend set in code. */
  getStateBackend(): StateBackend | undefined {
    return this.stateBackend;
  }

  // ---- sources ----

  /** Internal: appends a transformation. */
  addTransformation(
    kind: TransformationKind,
    name: string,
    inputs: Transformation[],
    operator: OperatorSpec | undefined,
    partitioner: PartitionerSpec | undefined,
    options?: ConstructorParameters<typeof Transformation>[6],
  ): Transformation {
    const t = new Transformation(this.transformations.length + 1, kind, name, inputs, operator, partitioner, options);
    this.transformations.push(t);
    return t;
  }

  /** Internal: the next id of an executeAndCollect sink. */
  nextCollectId(): number {
    return ++this.collectCounter;
  }

  /** Adds a SourceFunction (parallelism 1 unless it is a RichParallelSourceFunction). */
  addSource<T>(fn: SourceFunction<T>, sourceName = 'Custom Source'): DataStream<T> {
    if (typeof fn !== 'object' || fn === null || typeof fn.run !== 'function') throw new TypeError('addSource needs a SourceFunction: an object with run(ctx) and cancel()');
    const parallel = isParallelSource(fn);
    const t = this.addTransformation('source', sourceName, [], { type: 'source', fn, bounded: true }, undefined, {
      parallelism: parallel ? undefined : 1,
      parallelismLocked: !parallel,
      chainingStrategy: 'HEAD',
    });
    return new DataStream<T>(this, t);
  }

  /**
   * A source whose records get event time from a WatermarkStrategy that runs inside the source,
   * per subtask (Flink's fromSource): timestamps are assigned as records are emitted, the
   * generator emits periodically every `pipeline.auto-watermark-interval`, and with
   * `withWatermarkAlignment` the source pauses while ahead of its group. `source` is any
   * SourceFunction (the built-in SequenceSource, CollectionSource, TextFileSource,
   * SocketTextStreamSource, or one's own); its parallelism rules are addSource's. The vertex is
   * `Source: <sourceName>`.
   */
  fromSource<T>(source: SourceFunction<T>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string): DataStream<T> {
    if (typeof source !== 'object' || source === null || typeof source.run !== 'function') throw new TypeError('fromSource needs a source: a SourceFunction (an object with run(ctx) and cancel())');
    if (!isWatermarkStrategy(watermarkStrategy)) throw new TypeError('fromSource needs a WatermarkStrategy (WatermarkStrategy.noWatermarks() for none)');
    if (typeof sourceName !== 'string' || sourceName.length === 0) throw new TypeError('fromSource needs a source name');
    const parallel = isParallelSource(source);
    const t = this.addTransformation('source', sourceName, [], { type: 'source', fn: source, bounded: true, watermarkStrategy, executionConfig: this.executionConfig }, undefined, {
      parallelism: parallel ? undefined : 1,
      parallelismLocked: !parallel,
      chainingStrategy: 'HEAD',
    });
    return new DataStream<T>(this, t);
  }

  /** A stream of the given elements (parallelism 1). */
  fromElements<T>(...elements: T[]): DataStream<T> {
    if (elements.length === 0) throw new Error('fromElements needs at least one element');
    return this.addSource(new CollectionSource<T>(elements), 'Collection Source');
  }

  /** A stream of a collection's elements (parallelism 1). */
  fromCollection<T>(collection: Iterable<T>): DataStream<T> {
    if (collection === null || collection === undefined || typeof (collection as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new TypeError('fromCollection needs an iterable collection');
    }
    return this.addSource(new CollectionSource<T>(collection), 'Collection Source');
  }

  /** The numbers from..to, inclusive, split across the source's subtasks. */
  fromSequence(from: number, to: number): DataStream<number> {
    return this.addSource(new SequenceSource(from, to), 'Sequence Source');
  }

  /** The lines of a text file. */
  readTextFile(path: string): DataStream<string> {
    return this.addSource(new TextFileSource(path), `File Source`);
  }

  /** Text from a TCP socket, split by the delimiter (parallelism 1). */
  socketTextStream(hostname: string, port: number, delimiter = '\n'): DataStream<string> {
    return this.addSource(new SocketTextStreamSource(hostname, port, delimiter), 'Socket Stream');
  }

  // ---- execution ----

  /** Runs the job; resolves when a bounded job finishes. */
  async execute(jobName = 'Flink Streaming Job'): Promise<JobExecutionResult> {
    const client = await this.executeAsync(jobName);
    return client.getJobExecutionResult();
  }

  /**
   * Submits the job and resolves with a JobClient once it is accepted. As Flink's execute(), it
   * then clears the transformations: the environment builds and runs the next job afresh.
   */
  async executeAsync(jobName = 'Flink Streaming Job'): Promise<JobClient> {
    if (!this.transformations.some((t) => t.kind === 'sink')) {
      throw new Error('No operators defined in streaming topology. Cannot execute.');
    }
    const executor = this.executor ?? getDefaultExecutor();
    if (!executor) throw new Error("No executor is registered: import StreamExecutionEnvironment from 'miniflink' (the package entry), not from an internal file");
    const ctx = getExecutionContext();
    // The executor gets this job's transformations and settings as they are now (Flink builds the
    // StreamGraph here): a copy of the environment, so the next job's changes do not reach it.
    const job = Object.assign(Object.create(StreamExecutionEnvironment.prototype) as StreamExecutionEnvironment, this, {
      transformations: [...this.transformations],
      collectLimits: new Map(this.collectLimits),
    });
    this.transformations.length = 0;
    this.collectLimits.clear();
    return executor.execute({ jobName, env: job, programPath: ctx?.programPath ?? findProgramPath() });
  }
}
