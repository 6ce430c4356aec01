/**
 * Record copies and the record codec with and without registered classes (tinybench), each next
 * to its baseline in the same process: the defensive copy of the previous release (spread for
 * plain objects, structuredClone for class instances, kept below as `copyBefore`), a spread, a
 * hand-written copy function, and the codec's previous options. Every task works on the same
 * 1,024 records per call (all copied, or one batch encoded and decoded); figures are records per second.
 *
 * The whole set runs BENCH_ROUNDS times (default 7) one after another, BENCH_TIME ms per task and
 * round (default 400); each figure is the median of its rounds, so every ratio compares tasks
 * measured side by side on this shared, noisy machine.
 *
 *   npx tsx bench/record-copy.ts
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { Packr, Unpackr } from 'msgpackr';
import { Bench } from 'tinybench';
import { registerPojoType } from '../src/core/pojo-types.js';
import { copyRecord } from '../src/core/record-copy.js';
import { RecordBatchCodec } from '../src/core/serde.js';

const TIME = Number(process.env['BENCH_TIME'] ?? 400);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const N = 1024;

/** A record class, as a job's POJO. */
class Word {
  constructor(
    public word: string,
    public count: number,
    public ts: number,
  ) {}
  len(): number {
    return this.word.length;
  }
}
registerPojoType(Word);
/** The same class, not registered: copies go through structuredClone before, a plain object now. */
class Loose {
  constructor(
    public word: string,
    public count: number,
    public ts: number,
  ) {}
}

const plain = Array.from({ length: N }, (_, i) => ({ word: `w${i % 100}`, count: i, ts: 1_700_000_000_000 + i }));
const nested = Array.from({ length: N }, (_, i) => ({ key: i % 100, value: { sum: i, items: [i, i + 1] } }));
const words = Array.from({ length: N }, (_, i) => new Word(`w${i % 100}`, i, 1_700_000_000_000 + i));
const loose = Array.from({ length: N }, (_, i) => new Loose(`w${i % 100}`, i, 1_700_000_000_000 + i));
const floats = Array.from({ length: N }, (_, i) => i * 1.5);

// Unregistered instances warn once (tinybench calls each task once as it adds it): warn now, silently.
const warn = console.warn;
console.warn = () => {};
copyRecord(new Loose('x', 1, 2));
console.warn = warn;

/** The defensive copy of the previous release (src/core/record-copy.ts before this change). */
function copyBefore<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyBefore(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) {
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k in out) {
      const x = out[k];
      if (x !== null && typeof x === 'object') out[k] = copyBefore(x);
    }
    return out as T;
  }
  if (proto === null) return Object.assign(Object.create(null), copyBefore({ ...(v as object) })) as T;
  return structuredClone(v);
}

/** A hand-written copy of one Word (the ceiling for a generated one). */
const handCopy = (w: Word): Word => {
  const o = Object.create(Word.prototype) as Word;
  o.word = w.word;
  o.count = w.count;
  o.ts = w.ts;
  return o;
};

// Each call copies all 1,024 records (tinybench's own cost per call would hide a 20 ns copy).
let sink: unknown;
const each =
  <T>(records: readonly T[], copy: (r: T) => unknown) =>
  (): void => {
    const out = new Array<unknown>(N);
    for (let i = 0; i < N; i++) out[i] = copy(records[i]!);
    sink = out;
  };

const bench = new Bench({ time: TIME, warmupTime: 100 });
bench
  .add('copy plain {word, count, ts}: before (spread)', each(plain, copyBefore))
  .add('copy plain {word, count, ts}: now', each(plain, copyRecord))
  .add('copy plain {word, count, ts}: bare spread', each(plain, (r) => ({ ...r })))
  .add('copy nested {key, value: {sum, items: [..]}}: before', each(nested, copyBefore))
  .add('copy nested {key, value: {sum, items: [..]}}: now', each(nested, copyRecord))
  .add('copy registered Word: before (structuredClone, loses the class)', each(words, copyBefore))
  .add('copy registered Word: now (generated copy function)', each(words, copyRecord))
  .add('copy registered Word: hand-written copy function', each(words, handCopy))
  .add('copy registered Word: Object.assign(Object.create(proto), w)', each(words, (w) => Object.assign(Object.create(Word.prototype) as Word, w)));

// The codec: one batch of 1,024 records encoded and decoded per call.
const codec = new RecordBatchCodec();
const beforePackr = new Packr({ useRecords: true, moreTypes: true });
const beforeUnpackr = new Unpackr({ useRecords: true, moreTypes: true });
const before = (records: readonly unknown[]) => beforeUnpackr.unpack(new Uint8Array(beforePackr.pack(records))) as unknown[];
const now = (records: readonly unknown[]) => codec.decode(codec.encode(records));
bench
  .add('codec 1,024 records: plain {word, count, ts}, before', () => void (sink = before(plain)))
  .add('codec 1,024 records: plain {word, count, ts}, now', () => void (sink = now(plain)))
  .add('codec 1,024 records: registered Words, now (they stay Words)', () => void (sink = now(words)))
  .add('codec 1,024 records: unregistered class instances, now (become plain objects)', () => void (sink = now(loose)))
  .add('codec 1,024 floats: before', () => void (sink = before(floats)))
  .add('codec 1,024 floats: now (-0 check)', () => void (sink = now(floats)));

const rounds = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  await bench.run();
  for (const t of bench.tasks) {
    const r = t.result as unknown as { throughput: { mean: number } };
    rounds.set(t.name, [...(rounds.get(t.name) ?? []), r.throughput.mean * N]);
  }
  bench.reset();
}
if (sink === undefined) throw new Error('nothing ran');

const perRecord = (name: string): number => {
  const xs = [...rounds.get(name)!].sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
};
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `Machine: ${cpu}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; tinybench, median of ${ROUNDS} rounds of ${TIME} ms per task.`,
  '',
  '| task | records/s | vs the first row of its group |',
  '|---|---:|---:|',
];
let base = 0;
let group = '';
for (const t of bench.tasks) {
  const g = t.name.split(':')[0]!;
  const r = perRecord(t.name);
  if (g !== group) {
    group = g;
    base = r;
  }
  lines.push(`| ${t.name} | ${fmt(r)} | ${(r / base).toFixed(2)}x |`);
}
console.log(lines.join('\n'));
