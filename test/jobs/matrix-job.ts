/**
 * A job that exercises every partitioner, union, keyBy and a rolling sum; prints the collected
 * records' summary as `RESULT <json>`. Arguments: `nochain` disables chaining, `groups` puts
 * the aggregation and the per-source maps into their own slot sharing groups, `reuse` enables
 * object reuse, `n=<N>` sets the sequence length.
 */
import { StreamExecutionEnvironment } from 'miniflink';

const args = process.argv.slice(2);
const n = Number(args.find((a) => a.startsWith('n='))?.slice(2) ?? 20000);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (args.includes('nochain')) env.disableOperatorChaining();
if (args.includes('reuse')) env.getConfig().enableObjectReuse();
const groups = args.includes('groups');

type R = { k: number; v: number; src: string };
const a = env
  .fromSequence(1, n)
  .map((x: number): R => ({ k: x % 97, v: x, src: 'seq' }))
  .filter((r) => r.v % 3 !== 0);
const b = env
  .fromCollection(Array.from({ length: 500 }, (_, i) => i))
  .rebalance()
  .map((x: number): R => ({ k: x % 97, v: 1, src: 'rebalance' }));
const c = env
  .fromSequence(1, 1000)
  .shuffle()
  .map((x: number): R => ({ k: x % 97, v: 2, src: 'shuffle' }));
const d = env
  .fromSequence(1, 300)
  .rescale()
  .map((x: number): R => ({ k: x % 97, v: 3, src: 'rescale' }));
const g = env
  .fromSequence(1, 200)
  .global()
  .map((x: number): R => ({ k: x % 97, v: 5, src: 'global' }));
const bc = env
  .fromElements(7)
  .broadcast()
  .map((x: number): R => ({ k: x, v: 1000, src: 'broadcast' }));
const f = env
  .fromSequence(1, 100)
  .forward()
  .map((x: number): R => ({ k: x % 97, v: 7, src: 'forward' }));
if (groups) {
  b.slotSharingGroup('left');
  c.slotSharingGroup('left');
}
const summed = a
  .union(b, c, d, g, bc, f)
  .keyBy((r) => r.k)
  .sum('v');
if (groups) summed.slotSharingGroup('agg');

const records = await summed.executeAndCollect('matrix');
const finalByKey: Record<string, number> = {};
const bySource: Record<string, number> = {};
for (const r of records) {
  finalByKey[r.k] = Math.max(finalByKey[r.k] ?? 0, r.v);
  bySource[r.src] = (bySource[r.src] ?? 0) + 1;
}
console.log(`RESULT ${JSON.stringify({ count: records.length, finalByKey })}`);
