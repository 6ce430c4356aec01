/**
 * Flink's WatermarkStrategy (org.apache.flink.api.common.eventtime): a factory for the
 * TimestampAssigner that gives each record its event time and for the WatermarkGenerator that says
 * how far event time has progressed. Strategies are used by `env.fromSource(source, strategy, name)`
 * (inside the source, per subtask) and by `stream.assignTimestampsAndWatermarks(strategy)`.
 *
 *   WatermarkStrategy.forBoundedOutOfOrderness<E>(Duration.ofSeconds(5))   base: the generator
 *     .withTimestampAssigner((e, recordTs) => e.ts)                           wraps: the assigner
 *     .withIdleness(Duration.ofMinutes(1))                                    wraps: idleness
 *     .withWatermarkAlignment('group', Duration.ofSeconds(20))                wraps: alignment
 *
 * As in Flink, each builder method returns a new strategy wrapping the one it was called on, so a
 * strategy is immutable and may be shared. Implementing a strategy of one's own: extend
 * WatermarkStrategy and override createWatermarkGenerator (and createTimestampAssigner).
 */
import { Watermark } from './functions/source-function.js';
import type { MetricGroup } from './functions/runtime-context.js';
import { toMillis, type DurationLike } from './time.js';
import { AscendingTimestampsWatermarks, BoundedOutOfOrdernessWatermarks, NoWatermarksGenerator, WatermarksWithIdleness } from './watermark-generators.js';

/**
 * Flink's WatermarkOutput: where a generator emits watermarks and idleness. Emitting a watermark
 * also marks the output active again; a watermark that does not advance is dropped.
 */
export interface WatermarkOutput {
  /** Emits a watermark: event time has reached its timestamp (only one that advances goes out). */
  emitWatermark(watermark: Watermark): void;
  /** Marks the output idle: downstream stops waiting for its watermarks until it is active again. */
  markIdle(): void;
  /** Marks the output active again (emitting a watermark does so too). */
  markActive(): void;
}

/**
 * Flink's WatermarkGenerator. Punctuated generators emit from onEvent (a special record carries
 * the watermark); periodic ones remember what they saw in onEvent and emit from onPeriodicEmit,
 * which runs every `pipeline.auto-watermark-interval` (ExecutionConfig.setAutoWatermarkInterval).
 */
export interface WatermarkGenerator<T> {
  /** Called for every record, with the timestamp the assigner gave it. */
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  /** Called periodically (every auto-watermark interval; never when the interval is 0). */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Flink's TimestampAssigner: the record's event time, from the record and the timestamp it already has. */
export interface TimestampAssigner<T> {
  /**
   * The record's timestamp in milliseconds. `recordTimestamp` is the one it carries, or
   * Long.MIN_VALUE (-2^63, TimestampAssigner.NO_TIMESTAMP) when it has none.
   */
  extractTimestamp(element: T, recordTimestamp: number): number;
}

/** Flink's SerializableTimestampAssigner: a function `(element, recordTimestamp) => timestamp`, or an assigner object. */
export type SerializableTimestampAssigner<T> = ((element: T, recordTimestamp: number) => number) | TimestampAssigner<T>;

/** Flink's RelativeClock: monotonic time for measuring durations (idleness). */
export interface RelativeClock {
  /** Monotonic milliseconds. */
  relativeTimeMillis(): number;
  /** Monotonic nanoseconds. */
  relativeTimeNanos(): number;
}

/** Flink's TimestampAssignerSupplier.Context. */
export interface TimestampAssignerSupplierContext {
  /** The operator's metric group. */
  getMetricGroup(): MetricGroup;
}

/** Flink's WatermarkGeneratorSupplier.Context. */
export interface WatermarkGeneratorSupplierContext {
  /** The operator's metric group. */
  getMetricGroup(): MetricGroup;
  /** The clock idleness is measured with. */
  getInputActivityClock(): RelativeClock;
}

/** Flink's TimestampAssignerSupplier: makes one assigner per operator subtask. */
export interface TimestampAssignerSupplier<T> {
  /** A new assigner. */
  createTimestampAssigner(context: TimestampAssignerSupplierContext): TimestampAssigner<T>;
}

/** Flink's WatermarkGeneratorSupplier: makes one generator per operator subtask (or a function doing so). */
export type WatermarkGeneratorSupplier<T> = ((context: WatermarkGeneratorSupplierContext) => WatermarkGenerator<T>) | { createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> };

/** Flink's WatermarkAlignmentParams (disabled: maxAllowedWatermarkDrift is Long.MAX_VALUE). */
export class WatermarkAlignmentParams {
  /** Alignment off. */
  static readonly WATERMARK_ALIGNMENT_DISABLED = new WatermarkAlignmentParams(Number.POSITIVE_INFINITY, '', 0);
  constructor(
    /** How far (ms) a source's watermark may run ahead of its group's minimum before it pauses. */
    readonly maxAllowedWatermarkDrift: number,
    /** The group: sources of a job with the same group align with each other. */
    readonly watermarkGroup: string,
    /** How often (ms) a source reports its watermark and learns the group's minimum. */
    readonly updateInterval: number,
  ) {}
  /** Whether alignment is on. */
  isEnabled(): boolean {
    return this.maxAllowedWatermarkDrift !== Number.POSITIVE_INFINITY;
  }
  /** The allowed drift in ms. */
  getMaxAllowedWatermarkDrift(): number {
    return this.maxAllowedWatermarkDrift;
  }
  /** The group's name. */
  getWatermarkGroup(): string {
    return this.watermarkGroup;
  }
  /** The update interval in ms. */
  getUpdateInterval(): number {
    return this.updateInterval;
  }
}

/** Flink's RecordTimestampAssigner: keeps the timestamp the record already has. */
export class RecordTimestampAssigner<T> implements TimestampAssigner<T> {
  /** The record's own timestamp. */
  extractTimestamp(_element: T, recordTimestamp: number): number {
    return recordTimestamp;
  }
}

/** Validates a duration argument as Flink's checkArgument does, with the argument's name. */
function millisOf(d: DurationLike, name: string): number {
  if (d === null || d === undefined) throw new TypeError(`${name} must not be null`);
  return toMillis(d, name);
}

/** An assigner function or object as a TimestampAssigner. */
function asAssigner<T>(assigner: SerializableTimestampAssigner<T>): TimestampAssigner<T> {
  if (typeof assigner === 'function') return { extractTimestamp: assigner };
  if (typeof assigner === 'object' && assigner !== null && typeof assigner.extractTimestamp === 'function') return assigner;
  throw new TypeError('withTimestampAssigner needs a function (element, recordTimestamp) => timestamp, a TimestampAssigner or a TimestampAssignerSupplier');
}

/**
 * Flink's WatermarkStrategy. The static methods make the common strategies; the `with...` methods
 * wrap a strategy. A strategy of one's own extends this class and overrides createWatermarkGenerator.
 */
export class WatermarkStrategy<T> implements TimestampAssignerSupplier<T> {
  /**
   * A strategy of one's own passes nothing and overrides createWatermarkGenerator; the static
   * factories pass the generator supplier.
   */
  constructor(private readonly generatorSupplier?: (context: WatermarkGeneratorSupplierContext) => WatermarkGenerator<T>) {}

