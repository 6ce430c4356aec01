/**
 * A backpressured job for unaligned checkpoints: a source of 1..N (its position in list state,
 * p=2) -> keyBy(x % 7) -> a counting KeyedProcessFunction -> a map that takes 1 ms per record while
 * the gate file does not exist (the slow part: input queues fill up and the source waits for
 * credit) -> a FileSink into <out>: every record exactly once, with exact per-key counts.
 * Checkpoints every 200 ms; their mode comes from the configuration (-D).
 * Arguments: <out dir> <N> <gate file> [parallelism, default 2]
 */
import { existsSync } from 'node:fs';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
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

const [out, n, gate, parallelism] = process.argv.slice(2);
const N = Number(n);

class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private next: number | undefined;
  private last = 0;
  private state!: ListState<[number, number]>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('position'));
    for (const [next, last] of ctx.isRestored() ? this.state.get() : []) [this.next, this.last] = [next, last];
  }
  snapshotState(): void {
    this.state.update(this.next === undefined ? [] : [[this.next, this.last]]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    if (this.next === undefined) {
      const rc = this.getRuntimeContext();
      const p = rc.getNumberOfParallelSubtasks();
      const i = rc.getIndexOfThisSubtask();
      this.next = 1 + Math.floor((N * i) / p);
      this.last = Math.floor((N * (i + 1)) / p);
    }
    while (this.next <= this.last && this.running) await ctx.collect(this.next++);
  }
  cancel(): void {
    this.running = false;
  }
}

class Count extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(x: number, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    outc.collect(`${x},${ctx.getCurrentKey()},${c}`);
  }
}

/** 1 ms per record until the gate file exists. */
class SlowUntilGate extends RichMapFunction<string, string> {
  private open_ = false;
  private seen = 0;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  map(line: string): string {
    if (!this.open_) {
      if (this.seen++ % 50 === 0) this.open_ = existsSync(gate!);
      if (!this.open_) Atomics.wait(this.pause, 0, 0, 1);
    }
    return line;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(parallelism ?? 2));
env.enableCheckpointing(200);
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 100));
env
  .addSource(new Numbers(), 'numbers')
  .uid('numbers')
  .keyBy((x) => x % 7)
  .process(new Count())
  .name('count')
  .uid('count')
  .map(new SlowUntilGate())
  .name('slow')
  .uid('slow')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute('unaligned');
