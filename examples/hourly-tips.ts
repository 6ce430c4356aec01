/**
 * Hourly tips (Flink training, "hourly-tips"): the total tips of each driver, hour by hour, then
 * the driver with the highest total in each hour, as `[end of the hour, driverId, total]` (the
 * training's Tuple3 of the window's end, the driver and the sum).
 *
 * Event time comes from the fares' start times, assigned inside the source (env.fromSource with
 * forMonotonousTimestamps: fares arrive in order). The hourly windows are built as the training's
 * "PseudoWindow" solution does, with a KeyedProcessFunction and event-time timers: each driver's
 * sums per hour sit in MapState keyed by the hour's last millisecond, where a timer fires once the
 * watermark passes it. The hourly maximum is a second keyed step (by hour) with a timer at the same
 * time: the per-driver totals of an hour all arrive before the watermark that fires it. On a tie
 * the lower driverId wins (Flink's windowAll(...).maxBy(2) keeps whichever came first).
 *   npx miniflink run -t local -p 2 examples/hourly-tips.ts [rides, default 10000] [ms to sleep per event, default 0]
 */
import {
  KeyedProcessFunction,
  MapStateDescriptor,
  StreamExecutionEnvironment,
  Time,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type MapState,
  type OnTimerContext,
  type ValueState,
} from 'miniflink';
import { TaxiFareGenerator, type TaxiFare } from './taxi-data.js';

/** `[end of the hour (exclusive, as TimeWindow.getEnd()), driverId, sum of tips]`. */
export type HourlyTip = [number, number, number];

/** Sums each driver's tips per hour of event time; emits each hour's sum when the watermark passes the hour. */
export class PseudoWindow extends KeyedProcessFunction<number, TaxiFare, HourlyTip> {
  /** Sums of the driver's tips, by the last millisecond of their hour. */
  private sumOfTips!: MapState<number, number>;
  constructor(private readonly durationMsec: number) {
    super();
  }
  override open(): void {
    this.sumOfTips = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, number>('sumOfTips'));
  }
  processElement(fare: TaxiFare, ctx: KeyedProcessContext<number>): void {
    const eventTime = fare.startTime;
    const timerService = ctx.timerService();
    if (eventTime <= timerService.currentWatermark()) return; // Late: its hour has been emitted.
    // The last millisecond of the hour the fare belongs to.
    const endOfWindow = eventTime - (eventTime % this.durationMsec) + this.durationMsec - 1;
    timerService.registerEventTimeTimer(endOfWindow);
    this.sumOfTips.put(endOfWindow, (this.sumOfTips.get(endOfWindow) ?? 0) + fare.tip);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<HourlyTip>): void {
    out.collect([timestamp + 1, ctx.getCurrentKey(), this.sumOfTips.get(timestamp) ?? 0]);
    this.sumOfTips.remove(timestamp);
  }
}

/** Keeps the highest total of an hour (keyed by the hour); emits it when the watermark passes the hour. */
export class MaxOfHour extends KeyedProcessFunction<number, HourlyTip, HourlyTip> {
  private best!: ValueState<HourlyTip>;
  override open(): void {
    this.best = this.getRuntimeContext().getState(new ValueStateDescriptor<HourlyTip>('best'));
  }
  processElement(tip: HourlyTip, ctx: KeyedProcessContext<number>): void {
    const best = this.best.value();
    if (best === null || tip[2] > best[2] || (tip[2] === best[2] && tip[1] < best[1])) this.best.update(tip);
    // The per-driver totals carry the hour's last millisecond as their timestamp.
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
  }
  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<HourlyTip>): void {
    out.collect(this.best.value()!);
    this.best.clear();
  }
}

const rides = Number(process.argv[2] ?? 10_000);
const sleepMillisPerEvent = Number(process.argv[3] ?? 0);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const hour = Time.hours(1).toMilliseconds();
env
  .fromSource(new TaxiFareGenerator(rides, sleepMillisPerEvent), WatermarkStrategy.forMonotonousTimestamps<TaxiFare>().withTimestampAssigner((fare) => fare.startTime), 'Taxi Fares')
  .uid('fares')
  .keyBy((fare) => fare.driverId)
  .process(new PseudoWindow(hour))
  .uid('hourly-tips')
  .keyBy((tip) => tip[0])
  .process(new MaxOfHour())
  .uid('hourly-max')
  .print();
await env.execute('Hourly Tips');
