// map, flatMap, filter, ProcessFunction, reduce and the built-in aggregations.
import { ProcessFunction, StreamExecutionEnvironment, type Collector, type ProcessContext } from 'miniflink';

type Sale = { shop: string; item: string; price: number; n: number };
const sales: Sale[] = [
  { shop: 'x', item: 'apple', price: 3, n: 1 },
  { shop: 'y', item: 'pear', price: 5, n: 2 },
  { shop: 'x', item: 'plum', price: 1, n: 3 },
  { shop: 'x', item: 'fig', price: 3, n: 4 },
  { shop: 'y', item: 'kiwi', price: 9, n: 5 },
];

class Doubler extends ProcessFunction<string, string> {
  processElement(v: string, _ctx: ProcessContext, out: Collector<string>): void {
    out.collect(v + v);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const result: Record<string, unknown> = {};
const last = <T>(rs: T[], key: (r: T) => string) => {
  const m: Record<string, T> = {};
  for (const r of rs) m[key(r)] = r;
  return m;
};
result.flatMap = (
  await env
    .fromElements('a b', 'c')
    .flatMap<string>((line, out) => line.split(' ').forEach((w) => out.collect(w)))
    .filter((w) => w !== 'b')
    .map((w) => w.toUpperCase())
    .process(new Doubler())
    .executeAndCollect()
).sort();
const env2 = StreamExecutionEnvironment.getExecutionEnvironment();
const keyed = () => env2.fromCollection(sales).keyBy((s) => s.shop);
const sum = keyed().sum('price');
const min = keyed().min('price');
const max = keyed().max('price');
const minBy = keyed().minBy('price');
const maxBy = keyed().maxBy('price');
const reduce = keyed().reduce((a, b) => ({ ...a, n: a.n * b.n }));
const all = sum
  .map((v) => ({ tag: 'sum', v }))
  .union(
    min.map((v) => ({ tag: 'min', v })),
    max.map((v) => ({ tag: 'max', v })),
    minBy.map((v) => ({ tag: 'minBy', v })),
    maxBy.map((v) => ({ tag: 'maxBy', v })),
    reduce.map((v) => ({ tag: 'reduce', v })),
  );
const rows = await all.executeAndCollect();
for (const tag of ['sum', 'min', 'max', 'minBy', 'maxBy', 'reduce']) {
  const mine = rows.filter((r) => r.tag === tag).map((r) => r.v);
  // The last value per shop is the final one only if the stream keeps per-key order, which it does.
  result[tag] = last(mine, (s) => s.shop);
  result[`${tag}Count`] = mine.length;
}
console.log(`RESULT ${JSON.stringify(result)}`);
