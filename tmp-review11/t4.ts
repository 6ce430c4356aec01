import { StreamExecutionEnvironment, TumblingEventTimeWindows, EventTimeSessionWindows, ProcessWindowFunction, ProcessAllWindowFunction, ValueStateDescriptor, OutputTag, RichParallelSourceFunction, Watermark, CountTrigger, PurgingTrigger, CountEvictor, type SourceContext } from 'miniflink';
import { Script, e, W, S, sleep, type Ev } from './lib.js';
const mode = process.argv[2];
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
const side = new OutputTag<string>('side');
class Pwf extends ProcessWindowFunction<Ev, string, string, any> {
  process(k: string, ctx: any, els: Iterable<Ev>, out: any) {
    const st = ctx.windowState().getState(new ValueStateDescriptor<number>('fires'));
    const n = (st.value() ?? 0) + 1; st.update(n);
    const g = ctx.globalState().getState(new ValueStateDescriptor<number>('g'));
    g.update((g.value() ?? 0) + 1);
    out.collect(`F ${ctx.window().getStart()} fire#${n} global#${g.value()} n=${[...els].length}`);
    ctx.output(side, `side ${ctx.window().getStart()}`);
  }
  override clear(ctx: any) { const st = ctx.windowState().getState(new ValueStateDescriptor<number>('fires')); ctx.output(side, `clear ${ctx.window().getStart()} had=${st.value()}`); st.clear(); }
}
if (mode === 'pwf') {
  const w = env.addSource(new Script([e('a',1,1), W(9), e('a',1,2), e('a',1,3), W(30), e('a',1,12), W(100)])).keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(10)).allowedLateness(10).process(new Pwf());
  w.print();
  w.getSideOutput(side).process({ processElement: (v: string, ctx: any, out: any) => out.collect(`${v} ts=${ctx.timestamp()}`) } as any).print();
} else if (mode === 'pwfsession') {
  const w = env.addSource(new Script([e('a',1,1), e('a',1,20), e('a',1,12), W(100)])).keyBy((x) => x.k)
    .window(EventTimeSessionWindows.withGap(10)).process(new Pwf());
  w.print();
  w.getSideOutput(side).print();
} else if (mode === 'all') {
  class Par extends RichParallelSourceFunction<Ev> {
    async run(ctx: SourceContext<Ev>) {
      const i = this.getRuntimeContext().getIndexOfThisSubtask();
      for (let t = i; t < 40; t += 2) await ctx.collectWithTimestamp({ k: 'k' + (t % 3), v: t, t }, t);
      ctx.emitWatermark(new Watermark(39));
      await sleep(200);
    }
    cancel() {}
  }
  env.setParallelism(2);
  env.addSource(new Par()).windowAll(TumblingEventTimeWindows.of(10)).process(new (class extends ProcessAllWindowFunction<Ev, string, any> {
    process(ctx: any, els: Iterable<Ev>, out: any) { const a = [...els].map((x) => x.v).sort((x, y) => x - y); out.collect(`A ${ctx.window().getStart()} n=${a.length} sum=${a.reduce((x, y) => x + y, 0)} wm=${ctx.currentWatermark()}`); }
  })()).print();
} else if (mode === 'purgecount') {
  env.addSource(new Script([e('a',1,1), e('a',2,2), e('a',3,3), e('a',4,4), e('a',5,5), W(100)])).keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(100)).trigger(PurgingTrigger.of(CountTrigger.of(2))).apply((k: string, w: any, els: Iterable<Ev>, out: any) => out.collect(`PC ${[...els].map((x) => x.v)}`)).print();
  env.addSource(new Script([e('a',1,1), e('a',2,2), e('a',3,3), e('a',4,4), e('a',5,5), W(100)])).keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(100)).evictor(CountEvictor.of(2, true)).apply((k: string, w: any, els: Iterable<Ev>, out: any) => out.collect(`EA ${[...els].map((x) => x.v)}`)).print();
  env.addSource(new Script([e('a',1,1), e('a',2,2), e('a',3,3), W(9), e('a',4,4), e('a',5,5), W(100)])).keyBy((x) => x.k)
    .window(TumblingEventTimeWindows.of(10)).allowedLateness(50).evictor(CountEvictor.of(1, true)).apply((k: string, w: any, els: Iterable<Ev>, out: any) => out.collect(`EB ${[...els].map((x) => x.v)}`)).print();
  env.addSource(new Script([e('a',1,1), e('a',2,12), e('a',3,6), e('a',4,30), W(100)])).keyBy((x) => x.k)
    .window(EventTimeSessionWindows.withGap(10)).evictor(CountEvictor.of(2)).reduce((a: Ev, b: Ev) => ({ ...a, v: a.v * 10 + b.v })).map((x: Ev) => `ES ${x.v}`).print();
}
await env.execute('t4');
