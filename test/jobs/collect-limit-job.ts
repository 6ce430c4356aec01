/**
 * executeAndCollect(limit) on an unbounded job whose source emits <count> records and then idles
 * until canceled (found by a review: with fewer records than the collect sink's batch and no
 * checkpoints, they never reached the client and executeAndCollect(limit) never returned).
 * Arguments: <count> <limit> [checkpoint interval in ms]. Prints `RESULT [records]`.
 */
import { RichSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

const count = Number(process.argv[2] ?? 10);
const limit = Number(process.argv[3] ?? 5);
const interval = Number(process.argv[4] ?? 0);

class EmitThenIdle extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; i < count; i++) await ctx.collect(i);
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (interval > 0) env.enableCheckpointing(interval);
const got = await env.addSource(new EmitThenIdle()).map((x) => x * 2).executeAndCollect(limit);
console.log(`RESULT ${JSON.stringify(got)}`);
