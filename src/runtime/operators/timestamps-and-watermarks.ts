/**
 * The event-time logic a WatermarkStrategy gives one operator subtask (Flink's
 * TimestampsAndWatermarks / ProgressiveTimestampsAndWatermarks): its timestamp assigner, its
 * watermark generator, the WatermarkOutput the generator writes to, and the periodic emits.
 * Used inside a source created with `env.fromSource` and by assignTimestampsAndWatermarks.
 *
 *   record ──► assigner.extractTimestamp(record, recordTs) ──► collect(record, ts)
 *                                                          └──► generator.onEvent(record, ts, out)
 *   every auto-watermark interval (in the task's mailbox) ───► generator.onPeriodicEmit(out)
 *   out.emitWatermark(w): only when w advances; marks the output active first if it was idle
 *   out.markIdle() / markActive(): a status change only
 */
import { MiniFlinkError } from '../../core/errors.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import {
  RecordTimestampAssigner,
  WatermarkAlignmentParams,
  isWatermarkStrategy,
  type MetricGroup,
  type RelativeClock,
  type TimestampAssigner,
  type Watermark,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../api/index.js';

/** Where a WatermarkEmitter sends what changes. */
export interface WatermarkSink {
  /** A watermark that advanced. */
  emitWatermark(watermark: number): void;
  /** The output became idle (true) or active again (false). */
  emitWatermarkStatus(idle: boolean): void;
}

/**
 * Flink's WatermarkEmitter (TimestampsAndWatermarksOperator) and WatermarkToDataOutput (sources):
 * passes on only watermarks that advance, and only status changes.
 */
export class WatermarkEmitter implements WatermarkOutput {
  /** The highest watermark emitted. */
  currentWatermark = MIN_WATERMARK;
  /** Whether the output is idle. */
  idle = false;
  constructor(private readonly sink: WatermarkSink) {}
  /** Emits the watermark if it advances (marking the output active first). */
  emitWatermark(watermark: Watermark | number): void {
    const ts = typeof watermark === 'number' ? watermark : watermark?.getTimestamp?.();
    if (typeof ts !== 'number' || Number.isNaN(ts)) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `A watermark generator emitted ${String(watermark)}: emitWatermark takes a Watermark (new Watermark(timestamp))`);
    }
    if (ts <= this.currentWatermark) return;
    this.currentWatermark = ts;
    this.markActive();
    this.sink.emitWatermark(ts);
  }
  /** Marks the output idle (once). */
  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.sink.emitWatermarkStatus(true);
  }
  /** Marks the output active (once). */
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.sink.emitWatermarkStatus(false);
  }
}

/** Schedules `action` after `ms`; returns a function that cancels it. */
export type Scheduler = (action: () => void, ms: number) => () => void;

/** setTimeout as a Scheduler (unref'd: a pending watermark tick never keeps a thread alive). */
export const timeoutScheduler: Scheduler = (action, ms) => {
  const t = setTimeout(action, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/**
 * Runs an action every `intervalMs` in the task's mailbox, each run scheduled `intervalMs` after
 * the previous one ran (Flink's processing-time timer re-registered at `now + interval`).
 */
export class PeriodicAction {
  private cancel: (() => void) | undefined;
  private stopped = false;
  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
    private readonly mailbox: (action: () => void) => void,
    private readonly schedule: Scheduler = timeoutScheduler,
  ) {}
  /** Starts the runs (a no-op for an interval <= 0, as Flink's: no periodic emits). */
  start(): void {
    if (this.intervalMs > 0 && !this.stopped && this.cancel === undefined) this.arm();
  }
  /** Stops for good. */
  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }
  private arm(): void {
    this.cancel = this.schedule(() => {
      this.cancel = undefined;
      if (this.stopped) return;
      this.mailbox(() => {
        if (this.stopped) return;
        try {
          this.action();
        } finally {
          if (!this.stopped && this.cancel === undefined) this.arm();
        }
      });
    }, this.intervalMs);
  }
}

/** The parts of a WatermarkStrategy one operator subtask uses. */
export interface EventTimeParts<T> {
  readonly assigner: TimestampAssigner<T>;
  readonly generator: WatermarkGenerator<T>;
  readonly alignment: WatermarkAlignmentParams;
}

/**
 * Instantiates a strategy's assigner and generator for one subtask. A strategy is this package's
 * WatermarkStrategy or any object with createWatermarkGenerator (createTimestampAssigner and
 * getAlignmentParameters optional, as Flink's interface defaults them).
 * @throws TypeError when `strategy` is not a strategy or makes no generator.
 */
export function createEventTimeParts<T>(strategy: unknown, metrics: MetricGroup, now: () => number): EventTimeParts<T> {
  if (!isWatermarkStrategy(strategy)) throw new TypeError(`Not a WatermarkStrategy: ${String(strategy)} (use WatermarkStrategy.forBoundedOutOfOrderness(...), forMonotonousTimestamps(), forGenerator(...) or noWatermarks())`);
  const s = strategy as unknown as {
    createWatermarkGenerator(ctx: unknown): WatermarkGenerator<T>;
    createTimestampAssigner?: (ctx: unknown) => TimestampAssigner<T>;
    getAlignmentParameters?: () => WatermarkAlignmentParams;
  };
  const clock: RelativeClock = { relativeTimeMillis: now, relativeTimeNanos: () => now() * 1e6 };
  const generator = s.createWatermarkGenerator({ getMetricGroup: () => metrics, getInputActivityClock: () => clock });
  if (typeof generator !== 'object' || generator === null) throw new TypeError(`The watermark strategy made no WatermarkGenerator (got ${String(generator)}): createWatermarkGenerator / forGenerator must return an object with onEvent and onPeriodicEmit`);
  const assigner = typeof s.createTimestampAssigner === 'function' ? s.createTimestampAssigner({ getMetricGroup: () => metrics }) : new RecordTimestampAssigner<T>();
  const alignment = typeof s.getAlignmentParameters === 'function' ? s.getAlignmentParameters() : WatermarkAlignmentParams.WATERMARK_ALIGNMENT_DISABLED;
  return { assigner, generator: withDefaults(generator), alignment };
}

/** A generator whose missing hooks do nothing (a punctuated generator written without onPeriodicEmit). */
function withDefaults<T>(g: WatermarkGenerator<T>): WatermarkGenerator<T> {
  if (typeof g.onEvent === 'function' && typeof g.onPeriodicEmit === 'function') return g;
  return {
    onEvent: typeof g.onEvent === 'function' ? (e, ts, out) => g.onEvent(e, ts, out) : () => {},
    onPeriodicEmit: typeof g.onPeriodicEmit === 'function' ? (out) => g.onPeriodicEmit(out) : () => {},
  };
}

/**
 * The record's timestamp from the assigner. Throws MF_ERR_INVALID_ARGUMENT (failing the task) when
 * the assigner returns something that is not a number, naming the record.
 */
export function extractTimestamp<T>(assigner: TimestampAssigner<T>, record: T, recordTimestamp: number): number {
  const ts = assigner.extractTimestamp(record, recordTimestamp);
  if (typeof ts !== 'number' || Number.isNaN(ts)) {
    let shown: string;
    try {
      shown = JSON.stringify(record)?.slice(0, 200) ?? String(record);
    } catch {
      shown = String(record);
    }
    throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The timestamp assigner returned ${String(ts)} for the record ${shown}: a timestamp must be a number of milliseconds`);
  }
  return ts;
}
