/**
 * Flink's ExecutionConfig and CheckpointConfig: settings a job makes in code.
 */
import { MiniFlinkError } from '../core/errors.js';
import { registerPojoType } from '../core/pojo-types.js';
import { toMillis, type DurationLike } from './time.js';

/** A class whose instances are records (the type registerPojoType takes). */
export type RecordClass = abstract new (...args: any[]) => unknown;

/**
 * Flink's SerializerConfig (1.19+; `ExecutionConfig.getSerializerConfig()`): the record classes a
 * job registers. A registered class's instances keep their class through chain copies, exchanges
 * between tasks, state, checkpoints and savepoints, and executeAndCollect (core/pojo-types.ts).
 * Registration takes effect in the thread that runs it, at once: every thread that handles the
 * job's records runs the job module, hence its registrations.
 */
export class SerializerConfig {
  /** Classes registered through this config, in registration order (Flink's LinkedHashSet). */
  private readonly pojoTypes: RecordClass[] = [];
  /** Classes registered as Kryo types (the same here). */
  private readonly kryoTypes: RecordClass[] = [];
  /** The class registered through this config under each name. */
  private readonly byName = new Map<string, RecordClass>();

  /**
   * Registers a record class (Flink's registerPojoType). It is known on the wire by its name, or by
   * `name` when given (for two classes of the same name, or to keep savepoints readable after a
   * rename). Throws MF_ERR_INVALID_ARGUMENT when `type` is not a class, extends a built-in
   * collection, is registered under another name already, or another class of this job is
   * registered under that name (records of one would decode as the other); MF_ERR_SERIALIZATION
   * when it has `#private` instance members, which no copy carries.
   */
  registerPojoType(type: RecordClass, name?: string): void {
    this.register(type, name);
    if (!this.pojoTypes.includes(type)) this.pojoTypes.push(type);
  }
  /**
   * Flink's registerKryoType: the same as registerPojoType here (there is no Kryo; a registered
   * class is serialized by its fields either way).
   */
  registerKryoType(type: RecordClass, name?: string): void {
    this.register(type, name);
    if (!this.kryoTypes.includes(type)) this.kryoTypes.push(type);
  }

  /**
   * Registers the class in this thread (core/pojo-types.ts), where a name registered again maps to
   * its latest class (a restarted attempt's module instance); within one job, two classes under one
   * name are refused, naming both.
   */
  private register(type: RecordClass, name: string | undefined): void {
    const wanted = name ?? (typeof type === 'function' ? type.name : undefined);
    const other = wanted ? this.byName.get(wanted) : undefined;
    if (other !== undefined && other !== type) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_ARGUMENT',
        `registerPojoType: the class ${describeClass(type)} and the class ${describeClass(other)}, registered before, are two different classes under the name '${wanted}': ` +
          `records of one would come back as the other. Register one of them under a name of its own: registerPojoType(cls, 'Other${wanted}').`,
      );
    }
    const t = registerPojoType(type, name);
    this.byName.set(t.name, type);
  }
  /** The classes registered with registerPojoType. */
  getRegisteredPojoTypes(): RecordClass[] {
    return [...this.pojoTypes];
  }
  /** The classes registered with registerKryoType. */
  getRegisteredKryoTypes(): RecordClass[] {
    return [...this.kryoTypes];
  }
}

/** A class for messages: its name and the start of its source (two classes of one name differ there). */
function describeClass(cls: RecordClass): string {
  let source = '';
  try {
    source = Function.prototype.toString.call(cls).replace(/\s+/g, ' ');
  } catch {
    // A proxy or such: its name alone.
  }
  const start = source.length > 60 ? `${source.slice(0, 57)}...` : source;
  return start === '' ? cls.name || '(anonymous class)' : `${cls.name || '(anonymous class)'} (${start})`;
}

/** Flink's ExecutionConfig (the parts a job sets). */
export class ExecutionConfig {
  /** Whether records pass between chained operators without a copy. */
  private objectReuse = false;
  /** Global job parameters, readable by functions. */
  private globalJobParameters: Record<string, string> = {};
  /** Whether snapshots are compressed (snappy, as Flink's). */
  private snapshotCompression: boolean | undefined;
  /** The auto-watermark interval in ms. */
  private autoWatermarkInterval = 200;
  /** The registered record classes. */
  private readonly serializerConfig = new SerializerConfig();

