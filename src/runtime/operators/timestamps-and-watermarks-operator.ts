/**
 * Flink's TimestampsAndWatermarksOperator (`stream.assignTimestampsAndWatermarks(strategy)`): gives
 * each record the timestamp the strategy's assigner extracts, runs the strategy's watermark
 * generator (onEvent per record, onPeriodicEmit every auto-watermark interval, in the task's
 * mailbox) and emits the watermarks that advance. Watermarks and idle/active statuses from
 * upstream are dropped, except the final watermark (Long.MAX_VALUE) at the end of a bounded input,
 * which goes on: this operator is where event time starts.
 */
import { MAX_WATERMARK } from '../../core/watermarks.js';
import { NO_TIMESTAMP, type TimestampAssigner, type WatermarkGenerator } from '../../api/index.js';
import { StreamOperator, type OperatorContext } from './stream-operator.js';
import { createEventTimeParts, extractTimestamp, PeriodicAction, WatermarkEmitter, type Scheduler } from './timestamps-and-watermarks.js';

/** Flink's TimestampsAndWatermarksOperator. */
export class TimestampsAndWatermarksOperator extends StreamOperator {
  private assigner!: TimestampAssigner<unknown>;
  private generator!: WatermarkGenerator<unknown>;
  private emitter!: WatermarkEmitter;
  private periodic: PeriodicAction | undefined;

  constructor(
    ctx: OperatorContext,
    /** The WatermarkStrategy. */
    private readonly strategy: unknown,
    /** pipeline.auto-watermark-interval in ms (0: no periodic emits). */
    private readonly autoWatermarkInterval: number,
    /** How the periodic emits are scheduled (tests pass a manual one). */
    private readonly schedule?: Scheduler,
  ) {
    super(ctx);
  }

  override open(): void {
    const parts = createEventTimeParts<unknown>(this.strategy, this.ctx.runtimeContext.getMetricGroup(), this.ctx.now);
    this.assigner = parts.assigner;
    this.generator = parts.generator;
    this.emitter = new WatermarkEmitter({ emitWatermark: (wm) => this.output.emitWatermark(wm), emitWatermarkStatus: (idle) => this.output.emitWatermarkStatus(idle) });
    this.periodic = new PeriodicAction(this.autoWatermarkInterval, () => this.generator.onPeriodicEmit(this.emitter), this.ctx.mailbox, this.schedule);
    this.periodic.start();
  }

  /** Assigns the timestamp, emits the record, then lets the generator see it (Flink's order). */
  processElement(record: unknown, timestamp?: number): void {
    const ts = extractTimestamp(this.assigner, record, timestamp ?? NO_TIMESTAMP);
    this.output.collect(record, ts);
    this.generator.onEvent(record, ts, this.emitter);
  }

  /** Upstream watermarks are dropped, but for the final one (the end of input), which goes on. */
  override processWatermark(watermark: number): void {
    if (watermark >= MAX_WATERMARK) this.emitter.emitWatermark(MAX_WATERMARK);
  }

  /** Upstream idle/active statuses are dropped: this operator's generator decides. */
  override processWatermarkStatus(_idle: boolean): void {}

  /** Flink's finish(): the periodic emits stop, and the generator emits once more. */
  override endInput(): void {
    this.periodic?.stop();
    this.generator.onPeriodicEmit(this.emitter);
  }

  override close(): void {
    this.periodic?.stop();
  }
}
