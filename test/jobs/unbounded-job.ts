// An endless source; executeAndCollect(limit) takes the first records and cancels the job.
import { RichParallelSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

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
const out = await env.addSource(new Endless()).map((x) => x * 10).executeAndCollect(25);
console.log(`RESULT ${JSON.stringify({ n: out.length, allTens: out.every((x) => x % 10 === 0) })}`);
