/**
 * Functions that change their output object after emitting it, as Flink allows: Flink serializes a
 * record at collect() on a network edge and in the collect sink, so the change never reaches what
 * was sent. Arguments: [reuse] (object reuse on). Prints `RESULT {reused, reduced, collected}`:
 *
 *   reused:    a flatMap emitting one reused object per record -> rebalance -> map(n) -> collect
 *   reduced:   keyBy(k) -> a ReduceFunction that adds into its accumulator in place and returns it
 *              -> rebalance -> map -> collect (every running total)
 *   collected: the reusing flatMap chained straight into executeAndCollect's sink
 *   summed:    keyBy(k) -> sum('n') -> a chained map that holds every record it gets and checks, at
 *              close, that none changed since (the built-in sum may add in place only where no
 *              one sees it) -> collect
 *
 * A buffer timeout of 10 s keeps every record in its batch until the end of input.
 */
import { RichFlatMapFunction, RichMapFunction, StreamExecutionEnvironment, type Collector } from 'miniflink';

class Reuse extends RichFlatMapFunction<number, { k: number; n: number }> {
  private readonly out = { k: 0, n: 0 };
  flatMap(v: number, c: Collector<{ k: number; n: number }>): void {
    this.out.k = v % 3;
    this.out.n = v;
    c.collect(this.out);
  }
}

class AddInPlace {
  reduce(acc: { k: number; n: number }, v: { k: number; n: number }): { k: number; n: number } {
    acc.n += v.n;
    return acc;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.setBufferTimeout(10_000);
if (process.argv.includes('reuse')) env.getConfig().enableObjectReuse();
const reused = await env
  .fromSequence(1, 12)
  .flatMap(new Reuse())
  .rebalance()
  .map((r) => r.n)
  .executeAndCollect();
const reduced = await env
  .fromSequence(1, 12)
  .map((v) => ({ k: v % 3, n: v }))
  .keyBy((r) => r.k)
  .reduce(new AddInPlace())
  .rebalance()
  .map((r) => `${r.k}:${r.n}`)
  .executeAndCollect();
const collected = await env
  .fromSequence(1, 12)
  .flatMap(new Reuse())
  .executeAndCollect();
class Holder extends RichMapFunction<{ k: number; n: number }, string> {
  private readonly held: Array<[{ k: number; n: number }, number]> = [];
  map(r: { k: number; n: number }): string {
    this.held.push([r, r.n]);
    return `${r.k}:${r.n}`;
  }
  override close(): void {
    for (const [r, n] of this.held) if (r.n !== n) throw new Error(`a record changed after it was emitted: ${n} became ${r.n}`);
  }
}
const summed = await env
  .fromSequence(1, 12)
  .map((v) => ({ k: v % 3, n: v }))
  .keyBy((r) => r.k)
  .sum('n')
  .map(new Holder())
  .executeAndCollect();
console.log(`RESULT ${JSON.stringify({ reused: reused.sort((a, b) => a - b), reduced: reduced.sort(), collected: collected.map((r) => r.n).sort((a, b) => a - b), summed: summed.sort() })}`);
