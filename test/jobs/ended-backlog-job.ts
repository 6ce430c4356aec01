/**
 * A producer that ends while its last buffers wait for credit (found by a review): a source of 3000
 * records (p=3, slot threads of its own, about 160 records a buffer) ends at once; its backlog
 * drains into a slow keyed count (p=1, 0.2 ms a record). With unaligned checkpoints every 10 ms
 * (or aligned ones switching after 5 ms), the count fails once right after checkpoint 3 completed,
 * and the job restores it. A FileSink writes `x,key,count`: every x in 1..3000 once, each key's
 * counts 1..n. A barrier the finishing source sent ahead of its last buffers and its end must leave
 * those buffers to the source's output state, not take them into the count's input state too.
 * Arguments: <out dir> [unaligned|switch]
 */
import {
  BasePathBucketAssigner, Duration, FileSink, KeyedProcessFunction, RestartStrategies, SimpleStringEncoder, StreamExecutionEnvironment, ValueStateDescriptor,
  type Collector, type KeyedProcessContext, type ValueState,
} from 'miniflink';

const [out, mode] = process.argv.slice(2);
const FAILCHK = 3;
const PAD = 'y'.repeat(200); // about 160 records a network buffer

class SlowCount extends KeyedProcessFunction<number, { x: number; p: string }, string> {
  private count!: ValueState<number>;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  notifyCheckpointComplete(id: number): void {
    if (id === FAILCHK && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`planned failure after checkpoint ${id}`);
  }
  processElement(r: { x: number; p: string }, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    if (++this.seen % 5 === 0) Atomics.wait(this.pause, 0, 0, 1); // 0.2 ms a record
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    outc.collect(`${r.x},${ctx.getCurrentKey()},${c}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(10);
env.getCheckpointConfig().enableUnalignedCheckpoints();
if (mode === 'switch') env.getCheckpointConfig().setAlignedCheckpointTimeout(Duration.ofMillis(5));
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 100));
env
  .fromSequence(1, 3000).setParallelism(3).slotSharingGroup('src').uid('numbers')
  .map((x) => ({ x, p: PAD })).setParallelism(3).slotSharingGroup('src').uid('pad')
  .keyBy((r) => r.x % 7)
  .process(new SlowCount()).name('count').uid('count').slotSharingGroup('default')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build()).uid('files');
await env.execute('ended-backlog-duplicates');
