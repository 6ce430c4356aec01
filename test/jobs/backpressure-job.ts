// A fast source of 1 KB records into a sink that takes 1 ms per record. With backpressure the
// source must take roughly as long as the sink (it cannot run ahead by more than the buffers).
import { RichSourceFunction, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

const N = 1500;
class Timed extends RichSourceFunction<{ i: number; pad: string; took?: number }> {
  async run(ctx: SourceContext<{ i: number; pad: string; took?: number }>): Promise<void> {
    const t0 = Date.now();
    for (let i = 0; i < N - 1; i++) await ctx.collect({ i, pad: 'x'.repeat(1024) });
    await ctx.collect({ i: N - 1, pad: '', took: Date.now() - t0 });
  }
  cancel(): void {}
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .addSource(new Timed())
  .keyBy((r) => r.i % 2)
  .addSink(async (r) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (r.took !== undefined) console.log(`SOURCE_TOOK ${r.took}`);
  });
await env.execute('backpressure');