  /** A new generator for one operator subtask. */
  createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> {
    if (!this.generatorSupplier) throw new Error(`${this.constructor.name} must override createWatermarkGenerator(context)`);
    return this.generatorSupplier(context);
  }

  /** A new timestamp assigner; by default the record's own timestamp (Flink's RecordTimestampAssigner). */
  createTimestampAssigner(_context: TimestampAssignerSupplierContext): TimestampAssigner<T> {
    return new RecordTimestampAssigner<T>();
  }

  /** Watermark alignment settings (disabled unless withWatermarkAlignment was called). */
  getAlignmentParameters(): WatermarkAlignmentParams {
    return WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED;
  }

  // ---- builder methods: each wraps this strategy ----

  /**
   * This strategy with records' timestamps taken by the assigner: a function `(element,
   * recordTimestamp) => timestamp`, a TimestampAssigner, or a TimestampAssignerSupplier (an object
   * with createTimestampAssigner(ctx), for an assigner that needs the context).
   */
  withTimestampAssigner(assigner: SerializableTimestampAssigner<T> | TimestampAssignerSupplier<T>): WatermarkStrategy<T> {
    if (assigner === null || assigner === undefined) throw new TypeError('timestampAssigner must not be null');
    if (typeof assigner === 'object' && typeof (assigner as TimestampAssignerSupplier<T>).createTimestampAssigner === 'function') {
      return new WatermarkStrategyWithTimestampAssigner(this, assigner as TimestampAssignerSupplier<T>);
    }
    const fixed = asAssigner(assigner as SerializableTimestampAssigner<T>);
    return new WatermarkStrategyWithTimestampAssigner(this, { createTimestampAssigner: () => fixed });
  }

  /**
   * This strategy with idleness detection: a subtask that sees no record for `idleTimeout` is
   * marked idle, so that it stops holding back event time downstream, until it emits a watermark
   * again. Throws when the timeout is not positive.
   */
  withIdleness(idleTimeout: DurationLike): WatermarkStrategy<T> {
    const ms = millisOf(idleTimeout, 'idleTimeout');
    if (!(ms > 0)) throw new RangeError('idleTimeout must be greater than zero');
    return new WatermarkStrategyWithIdleness(this, ms);
  }

