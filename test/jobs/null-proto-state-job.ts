/**
 * A word count in a dictionary without prototype (`Object.create(null)`) kept in ValueState, with
 * checkpoints every 20 ms (found by a review: after a checkpoint the hashmap backend's copy of the
 * value, and a restore, made it a plain object, so the word `constructor` counted on from
 * Object.prototype.constructor). The words `constructor` and `toString` start halfway.
 * Arguments: <records>. Prints `RESULT {"proto": ..., "counts": {...}, "checkpoints": n}` of the last
 * dictionary, with the checkpoints completed before it.
 */
import { KeyedProcessFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type KeyedProcessContext, type ValueState } from 'miniflink';

type Dict = Record<string, number>;

class CountWords extends KeyedProcessFunction<number, string, [Dict, number]> {
  private dict!: ValueState<Dict>;
  /** Checkpoints completed so far (the copy-on-write of a value happens after a snapshot). */
  private completed = 0;
  notifyCheckpointComplete(): void {
    this.completed++;
  }
  override open(): void {
    this.dict = this.getRuntimeContext().getState(new ValueStateDescriptor<Dict>('words'));
  }
  processElement(word: string, _ctx: KeyedProcessContext<number>, out: Collector<[Dict, number]>): void {
    const d = this.dict.value() ?? (Object.create(null) as Dict);
    d[word] = (d[word] ?? 0) + 1;
    this.dict.update(d);
    out.collect([d, this.completed]);
  }
}

const n = Number(process.argv[2] ?? 20_000);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(20);
const words = ['a', 'b', 'constructor', 'toString'];
const last = await env
  .fromSequence(0, n - 1)
  .map((i) => words[i < n / 2 ? i % 2 : i % 4]!)
  .keyBy(() => 0)
  .process(new CountWords())
  .map(([d, checkpoints]) => JSON.stringify({ proto: Object.getPrototypeOf(d) === null ? 'null' : 'Object', counts: { ...d }, checkpoints }))
  .executeAndCollect();
console.log(`RESULT ${last[last.length - 1]!}`);
