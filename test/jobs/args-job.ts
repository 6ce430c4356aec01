// An endless job, without checkpointing, whose name shows the program arguments it was given
// (`args ["a","b c"]`): for the web UI's submit form. A source ticking every 10 ms, a map, a sink.
import { RichSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

class Ticker extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; this.running; i++) {
      await ctx.collect(i);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .addSource(new Ticker())
  .map((x) => x + 1)
  .addSink({ invoke: () => {} });
await env.execute(`args ${JSON.stringify(process.argv.slice(2))}`);
