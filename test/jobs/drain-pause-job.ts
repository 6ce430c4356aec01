// For the drain test: a bounded source of 10 records over about 1 s, checkpoints every 200 ms with
// a minimum pause of <pauseMs> (default 60,000): once its input ended, the job's final checkpoint
// waits out the pause.
import { DiscardingSink, RichParallelSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

const pauseMs = Number(process.argv[2] ?? '60000');

class Paced extends RichParallelSourceFunction<number> {
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; i < 10; i++) {
      await ctx.collect(i);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  cancel(): void {}
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(200);
env.getCheckpointConfig().setMinPauseBetweenCheckpoints(pauseMs);
env.addSource(new Paced()).map((x: number) => x).addSink(new DiscardingSink());
await env.execute('drain pause job');
