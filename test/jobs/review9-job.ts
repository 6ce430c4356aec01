/**
 * Small jobs from the recovery review (issue 9), one per mode:
 *
 *   async-snapshot <out> <n>   a source whose async snapshotState writes its position after an
 *                              await, emitting with `await ctx.collect(next++)` and sleeping now and
 *                              then; 1..n -> keyBy(x % 5) -> count -> exactly-once FileSink; fails
 *                              twice (attempts 0 and 1). Every record must be in <out> exactly once.
 *   close-twice <log>          a bounded job whose map's close() throws; each close() call is
 *                              appended to <log> (Flink calls it once).
 *   stop-abort <marker> <log> <n>   p=2 sources: subtask 0's snapshotState sleeps 400 ms, subtask 1's
 *                              throws while <marker> exists; so a stop's savepoint is declined
 *                              while subtask 0 still snapshots. The sink appends `<subtask> <x>` to
 *                              <log> for every 100th record. Both sources must go on.
 *   drain-close <out> <marker> an endless source -> map whose close() throws while <marker> exists
 *                              -> exactly-once FileSink; checkpoints every second.
 */
import { appendFileSync, existsSync } from 'node:fs';
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
  ValueStateDescriptor,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const [mode, ...args] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const env = StreamExecutionEnvironment.getExecutionEnvironment();

/** A source of next, next+1, ... with its position in list state; `snapshot` says how it snapshots. */
abstract class PositionSource<T> extends RichParallelSourceFunction<T> implements CheckpointedFunction {
  protected next = 0;
  protected state!: ListState<number>;
  protected running = true;
  constructor(protected readonly first: number) {
    super();
    this.next = first;
  }
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('pos'));
    if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? this.first;
  }
  abstract snapshotState(): void | Promise<void>;
  cancel(): void {
    this.running = false;
  }
}

if (mode === 'async-snapshot') {
  const [out, n] = args;
  const N = Number(n);
  const failAt = [Math.floor(N / 3), Math.floor((N * 2) / 3)];
  class Src extends PositionSource<number> {
    async snapshotState(): Promise<void> {
      await sleep(20);
      this.state.update([this.next]);
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.running && this.next <= N) {
        await ctx.collect(this.next++);
        if (this.next % 10 === 0) await sleep(2);
      }
    }
  }
  class Count extends KeyedProcessFunction<number, number, string> {
    private count!: ValueState<number>;
    override open(): void {
      this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
    }
    processElement(x: number, ctx: KeyedProcessContext<number>, o: Collector<string>): void {
      if (x === failAt[this.getRuntimeContext().getAttemptNumber()]) throw new Error(`injected at ${x}`);
      const c = (this.count.value() ?? 0) + 1;
      this.count.update(c);
      o.collect(`${x},${ctx.getCurrentKey()},${c}`);
    }
  }
  env.setParallelism(1);
  env.enableCheckpointing(100);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(10, 100));
  env
    .addSource(new Src(1))
    .uid('src')
    .keyBy((x) => x % 5)
    .process(new Count())
    .uid('count')
    .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
    .uid('files');
  await env.execute('review9 async-snapshot');
} else if (mode === 'close-twice') {
  const [log] = args;
  class M extends RichMapFunction<number, number> {
    map(x: number): number {
      return x;
    }
    override close(): void {
      appendFileSync(log!, `close attempt ${this.getRuntimeContext().getAttemptNumber()}\n`);
      throw new Error('close failed');
    }
  }
  env.setParallelism(1);
  env.setRestartStrategy(RestartStrategies.noRestart());
  env.fromSequence(1, 10).map(new M()).addSink({ invoke: () => {} });
  await env.execute('review9 close-twice');
} else if (mode === 'stop-abort') {
  const [marker, log, n] = args;
  const N = Number(n);
  class Src extends PositionSource<number> {
    async snapshotState(): Promise<void> {
      const i = this.getRuntimeContext().getIndexOfThisSubtask();
      if (i === 0) await sleep(400);
      if (i === 1 && existsSync(marker!)) throw new Error('decline from subtask 1');
      this.state.update([this.next]);
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.running && this.next < N) {
        await ctx.collect(this.getRuntimeContext().getIndexOfThisSubtask() * 1_000_000 + this.next++);
        if (this.next % 20 === 0) await sleep(10);
      }
    }
  }
  class Sink extends RichSinkFunction<number> {
    invoke(x: number): void {
      if (x % 100 === 0) appendFileSync(log!, `${Math.floor(x / 1_000_000)} ${x % 1_000_000}\n`);
    }
  }
  env.setParallelism(2);
  env.enableCheckpointing(60_000);
  env.addSource(new Src(0)).uid('src').addSink(new Sink()).uid('sink');
  await env.execute('review9 stop-abort');
} else if (mode === 'drain-close') {
  const [out, marker] = args;
  class Src extends PositionSource<number> {
    snapshotState(): void {
      this.state.update([this.next]);
    }
    async run(ctx: SourceContext<number>): Promise<void> {
      while (this.running) {
        await ctx.collect(this.next++);
        if (this.next % 50 === 0) await sleep(10);
      }
    }
  }
  class M extends RichMapFunction<number, number> {
    map(x: number): number {
      return x;
    }
    override close(): void {
      if (existsSync(marker!)) throw new Error('close() failed');
    }
  }
  env.setParallelism(1);
  env.enableCheckpointing(1000);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 200));
  env
    .addSource(new Src(0))
    .uid('src')
    .map(new M())
    .uid('m')
    .sinkTo(FileSink.forRowFormat<number>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
    .uid('files');
  await env.execute('review9 drain-close');
}
