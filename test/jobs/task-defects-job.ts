/**
 * Small jobs for the task-side recovery defects, one per mode (the first argument):
 *   async-sink <file>        an async sink chained to its source fails once at record 5: after the
 *                            restart every record 1..20 reaches the file
 *   unserializable           record 7 carries a function across a network exchange: the job fails
 *                            naming the operator and the field (before: the flush timer swallowed it)
 *   uncollectable            with object reuse, record 7 carries a function into executeAndCollect:
 *                            the job fails naming the collect sink and the field
 *   timer-throws             a processing-time onTimer throws: the job fails with that error
 *   late-barrier             a union of a stream and its filter into a slow async sink, checkpoints
 *                            that time out: late barriers of aborted checkpoints must not hang it
 *   async-snapshot <dir> <n> a source whose snapshotState is async, one failure after a completed
 *                            checkpoint, into a FileSink: every record exactly once
 *   async-sink-paced         fromSequence -> map -> async sink, chained: the sink's invoke of record
 *                            n runs when the map has seen n and no more (the source waits for each
 *                            invoke); prints how many invokes found the map ahead, and the count
 */
import { appendFileSync } from 'node:fs';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  RichSinkFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  type CheckpointListener,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [mode, a1, a2] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);

if (mode === 'async-sink') {
  class SlowFile extends RichSinkFunction<number> {
    async invoke(x: number): Promise<void> {
      await sleep(50);
      if (x === 5 && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error('injected failure in invoke at record 5');
      appendFileSync(a1!, `${x}\n`);
    }
  }
  env.enableCheckpointing(100);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  env.fromSequence(1, 20).addSink(new SlowFile());
} else if (mode === 'async-sink-paced') {
  // Module state is per slot thread, and the chain runs in one.
  let seen = 0;
  let ahead = 0;
  let invoked = 0;
  env
    .fromSequence(1, 3000)
    .map((n) => (seen = n))
    .addSink({
      async invoke(n: number) {
        if (seen !== n) ahead++;
        invoked++;
        await new Promise((resolve) => setImmediate(resolve));
      },
      finish() {
        console.log(`paced: ${invoked} invoked, ${ahead} ahead`);
      },
    });
} else if (mode === 'unserializable') {
  env.setRestartStrategy(RestartStrategies.noRestart());
  env
    .fromSequence(1, 20)
    .map((n) => (n === 7 ? { n, f: () => n } : { n }))
    .rebalance()
    .addSink(() => {});
} else if (mode === 'uncollectable') {
  // Object reuse: no chained copy after the map, so the collect sink's own copy meets the function.
  env.setRestartStrategy(RestartStrategies.noRestart());
  env.getConfig().enableObjectReuse();
  const out = await env
    .fromSequence(1, 20)
    .map((n) => (n === 7 ? { n, f: () => n } : { n }))
    .executeAndCollect();
  console.log(out.length);
} else if (mode === 'timer-throws') {
  class Slow extends RichParallelSourceFunction<number> {
    private running = true;
    async run(ctx: SourceContext<number>): Promise<void> {
      for (let i = 1; i <= 30 && this.running; i++) {
        await ctx.collect(i);
        await sleep(100);
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  class Throwing extends KeyedProcessFunction<number, number, number> {
    processElement(x: number, ctx: KeyedProcessContext<number>): void {
      if (x === 2) ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 10);
    }
    override onTimer(): void {
      throw new Error('boom in onTimer');
    }
  }
  env.setRestartStrategy(RestartStrategies.noRestart());
  env
    .addSource(new Slow())
    .keyBy((x) => x % 2)
    .process(new Throwing())
    .addSink(() => {});
} else if (mode === 'late-barrier') {
  env.enableCheckpointing(100);
  env.getCheckpointConfig().setCheckpointTimeout(650);
  env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
  /** 1..300, a record every 5 ms: checkpoints start (and time out) while it runs. */
  class Trickle extends RichParallelSourceFunction<number> {
    private running = true;
    async run(ctx: SourceContext<number>): Promise<void> {
      for (let i = 1; i <= 300 && this.running; i++) {
        await ctx.collect(i);
        await sleep(5);
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  const s = env.addSource(new Trickle());
  s.union(s.filter((x) => x % 2 === 0)).addSink(async () => {
    await sleep(10);
  });
} else if (mode === 'async-snapshot') {
  const N = Number(a2);
  /** The numbers 1..N with its position in list state; its snapshotState awaits. */
  class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
    private next = 1;
    private state!: ListState<number>;
    private running = true;
    initializeState(ctx: FunctionInitializationContext): void {
      this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
      if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? 1;
    }
    async snapshotState(): Promise<void> {
      this.state.update([this.next]);
      await sleep(20);
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.next <= N && this.running) await ctx.collect(this.next++);
    }
    cancel(): void {
      this.running = false;
    }
  }
  /** Fails once, on the first attempt, after a checkpoint completed. */
  class FailAfterCheckpoint extends RichMapFunction<number, number> implements CheckpointListener {
    private checkpoints = 0;
    notifyCheckpointComplete(): void {
      this.checkpoints++;
    }
    map(x: number): number {
      if (this.checkpoints >= 2 && x > N / 2 && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`injected failure at record ${x}`);
      return x;
    }
  }
  env.enableCheckpointing(30);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  env
    .addSource(new Numbers())
    .map(new FailAfterCheckpoint())
    .map((x) => String(x))
    .sinkTo(FileSink.forRowFormat<string>(a1!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build());
}
if (mode !== 'uncollectable') await env.execute(`task-defects ${mode}`);
