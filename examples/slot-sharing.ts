/**
 * The book's slot-sharing example (Stream Processing with Apache Flink, chapter 10, "Defining
 * slot-sharing groups"), with its CoProcessFunction made concrete:
 *
 *   a  readings source, parallelism 4           slot-sharing group "green"
 *   b  map: Fahrenheit to Celsius, 4            "green" (inherited from a)
 *   c  thresholds source, parallelism 2         "yellow"
 *   d  b.connect(c.broadcast()).process(...), 4 "blue"
 *   e  sink, parallelism 2                      "blue" (inherited from d)
 *
 * Each group needs as many slots as its widest operator: green 4 + yellow 2 + blue 4 = 10 slots
 * (the book's figure 10-2), where one default group would need 4. `c.broadcast()` sends every
 * threshold to all four subtasks of d; d's CoProcessFunction keeps them, holds the readings until
 * every threshold subtask has said it is done, then emits each reading above its sensor's
 * threshold. Printed as `sensor_<n> <celsius> > <threshold>`.
 *   npx miniflink run -t local examples/slot-sharing.ts [readings per sensor, default 50]
 */
import { CoProcessFunction, RichParallelSourceFunction, StreamExecutionEnvironment, type Collector, type ProcessContext, type SourceContext } from 'miniflink';
import { fahrenheitOf, SENSORS, THRESHOLD_SUBTASKS, thresholdOf, toCelsius, type CelsiusReading, type Reading, type Threshold } from './slot-sharing-data.js';

/** Each subtask reads its share of the sensors. */
class Readings extends RichParallelSourceFunction<Reading> {
  constructor(private readonly perSensor: number) {
    super();
  }
  async run(ctx: SourceContext<Reading>): Promise<void> {
    const rc = this.getRuntimeContext();
    for (let s = rc.getIndexOfThisSubtask(); s < SENSORS; s += rc.getNumberOfParallelSubtasks()) {
      for (let i = 0; i < this.perSensor; i++) await ctx.collect({ sensor: `sensor_${s}`, fahrenheit: fahrenheitOf(s, i) });
    }
  }
  cancel(): void {}
}

/** Each subtask sends the thresholds of its share of the sensors, then that it is done. */
class Thresholds extends RichParallelSourceFunction<Threshold> {
  async run(ctx: SourceContext<Threshold>): Promise<void> {
    const rc = this.getRuntimeContext();
    for (let s = rc.getIndexOfThisSubtask(); s < SENSORS; s += rc.getNumberOfParallelSubtasks()) await ctx.collect({ sensor: `sensor_${s}`, celsius: thresholdOf(s) });
    await ctx.collect({ done: true });
  }
  cancel(): void {}
}

/** d: readings on input 1, broadcast thresholds on input 2. */
export class ThresholdAlerts extends CoProcessFunction<CelsiusReading, Threshold, string> {
  private readonly thresholds = new Map<string, number>();
  private waiting: CelsiusReading[] = [];
  private done = 0;
  processElement1(r: CelsiusReading, _ctx: ProcessContext, out: Collector<string>): void {
    if (this.done < THRESHOLD_SUBTASKS) this.waiting.push(r);
    else this.check(r, out);
  }
  processElement2(t: Threshold, _ctx: ProcessContext, out: Collector<string>): void {
    if ('done' in t) {
      if (++this.done === THRESHOLD_SUBTASKS) {
        for (const r of this.waiting) this.check(r, out);
        this.waiting = [];
      }
    } else this.thresholds.set(t.sensor, t.celsius);
  }
  private check(r: CelsiusReading, out: Collector<string>): void {
    const limit = this.thresholds.get(r.sensor);
    if (limit !== undefined && r.celsius > limit) out.collect(`${r.sensor} ${r.celsius} > ${limit}`);
  }
}

const perSensor = Number(process.argv[2] ?? 50);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
// slot-sharing group "green"
const a = env.addSource(new Readings(perSensor), 'readings').slotSharingGroup('green').setParallelism(4);
// slot-sharing group "green" is inherited from a
const b = a.map((r): CelsiusReading => ({ sensor: r.sensor, celsius: toCelsius(r.fahrenheit) })).name('to Celsius').setParallelism(4);
// slot-sharing group "yellow"
const c = env.addSource(new Thresholds(), 'thresholds').slotSharingGroup('yellow').setParallelism(THRESHOLD_SUBTASKS);
// slot-sharing group "blue"
const d = b.connect(c.broadcast()).process(new ThresholdAlerts()).name('alerts').slotSharingGroup('blue').setParallelism(4);
// slot-sharing group "blue" is inherited from d
d.print().setParallelism(2);
await env.execute('Slot-sharing groups (chapter 10)');
