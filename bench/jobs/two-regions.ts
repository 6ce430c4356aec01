/**
 * Benchmark job of bench/failover.ts: two disconnected keyed pipelines, `a` and `b` (two pipelined
 * regions), each a count with one ValueState<number> per key.
 *
 *   keys a (source) -> keyBy -> count -> marker sink      keys b (source) -> keyBy -> count -> marker sink
 *
 * Each source emits its keys 0..K-1 once as fast as the job takes them, then one record every 2 ms
 * (its position is operator state). Each sink appends to the marker file
 * (`<word> <pipeline> <attempt> <Date.now()> ...`):
 *   first <p> <attempt> <ts>     the first record of each attempt of pipeline p
 *   loaded <p> 0 <ts>            every key of p has state
 *   gap <p> <attempt> <ts> <ms>  p's sink saw no record for <ms> (over 50 ms) until <ts>
 * Arguments: <keys per pipeline> <marker file>; the failover strategy, backend and restart
 * strategy come from the configuration.
 */
import { appendFileSync } from 'node:fs';
import {
  KeyedProcessFunction,
  ListStateDescriptor,
  RichParallelSourceFunction,
  RichSinkFunction,
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

const [keys, marker] = process.argv.slice(2);
const K = Number(keys);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Keys extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private position = 0;
  private state!: ListState<number>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('position'));
    if (ctx.isRestored()) this.position = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.position]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.position < K) {
      const p = ctx.collect(this.position++);
      if (p) await p;
    }
    while (this.running) {
      const p = ctx.collect(this.position++ % K);
      if (p) await p;
      await sleep(2);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_key: number, _ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(c);
  }
}

class MarkerSink extends RichSinkFunction<number> {
  private seen = 0;
  private attempt = 0;
  private last = 0;
  constructor(private readonly pipeline: string) {
    super();
  }
  override open(): void {
    this.attempt = this.getRuntimeContext().getAttemptNumber();
  }
  invoke(): void {
    const now = Date.now();
    this.seen++;
    if (this.seen === 1) appendFileSync(marker!, `first ${this.pipeline} ${this.attempt} ${now}\n`);
    else if (now - this.last > 50) appendFileSync(marker!, `gap ${this.pipeline} ${this.attempt} ${now} ${now - this.last}\n`);
    if (this.seen === K && this.attempt === 0) appendFileSync(marker!, `loaded ${this.pipeline} 0 ${now}\n`);
    this.last = now;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.getConfig().enableObjectReuse();
// The benchmark triggers its checkpoint itself, once every key has state.
env.enableCheckpointing(3_600_000);
env.setBufferTimeout(5);
for (const p of ['a', 'b']) env.addSource(new Keys(), `keys ${p}`).uid(`keys-${p}`).keyBy((k) => k).process(new Count()).name(`count ${p}`).uid(`count-${p}`).addSink(new MarkerSink(p)).uid(`marker-${p}`);
await env.execute('bench-two-regions');
