/**
 * Keys by value in both keyed state backends: Date, bigint, Map, Set and composite keys keep their
 * own state, snapshots list them as the user's types, and a checkpoint written by one backend
 * (packed as a checkpoint packs it) restores into the other, at another parallelism too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange, assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../src/core/key-groups.js';
import { packValue, unpackValue } from '../../../src/core/serde.js';
import { canonicalKeyedSnapshot, HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAX_P = 128;
type Kind = 'hashmap' | 'leveldb';
let dbs = 0;

async function backend(kind: Kind, range = new KeyGroupRange(0, MAX_P - 1)): Promise<AbstractKeyedStateBackend> {
  if (kind === 'hashmap') return new HeapKeyedStateBackend(MAX_P, range);
  const b = new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX_P, range);
  await b.open();
  return b;
}

/** Distinct keys by value; the record i goes to KEYS[i % KEYS.length]. */
const KEYS: unknown[] = [
  new Date(0),
  new Date(1),
  ['g', 5n],
  ['g', 6n],
  new Map<string, number>([['a', 1], ['b', 2]]),
  new Map<string, number>([['a', 2], ['b', 1]]),
  new Set(['x', 'y']),
  { when: new Date(2), tags: new Set(['p']), big: 2n ** 70n },
  2n ** 70n,
  '\u0000k"not an encoded key"',
  0,
];
/** The same keys as other objects, built in other orders (what a key selector returns each time). */
function keyOf(i: number): unknown {
  const k = KEYS[i % KEYS.length];
  if (k instanceof Date) return new Date(k.getTime());
  if (k instanceof Map) return new Map([...k].reverse());
  if (k instanceof Set) return new Set([...k].reverse());
  if (Array.isArray(k)) return [...k];
  if (k === 0) return -0;
  if (typeof k === 'object' && k !== null) return { big: 2n ** 70n, tags: new Set(['p']), when: new Date(2) };
  return k;
}

const N = 5000;
const expectedSum = (j: number) => {
  let s = 0;
  for (let i = 0; i < N; i++) if (i % KEYS.length === j) s += i;
  return s;
};

async function fill(b: AbstractKeyedStateBackend): Promise<void> {
  const sum = b.getValueState(new ValueStateDescriptor<number>('sum'));
  const seen = b.getMapState(new MapStateDescriptor<unknown, number>('seen'));
  for (let i = 0; i < N; i++) {
    b.setCurrentKey(keyOf(i));
    sum.update((sum.value() ?? 0) + i);
    // MapState user keys compare by value too: two Dates a day apart per key.
    const day = new Date(86_400_000 * (i % 2));
    seen.put(day, (seen.get(new Date(day.getTime())) ?? 0) + 1);
  }
}

function check(b: AbstractKeyedStateBackend, keys: number[] = KEYS.map((_, j) => j)): void {
  const sum = b.getValueState(new ValueStateDescriptor<number>('sum'));
  const seen = b.getMapState(new MapStateDescriptor<unknown, number>('seen'));
  for (const j of keys) {
    b.setCurrentKey(keyOf(j));
    expect(sum.value(), `sum of ${String(j)}`).toBe(expectedSum(j));
    const days = [...seen.entries()].sort((x, y) => (x[0] as Date).getTime() - (y[0] as Date).getTime());
    expect(days.map(([d]) => d)).toStrictEqual([new Date(0), new Date(86_400_000)]);
    expect(days.reduce((a, [, n]) => a + n, 0)).toBe(Math.ceil((N - j) / KEYS.length));
  }
}

async function snapshotOf(b: AbstractKeyedStateBackend): Promise<KeyedSnapshot> {
  const ref = b.snapshot();
  const canonical = await b.toCanonical(ref);
  b.releaseSnapshot(ref);
  // Through the bytes, as a checkpoint writes and reads it.
  return unpackValue(packValue(canonical)) as KeyedSnapshot;
}

describe.each<[Kind, Kind]>([
  ['hashmap', 'hashmap'],
  ['hashmap', 'leveldb'],
  ['leveldb', 'leveldb'],
  ['leveldb', 'hashmap'],
])('keys by value - %s backend, restored into %s', (from, to) => {
  it('keys - each key by value keeps its own state (Date, bigint tuple, Map and Set in any order, nested)', async () => {
    const b = await backend(from);
    try {
      await fill(b);
      check(b);
    } finally {
      await b.dispose();
    }
  });

  it('keys - a snapshot lists the keys as the user built them, and restores at parallelism 1 and 2', async () => {
    const b = await backend(from);
    let snap: KeyedSnapshot;
    try {
      await fill(b);
      snap = await snapshotOf(b);
    } finally {
      await b.dispose();
    }
    // The LevelDB backend's snapshot holds its entries raw (not decoded): read them as a user's tools would.
    const sums = canonicalKeyedSnapshot(snap).states.find((s) => s.name === 'sum')!;
    const listed = sums.groups.flatMap(([kg, entries]) => entries.map(([k]) => [kg, k] as const));
    expect(listed).toHaveLength(KEYS.length);
    for (const [kg, k] of listed) expect(kg).toBe(assignToKeyGroup(k, MAX_P));
    const keys = listed.map(([, k]) => k);
    for (const key of KEYS) expect(keys).toContainEqual(key);
    expect(keys.filter((k) => k instanceof Date)).toHaveLength(2);
    expect(keys.filter((k) => k instanceof Map)).toHaveLength(2);
    expect(keys.filter((k) => k instanceof Set)).toHaveLength(1);
    expect(keys.filter((k) => typeof k === 'bigint')).toHaveLength(1);

    const whole = await backend(to);
    try {
      await whole.restore([snap]);
      check(whole);
    } finally {
      await whole.dispose();
    }
    for (let index = 0; index < 2; index++) {
      const range = computeKeyGroupRangeForOperatorIndex(MAX_P, 2, index);
      const half = await backend(to, range);
      try {
        await half.restore([snap]);
        check(
          half,
          KEYS.map((_, j) => j).filter((j) => range.contains(assignToKeyGroup(keyOf(j), MAX_P))),
        );
      } finally {
        await half.dispose();
      }
    }
  });
});