  /**
   * Registers a record class, so that its instances keep their class (and methods) through chain
   * copies, exchanges, state and restores: see {@link SerializerConfig.registerPojoType}.
   */
  registerPojoType(type: RecordClass, name?: string): void {
    this.serializerConfig.registerPojoType(type, name);
  }
  /** Flink's registerKryoType: the same as registerPojoType here. */
  registerKryoType(type: RecordClass, name?: string): void {
    this.serializerConfig.registerKryoType(type, name);
  }
  /** The classes registered with registerPojoType. */
  getRegisteredPojoTypes(): RecordClass[] {
    return this.serializerConfig.getRegisteredPojoTypes();
  }
  /** The classes registered with registerKryoType. */
  getRegisteredKryoTypes(): RecordClass[] {
    return this.serializerConfig.getRegisteredKryoTypes();
  }
  /** Flink's getSerializerConfig() (1.19+, where 2.0 keeps these registrations). */
  getSerializerConfig(): SerializerConfig {
    return this.serializerConfig;
  }

  /** Chained operators get the same object, without a defensive copy. */
  enableObjectReuse(): this {
    this.objectReuse = true;
    return this;
  }
  /** Chained operators get a copy of each record (the default). */
  disableObjectReuse(): this {
    this.objectReuse = false;
    return this;
  }
  /** Whether object reuse is on. */
  isObjectReuseEnabled(): boolean {
    return this.objectReuse;
  }
  /** Sets the global job parameters. */
  setGlobalJobParameters(params: Record<string, string>): void {
    this.globalJobParameters = { ...params };
  }
  /** The global job parameters. */
  getGlobalJobParameters(): Record<string, string> {
    return this.globalJobParameters;
  }
  /** Compress snapshots with snappy. */
  setUseSnapshotCompression(on: boolean): void {
    this.snapshotCompression = on;
  }
  /** Whether snapshot compression was set in code (undefined: not set). */
  getUseSnapshotCompression(): boolean | undefined {
    return this.snapshotCompression;
  }
  /**
   * Sets how often (ms) watermark generators emit periodically (pipeline.auto-watermark-interval);
   * 0 turns periodic watermarks off. Throws for a negative or non-numeric interval (Flink's check).
   */
  setAutoWatermarkInterval(ms: number): this {
    if (typeof ms !== 'number' || !(ms >= 0)) throw new RangeError(`Auto watermark interval must not be negative, got ${String(ms)}`);
    this.autoWatermarkInterval = ms;
    return this;
  }
  /** The auto-watermark interval. */
  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }
}

/** Flink's CheckpointingMode. */
export const CheckpointingMode = { EXACTLY_ONCE: 'EXACTLY_ONCE', AT_LEAST_ONCE: 'AT_LEAST_ONCE' } as const;
/** A checkpointing mode. */
export type CheckpointingMode = (typeof CheckpointingMode)[keyof typeof CheckpointingMode];

/** Flink's ExternalizedCheckpointCleanup (1.x) / ExternalizedCheckpointRetention (2.x). */
export const ExternalizedCheckpointCleanup = {
  RETAIN_ON_CANCELLATION: 'RETAIN_ON_CANCELLATION',
  DELETE_ON_CANCELLATION: 'DELETE_ON_CANCELLATION',
  NO_EXTERNALIZED_CHECKPOINTS: 'NO_EXTERNALIZED_CHECKPOINTS',
} as const;
/** A retention policy. */
export type ExternalizedCheckpointCleanup = (typeof ExternalizedCheckpointCleanup)[keyof typeof ExternalizedCheckpointCleanup];

