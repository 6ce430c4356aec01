/**
 * Timers, state TTL, ReducingState and AggregatingState in a KeyedProcessFunction.
 * The source sends two rounds of events with a pause between them (longer than the TTL, and long
 * enough for processing-time timers to fire).
 */
import {
  AggregatingStateDescriptor,
  KeyedProcessFunction,
  ReducingStateDescriptor,
  RichSourceFunction,
  StateTtlConfig,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type AggregatingState,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type ReducingState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

type E = { key: string; v: number };

class TwoRounds extends RichSourceFunction<E> {
  async run(ctx: SourceContext<E>): Promise<void> {
    for (const round of [1, 2]) {
      for (const key of ['a', 'b']) for (let v = 1; v <= 3; v++) await ctx.collect({ key, v: v * round });
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }
  cancel(): void {}
}

class Logic extends KeyedProcessFunction<string, E, string> {
  private ttlCount!: ValueState<number>;
  private sum!: ReducingState<number>;
  private avg!: AggregatingState<number, number>;
  override open(): void {
    const rc = this.getRuntimeContext();
    const d = new ValueStateDescriptor<number>('ttl-count');
    d.enableTimeToLive(StateTtlConfig.newBuilder(200).build());
    this.ttlCount = rc.getState(d);
    this.sum = rc.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.avg = rc.getAggregatingState(
      new AggregatingStateDescriptor<number, [number, number], number>('avg', {
        createAccumulator: () => [0, 0],
        add: (v, [s, n]) => [s + v, n + 1],
        getResult: ([s, n]) => s / n,
        merge: ([a, b], [c, d2]) => [a + c, b + d2],
      }),
    );
  }
  processElement(e: E, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const c = (this.ttlCount.value() ?? 0) + 1;
    this.ttlCount.update(c);
    this.sum.add(e.v);
    this.avg.add(e.v);
    out.collect(`el:${e.key}:${e.v}:count=${c}:sum=${this.sum.get()}:avg=${this.avg.get()}`);
    const ts = ctx.timerService();
    if (e.v === 3) ts.registerProcessingTimeTimer(ts.currentProcessingTime() + 50);
    ts.registerEventTimeTimer(1000 + e.v);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer:${ctx.timeDomain()}:${ctx.getCurrentKey()}:${ctx.timeDomain() === 'EVENT_TIME' ? timestamp : 'now+50'}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const out = await env.addSource(new TwoRounds()).keyBy((e) => e.key).process(new Logic()).executeAndCollect('timers');
console.log(`RESULT ${JSON.stringify(out.sort())}`);
