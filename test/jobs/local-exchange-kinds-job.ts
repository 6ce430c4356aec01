/**
 * Records of many kinds through every kind of exchange, for comparing delivery by reference
 * (`-D pipeline.local-exchange.by-reference=true`) with serialized delivery (the default). Two jobs:
 *
 *   kinds:    fromSequence -> map: the i-th record of KINDS, as [name, value] -> four consumers that
 *             are not chained to it: keyBy(name) -> a KeyedProcessFunction (with a count per key in
 *             ValueState); rebalance() -> map; broadcast() -> map; forward -> map (a chain of its
 *             own). Each describes the value it got (see describe()). Plus keys by value: keyBy(a
 *             Date, a bigint, -0, 0, a tuple, lone surrogates, a Map, objects in two key orders),
 *             each key twice, -> a count per key with the key as ctx.getCurrentKey() gives it.
 *   mutation: object reuse on; an upstream map that changes and returns one shared object each
 *             time (and checks that no one else changed it) -> keyBy and broadcast() -> consumers
 *             that describe what they got, keep it, check that what they kept never changes, and
 *             then change the record themselves.
 *
 * Prints `RESULT {"kinds": [...], "mutation": [...]}`, each sorted: one line per record a consumer
 * got, "<exchange> <name>: <description>".
 */
import { KeyedProcessFunction, RichMapFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type KeyedProcessContext } from 'miniflink';

/** A registered record class (keeps its class across an exchange). */
class Pt {
  constructor(
    public x: number,
    public y: number,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
}

/** Not registered (and not exported): becomes a plain object, with a warning. */
class Loose {
  constructor(public n: number) {}
}

/** Subclasses of built-ins (not registrable): they travel as their base class. */
class MyMap extends Map<string, number> {}
class MyArr extends Array<number> {}

const withProps = (): unknown => Object.assign([1, 2], { extra: 'e' });
const nullProto = (fields: Record<string, unknown>): object => Object.assign(Object.create(null) as object, fields);
const ownKey = (o: object, k: string, value: unknown): object => Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
const SYMBOL = Symbol('tag');

/** [name, a function making the value] per kind: made in the producing task itself. */
const KINDS: ReadonlyArray<readonly [string, () => unknown]> = [
  ['plain', () => ({ a: 1, b: 'two', c: true, d: null })],
  ['key order', () => ({ z: 1, a: 2, 10: 'ten', 2: 'two', m: 3 })],
  ['integer-like keys', () => ({ '01': 'a', 1: 'b', '-1': 'c', '1.5': 'd' })],
  ['undefined vs missing', () => ({ a: undefined, b: 1, nested: { u: undefined } })],
  ['negative zero', () => ({ z: -0, arr: [-0, 0], nested: { q: -0 }, min: -Number.MIN_VALUE })],
  ['numbers', () => ({ nan: NaN, inf: -Infinity, big: 2 ** 53 + 2, f: 0.1, i32: -(2 ** 31), u64: 2 ** 40, tiny: 5e-324 })],
  ['bigints', () => ({ small: 5n, neg: -7n, i64max: 2n ** 63n - 1n, u64max: 2n ** 64n - 1n, huge: 2n ** 70n, negHuge: -(2n ** 70n) })],
  ['primitive string', () => 'str'],
  ['primitive -0', () => -0],
  ['primitive bigint', () => 3n],
  ['primitive null', () => null],
  ['__proto__ own key (JSON.parse)', () => JSON.parse('{"id":1,"__proto__":{"polluted":true}}') as unknown],
  ['__proto__ own key nested', () => ({ list: [JSON.parse('{"__proto__":"x","b":-0}') as unknown] })],
  ['constructor own key (JSON.parse)', () => JSON.parse('{"constructor":"c","a":{"constructor":{"name":"x"}}}') as unknown],
  ['null prototype', () => nullProto({ a: 1, b: 'x' })],
  ['null prototype nested', () => ({ inner: nullProto({ k: 'v' }), inMap: new Map([['n', nullProto({ q: -0 })]]) })],
  ['null prototype with __proto__ key', () => ownKey(nullProto({}), '__proto__', 1)],
  ['Map', () => new Map<unknown, unknown>([['a', 1], ['b', { c: -0 }], [{ k: 1 }, 'object key'], [1, 'number key'], ['1', 'string key'], [2n, new Date(7)]])],
  ['Set', () => new Set<unknown>([1, 'x', { o: 1 }, -0, 'a\uD800', [1n]])],
  ['Map and Set subclasses', () => ({ m: new MyMap([['a', 1]]), arr: MyArr.from([1, 2]) })],
  ['Date', () => ({ d: new Date(1700000000123), epoch: new Date(0), before: new Date(-1), invalid: new Date(NaN) })],
  ['Buffer', () => ({ b: Buffer.from('hi'), empty: Buffer.alloc(0) })],
  ['Uint8Array', () => ({ u8: new Uint8Array([1, 2, 3]), view: new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3) })],
  ['other typed arrays', () => [new Float64Array([1.5, -0]), new Float32Array([-0]), new Int32Array([-1, 2]), new BigInt64Array([1n, -2n]), new Uint8ClampedArray([255]), new Int8Array([-1])]],
  ['DataView and ArrayBuffer', () => ({ dv: new DataView(new Uint8Array([7, 8]).buffer), ab: new Uint8Array([9, 9]).buffer })],
  ['URL', () => ({ url: new URL('https://example.com/a?b=c#d') })],
  ['boxed primitives', () => [new Number(-0), new Number(2), new String('bx'), new String('\uD800'), new Boolean(false), Object(12n) as object]],
  ['RegExp and Error', () => ({ re: /ab+c/gi, err: Object.assign(new Error('boom', { cause: 'why' }), { code: 'E1' }), type: new TypeError('te') })],
  ['lone surrogates in values', () => ({ s: 'a\uD800b', t: '\uDC00', pair: '\uD83D\uDE00', fffd: '\uFFFD', arr: ['\uDBFF'] })],
  ['lone surrogates in keys', () => ({ ['k\uD800']: 1, ['k\uDC00']: 2 })],
  // Holes arrive as undefined elements.
  // eslint-disable-next-line no-sparse-arrays
  ['sparse array', () => ({ s: [1, , 3], holes: [, ,], undef: [undefined] })],
  ['array with an extra property', () => ({ a: withProps() })],
  ['registered class', () => new Pt(1, -0)],
  ['registered class nested', () => ({ p: new Pt(2, 3), m: new Map([['p', new Pt(4, 5)]]), arr: [new Pt(6, 7)] })],
  ['registered class, field added / deleted / undefined', () => {
    const added = Object.assign(new Pt(1, 2), { extra: 'e' });
    const deleted = new Pt(3, 4) as Partial<Pt>;
    delete deleted.y;
    return [added, deleted, new Pt(undefined as unknown as number, 5)];
  }],
  ['unregistered class', () => ({ l: new Loose(1) })],
  ['symbol-keyed property', () => ({ symbolHolder: 1, [SYMBOL]: 2 })],
  ['getter and non-enumerable', () => Object.defineProperty({ get g() { return 1; }, x: 2 }, 'hidden', { value: 3, enumerable: false })],
  ['inherited fields (Object.create)', () => Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } }) as unknown],
  ['frozen', () => Object.freeze({ f: Object.freeze([1]) })],
  ['deeply nested', () => ({ a: [[1, [2, { b: [3, { c: { d: { e: [null, -0] } } }] }]], { f: {} }, []] })],
  ['70 keys', () => Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, i]))],
  ['empty', () => [{}, [], '', new Map(), new Set()]],
  // Names with lone surrogates: two keys that UTF-8 would make one.
  ['lone \uD800', () => 'high'],
  ['lone \uDC00', () => 'low'],
];

