/**
 * Two disconnected pipelines (two pipelined regions):
 *  A: a slow checkpointed source 1..N (p=1) -> executeAndCollect
 *  B: a slow source -> a map that fails once (marker file) -> DiscardingSink
 * B's failure restarts only B's region. Every record of A must come back exactly once.
 * Arguments: <marker file> <N> <checkpoint interval ms, or off>; the failover strategy comes from the configuration.
 */
import { existsSync, writeFileSync } from 'node:fs';
import {
  DiscardingSink,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [marker, n, cp] = process.argv.slice(2);
const N = Number(n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Slow extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private next = 1;
  private st!: ListState<number>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.st = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    if (ctx.isRestored()) for (const v of this.st.get()) this.next = v;
  }
  snapshotState(): void {
    this.st.update([this.next]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.next <= N && this.running) {
      await ctx.collect(this.next++);
      if (this.next % 10 === 0) await sleep(5);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class FailOnce extends RichMapFunction<number, number> {
  map(x: number): number {
    if (x === Math.floor(N / 2) && !existsSync(marker!)) {
      writeFileSync(marker!, 'x');
      throw new Error('boom (region B)');
    }
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
if (cp !== 'off') env.enableCheckpointing(Number(cp));
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(5, 50));
env.addSource(new Slow(), 'B source').uid('b-src').map(new FailOnce()).uid('b-map').addSink(new DiscardingSink()).uid('b-sink');
const out = await env.addSource(new Slow(), 'A source').uid('a-src').map((x) => x).uid('a-map').executeAndCollect();
const seen = new Map<number, number>();
for (const x of out) seen.set(x, (seen.get(x) ?? 0) + 1);
const missing = [];
for (let i = 1; i <= N; i++) if (!seen.has(i)) missing.push(i);
const dups = [...seen].filter(([, c]) => c > 1).map(([x]) => x);
console.log(`RESULT ${JSON.stringify({ total: out.length, distinct: seen.size, missing: missing.length, firstMissing: missing.slice(0, 5), dups: dups.length, firstDups: dups.slice(0, 5) })}`);
