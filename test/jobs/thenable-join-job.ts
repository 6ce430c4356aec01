// For the joins test: records of a class with its own then() method (a fluent builder: a record,
// not a promise) out of a window join (JoinFunction and FlatJoinFunction) and a coGroup. Prints
// the collected names.
import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy, type Collector } from 'miniflink';

export class Step {
  constructor(public readonly name: string) {}
  then(next: string): Step {
    return new Step(`${this.name}>${next}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
const events = () => env.fromElements(1, 2, 3).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x));
const key = (x: number) => x % 2;
const window = TumblingEventTimeWindows.of(100);
const joined = events().join(events()).where(key).equalTo(key).window(window).apply((l: number, r: number) => new Step(`j${l}-${r}`));
const flat = events()
  .join(events())
  .where(key)
  .equalTo(key)
  .window(window)
  .apply({ join: (l: number, r: number, out: Collector<Step>) => out.collect(new Step(`f${l}-${r}`)) });
const grouped = events()
  .coGroup(events())
  .where(key)
  .equalTo(key)
  .window(window)
  .apply({ coGroup: (l: Iterable<number>, r: Iterable<number>, out: Collector<Step>) => out.collect(new Step(`g${[...l]}|${[...r]}`)) });
const names = await joined.union(flat, grouped).map((s: Step) => s.name).executeAndCollect();
console.log(`names ${JSON.stringify(names.sort())}`);
