/**
 * A custom window operator ("Stream Processing with Apache Flink", chapter 6, CustomWindow): a
 * custom assigner (ThirtySecondsWindows: tumbling 30-second event-time windows), a custom trigger
 * (OneSecondIntervalTrigger: fires early every second of event time, and finally at the window's
 * end, keeping a `firstSeen` flag in per-window state) and a ProcessWindowFunction counting the
 * readings: [id, window end, watermark at evaluation, count].
 *   npx miniflink run -t local -p 2 examples/custom-window.ts
 */
import {
  ProcessWindowFunction,
  StreamExecutionEnvironment,
  TimeWindow,
  Trigger,
  TriggerResult,
  ValueStateDescriptor,
  WindowAssigner,
  EventTimeTrigger,
  type Collector,
  type ProcessWindowContext,
  type TriggerContext,
  type ValueState,
} from 'miniflink';
import type { SensorReading } from './sensors.js';
import { EXAMPLE_SETTINGS, TimedSensorSource } from './timed-sensors.js';

/** The book's ThirtySecondsWindows: each reading in the 30-second window holding its timestamp. */
export class ThirtySecondsWindows extends WindowAssigner<unknown, TimeWindow> {
  private readonly windowSize = 30_000;
  assignWindows(_o: unknown, ts: number): TimeWindow[] {
    const startTime = ts - (ts % this.windowSize);
    return [new TimeWindow(startTime, startTime + this.windowSize)];
  }
  getDefaultTrigger(): EventTimeTrigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  override toString(): string {
    return 'ThirtySecondsWindows()';
  }
}

/** The book's OneSecondIntervalTrigger: early firings every second, a final one at the window's end. */
export class OneSecondIntervalTrigger extends Trigger<SensorReading, TimeWindow> {
  private readonly firstSeenDesc = new ValueStateDescriptor<boolean>('firstSeen');
  onElement(_r: SensorReading, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const firstSeen = ctx.getPartitionedState<ValueState<boolean>>(this.firstSeenDesc);
    // Register the first timers only for the window's first element.
    if (!firstSeen.value()) {
      // The next early firing: the watermark rounded up to the next second.
      const t = ctx.getCurrentWatermark() + (1000 - (ctx.getCurrentWatermark() % 1000));
      ctx.registerEventTimeTimer(t);
      // And one for the window's end.
      ctx.registerEventTimeTimer(window.getEnd());
      firstSeen.update(true);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    // Final evaluation, and purge the window's contents.
    if (timestamp === window.getEnd()) return TriggerResult.FIRE_AND_PURGE;
    // Register the next early firing, and evaluate the window now.
    const t = ctx.getCurrentWatermark() + (1000 - (ctx.getCurrentWatermark() % 1000));
    if (t < window.getEnd()) ctx.registerEventTimeTimer(t);
    return TriggerResult.FIRE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    ctx.getPartitionedState<ValueState<boolean>>(this.firstSeenDesc).clear();
  }
}

/** The book's CountFunction: the number of readings of a window, with when it was evaluated. */
export class CountFunction extends ProcessWindowFunction<SensorReading, [string, number, number, number], string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, readings: Iterable<SensorReading>, out: Collector<[string, number, number, number]>): void {
    out.collect([key, ctx.window().getEnd(), ctx.currentWatermark(), [...readings].length]);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);
env
  .addSource(new TimedSensorSource(EXAMPLE_SETTINGS.customWindow))
  .uid('sensors')
  .keyBy((r) => r.id)
  .window(new ThirtySecondsWindows())
  .trigger(new OneSecondIntervalTrigger())
  .process(new CountFunction())
  .print();
await env.execute('Custom window');
