/**
 * Small jobs for recovery defects found in review, one per mode (the first argument):
 *   async-snap <n> <await|noawait>  a source with an async snapshotState, rebalanced to a sink
 *                                   that checks order: every record 1..n once, in order (with
 *                                   noawait the source does not await collect() and returns while
 *                                   a checkpoint holds it)
 */
import { existsSync } from 'node:fs';
import {
  BasePathBucketAssigner,
  FileSink,
  IntCounter,
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
  type ListState,
  type SourceContext,
} from 'miniflink';

const [mode, a1, a2, a3] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);

if (mode === 'async-snap') {
  const N = Number(a1);
  const awaiting = a2 === 'await';
  class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
    private next = 1;
    private state!: ListState<number>;
    private running = true;
    private snapshotting = false;
    initializeState(ctx: FunctionInitializationContext): void {
      this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    }
    async snapshotState(): Promise<void> {
      this.state.update([this.next]);
      this.snapshotting = true;
      await sleep(awaiting ? 5 : 30);
      this.snapshotting = false;
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.next <= N && this.running) {
        if (awaiting) {
          await ctx.collect(this.next++);
          if (this.next % 200 === 0) await sleep(1);
        } else if (this.next === N - 100) {
          // The last records go out while a checkpoint's async snapshotState runs; then run() returns.
          while (!this.snapshotting && this.running) await sleep(1);
          while (this.next <= N) void ctx.collect(this.next++);
        } else {
          void ctx.collect(this.next++);
          if (this.next % 200 === 0) await sleep(1);
        }
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  class Check extends RichSinkFunction<number> {
    private last = 0;
    private seen = 0;
    private outOfOrder = 0;
    private readonly all = new Set<number>();
    invoke(x: number): void {
      this.all.add(x);
      if (x < this.last) this.outOfOrder++;
      this.last = x;
      this.seen++;
    }
    override close(): void {
      let missing = 0;
      for (let x = 1; x <= N; x++) if (!this.all.has(x)) missing++;
      console.log('RESULT', JSON.stringify({ seen: this.seen, outOfOrder: this.outOfOrder, last: this.last, missing }));
    }
  }
  env.enableCheckpointing(20);
  env.addSource(new Numbers()).rebalance().addSink(new Check());
  await env.execute('async-snap');
} else if (mode === 'ckpt-fail') {
  // Every checkpoint of attempts below <a1> fails (snapshotState throws); no tolerable failure:
  // each failed checkpoint is a failover counting toward fixedDelayRestart(2). 1..N (N = 3000, paced)
  // reach the sink; RESULT says how many and the last attempt.
  const failBelow = Number(a1);
  const N = 3000;
  class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
    private next = 1;
    private state!: ListState<number>;
    private running = true;
    initializeState(ctx: FunctionInitializationContext): void {
      this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
      if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? 1;
    }
    snapshotState(): void {
      const attempt = this.getRuntimeContext().getAttemptNumber();
      if (attempt < failBelow) throw new Error(`snapshot fails in attempt ${attempt}`);
      this.state.update([this.next]);
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.next <= N && this.running) {
        await ctx.collect(this.next++);
        if (this.next % 50 === 0) await sleep(5);
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  class Count extends RichSinkFunction<number> {
    private seen = 0;
    invoke(): void {
      this.seen++;
    }
    override close(): void {
      console.log('RESULT', JSON.stringify({ seen: this.seen, attempt: this.getRuntimeContext().getAttemptNumber() }));
    }
  }
  env.enableCheckpointing(30);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 20));
  env.addSource(new Numbers()).addSink(new Count());
  await env.execute('ckpt-fail');
} else if (mode === 'share') {
  // <dir> <gate|-> <failAt>: numbers into a FileSink at <dir> (BasePathBucketAssigner), paced.
  // With a gate: 1, 2, ... until the gate file exists; without one: 1..3000, failing once at <failAt>
  // after a completed checkpoint. Two such jobs share <dir>.
  const [dir, gate, failAt] = [a1!, a2!, Number(a3)];
  class Seq extends RichParallelSourceFunction<number> implements CheckpointedFunction, CheckpointListener {
    private next = 1;
    private st!: ListState<number>;
    private running = true;
    private completed = 0;
    initializeState(ctx: FunctionInitializationContext): void {
      this.st = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('n'));
      if (ctx.isRestored()) this.next = [...this.st.get()][0] ?? 1;
    }
    snapshotState(): void {
      this.st.update([this.next]);
    }
    notifyCheckpointComplete(): void {
      this.completed++;
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.running && (gate !== '-' ? !existsSync(gate) : this.next <= 3000)) {
        if (this.next === failAt && this.getRuntimeContext().getAttemptNumber() === 0) while (this.completed < 1) await sleep(5);
        if (this.next % 20 === 0) await sleep(2);
        await ctx.collect(this.next++);
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  class FailOnce extends RichMapFunction<number, string> {
    map(x: number): string {
      if (x === failAt && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`fails once at ${x}`);
      return `${gate !== '-' ? 'A' : 'B'},${x}`;
    }
  }
  env.enableCheckpointing(50);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 20));
  env
    .addSource(new Seq())
    .map(new FailOnce())
    .sinkTo(FileSink.forRowFormat<string>(dir, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build());
  await env.execute('share');
} else if (mode === 'collect') {
  // executeAndCollect of 1..N without checkpointing, one failure: RESULT { n, dup, missing }.
  const N = Number(a1);
  class FailOnce extends RichMapFunction<number, number> {
    private seen = 0;
    map(x: number): number {
      const rc = this.getRuntimeContext();
      if (++this.seen === Math.floor(N * 0.49) && rc.getAttemptNumber() === 0 && rc.getIndexOfThisSubtask() === 1) throw new Error('fail once');
      return x;
    }
  }
  env.setParallelism(2);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 20));
  const r = await env.fromSequence(1, N).map(new FailOnce()).rebalance().map((x) => x).executeAndCollect();
  const counts = new Map<number, number>();
  for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
  let missing = 0;
  for (let x = 1; x <= N; x++) if (!counts.has(x)) missing++;
  console.log('RESULT', JSON.stringify({ n: r.length, dup: [...counts.values()].filter((c) => c > 1).length, missing }));
} else if (mode === 'acc') {
  // An accumulator counting 1..N across a restart (<a2>: ckpt or not); subtask 0 finishes before
  // subtask 1 fails late: RESULT { records } counts the final attempt's records, N.
  const N = Number(a1);
  class Count extends RichMapFunction<number, number> {
    override open(): void {
      this.getRuntimeContext().addAccumulator('records', new IntCounter());
    }
    map(x: number): number {
      (this.getRuntimeContext().getAccumulator('records') as IntCounter).add(1);
      return x;
    }
  }
  class Slow extends RichMapFunction<number, number> {
    private seen = 0;
    map(x: number): number {
      const rc = this.getRuntimeContext();
      if (rc.getIndexOfThisSubtask() === 1) {
        ++this.seen;
        const end = Date.now() + 1;
        while (Date.now() < end);
      }
      if (rc.getIndexOfThisSubtask() === 1 && this.seen === N / 2 - 10 && rc.getAttemptNumber() === 0) throw new Error('fail late');
      return x;
    }
  }
  env.setParallelism(2);
  if (a2 === 'ckpt') env.enableCheckpointing(50);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 20));
  env.fromSequence(1, N).map(new Count()).map(new Slow()).addSink(() => {});
  const res = await env.execute('acc');
  console.log('RESULT', JSON.stringify({ records: res.getAccumulatorResult('records') }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
