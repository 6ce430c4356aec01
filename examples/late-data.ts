/**
 * Late readings ("Stream Processing with Apache Flink", chapter 6, LateDataHandling): 10-second
 * tumbling event-time windows counting each sensor's readings, over readings of which some arrive
 * late.
 *   side    late readings go to a side output (sideOutputLateData), printed apart:
 *           [id, window end, count] and `late: {reading}`
 *   update  late readings within 5 seconds of allowed lateness update the window: the first result
 *           says `first`, each later one `update` (a flag in per-window state, windowState()):
 *           [id, window end, count, first|update]
 *   npx miniflink run -t local -p 2 examples/late-data.ts side
 */
import { OutputTag, ProcessWindowFunction, StreamExecutionEnvironment, Time, TumblingEventTimeWindows, ValueStateDescriptor, type Collector, type ProcessWindowContext, type TimeWindow } from 'miniflink';
import type { SensorReading } from './sensors.js';
import { EXAMPLE_SETTINGS, TimedSensorSource } from './timed-sensors.js';

/** The book's CountFunction: the number of readings of a window. */
export class CountFunction extends ProcessWindowFunction<SensorReading, [string, number, number], string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, readings: Iterable<SensorReading>, out: Collector<[string, number, number]>): void {
    out.collect([key, ctx.window().getEnd(), [...readings].length]);
  }
}

/** The book's UpdatingWindowCountFunction: a first count, then updates while late readings come. */
export class UpdatingWindowCountFunction extends ProcessWindowFunction<SensorReading, [string, number, number, string], string, TimeWindow> {
  process(id: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<SensorReading>, out: Collector<[string, number, number, string]>): void {
    const cnt = [...elements].length;
    // Per-window state: whether this window was evaluated before.
    const isUpdate = ctx.windowState().getState(new ValueStateDescriptor<boolean>('isUpdate'));
    if (!isUpdate.value()) {
      out.collect([id, ctx.window().getEnd(), cnt, 'first']);
      isUpdate.update(true);
    } else {
      out.collect([id, ctx.window().getEnd(), cnt, 'update']);
    }
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    ctx.windowState().getState(new ValueStateDescriptor<boolean>('isUpdate')).clear();
  }
}

const mode = process.argv[2] ?? 'side';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);
const readings = env.addSource(new TimedSensorSource(EXAMPLE_SETTINGS.lateData)).uid('sensors');
const windowed = readings.keyBy((r) => r.id).window(TumblingEventTimeWindows.of(Time.seconds(10)));
if (mode === 'side') {
  const lateReadingsOutput = new OutputTag<SensorReading>('late-readings');
  const counts = windowed.sideOutputLateData(lateReadingsOutput).process(new CountFunction());
  counts.getSideOutput(lateReadingsOutput).map((r) => `late: ${JSON.stringify(r)}`).print();
  counts.print();
} else {
  windowed.allowedLateness(Time.seconds(5)).process(new UpdatingWindowCountFunction()).print();
}
await env.execute(`Late data: ${mode}`);
