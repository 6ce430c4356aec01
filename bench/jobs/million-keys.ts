/**
 * Benchmark job: a sequence into a keyed count with one key per record (1 million keys of state
 * by default). Checkpoints only at the end (the final checkpoint), which the benchmark measures.
 * Arguments: <records> [leveldb]
 */
import { DiscardingSink, KeyedProcessFunction, LevelDbStateBackend, StreamExecutionEnvironment, ValueStateDescriptor, type ValueState } from 'miniflink';

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(x: number): void {
    this.count.update((this.count.value() ?? 0) + x);
  }
}

const [n] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(3_600_000);
if (process.argv.includes('leveldb')) env.setStateBackend(new LevelDbStateBackend());
env.fromSequence(1, Number(n)).keyBy((x) => x).process(new Count()).addSink(new DiscardingSink());
await env.execute('bench-million-keys');
