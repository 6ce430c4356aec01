/**
 * Connected streams (issue #15, first step), one job per mode, printing `RESULT <json>` of what it
 * collected:
 *   rides-fares  Flink training's "rides and fares": rides (ids 1..R, event time) and fares of every
 *                ride whose id is not a multiple of 10 -> keyBy(ride id, fare's ride id) -> a
 *                KeyedCoProcessFunction that keeps whichever comes first in ValueState and emits the
 *                pair when the other comes; an event-time timer per ride (beyond all the data) reports
 *                one whose fare never came (`unmatched <id>`) when the final watermark fires it
 *   comap        numbers and words -> connect -> a CoMapFunction object `{ map1, map2 }`
 *   coflatmap    numbers and words -> keyBy(n % 3, word length % 3) -> a RichCoFlatMapFunction
 *                counting per key across both inputs in keyed ValueState
 *   mixed-flatmap  numbers keyed by n % 3, connected with words not keyed: a RichCoFlatMapFunction
 *                counting the numbers per key in keyed ValueState, words passed on
 *   mixed-process  words not keyed, connected with numbers keyed by n % 3: a CoProcessFunction
 *                counting the numbers per key; a timer asked for by a word is refused (no timers)
 * Arguments: <mode> <parallelism>
 */
import {
  CoProcessFunction,
  KeyedCoProcessFunction,
  RichCoFlatMapFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
  type ValueState,
} from 'miniflink';

const [mode, p] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(p ?? 1));

interface Ride {
  id: number;
  ts: number;
}
interface Fare {
  rideId: number;
  fare: number;
  ts: number;
}

class EnrichRides extends KeyedCoProcessFunction<number, Ride, Fare, string> {
  private ride!: ValueState<Ride>;
  private fare!: ValueState<Fare>;
  override open(): void {
    this.ride = this.getRuntimeContext().getState(new ValueStateDescriptor<Ride>('ride'));
    this.fare = this.getRuntimeContext().getState(new ValueStateDescriptor<Fare>('fare'));
  }
  processElement1(ride: Ride, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const fare = this.fare.value();
    if (fare) {
      this.fare.clear();
      out.collect(`${ride.id} ${fare.fare}`);
    } else {
      this.ride.update(ride);
      ctx.timerService().registerEventTimeTimer(ride.ts + 1_000_000);
    }
  }
  processElement2(fare: Fare, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const ride = this.ride.value();
    if (ride) {
      this.ride.clear();
      ctx.timerService().deleteEventTimeTimer(ride.ts + 1_000_000);
      out.collect(`${ride.id} ${fare.fare}`);
    } else this.fare.update(fare);
  }
  override onTimer(_ts: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    if (this.ride.value()) {
      out.collect(`unmatched ${ctx.getCurrentKey()}`);
      this.ride.clear();
    }
  }
}

class CountBoth extends RichCoFlatMapFunction<number, string, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  private next(): number {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    return c;
  }
  flatMap1(n: number, out: Collector<string>): void {
    out.collect(`n${n % 3} ${this.next()}`);
  }
  flatMap2(w: string, out: Collector<string>): void {
    out.collect(`w${w.length % 3} ${this.next()}`);
  }
}

/** Counts the keyed side's records per key; the other side has no key of its own. */
class CountKeyedSide extends RichCoFlatMapFunction<number, string, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  flatMap1(n: number, out: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(`n${n % 3} ${c}`);
  }
  flatMap2(w: string, out: Collector<string>): void {
    out.collect(`w:${w}`);
  }
}

class CountSecond extends CoProcessFunction<string, number, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement1(w: string, ctx: ProcessContext, out: Collector<string>): void {
    try {
      ctx.timerService().registerEventTimeTimer(1);
      out.collect(`timer for ${w}`);
    } catch (e) {
      out.collect(`w:${w} ${(e as Error).message}`);
    }
  }
  processElement2(n: number, _ctx: ProcessContext, out: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(`n${n % 3} ${c}`);
  }
}

const R = 500;
const words = Array.from({ length: 60 }, (_, i) => 'x'.repeat(1 + (i % 7)));
let result: string[];
if (mode === 'rides-fares') {
  const rides = env
    .fromCollection(Array.from({ length: R }, (_, i): Ride => ({ id: i + 1, ts: (i + 1) * 10 })))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ride>().withTimestampAssigner((r) => r.ts));
  const fares = env
    .fromCollection(Array.from({ length: R }, (_, i): Fare => ({ rideId: R - i, fare: (R - i) * 2, ts: (i + 1) * 10 })).filter((f) => f.rideId % 10 !== 0))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Fare>().withTimestampAssigner((f) => f.ts));
  result = await rides
    .connect(fares)
    .keyBy(
      (r) => r.id,
      (f) => f.rideId,
    )
    .process(new EnrichRides())
    .executeAndCollect('rides and fares');
} else if (mode === 'comap') {
  result = await env
    .fromSequence(1, 100)
    .connect(env.fromCollection(words))
    .map({ map1: (n: number) => `n:${n}`, map2: (w: string) => `w:${w}` })
    .executeAndCollect('comap');
} else if (mode === 'mixed-flatmap') {
  result = await env
    .fromSequence(1, 100)
    .keyBy((n) => n % 3)
    .connect(env.fromCollection(words))
    .flatMap(new CountKeyedSide())
    .executeAndCollect('mixed-flatmap');
} else if (mode === 'mixed-process') {
  result = await env
    .fromCollection(words)
    .connect(env.fromSequence(1, 100).keyBy((n) => n % 3))
    .process(new CountSecond())
    .executeAndCollect('mixed-process');
} else {
  result = await env
    .fromSequence(1, 100)
    .connect(env.fromCollection(words))
    .keyBy(
      (n) => n % 3,
      (w) => w.length % 3,
    )
    .flatMap(new CountBoth())
    .executeAndCollect('coflatmap');
}
console.log(`RESULT ${JSON.stringify(result)}`);
