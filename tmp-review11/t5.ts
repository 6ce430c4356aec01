import { StreamExecutionEnvironment, TumblingEventTimeWindows, KeyedProcessFunction, RichParallelSourceFunction, Watermark, OutputTag, WatermarkStrategy, type SourceContext } from 'miniflink';
import { sleep, type Ev } from './lib.js';
const mode = process.argv[2];
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
const late = new OutputTag<Ev>('late');
class Par extends RichParallelSourceFunction<Ev> {
  async run(ctx: SourceContext<Ev>) {
    const i = this.getRuntimeContext().getIndexOfThisSubtask();
    if (mode === 'wake') {
      if (i === 0) { await ctx.collectWithTimestamp({ k: 'a', v: 1, t: 10 }, 10); ctx.emitWatermark(new Watermark(100)); await sleep(800); ctx.emitWatermark(new Watermark(200)); await sleep(500); await ctx.collectWithTimestamp({ k: 'a', v: 3, t: 210 }, 210); ctx.emitWatermark(new Watermark(260)); await sleep(500); }
      else { ctx.markAsTemporarilyIdle(); await sleep(400); await ctx.collectWithTimestamp({ k: 'a', v: 2, t: 20 }, 20); ctx.emitWatermark(new Watermark(30)); await sleep(1000); ctx.emitWatermark(new Watermark(250)); await sleep(500); }
    } else if (mode === 'idleend') {
      if (i === 0) { await ctx.collectWithTimestamp({ k: 'a', v: 1, t: 10 }, 10); await sleep(300); }
      else { ctx.markAsTemporarilyIdle(); await sleep(100); }
    }
  }
  cancel() {}
}
const src = env.addSource(new Par());
const keyed = src.keyBy((x) => x.k);
keyed.process(new (class extends KeyedProcessFunction<string, Ev, string> {
  processElement(x: Ev, ctx: any, out: any) { out.collect(`E v=${x.v} t=${x.t} wm=${ctx.timerService().currentWatermark()}`); ctx.timerService().registerEventTimeTimer(x.t + 1000); }
  onTimer(ts: number, ctx: any, out: any) { out.collect(`T ${ts} wm=${ctx.timerService().currentWatermark()}`); }
})()).setParallelism(1).print().setParallelism(1);
const w = keyed.window(TumblingEventTimeWindows.of(50)).sideOutputLateData(late).apply((k: string, w: any, els: Iterable<Ev>, out: any) => out.collect(`W ${w.getStart()} ${[...els].map((x) => x.v)}`)).setParallelism(1);
w.print().setParallelism(1);
w.getSideOutput(late).map((x: Ev) => `LATE v=${x.v}`).setParallelism(1).print().setParallelism(1);
await env.execute('t5');
