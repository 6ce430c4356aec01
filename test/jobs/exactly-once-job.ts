/**
 * The exactly-once job of issue #3: a sequence through keyBy and a counting KeyedProcessFunction
 * into a FileSink; a map throws once, on its first attempt, at record `failAt` (-1: never).
 * Arguments: <out dir> <records> <failAt|-1> [backend=hashmap|leveldb] [compression=none|lz4|snappy]
 */
import {
  BasePathBucketAssigner,
  FileSink,
  IntCounter,
  KeyedProcessFunction,
  LevelDbStateBackend,
  RestartStrategies,
  RichMapFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  ListStateDescriptor,
  RichParallelSourceFunction,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
  type KeyedProcessContext,
  type ValueState,
} from 'miniflink';

const [out, n, failAt, backend, compression] = process.argv.slice(2);
const N = Number(n);

/**
 * The numbers 1..N split across subtasks like fromSequence, with the position in split list state;
 * on the first attempt it holds back record `failAt` until a checkpoint has completed, so that the
 * failure below always comes after one (the restart then restores a real checkpoint).
 */
class GatedSequence extends RichParallelSourceFunction<number> implements CheckpointedFunction, CheckpointListener {
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  private running = true;
  private checkpointed: (() => void) | undefined;
  private readonly firstCheckpoint = new Promise<void>((resolve) => (this.checkpointed = resolve));
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('ranges'));
    if (ctx.isRestored()) this.ranges = [...this.state.get()];
  }
  snapshotState(): void {
    this.state.update((this.ranges ?? []).filter(([a, b]) => a <= b));
  }
  notifyCheckpointComplete(): void {
    this.checkpointed?.();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    if (!this.ranges) {
      const p = rc.getNumberOfParallelSubtasks();
      const i = rc.getIndexOfThisSubtask();
      this.ranges = [[1 + Math.floor((N * i) / p), Math.floor((N * (i + 1)) / p)]];
    }
    for (const range of this.ranges) {
      while (range[0] <= range[1] && this.running) {
        if (range[0] === Number(failAt) && rc.getAttemptNumber() === 0) await this.firstCheckpoint;
        const x = range[0]++;
        await ctx.collect(x);
      }
    }
  }
  cancel(): void {
    this.running = false;
    this.checkpointed?.();
  }
}

/** Throws once, on the first attempt, at record failAt. */
class FailOnce extends RichMapFunction<number, number> {
  override open(): void {
    // Sums to at least the parallelism when the job ran a second attempt.
    this.getRuntimeContext().addAccumulator('attempts', new IntCounter(this.getRuntimeContext().getAttemptNumber()));
  }
  map(x: number): number {
    if (x === Number(failAt) && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`injected failure at record ${x}`);
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

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
if (compression === 'snappy') env.getConfig().setUseSnapshotCompression(true);
env
  .addSource(new GatedSequence(), 'Gated Sequence')
  .uid('numbers')
  .map(new FailOnce())
  .uid('fail-once')
  .keyBy((x) => x % 7)
  .process(new Count())
  .uid('count')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute('exactly-once');
