/**
 * Unaligned checkpoints after the input ended: a sequence 1..N (p=2) ends at once, a relay of its
 * own (rebalance -> map) ends its input while its output still waits in network buffers, and a
 * slow counting KeyedProcessFunction (0.2 ms a record) drains that backlog for seconds. Checkpoints
 * every 100 ms must complete meanwhile (timeout 1.5 s, no failure tolerated): their barriers still
 * go after the end of the ended producers' data and overtake the backlog, which is in-flight data.
 * In attempt 0 the count's subtask 0 fails at its `failAt`-th record (0: never), so the job restores
 * such a checkpoint; a FileSink writes `x,key,count`: every record exactly once, exact counts.
 * Checkpoint mode from the configuration (-D).
 * Arguments: <out dir> <N> <failAt>
 */
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  RestartStrategies,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ValueState,
} from 'miniflink';

const [out, n, fail] = process.argv.slice(2);
const N = Number(n);
const failAt = Number(fail ?? 0);

class SlowCount extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<number>;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(x: number, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    const rc = this.getRuntimeContext();
    if (++this.seen === failAt && rc.getAttemptNumber() === 0 && rc.getIndexOfThisSubtask() === 0) throw new Error(`planned failure at record ${failAt}`);
    if (this.seen % 5 === 0) Atomics.wait(this.pause, 0, 0, 1);
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    outc.collect(`${x},${ctx.getCurrentKey()},${c}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(100);
env.getCheckpointConfig().setCheckpointTimeout(1500);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 100));
env
  .fromSequence(1, N)
  .uid('numbers')
  .rebalance()
  .map((x) => x)
  .name('relay')
  .uid('relay')
  .keyBy((x) => x % 7)
  .process(new SlowCount())
  .name('count')
  .uid('count')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute('ended-unaligned');
