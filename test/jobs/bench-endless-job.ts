/** A job that never ends (an endless source into a discarding sink): what `miniflink bench` must stop, saying why. */
import { DiscardingSink, RichParallelSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

class Endless extends RichParallelSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    let i = 0;
    while (this.running) await ctx.collect(i++);
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.addSource(new Endless()).addSink(new DiscardingSink());
await env.execute('endless');
