/**
 * Two disconnected pipelines, each its own pipelined region (a keyBy joins the subtasks of a
 * pipeline): `left` and `right`, each a paced source of 1..N (its position in list state) that
 * holds before its last tenth until the gate file exists -> keyBy(x % 5) -> a counting
 * KeyedProcessFunction -> a FileSink into <out>/<name>: every record exactly once, exact counts.
 * Arguments: <out dir> <N> <gate file> [backend hashmap|leveldb]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  RestartStrategies,
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

const [out, n, gate, backend] = process.argv.slice(2);
const N = Number(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class PacedNumbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('ranges'));
    if (ctx.isRestored()) this.ranges = [...this.state.get()];
  }
  snapshotState(): void {
    this.state.update((this.ranges ?? []).filter(([a, b]) => a <= b));
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    if (!this.ranges) {
      const rc = this.getRuntimeContext();
      const p = rc.getNumberOfParallelSubtasks();
      const i = rc.getIndexOfThisSubtask();
      this.ranges = [[1 + Math.floor((N * i) / p), Math.floor((N * (i + 1)) / p)]];
    }
    for (const range of this.ranges) {
      while (range[0] <= range[1] && this.running) {
        if (range[0] > N * 0.9 && !existsSync(gate!)) {
          await sleep(20);
          continue;
        }
        await ctx.collect(range[0]++);
        if (range[0] % 200 === 0) await sleep(5);
      }
    }
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

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(100);
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1000, 100));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
for (const name of ['left', 'right']) {
  env
    .addSource(new PacedNumbers(), `${name} numbers`)
    .uid(`${name}-numbers`)
    .keyBy((x) => x % 5)
    .process(new Count())
    .name(`${name} count`)
    .uid(`${name}-count`)
    .sinkTo(FileSink.forRowFormat<string>(join(out!, name), new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
    .uid(`${name}-files`);
}
await env.execute('two regions');
