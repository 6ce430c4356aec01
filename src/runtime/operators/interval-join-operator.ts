/**
 * Flink's IntervalJoinOperator: both inputs keyed by the same key; a left record at `t` matches the
 * right records of its key at `[t + lower, t + upper]` (bounds inclusive: the API moved exclusive
 * ones by 1 ms), a right record at `t` the left ones at `[t - upper, t - lower]`.
 *
 *   record of one side at t:
 *     t behind the watermark      → late: the side's late-data output, or dropped (numLateRecordsDropped)
 *     else                        → into this side's buffer (keyed MapState: timestamp → records),
 *                                   joined with every buffered record of the other side in range
 *                                   (the output carries max(left ts, right ts)),
 *                                   and a cleanup timer at the time it can no longer match
 *   cleanup timer at T (namespace CLEANUP_LEFT / CLEANUP_RIGHT, timer service
 *   `IntervalJoinCleanupTimers`) → removes the buffered records of the timestamp it was set for
 *
 * As in Flink, a left record waits until the watermark passes `t + upper` (`t` when upper <= 0), a
 * right one until it passes `t - lower` (`t` when lower >= 0): after that no record of the other
 * side that is not late can match it. Buffers and timers are keyed state, so they are
 * checkpointed, restored and rescaled with the key groups.
 */
import { MapStateDescriptor, toCallable, type Collector, type MapState, type OutputTag, type ProcessJoinContext } from '../../api/index.js';
import { checkState, MiniFlinkError } from '../../core/errors.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import type { AbstractKeyedStateBackend, InternalTimer } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore } from './stream-operator.js';
import { TimerService } from './timer-service.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';

const CLEANUP_LEFT = 'CLEANUP_LEFT';
const CLEANUP_RIGHT = 'CLEANUP_RIGHT';

/** What the operator needs from the `intervalJoin` spec. */
export interface IntervalJoinSpec {
  readonly fn: unknown;
  readonly keySelector1: unknown;
  readonly keySelector2: unknown;
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly leftLateTag: OutputTag<unknown> | undefined;
  readonly rightLateTag: OutputTag<unknown> | undefined;
}

