/**
 * A long sequence through keyBy (many keys) and a counting KeyedProcessFunction into a FileSink.
 * Arguments: <out dir> <records> <keys> stop <savepoint dir>   -> runs, stops with a savepoint
 *            <out dir> <records> <keys> run                    -> runs to the end (also with -s)
 * Options: 'slow' (at most ~200,000 records/s per subtask), 'rename' (another uid for the count),
 * 'fail-on-close' (a map whose close() throws on the first attempt), 'gate=<file>' (the source, fromSequence's twin with its position in list state, emits no record
 * past the middle until <file> exists: a test can act on a running job however busy the machine).
 */
import { existsSync } from 'node:fs';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  ListStateDescriptor,
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

const [out, n, keys, mode, savepointDir] = process.argv.slice(2);
const K = Number(keys);
const SLOW = process.argv.includes('slow');
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

class Count extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(x: number, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    // 'slow': at most ~200,000 records/s per subtask, so a cluster test can act while it runs.
    if (SLOW && x % 1000 === 0) Atomics.wait(PAUSE, 0, 0, 5);
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    outc.collect(`${x},${ctx.getCurrentKey()},${c}`);
  }
}

const GATE = process.argv.find((a) => a.startsWith('gate='))?.slice('gate='.length);

/** 1..N split across subtasks as fromSequence splits it; past the middle it waits for the gate file. */
class GatedNumbers extends RichParallelSourceFunction<number> implements CheckpointedFunction {
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
    const N = Number(n);
    if (!this.ranges) {
      const rc = this.getRuntimeContext();
      const p = rc.getNumberOfParallelSubtasks();
      const i = rc.getIndexOfThisSubtask();
      this.ranges = [[1 + Math.floor((N * i) / p), Math.floor((N * (i + 1)) / p)]];
    }
    for (const range of this.ranges) {
      while (range[0] <= range[1] && this.running) {
        if (!this.gateOpen && range[0] > N / 2) {
          this.gateOpen = existsSync(GATE!);
          if (!this.gateOpen) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            continue;
          }
        }
        await ctx.collect(range[0]++);
      }
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class FailOnClose extends RichMapFunction<string, string> {
  map(line: string): string {
    return line;
  }
  override close(): void {
    if (this.getRuntimeContext().getAttemptNumber() === 0) throw new Error('close() fails on the first attempt');
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(200);
const counted = (GATE !== undefined ? env.addSource(new GatedNumbers()) : env.fromSequence(1, Number(n)))
  .uid('numbers')
  .keyBy((x) => x % K)
  .process(new Count())
  .uid(process.argv.includes('rename') ? 'count-renamed' : 'count');
// 'fail-on-close': a map whose close() throws on the first attempt (a task failing as the tasks
// finish after a stop's savepoint).
(process.argv.includes('fail-on-close') ? counted.map(new FailOnClose()).uid('closing') : counted)
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
if (mode === 'stop') {
  const client = await env.executeAsync('savepoint-job');
  await new Promise((resolve) => setTimeout(resolve, 400));
  // A savepoint needs every task running: on a busy machine deployment may take longer than the pause.
  let path = '';
  for (let i = 0; path === ''; i++) {
    try {
      path = await client.stopWithSavepoint(false, savepointDir);
    } catch (e) {
      if (i >= 50 || !String((e as Error).message).includes('Not all tasks')) throw e;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await client.getJobExecutionResult();
  console.log(`SAVEPOINT ${path}`);
} else {
  await env.execute('savepoint-job');
}
