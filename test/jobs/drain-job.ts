/**
 * stop with or without --drain: an endless source into a KeyedProcessFunction with event-time
 * timers. With drain the input ends and the final watermark fires the timers; without, nothing fires.
 * Arguments: <savepoint dir> drain|nodrain
 */
import { KeyedProcessFunction, RichSourceFunction, StreamExecutionEnvironment, type Collector, type KeyedProcessContext, type OnTimerContext, type SourceContext } from 'miniflink';

class Endless extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; this.running; i++) {
      await ctx.collect(i);
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Timers extends KeyedProcessFunction<number, number, string> {
  processElement(x: number, ctx: KeyedProcessContext<number>): void {
    ctx.timerService().registerEventTimeTimer(1000 + (x % 3));
  }
  override onTimer(ts: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect(`fired ${ctx.getCurrentKey()} ${ts}`);
  }
}

const [dir, mode] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(100);
env.addSource(new Endless()).keyBy((x) => x % 3).process(new Timers()).print();
const client = await env.executeAsync('drain');
await new Promise((resolve) => setTimeout(resolve, 500));
const path = await client.stopWithSavepoint(mode === 'drain', dir);
await client.getJobExecutionResult();
console.log(`SAVEPOINT ${path}`);