/** Flink's IntervalJoinOperator. */
export class IntervalJoinOperator extends StreamOperator {
  private readonly backend: AbstractKeyedStateBackend;
  private readonly key1: (v: unknown) => unknown;
  private readonly key2: (v: unknown) => unknown;
  private readonly lower: number;
  private readonly upper: number;
  private readonly call: (left: unknown, right: unknown, ctx: ProcessJoinContext, out: Collector<unknown>) => unknown;
  private readonly timers: TimerService;
  private leftBuffer!: MapState<number, unknown[]>;
  private rightBuffer!: MapState<number, unknown[]>;
  private readonly lateDropped: { inc(n?: number): void };
  /** The pair being joined. */
  private leftTs = 0;
  private rightTs = 0;
  private readonly context: ProcessJoinContext;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, Math.max(this.leftTs, this.rightTs)) };

  constructor(
    ctx: OperatorContext,
    private readonly spec: IntervalJoinSpec,
  ) {
    super(ctx);
    checkState(ctx.keyedBackend !== undefined, 'An interval join needs a keyed state backend');
    this.backend = ctx.keyedBackend;
    this.userFunction = spec.fn;
    this.keyedInput = true;
    this.key1 = toCallable(spec.keySelector1, 'getKey', 'key selector');
    this.key2 = toCallable(spec.keySelector2, 'getKey', 'key selector');
    this.lower = spec.lowerBound;
    this.upper = spec.upperBound;
    this.call = toCallable(spec.fn, 'processElement', 'ProcessJoinFunction');
    this.timers = new TimerService(ctx.now, (t) => this.onTimer(t), ctx.mailbox, this.backend, 'IntervalJoinCleanupTimers');
    this.lateDropped = ctx.runtimeContext.getMetricGroup().counter('numLateRecordsDropped');
    this.context = {
      getLeftTimestamp: () => this.leftTs,
      getRightTimestamp: () => this.rightTs,
      getTimestamp: () => Math.max(this.leftTs, this.rightTs),
      output: (tag, value) => this.output.collectSide(tag as OutputTag<unknown>, value, Math.max(this.leftTs, this.rightTs)),
    };
  }

  /** Restored cleanup timers fire once state is back. */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore, index, parallelism);
    this.timers.start();
  }

  override open(): Promise<void> {
    this.leftBuffer = this.backend.getMapState(new MapStateDescriptor<number, unknown[]>('LEFT_BUFFER'));
    this.rightBuffer = this.backend.getMapState(new MapStateDescriptor<number, unknown[]>('RIGHT_BUFFER'));
    return openUserFunction(this.spec.fn, this.ctx.runtimeContext);
  }

  processElement(record: unknown, timestamp?: number): void {
    this.backend.setCurrentKey(this.key1(record));
    this.join(record, timestamp, true);
  }

  override processElement2(record: unknown, timestamp?: number): void {
    this.backend.setCurrentKey(this.key2(record));
    this.join(record, timestamp, false);
  }

  private join(record: unknown, ts: number | undefined, isLeft: boolean): void {
    // No timestamp, or Long.MIN_VALUE (what a strategy without a timestamp assigner gives a record that has none): Flink fails too.
    if (ts === undefined || ts === MIN_WATERMARK) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_PROGRAM',
        `Elements used in interval stream joins need to have meaningful timestamps: a record of the ${isLeft ? 'left' : 'right'} input has ${ts === undefined ? 'none' : 'the timestamp Long.MIN_VALUE'} (assign them with assignTimestampsAndWatermarks or a source's WatermarkStrategy with a timestamp assigner)`,
      );
    }
    const watermark = this.timers.watermark;
    if (watermark !== MIN_WATERMARK && ts < watermark) {
      const tag = isLeft ? this.spec.leftLateTag : this.spec.rightLateTag;
      if (tag !== undefined) this.output.collectSide(tag, record, ts);
      else this.lateDropped.inc();
      return;
    }
    const ours = isLeft ? this.leftBuffer : this.rightBuffer;
    const bucket = ours.get(ts);
    ours.put(ts, bucket === undefined ? [record] : [...bucket, record]);
    // The pairs whose right timestamp minus left timestamp lies in [lower, upper], computed the
    // same way whichever record came second (with fractional timestamps, ts + lower and
    // ts - upper round differently, and a pair would match in one order only).
    for (const [otherTs, others] of (isLeft ? this.rightBuffer : this.leftBuffer).entries()) {
      const d = isLeft ? otherTs - ts : ts - otherTs;
      if (d < this.lower || d > this.upper) continue;
      for (const other of others) {
        if (isLeft) this.emit(record, other, ts, otherTs);
        else this.emit(other, record, otherTs, ts);
      }
    }
    this.timers.register('EVENT_TIME', this.backend.getCurrentKey(), ts + this.reach(isLeft), isLeft ? CLEANUP_LEFT : CLEANUP_RIGHT);
  }

  /**
   * How long after a record's timestamp a record of the other side that is not late can still
   * match it: its buffer's cleanup timer is at `ts + reach`.
   */
  private reach(isLeft: boolean): number {
    const relativeUpper = isLeft ? this.upper : -this.lower;
    return relativeUpper > 0 ? relativeUpper : 0;
  }

  private emit(left: unknown, right: unknown, leftTs: number, rightTs: number): void {
    this.leftTs = leftTs;
    this.rightTs = rightTs;
    const r = this.call(left, right, this.context, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.spec.fn, 'processElement', 'ProcessJoinFunction'));
  }

  /**
   * A cleanup timer: the buffered records of the timestamp it was registered for go. With a
   * fractional timestamp, (ts + upper) - upper may not give ts back: then every buffered timestamp
   * whose cleanup time has come goes.
   */
  private onTimer(t: InternalTimer): void {
    const isLeft = t.namespace === CLEANUP_LEFT;
    if (!isLeft && t.namespace !== CLEANUP_RIGHT) return;
    const buffer = isLeft ? this.leftBuffer : this.rightBuffer;
    const reach = this.reach(isLeft);
    const ts = t.timestamp - reach;
    if (buffer.contains(ts)) {
      buffer.remove(ts);
      return;
    }
    for (const k of [...buffer.keys()]) if (k + reach <= t.timestamp) buffer.remove(k);
  }

  /** Cleanup timers the watermark passed fire, then the watermark goes on. */
  override processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }

  /** The end of input: the final watermark clears every buffer. */
  override endInput(): void {
    this.timers.endOfInput();
  }

  override close(): Promise<void> {
    this.timers.quiesce();
    return closeUserFunction(this.spec.fn);
  }
}