/** A deterministic description of a value: its type (prototype), contents, -0, key order... */
function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      // JSON.stringify writes a lone surrogate as \udXXX (and U+FFFD as itself).
      return JSON.stringify(v);
    case 'boolean':
      return String(v);
    case 'symbol':
    case 'function':
      return typeof v;
    default:
      break;
  }
  const o = v as object;
  const proto = Object.getPrototypeOf(o) as object | null;
  const ctor: unknown = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  const type = proto === null ? 'null-prototype' : typeof ctor === 'function' ? ctor.name : 'anonymous-prototype';
  if (Array.isArray(o)) {
    const items = Array.from({ length: o.length }, (_, i) => (i in o ? describe(o[i]) : 'hole'));
    return `${type}[${items.join(',')}]${extraKeys(o, (k) => !/^\d+$/.test(k))}`;
  }
  if (o instanceof Map) return `${type}{${[...o].map(([k, x]) => `${describe(k)}=>${describe(x)}`).join(',')}}`;
  if (o instanceof Set) return `${type}{${[...o].map(describe).join(',')}}`;
  if (o instanceof Date) return `${type}(${o.getTime()})`;
  if (ArrayBuffer.isView(o)) return `${type}(${Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('hex')})${Buffer.isBuffer(o) ? ' isBuffer' : ''}`;
  if (o instanceof ArrayBuffer) return `${type}(${Buffer.from(o).toString('hex')})`;
  if (o instanceof URL) return `${type}(${o.href})`;
  if (o instanceof RegExp) return `${type}(${String(o)},lastIndex=${o.lastIndex})`;
  if (o instanceof Error) return `${type}(${o.name}: ${o.message}${'cause' in o ? `,cause=${describe(o.cause)}` : ''})${extraKeys(o, () => true)}`;
  if (o instanceof Number || o instanceof String || o instanceof Boolean || o instanceof BigInt) return `${type}(${describe(o.valueOf())})`;
  const fields = Reflect.ownKeys(o).map((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k)!;
    const name = typeof k === 'symbol' ? `[${String(k)}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
    const flags = `${d.enumerable === true ? '' : '(non-enumerable)'}${d.get !== undefined ? '(getter)' : ''}`;
    return `${name}${flags}:${d.get !== undefined ? '?' : describe(d.value)}`;
  });
  const method = o instanceof Pt ? ` sum()=${describe(o.sum())}` : '';
  return `${type}{${fields.join(',')}}${Object.isFrozen(o) ? ' frozen' : ''}${method}`;
}

/** Own keys of an array or built-in besides its contents, if any. */
function extraKeys(o: object, pick: (k: string) => boolean): string {
  const keys = Reflect.ownKeys(o).filter((k) => typeof k === 'symbol' || (k !== 'length' && k !== 'stack' && k !== 'message' && k !== 'cause' && pick(k)));
  return keys.length === 0 ? '' : `+{${keys.map((k) => `${String(k)}:${describe((o as Record<string | symbol, unknown>)[k])}`).join(',')}}`;
}

type Tuple = [string, unknown];

class DescribeKeyed extends KeyedProcessFunction<string, Tuple, string> {
  processElement(t: Tuple, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
    count.update((count.value() ?? 0) + 1);
    const key = ctx.getCurrentKey();
    out.collect(`keyBy ${describe(t[0])}: ${describe(t[1])}${key === t[0] ? '' : ` (current key ${describe(key)})`} #${count.value()}`);
  }
}

