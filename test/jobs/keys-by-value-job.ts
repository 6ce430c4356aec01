/**
 * Keys compared by value: 1..N summed per key with keyBy(...).sum, keyed by
 *   date       new Date(x % 2)
 *   bigint     ['g', BigInt(x % 3) * 10n ** 20n, x % 2 === 0]   (a bigint past 64 bits in a tuple)
 *   map        a Map of x % 2 and x % 3, built in two insertion orders
 *   nested     { when: Date, tags: Set } with the Set built in two orders
 * and a KeyedProcessFunction that reports ctx.getCurrentKey()'s type per key.
 * Prints `RESULT {"<tag>": {"<key>": [final sum, outputs]}, "types": [...]}`.
 * Arguments: <backend hashmap|leveldb> [N] [tags to run (all by default)]
 */
import {
  HashMapStateBackend,
  KeyedProcessFunction,
  LevelDbStateBackend,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ValueState,
} from 'miniflink';

const [backend, n, ...only] = process.argv.slice(2);
const N = Number(n ?? 3000);

type R = { x: number; v: number };
type Out = { tag: string; k: string; v: number };

/** Reports the current key's type once per key. */
class KeyType extends KeyedProcessFunction<unknown, R, Out> {
  private seen!: ValueState<boolean>;
  override open(): void {
    this.seen = this.getRuntimeContext().getState(new ValueStateDescriptor<boolean>('seen'));
  }
  processElement(r: R, ctx: KeyedProcessContext<unknown>, out: Collector<Out>): void {
    if (this.seen.value()) return;
    this.seen.update(true);
    const key = ctx.getCurrentKey();
    out.collect({ tag: 'types', k: `${key instanceof Date ? 'Date' : typeof key}:${key instanceof Date ? key.getTime() : ''}`, v: r.x % 2 });
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setStateBackend(backend === 'leveldb' ? new LevelDbStateBackend() : new HashMapStateBackend());
const numbers = () => env.fromSequence(1, N).map((x): R => ({ x, v: x }));
const tagged = (tag: string, key: (x: number) => string) => (r: R): Out => ({ tag, k: key(r.x), v: r.v });

const pipelines = {
  date: () =>
    numbers()
      .keyBy((r) => new Date(r.x % 2))
      .sum('v')
      .map(tagged('date', (x) => String(x % 2))),
  bigint: () =>
    numbers()
      .keyBy((r) => ['g', BigInt(r.x % 3) * 10n ** 20n, r.x % 2 === 0])
      .sum('v')
      .map(tagged('bigint', (x) => `${x % 3}/${x % 2 === 0}`)),
  map: () =>
    numbers()
      .keyBy((r) =>
        r.x % 4 < 2
          ? new Map([
              ['parity', r.x % 2],
              ['mod3', r.x % 3],
            ])
          : new Map([
              ['mod3', r.x % 3],
              ['parity', r.x % 2],
            ]),
      )
      .sum('v')
      .map(tagged('map', (x) => `${x % 2}/${x % 3}`)),
  nested: () =>
    numbers()
      .keyBy((r) => ({ tags: new Set(r.x % 3 === 0 ? ['a', r.x % 5] : [r.x % 5, 'a']), when: new Date(1000 * (r.x % 2)) }))
      .sum('v')
      .map(tagged('nested', (x) => `${x % 2}/${x % 5}`)),
  types: () =>
    numbers()
      .keyBy((r) => new Date(r.x % 2))
      .process(new KeyType()),
};
// Only the pipelines asked for are built (a stream without a sink runs too).
const [first, ...rest] = Object.entries(pipelines)
  .filter(([tag]) => only.length === 0 || only.includes(tag))
  .map(([, build]) => build());
const rows = await first!.union(...rest).executeAndCollect('keys-by-value');
const result: Record<string, Record<string, [number, number]>> = {};
const keyTypes: string[] = [];
for (const r of rows) {
  if (r.tag === 'types') {
    keyTypes.push(r.k);
    continue;
  }
  const byKey = (result[r.tag] ??= {});
  const cur = byKey[r.k] ?? [0, 0];
  byKey[r.k] = [Math.max(cur[0], r.v), cur[1] + 1];
}
console.log(`RESULT ${JSON.stringify({ ...result, types: keyTypes.sort() })}`);
