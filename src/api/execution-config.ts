/**
 * Flink's ExecutionConfig and CheckpointConfig: settings a job makes in code.
 */

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
  /** Sets the auto-watermark interval. */
  setAutoWatermarkInterval(ms: number): this {
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
}
