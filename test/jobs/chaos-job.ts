/**
 * The chaos test's jobs. A paced source of 1..N (fromSequence's split, its position in list state)
 * that holds before its last tenth until the gate file exists, so faults can be injected while it
 * runs; then one of:
 *   keyed       -> map (hangs once when the hang file appears) -> keyBy(x % 7) -> counting
 *                  KeyedProcessFunction -> FileSink: every record exactly once, exact counts
 *   async-sink  -> an async sink chained to the source, appending each record to a file of its
 *                  subtask: no record lost (an appending sink is at least once)
 * Arguments: <mode> <out dir> <N> <backend hashmap|leveldb> <gate file> <hang file>
 */
import { appendFile } from 'node:fs/promises';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
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

const [mode, out, n, backend, gate, hang] = process.argv.slice(2);
const N = Number(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class PacedNumbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  private running = true;
  private gateOpen = false;
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
        if (!this.gateOpen && range[0] > N * 0.9) {
          this.gateOpen = existsSync(gate!);
          if (!this.gateOpen) {
            await sleep(20);
            continue;
          }
        }
        await ctx.collect(range[0]++);
        if (range[0] % 200 === 0) await sleep(10);
      }
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/** Blocks its thread once for 6 s when the hang file appears (a hang the heartbeat must find). */
class MaybeHang extends RichMapFunction<number, number> {
  map(x: number): number {
    if (x % 500 === 0 && existsSync(hang!)) {
      rmSync(hang!, { force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6000);
    }
    return x;
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

class AppendingSink extends RichSinkFunction<number> {
  private file = '';
  override open(): void {
    mkdirSync(out!, { recursive: true });
    this.file = join(out!, `sink-${this.getRuntimeContext().getIndexOfThisSubtask()}.txt`);
  }
  async invoke(x: number): Promise<void> {
    await appendFile(this.file, `${x}\n`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(100);
env.getCheckpointConfig().setCheckpointTimeout(1500);
// A checkpoint that times out on a busy machine is no fault of the test: it never triggers a failover
// (beyond the tolerable number it would, counting toward the restart strategy).
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1000, 100));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const numbers = env.addSource(new PacedNumbers()).uid('numbers');
if (mode === 'keyed') {
  numbers
    .map(new MaybeHang())
    .uid('hang')
    .keyBy((x) => x % 7)
    .process(new Count())
    .uid('count')
    .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
    .uid('files');
} else {
  numbers.addSink(new AppendingSink()).uid('appending');
}
await env.execute(`chaos ${mode} ${backend}`);
