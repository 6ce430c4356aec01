/**
 * Numbers a review found wrong, one job per mode:
 *   counts  fromSequence(1, 1000) at p=2 -> map -> filter (even) -> a ProcessFunction emitting every
 *           record and, for multiples of 10, also to a side output: its numRecordsOut is 300 per
 *           subtask (side output records count, as Flink's CountingOutput counts them)
 *   slow    a sequence -> rebalance -> a sink taking 2 ms a record that counts what it processed in
 *           a metric of its own (`processed`), unaligned checkpoints every 300 ms: numRecordsIn
 *           follows the records processed (not a whole buffer ahead), checkpoints are
 *           UNALIGNED_CHECKPOINT with persisted data, and lastCheckpointPersistedData says how much
 * Arguments: <mode>
 */
import { OutputTag, ProcessFunction, RichSinkFunction, StreamExecutionEnvironment, type Collector, type Counter, type ProcessContext } from 'miniflink';

const mode = process.argv[2];
const env = StreamExecutionEnvironment.getExecutionEnvironment();

const tens = new OutputTag<number>('tens');
class Split extends ProcessFunction<number, number> {
  processElement(x: number, ctx: ProcessContext, out: Collector<number>): void {
    out.collect(x);
    if (x % 10 === 0) ctx.output(tens, x);
  }
}

class Slow extends RichSinkFunction<number> {
  private processed!: Counter;
  private readonly pause = new Int32Array(new SharedArrayBuffer(4));
  override open(): void {
    this.processed = this.getRuntimeContext().getMetricGroup().counter('processed');
  }
  invoke(): void {
    Atomics.wait(this.pause, 0, 0, 2);
    this.processed.inc();
  }
}

if (mode === 'counts') {
  env.setParallelism(2);
  const main = env
    .fromSequence(1, 1000)
    .map((x) => x)
    .filter((x) => x % 2 === 0)
    .process(new Split());
  main.addSink({ invoke: () => {} }).name('main sink');
  main.getSideOutput(tens).addSink({ invoke: () => {} }).name('side sink');
  await env.execute('metrics counts');
} else {
  env.setParallelism(1);
  env.enableCheckpointing(300);
  env.getCheckpointConfig().enableUnalignedCheckpoints();
  env.fromSequence(1, 1_000_000).rebalance().addSink(new Slow()).name('slow');
  await env.execute('metrics slow');
}
