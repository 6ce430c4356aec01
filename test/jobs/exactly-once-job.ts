/**
 * The exactly-once job of issue #3: a sequence through keyBy and a counting KeyedProcessFunction
 * into a FileSink; a map throws once, on its first attempt, at record `failAt`.
 * Arguments: <out dir> <records> <failAt|-1> [backend=hashmap|leveldb] [compression=none|lz4|snappy]
 */
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
  RestartStrategies,
  RichMapFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointListener,
  type Collector,
  type KeyedProcessContext,
  type ValueState,
} from 'miniflink';

const [out, n, failAt, backend, compression] = process.argv.slice(2);
const N = Number(n);

/** Throws once, on the first attempt, at the first record >= failAt after a checkpoint completed. */
class FailOnce extends RichMapFunction<number, number> implements CheckpointListener {
  private checkpointed = false;
  map(x: number): number {
    if (this.checkpointed && x >= Number(failAt) && Number(failAt) > 0 && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`injected failure at record ${x}`);
    return x;
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
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
env.enableCheckpointing(100);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
if (compression === 'snappy') env.getConfig().setUseSnapshotCompression(true);
env
  .fromSequence(1, N)
  .uid('numbers')
  .map(new FailOnce())
  .uid('fail-once')
  .keyBy((x) => x % 7)
  .process(new Count())
  .uid('count')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute('exactly-once');