  /**
   * This strategy with watermark alignment (sources created with `env.fromSource` only): a source
   * subtask whose watermark is more than `maxAllowedWatermarkDrift` ahead of the lowest watermark
   * of the sources in the same `watermarkGroup` pauses until the others catch up. Subtasks report
   * their watermarks, and learn the group's minimum, every `updateInterval` (default 1 s).
   */
  withWatermarkAlignment(watermarkGroup: string, maxAllowedWatermarkDrift: DurationLike, updateInterval: DurationLike = 1000): WatermarkStrategy<T> {
    if (typeof watermarkGroup !== 'string') throw new TypeError('watermarkGroup must be a string');
    const drift = millisOf(maxAllowedWatermarkDrift, 'maxAllowedWatermarkDrift');
    const interval = millisOf(updateInterval, 'updateInterval');
    if (drift < 0) throw new RangeError('maxAllowedWatermarkDrift must not be negative');
    if (!(interval > 0)) throw new RangeError('updateInterval must be greater than zero');
    return new WatermarksWithWatermarkAlignment(this, new WatermarkAlignmentParams(drift, watermarkGroup, interval));
  }

  // ---- the common strategies ----

  /**
   * For timestamps that only ascend: the watermark is the highest timestamp seen minus 1 ms
   * (Flink's AscendingTimestampsWatermarks), emitted periodically.
   */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>());
  }

  /**
   * For records out of order by at most `maxOutOfOrderness`: the watermark is the highest
   * timestamp seen minus the bound minus 1 ms (Flink's BoundedOutOfOrdernessWatermarks), emitted
   * periodically. Throws when the bound is negative.
   */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: DurationLike): WatermarkStrategy<T> {
    const ms = millisOf(maxOutOfOrderness, 'maxOutOfOrderness');
    if (ms < 0) throw new RangeError('maxOutOfOrderness cannot be negative');
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(ms));
  }

  /** A strategy from a generator supplier: a function `(ctx) => generator` or an object with createWatermarkGenerator(ctx). */
  static forGenerator<T>(generatorSupplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    if (typeof generatorSupplier === 'function') return new WatermarkStrategy<T>(generatorSupplier);
    if (typeof generatorSupplier === 'object' && generatorSupplier !== null && typeof generatorSupplier.createWatermarkGenerator === 'function') {
      return new WatermarkStrategy<T>((ctx) => generatorSupplier.createWatermarkGenerator(ctx));
    }
    throw new TypeError('forGenerator needs a function (ctx) => WatermarkGenerator or an object with createWatermarkGenerator(ctx)');
  }

  /** No watermarks at all (only the final one at the end of a bounded input): for processing-time jobs. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>());
  }
}

/** A strategy that wraps another and delegates what it does not change (Flink's wrapping strategies). */
abstract class WrappingStrategy<T> extends WatermarkStrategy<T> {
  constructor(protected readonly base: WatermarkStrategy<T>) {
    super();
  }
  override createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> {
    return this.base.createWatermarkGenerator(context);
  }
  override createTimestampAssigner(context: TimestampAssignerSupplierContext): TimestampAssigner<T> {
    return this.base.createTimestampAssigner(context);
  }
  override getAlignmentParameters(): WatermarkAlignmentParams {
    return this.base.getAlignmentParameters();
  }
}

/** Flink's WatermarkStrategyWithTimestampAssigner. */
class WatermarkStrategyWithTimestampAssigner<T> extends WrappingStrategy<T> {
  constructor(
    base: WatermarkStrategy<T>,
    private readonly assigner: TimestampAssignerSupplier<T>,
  ) {
    super(base);
  }
  override createTimestampAssigner(context: TimestampAssignerSupplierContext): TimestampAssigner<T> {
    return this.assigner.createTimestampAssigner(context);
  }
}

/** Flink's WatermarkStrategyWithIdleness. */
class WatermarkStrategyWithIdleness<T> extends WrappingStrategy<T> {
  constructor(
    base: WatermarkStrategy<T>,
    private readonly idleTimeoutMs: number,
  ) {
    super(base);
  }
  override createWatermarkGenerator(context: WatermarkGeneratorSupplierContext): WatermarkGenerator<T> {
    return new WatermarksWithIdleness<T>(this.base.createWatermarkGenerator(context), this.idleTimeoutMs, context.getInputActivityClock());
  }
}

/** Flink's WatermarksWithWatermarkAlignment. */
class WatermarksWithWatermarkAlignment<T> extends WrappingStrategy<T> {
  constructor(
    base: WatermarkStrategy<T>,
    private readonly params: WatermarkAlignmentParams,
  ) {
    super(base);
  }
  override getAlignmentParameters(): WatermarkAlignmentParams {
    return this.params;
  }
}

/** Whether a value is a watermark strategy (this class, or an object with createWatermarkGenerator). */
export function isWatermarkStrategy(value: unknown): value is WatermarkStrategy<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as WatermarkStrategy<unknown>).createWatermarkGenerator === 'function';
}

/** Flink's TimestampAssigner.NO_TIMESTAMP: the timestamp of a record that has none (Long.MIN_VALUE). */
export const NO_TIMESTAMP = Watermark.UNINITIALIZED.getTimestamp();
