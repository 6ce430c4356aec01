// lateness boundaries, tumbling 10, allowedLateness 5
import { StreamExecutionEnvironment, TumblingEventTimeWindows, OutputTag, ProcessWindowFunction } from 'miniflink';
import { Script, e, W, type Ev } from './lib.js';
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
const late = new OutputTag<Ev>('late');
const src = env.addSource(new Script([e('a',1,1), e('a',2,9), W(9), e('a',4,5), W(13), e('a',8,0), W(14), e('a',16,9), e('a',32,10), W(19), e('a',64,4), e('a', 128, 15)]));
const w = src.keyBy((x) => x.k).window(TumblingEventTimeWindows.of(10)).allowedLateness(5).sideOutputLateData(late)
  .reduce((a, b) => ({ ...a, v: a.v + b.v }), new (class extends ProcessWindowFunction<Ev, string, string, any> {
    process(k: string, ctx: any, els: Iterable<Ev>, out: any) { for (const x of els) out.collect(`W ${k} ${ctx.window().getStart()}-${ctx.window().getEnd()} ${x.v} wm=${ctx.currentWatermark()}`); }
  })());
w.process({ processElement: (v: string, ctx: any, out: any) => out.collect(`${v} ts=${ctx.timestamp()}`) } as any).print();
w.getSideOutput(late).process({ processElement: (v: Ev, ctx: any, out: any) => out.collect(`LATE ${v.v} ts=${ctx.timestamp()}`) } as any).print();
await env.execute('t1');
