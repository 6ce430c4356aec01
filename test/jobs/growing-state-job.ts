// For the checkpoint statistics test: a source that emits a new key every 2 ms until canceled,
// counted in keyed state, checkpoints every 50 ms: each checkpoint holds more state than the last.
import { RichParallelSourceFunction, StreamExecutionEnvironment, DiscardingSink, type SourceContext } from 'miniflink';

class NewKeys extends RichParallelSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; this.running; i++) {
      await ctx.collect(i);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env
  .addSource(new NewKeys())
  .keyBy((x: number) => x)
  .reduce((a: number, b: number) => a + b)
  .addSink(new DiscardingSink());
await env.execute('growing state');
