/**
 * Window functions ("Stream Processing with Apache Flink", chapter 6, WindowFunctions): per sensor
 * and 15-second tumbling event-time window,
 *   min         the lowest temperature, with a ReduceFunction               [id, min]
 *   avg         the average temperature, with an AggregateFunction          [id, avg]
 *   highlow     lowest, highest and the window's end, with a ProcessWindowFunction
 *                                                                           [id, min, max, endTs]
 *   incremental the same, reduced incrementally (min and max as readings arrive) and finished by a
 *               ProcessWindowFunction that adds the window's end           [id, min, max, endTs]
 *   npx miniflink run -t local -p 2 examples/window-functions.ts highlow
 */
import { ProcessWindowFunction, StreamExecutionEnvironment, Time, TumblingEventTimeWindows, type AggregateFunction, type Collector, type ProcessWindowContext, type TimeWindow } from 'miniflink';
import type { SensorReading } from './sensors.js';
import { EXAMPLE_SETTINGS, TimedSensorSource } from './timed-sensors.js';

/** The book's AvgTempFunction: the average temperature of a window. */
export class AvgTempFunction implements AggregateFunction<[string, number], [string, number, number], [string, number]> {
  createAccumulator(): [string, number, number] {
    return ['', 0, 0];
  }
  add(r: [string, number], acc: [string, number, number]): [string, number, number] {
    return [r[0], acc[1] + r[1], acc[2] + 1];
  }
  getResult(acc: [string, number, number]): [string, number] {
    return [acc[0], Math.round((acc[1] / acc[2]) * 100) / 100];
  }
  merge(a: [string, number, number], b: [string, number, number]): [string, number, number] {
    return [a[0], a[1] + b[1], a[2] + b[2]];
  }
}

/** The book's HighAndLowTempProcessFunction: min and max of all readings of a window. */
export class HighAndLowTempProcessFunction extends ProcessWindowFunction<SensorReading, [string, number, number, number], string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, vals: Iterable<SensorReading>, out: Collector<[string, number, number, number]>): void {
    const temps = [...vals].map((r) => r.temperature);
    out.collect([key, Math.min(...temps), Math.max(...temps), ctx.window().getEnd()]);
  }
}

/** The book's AssignWindowEndProcessFunction: the incrementally reduced min and max, with the window's end. */
export class AssignWindowEndProcessFunction extends ProcessWindowFunction<[string, number, number], [string, number, number, number], string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, minMaxIt: Iterable<[string, number, number]>, out: Collector<[string, number, number, number]>): void {
    const [, min, max] = [...minMaxIt][0]!;
    out.collect([key, min, max, ctx.window().getEnd()]);
  }
}

const mode = process.argv[2] ?? 'highlow';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(1000);
const readings = env.addSource(new TimedSensorSource(EXAMPLE_SETTINGS.windowFunctions)).uid('sensors');
const windows = TumblingEventTimeWindows.of(Time.seconds(15));
if (mode === 'min') {
  readings
    .map((r): [string, number] => [r.id, r.temperature])
    .keyBy((r) => r[0])
    .window(windows)
    .reduce((r1, r2) => [r1[0], Math.min(r1[1], r2[1])])
    .print();
} else if (mode === 'avg') {
  readings
    .map((r): [string, number] => [r.id, r.temperature])
    .keyBy((r) => r[0])
    .window(windows)
    .aggregate(new AvgTempFunction())
    .print();
} else if (mode === 'highlow') {
  readings
    .keyBy((r) => r.id)
    .window(windows)
    .process(new HighAndLowTempProcessFunction())
    .print();
} else {
  readings
    .map((r): [string, number, number] => [r.id, r.temperature, r.temperature])
    .keyBy((r) => r[0])
    .window(windows)
    .reduce((r1, r2) => [r1[0], Math.min(r1[1], r2[1]), Math.max(r1[2], r2[2])], new AssignWindowEndProcessFunction())
    .print();
}
await env.execute(`Window functions: ${mode}`);
