/**
 * sum and max on records of an exported class with object reuse on (the aggregation copies its
 * running record, as Flink's SumAggregator does) and off (it adds in place and the chain copies what
 * it emits), and sum on a nested field. `RESULT <kind:key:value per record>`.
 */
import { StreamExecutionEnvironment } from 'miniflink';

/** A record class the job exports. */
export class Vec {
  constructor(
    public k: number,
    public x: number,
    public inner: { y: number },
  ) {}
  norm(): number {
    return Math.abs(this.x);
  }
}

const [reuse] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
if (reuse === 'reuse') env.getConfig().enableObjectReuse();
const vecs = env.fromSequence(1, 6).map((n) => new Vec(n % 2, n, { y: 10 * n }));
const kind = (v: Vec) => `${v instanceof Vec ? 'Vec' : 'plain'}:${v.k}`;
const out = await vecs
  .keyBy((v) => v.k)
  .sum('x')
  .map((v) => `sum ${kind(v)}:${v.x}:${v.norm()}`)
  .union(
    vecs
      .keyBy((v) => v.k)
      .max('x')
      .map((v) => `max ${kind(v)}:${v.x}`),
    vecs
      .keyBy((v) => v.k)
      .sum('inner.y')
      .map((v) => `nested ${kind(v)}:${v.inner.y}`),
  )
  .executeAndCollect();
console.log(`RESULT ${JSON.stringify(out.sort())}`);
