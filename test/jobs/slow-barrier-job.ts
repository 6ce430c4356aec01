/**
 * An endless source -> rebalance -> a sink that sleeps 1 ms every 10 records: a backlog, so a
 * checkpoint's barrier takes seconds to pass. Checkpoints every 4 s, 30 s timeout, failures tolerated.
 */
import { RestartStrategies, RichParallelSourceFunction, RichSinkFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
class Numbers extends RichParallelSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; this.running; i++) await ctx.collect(i);
  }
  cancel(): void {
    this.running = false;
  }
}
class Slow extends RichSinkFunction<number> {
  private n = 0;
  async invoke(): Promise<void> {
    if (++this.n % 10 === 0) await sleep(1);
  }
}
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(4000);
env.getCheckpointConfig().setCheckpointTimeout(30_000);
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(10);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
env.addSource(new Numbers()).rebalance().addSink(new Slow());
await env.execute('slow barriers');