/** Flink's CheckpointConfig. Values left undefined fall back to the configuration keys. */
export class CheckpointConfig {
  /** Interval in ms; undefined or <= 0 means no periodic checkpoints. */
  interval: number | undefined;
  /** EXACTLY_ONCE or AT_LEAST_ONCE. */
  mode: CheckpointingMode | undefined;
  /** Timeout in ms. */
  timeout: number | undefined;
  /** Minimum pause between checkpoints in ms. */
  minPause: number | undefined;
  /** Maximum concurrent checkpoints. */
  maxConcurrent: number | undefined;
  /** Failed checkpoints tolerated before the job fails. */
  tolerableFailures: number | undefined;
  /** Retention of the latest checkpoint when the job ends. */
  externalizedCleanup: ExternalizedCheckpointCleanup | undefined;
  /** Unaligned checkpoints (execution.checkpointing.unaligned.enabled). */
  unaligned: boolean | undefined;
  /** Aligned checkpoint timeout in ms (execution.checkpointing.aligned-checkpoint-timeout). */
  alignedTimeout: number | undefined;

  private check(name: string, v: number, min: number): void {
    if (!Number.isFinite(v) || v < min) throw new RangeError(`${name} must be a number >= ${min}, got ${v}`);
  }
  /** Sets the checkpointing mode. */
  setCheckpointingMode(mode: CheckpointingMode): void {
    if (mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') throw new RangeError(`Unknown checkpointing mode ${String(mode)}`);
    this.mode = mode;
  }
  /** The checkpointing mode. */
  getCheckpointingMode(): CheckpointingMode {
    return this.mode ?? 'EXACTLY_ONCE';
  }
  /** Sets the interval. */
  setCheckpointInterval(ms: number): void {
    this.check('Checkpoint interval', ms, 10);
    this.interval = ms;
  }
  /** The interval, or -1 when checkpointing is off. */
  getCheckpointInterval(): number {
    return this.interval ?? -1;
  }
  /** Whether periodic checkpoints are on. */
  isCheckpointingEnabled(): boolean {
    return this.interval !== undefined && this.interval > 0;
  }
  /** Sets the checkpoint timeout. */
  setCheckpointTimeout(ms: number): void {
    this.check('Checkpoint timeout', ms, 1);
    this.timeout = ms;
  }
  /** Sets the minimum pause between checkpoints. */
  setMinPauseBetweenCheckpoints(ms: number): void {
    this.check('Minimum pause', ms, 0);
    this.minPause = ms;
  }
  /** Sets the maximum number of concurrent checkpoints. */
  setMaxConcurrentCheckpoints(n: number): void {
    this.check('Max concurrent checkpoints', n, 1);
    this.maxConcurrent = n;
  }
  /** Sets how many failed checkpoints are tolerated. */
  setTolerableCheckpointFailureNumber(n: number): void {
    this.check('Tolerable checkpoint failures', n, 0);
    this.tolerableFailures = n;
  }
  /** Sets what happens to the latest checkpoint when the job ends. */
  setExternalizedCheckpointCleanup(cleanup: ExternalizedCheckpointCleanup): void {
    this.externalizedCleanup = cleanup;
  }
  /** Flink 2.x name of setExternalizedCheckpointCleanup. */
  setExternalizedCheckpointRetention(cleanup: ExternalizedCheckpointCleanup): void {
    this.setExternalizedCheckpointCleanup(cleanup);
  }
  /**
   * Unaligned checkpoints (EXACTLY_ONCE only): barriers overtake the records queued in input and
   * output buffers, which are stored with the checkpoint as in-flight data (Flink's
   * enableUnalignedCheckpoints). Savepoints stay aligned.
   */
  enableUnalignedCheckpoints(enabled = true): void {
    this.unaligned = enabled;
  }
  /** Whether unaligned checkpoints are on. */
  isUnalignedCheckpointsEnabled(): boolean {
    return this.unaligned ?? false;
  }
  /**
   * With unaligned checkpoints: a checkpoint starts aligned and switches to unaligned where its
   * alignment (or a barrier waiting in an output buffer) takes longer than this (0: unaligned from the start).
   */
  setAlignedCheckpointTimeout(timeout: DurationLike): void {
    const ms = toMillis(timeout, 'aligned checkpoint timeout');
    this.check('Aligned checkpoint timeout', ms, 0);
    this.alignedTimeout = ms;
  }
  /** The aligned checkpoint timeout, ms (default 0). */
  getAlignedCheckpointTimeout(): number {
    return this.alignedTimeout ?? 0;
  }
}