/** Keys by value: a key (made in the task), each twice. */
const KEYS: ReadonlyArray<() => unknown> = [
  () => new Date(5),
  () => 5n,
  () => -0,
  () => 0,
  () => ['a', 1n, -0],
  () => '\uD800',
  () => '\uDC00',
  () => '\uFFFD',
  () => new Map<unknown, unknown>([['m', 1], [2n, 'x']]),
  () => ({ b: 1, a: [2] }),
  () => ({ a: [2], b: 1 }),
];

class CountKey extends KeyedProcessFunction<unknown, { k: unknown }, string> {
  processElement(_r: { k: unknown }, ctx: KeyedProcessContext<unknown>, out: Collector<string>): void {
    const count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
    count.update((count.value() ?? 0) + 1);
    out.collect(`key ${describe(ctx.getCurrentKey())} #${count.value()}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.getConfig().registerPojoType(Pt);

const tuples = env
  .fromSequence(0, KINDS.length - 1)
  .map((i): Tuple => [KINDS[i]![0], KINDS[i]![1]()])
  .name('make');
const keyed = tuples.keyBy((t) => t[0]).process(new DescribeKeyed());
const rebalanced = tuples.rebalance().map((t) => `rebalance ${describe(t[0])}: ${describe(t[1])}`);
const broadcasted = tuples.broadcast().map((t) => `broadcast ${describe(t[0])}: ${describe(t[1])}`);
const forwarded = tuples.map((t) => `forward ${describe(t[0])}: ${describe(t[1])}`).startNewChain();
// One producer (parallelism 1): the two records of a key arrive in order, so the counts are the same every run.
const keys = env
  .fromSequence(0, 2 * KEYS.length - 1)
  .setParallelism(1)
  .map((i) => ({ k: KEYS[i % KEYS.length]!() }))
  .setParallelism(1)
  .keyBy((r) => r.k)
  .process(new CountKey());
const kinds = await keyed.union(rebalanced, broadcasted, forwarded, keys).executeAndCollect('local-exchange-kinds');

/** One object, changed and returned for every record (object reuse on); counts changes made by others. */
interface Shared {
  n: number;
  tag: string;
  inner: { v: number; list: number[] };
  changedByOthers: number;
}

class ReuseOne extends RichMapFunction<number, Shared> {
  private readonly shared: Shared = { n: 0, tag: 'up', inner: { v: 0, list: [] }, changedByOthers: 0 };
  private last = JSON.stringify(this.shared);
  private changed = 0;
  map(n: number): Shared {
    if (JSON.stringify(this.shared) !== this.last) this.changed++;
    const s = this.shared;
    s.n = n;
    s.inner.v = n;
    s.inner.list.length = 0;
    s.inner.list.push(n, 2 * n);
    s.changedByOthers = this.changed;
    this.last = JSON.stringify(s);
    return s;
  }
}

/** Describes what it got, keeps it (and checks that nothing it kept changed since), then changes it. */
class Consume extends RichMapFunction<Shared, string> {
  private readonly kept: Array<[Shared, string]> = [];
  constructor(private readonly exchange: string) {
    super();
  }
  map(r: Shared): string {
    const seen = `${this.exchange} ${r.n}: ${describe(r)}`;
    r.tag = 'down';
    r.inner.v = -1;
    r.inner.list.push(-1);
    r.n = -r.n;
    const changed = this.kept.filter(([k, json]) => JSON.stringify(k) !== json).length;
    this.kept.push([r, JSON.stringify(r)]);
    return `${seen}; kept records changed since: ${changed}`;
  }
}

env.getConfig().enableObjectReuse();
const N = 30;
const shared = env.fromSequence(1, N).map(new ReuseOne());
const mutation = await shared
  .keyBy((s) => s.n % 4)
  .map(new Consume('keyBy'))
  .union(shared.broadcast().map(new Consume('broadcast')))
  .executeAndCollect('local-exchange-mutation');

console.log(`RESULT ${JSON.stringify({ kinds: kinds.sort(), mutation: mutation.sort() })}`);
