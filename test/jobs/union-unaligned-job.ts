/**
 * Unaligned checkpoints on a union: odds (p=2) ∪ evens (p=1) -> rebalance -> stateless map "relay"
 * (p=2, its own vertex) -> keyBy(x % 7) -> counting KeyedProcessFunction -> slow map until the gate
 * -> FileSink `x,key,count`. Exactly once: every x once, per-key counts 1..n.
 * Arguments: <out dir> <N> <gate file> [backend hashmap|leveldb]
 */
import { existsSync } from 'node:fs';
import {
  BasePathBucketAssigner, FileSink, KeyedProcessFunction, LevelDbStateBackend, ListStateDescriptor, RestartStrategies, RichMapFunction,
  RichParallelSourceFunction, SimpleStringEncoder, StreamExecutionEnvironment, ValueStateDescriptor,
  type CheckpointedFunction, type Collector, type FunctionInitializationContext, type KeyedProcessContext, type ListState, type SourceContext, type ValueState,
} from 'miniflink';

const [out, n, gate, backend] = process.argv.slice(2);
const N = Number(n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Parity extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private next: number | undefined;
  private st!: ListState<number>;
  private running = true;
  constructor(private readonly odd: boolean) { super(); }
  initializeState(ctx: FunctionInitializationContext): void {
    this.st = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    if (ctx.isRestored()) for (const v of this.st.get()) this.next = v;
  }
  snapshotState(): void {
    this.st.update(this.next === undefined ? [] : [this.next]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    const p = rc.getNumberOfParallelSubtasks();
    const i = rc.getIndexOfThisSubtask();
    // x = (odd ? 1 : 2) + 2 * (i + k * p)
    this.next ??= (this.odd ? 1 : 2) + 2 * i;
    let emitted = 0;
    while (this.next <= N && this.running) {
      const x = this.next;
      this.next += 2 * p;
      await ctx.collect(x);
      if (++emitted % 500 === 0) await sleep(1);
    }
  }
  cancel(): void { this.running = false; }
}

class Count extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;
  override open(): void { this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count')); }
  processElement(x: number, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    outc.collect(`${x},${ctx.getCurrentKey()},${c}`);
  }
}

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
env.setParallelism(2);
env.enableCheckpointing(200);
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(100, 100));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const odds = env.addSource(new Parity(true), 'odds').uid('odds').setParallelism(2);
const evens = env.addSource(new Parity(false), 'evens').uid('evens').setParallelism(1);
odds
  .union(evens)
  .rebalance()
  .map((x) => x).name('relay').uid('relay')
  .keyBy((x) => x % 7)
  .process(new Count()).name('count').uid('count')
  .map(new SlowUntilGate()).name('slow').uid('slow')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build()).uid('files');
await env.execute('union unaligned');
