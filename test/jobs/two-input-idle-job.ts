/**
 * Watermarks of two-input operators whose inputs go idle (Flink: a StatusWatermarkValve per input,
 * then the minimum over the active inputs, which does not advance while both are idle). Prints
 * `RESULT <json>` of what the operator emitted.
 *
 *   interval   an interval join (between -100 and 100) whose left input goes idle at watermark
 *              100, then its right one at 80; then b2@90 arrives: not late (the join's watermark
 *              stayed at 80), it joins a1@10.
 *   resume     a KeyedCoProcessFunction: input 1 has two channels, one idle at watermark 100, the
 *              other idle at 50 (input 1 then holds 100), and active again; input 2 goes to 150.
 *              A timer at 120 must wait for the end (input 1 holds the watermark at 100).
 * Arguments: <mode>
 */
import {
  KeyedCoProcessFunction,
  OutputTag,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  Watermark,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type SourceContext,
} from 'miniflink';

interface E {
  id: string;
  ts: number;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mode = process.argv[2];

/** Plays a plan: an event (with its timestamp), a watermark, 'idle', or a pause in ms. */
class Plan extends RichParallelSourceFunction<E> {
  constructor(private readonly plans: ReadonlyArray<ReadonlyArray<E | number | { wm: number } | 'idle'>>) {
    super();
  }
  async run(ctx: SourceContext<E>): Promise<void> {
    for (const p of this.plans[this.getRuntimeContext().getIndexOfThisSubtask()] ?? []) {
      if (typeof p === 'number') await sleep(p);
      else if (p === 'idle') ctx.markAsTemporarilyIdle();
      else if ('wm' in p) ctx.emitWatermark(new Watermark(p.wm));
      else ctx.collectWithTimestamp(p, p.ts);
    }
  }
  cancel(): void {}
}

class Timer120 extends KeyedCoProcessFunction<string, E, E, string> {
  processElement1(e: E, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    ctx.timerService().registerEventTimeTimer(120);
    out.collect(`${e.id} ${ctx.timerService().currentWatermark()}`);
  }
  processElement2(e: E, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`${e.id} ${ctx.timerService().currentWatermark()}`);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${t} at ${ctx.timerService().currentWatermark()}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
let result: string[];
if (mode === 'interval') {
  // Hundreds of ms between the steps, so that the order of the inputs going idle is the one meant.
  const left = env.addSource(new Plan([[{ id: 'a1', ts: 10 }, { wm: 100 }, 100, 'idle', 2500]]));
  const right = env.addSource(new Plan([[{ id: 'b1', ts: 20 }, { wm: 80 }, 600, 'idle', 700, { id: 'b2', ts: 90 }, { wm: 95 }, 300]]));
  const late = new OutputTag<E>('late-right');
  const joined = left
    .keyBy(() => 'x')
    .intervalJoin(right.keyBy(() => 'x'))
    .between(-100, 100)
    .sideOutputRightLateData(late)
    .process((l: E, r: E, _ctx: unknown, out: Collector<string>) => out.collect(`${l.id}-${r.id}`));
  result = await joined.union(joined.getSideOutput(late).map((e) => `late ${e.id}`)).executeAndCollect(`two-input-idle-${mode}`);
} else {
  const one = env
    .addSource(
      new Plan([
        [{ wm: 100 }, 100, 'idle', 3000],
        [{ id: 'a1', ts: 60 }, { wm: 50 }, 300, 'idle', 500, { id: 'a2', ts: 70 }, 2000],
      ]),
    )
    .setParallelism(2);
  const two = env.addSource(new Plan([[{ wm: 80 }, 1600, { id: 'b1', ts: 140 }, { wm: 150 }, 600]]));
  result = await one
    .connect(two)
    .keyBy(
      () => 'x',
      () => 'x',
    )
    .process(new Timer120())
    .executeAndCollect('two-input-idle-resume');
}
console.log(`RESULT ${JSON.stringify(result.sort())}`);
