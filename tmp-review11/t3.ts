import { StreamExecutionEnvironment, TumblingEventTimeWindows, TumblingProcessingTimeWindows, KeyedProcessFunction, WatermarkStrategy, Watermark } from 'miniflink';
import { Script, e, W, S, type Ev } from './lib.js';
const mode = process.argv[2];
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
const fmt = (tag: string) => (k: string, w: any, els: Iterable<Ev>, out: any) => { const a = [...els]; out.collect(`${tag} ${w.getStart()}..${w.getEnd()} n=${a.length} [${a.map((x) => x.t).join(',')}]`); };
const trace = (tag: string) => new (class extends KeyedProcessFunction<string, Ev, string> {
  processElement(x: Ev, ctx: any, out: any) { out.collect(`${tag} E ${x.t} ts=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()}`); }
})();
if (mode === 'nots') {
  env.addSource(new Script([e('a',1,1), { nots: true, k: 'a', v: 1 }, W(100)])).map((x) => x).keyBy((x) => x.k).window(TumblingEventTimeWindows.of(10)).apply(fmt('X')).print();
} else if (mode === 'nots2') {
  // no timestamp at all: plain collect
  env.fromElements({ k: 'a', v: 1, t: 1 }).keyBy((x) => x.k).window(TumblingEventTimeWindows.of(10)).apply(fmt('X')).print();
} else if (mode === 'union') {
  const a = env.addSource(new Script([e('a',1,20), W(100), S(300), e('a',1,90), W(200)]));
  const b = env.addSource(new Script([S(100), e('b',1,5), W(10), S(500), W(60)]));
  const u = a.union(b).keyBy((x) => 'k');
  u.process(trace('U')).print();
  u.window(TumblingEventTimeWindows.of(50)).apply(fmt('UW')).print();
} else if (mode === 'back') {
  const s = env.fromElements<Ev>({ k: 'a', v: 1, t: 10 }, { k: 'a', v: 1, t: 5 }, { k: 'a', v: 1, t: 20 }, { k: 'a', v: 1, t: 15 })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator<Ev>(() => ({ onEvent: (x: Ev, ts: number, out: any) => out.emitWatermark(new Watermark(x.t)), onPeriodicEmit: () => {} })).withTimestampAssigner((x) => x.t));
  s.keyBy((x) => x.k).process(trace('B')).print();
} else if (mode === 'ontimer') {
  env.addSource(new Script([e('a',1,1), W(200)])).keyBy((x) => x.k).process(new (class extends KeyedProcessFunction<string, Ev, string> {
    processElement(x: Ev, ctx: any, out: any) { ctx.timerService().registerEventTimeTimer(100); }
    onTimer(ts: number, ctx: any, out: any) { out.collect(`T ${ts} ts=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()} dom=${ctx.timeDomain()}`); if (ts === 100) { ctx.timerService().registerEventTimeTimer(50); ctx.timerService().registerEventTimeTimer(150); ctx.timerService().registerEventTimeTimer(300); } }
  })()).print();
} else if (mode === 'proc') {
  const steps = [] as any[]; for (let i = 0; i < 30; i++) steps.push(e('a', 1, i), S(50));
  env.addSource(new Script(steps)).keyBy((x) => x.k).window(TumblingProcessingTimeWindows.of(500)).apply((k: string, w: any, els: Iterable<Ev>, out: any) => out.collect(`P ${w.getEnd() - w.getStart()} n=${[...els].length} at=${Date.now() - w.getEnd()}`)).print();
}
await env.execute('t3');
