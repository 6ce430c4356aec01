// An endless keyed job with stable uids (a savepoint of it restores): a source ticking every 20 ms,
// a keyed sum, a discarding sink. Argument: the default parallelism to set in code (optional).
import { RichSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

class Ticker extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    let i = 0;
    while (this.running) {
      await ctx.collect(i++ % 3);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (process.argv[2] !== undefined) env.setParallelism(Number(process.argv[2]));
env
  .addSource(new Ticker())
  .uid('ticks')
  .map((k) => ({ k, c: 1 }))
  .keyBy((r) => r.k)
  .sum('c')
  .uid('sum')
  .addSink({ invoke: () => {} })
  .uid('sink');
await env.execute('ticker-job');
