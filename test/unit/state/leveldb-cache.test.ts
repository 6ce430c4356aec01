/**
 * The LevelDB backend's cache of decoded values (issue 16): whatever the cache and batch sizes,
 * reads give the newest value, a value changed in place without update() is kept (as the hashmap
 * backend keeps it), and a snapshot taken at any moment (values cached, staged, in a slow batch in
 * flight, or in LevelDB) holds exactly the state of that moment, in raw form, and restores into
 * either backend at parallelism 1 and 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange, assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../src/core/key-groups.js';
import { packValue, unpackValue } from '../../../src/core/serde.js';
import { canonicalKeyedSnapshot, HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';
import { rawOffsets, SNAPSHOT_FORMAT_VERSION } from '../../../src/state/snapshot-format.js';
import { namespacedKey } from '../../../src/runtime/operators/window-state.js';
import { normalizeKey } from '../../../src/state/index.js';
import { writeState } from '../../../src/checkpoint/metadata.js';
import { restoreFor } from '../../../src/runtime/taskmanager/task-state-io.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-leveldb-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;

/** A small deterministic random generator. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Model = { count: Map<number, number>; list: Map<number, number[]>; tags: Map<number, Map<string, number>>; obj: Map<number, { n: number; seen: number[] }> };

/** The state of every key, read through a backend's states. */
function readAll(b: AbstractKeyedStateBackend, keys: number, range = new KeyGroupRange(0, 127)): Model {
  const count = b.getValueState(new ValueStateDescriptor<number>('count'));
  const list = b.getListState(new ListStateDescriptor<number>('list'));
  const tags = b.getMapState(new MapStateDescriptor<string, number>('tags'));
  const obj = b.getValueState(new ValueStateDescriptor<{ n: number; seen: number[] }>('obj'));
  const m: Model = { count: new Map(), list: new Map(), tags: new Map(), obj: new Map() };
  for (let k = 0; k < keys; k++) {
    if (!range.contains(assignToKeyGroup(k, 128))) continue;
    b.setCurrentKey(k);
    const c = count.value();
    if (c !== null) m.count.set(k, c);
    const l = [...list.get()];
    if (l.length > 0) m.list.set(k, l);
    if (!tags.isEmpty()) m.tags.set(k, new Map(tags.entries()));
    const o = obj.value();
    if (o !== null) m.obj.set(k, structuredClone(o));
  }
  return m;
}

const cloneModel = (m: Model): Model => structuredClone(m);

async function leveldb(options: { cacheEntries?: number; bufferEntries?: number } = {}, range = new KeyGroupRange(0, 127)): Promise<LevelDbKeyedStateBackend> {
  const b = new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), 128, range, options);
  await b.open();
  return b;
}

async function restored(kind: 'hashmap' | 'leveldb', snap: KeyedSnapshot, range: KeyGroupRange): Promise<AbstractKeyedStateBackend> {
  const b = kind === 'leveldb' ? await leveldb({}, range) : new HeapKeyedStateBackend(128, range);
  await b.restore([snap]);
  return b;
}

/** The model's keys in a key-group range. */
function restrict(m: Model, range: KeyGroupRange): Model {
  const keep = <V>(x: Map<number, V>) => new Map([...x].filter(([k]) => range.contains(assignToKeyGroup(k, 128))));
  return { count: keep(m.count), list: keep(m.list), tags: keep(m.tags), obj: keep(m.obj) };
}

describe('LevelDB backend cache', () => {
  for (const [cacheEntries, bufferEntries] of [
    [1, 1],
    [7, 5],
    [64, 16],
    [100_000, 8192],
  ] as const) {
    it(`leveldb cache - random writes, clears, in-place changes and snapshots agree with a model (cache ${cacheEntries} keys, batches of ${bufferEntries}, slow batches)`, async () => {
      const KEYS = 60;
      const b = await leveldb({ cacheEntries, bufferEntries });
      // Batches take a while, so that snapshots and reads meet batches in flight.
      const db = (b as unknown as { db: { batch: (ops: unknown[]) => Promise<void> } }).db;
      const real = db.batch.bind(db);
      db.batch = async (ops) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        await real(ops);
      };
      const count = b.getValueState(new ValueStateDescriptor<number>('count'));
      const list = b.getListState(new ListStateDescriptor<number>('list'));
      const tags = b.getMapState(new MapStateDescriptor<string, number>('tags'));
      const obj = b.getValueState(new ValueStateDescriptor<{ n: number; seen: number[] }>('obj'));
      const model: Model = { count: new Map(), list: new Map(), tags: new Map(), obj: new Map() };
      const snapshots: Array<{ expected: Model; snap: Promise<KeyedSnapshot> }> = [];
      const r = rng(cacheEntries * 31 + bufferEntries);
      for (let step = 0; step < 3000; step++) {
        const k = Math.floor(r() * KEYS);
        b.setCurrentKey(k);
        const op = Math.floor(r() * 10);
        if (op === 0) {
          count.clear();
          model.count.delete(k);
        } else if (op <= 2) {
          count.update((count.value() ?? 0) + k + 1);
          model.count.set(k, (model.count.get(k) ?? 0) + k + 1);
        } else if (op === 3) {
          list.add(step);
          model.list.set(k, [...(model.list.get(k) ?? []), step]);
        } else if (op === 4) {
          const t = `t${step % 5}`;
          if (r() < 0.3) {
            tags.remove(t);
            model.tags.get(k)?.delete(t);
            if (model.tags.get(k)?.size === 0) model.tags.delete(k);
          } else {
            tags.put(t, step);
            model.tags.set(k, new Map(model.tags.get(k) ?? []).set(t, step));
          }
        } else if (op === 5) {
          // Changed in place, without update(): kept, as in the hashmap backend.
          const o = obj.value();
          if (o === null) {
            obj.update({ n: 1, seen: [step] });
            model.obj.set(k, { n: 1, seen: [step] });
          } else {
            o.n++;
            o.seen.push(step);
            const mo = model.obj.get(k)!;
            mo.n++;
            mo.seen.push(step);
          }
        } else if (op === 6) {
          expect(count.value()).toBe(model.count.get(k) ?? null);
          expect([...list.get()]).toEqual(model.list.get(k) ?? []);
        } else if (op === 7 && step % 7 === 0) {
          const ref = b.snapshot();
          snapshots.push({ expected: cloneModel(model), snap: Promise.resolve(b.toCanonical(ref)).finally(() => b.releaseSnapshot(ref)) });
        } else if (op === 8 && step % 5 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        } else if (op === 9 && step % 50 === 0) {
          await b.flush();
        }
      }
      expect(readAll(b, KEYS)).toEqual(model);
      await b.flush();
      expect(readAll(b, KEYS)).toEqual(model);
      const last = b.snapshot();
      snapshots.push({ expected: cloneModel(model), snap: Promise.resolve(b.toCanonical(last)).finally(() => b.releaseSnapshot(last)) });
      expect(snapshots.length).toBeGreaterThan(5);
      for (const { expected, snap } of snapshots) {
        // Through the bytes, as a checkpoint writes and reads it.
        const s = unpackValue(packValue(await snap)) as KeyedSnapshot;
        expect(s.states.every((st) => st.groups.length === 0 && (st.rawGroups?.length ?? 0) > 0)).toBe(true);
        for (const kind of ['hashmap', 'leveldb'] as const) {
          const whole = await restored(kind, s, new KeyGroupRange(0, 127));
          expect(readAll(whole, KEYS)).toEqual(expected);
          await whole.dispose();
          for (const i of [0, 1]) {
            const range = computeKeyGroupRangeForOperatorIndex(128, 2, i);
            const part = await restored(kind, s, range);
            expect(readAll(part, KEYS, range)).toEqual(restrict(expected, range));
            await part.dispose();
          }
        }
      }
      await b.dispose();
    }, 120_000);
  }

  it('leveldb cache - keys that fit the cache are read from LevelDB once and written only when evicted, flushed or snapshotted', async () => {
    const b = await leveldb({ cacheEntries: 100 });
    const db = b as unknown as { db: { getSync: (k: Buffer) => unknown; batch: (ops: unknown[]) => Promise<void> } };
    let gets = 0;
    let puts = 0;
    const get = db.db.getSync.bind(db.db);
    const batch = db.db.batch.bind(db.db);
    db.db.getSync = (k) => (gets++, get(k));
    db.db.batch = (ops) => ((puts += ops.length), batch(ops));
    const count = b.getValueState(new ValueStateDescriptor<number>('count'));
    for (let i = 0; i < 10_000; i++) {
      b.setCurrentKey(i % 50);
      count.update((count.value() ?? 0) + 1);
    }
    expect(gets).toBe(50);
    expect(puts).toBe(0);
    const ref = b.snapshot();
    const s = canonicalKeyedSnapshot(await b.toCanonical(ref));
    b.releaseSnapshot(ref);
    expect(s.states[0]!.groups.flatMap(([, e]) => e).map(([k, v]) => [k, v]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual(Array.from({ length: 50 }, (_, k) => [k, 200]));
    await b.flush();
    expect(puts).toBe(50);
    await b.dispose();
  });

  it('leveldb cache - a raw group whose sizes do not add up is refused with a clear error, not read wrong', async () => {
    const b = await leveldb();
    const count = b.getValueState(new ValueStateDescriptor<number>('count'));
    for (let k = 0; k < 20; k++) {
      b.setCurrentKey(k);
      count.update(k);
    }
    const ref = b.snapshot();
    const s = await b.toCanonical(ref);
    b.releaseSnapshot(ref);
    await b.dispose();
    const [kg, bytes, sizes] = s.states[0]!.rawGroups![0]!;
    expect(() => rawOffsets([kg, bytes.subarray(1), sizes])).toThrow(/raw state of key group \d+ is corrupt/);
    const cut = { ...s, states: [{ ...s.states[0]!, rawGroups: [[kg, bytes, sizes.subarray(1)] as const] }] };
    const target = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127));
    await expect(target.restore([cut])).rejects.toThrow(/corrupt/);
  });

  // Review defects (issue 16), each failed before its fix.

  /** A backend's state as sorted lines: state|key group|key|value. */
  async function lines(b: AbstractKeyedStateBackend): Promise<string[]> {
    const ref = b.snapshot();
    const s = canonicalKeyedSnapshot(await b.toCanonical(ref));
    b.releaseSnapshot(ref);
    return s.states.flatMap((st) => st.groups.flatMap(([kg, entries]) => entries.map(([k, v]) => `${st.name}|${kg}|${JSON.stringify(k)}|${JSON.stringify(v)}`))).sort();
  }

  it('leveldb cache - a record key spelled like a window composite key is another key: its own row, key group and value, as in the hashmap backend', async () => {
    const out: Record<string, unknown> = {};
    for (const kind of ['hashmap', 'leveldb'] as const) {
      const b = kind === 'hashmap' ? new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127)) : await leveldb({ cacheEntries: 1 });
      const contents = b.getListState(new ListStateDescriptor<number>('window-contents'));
      const own = b.getValueState(new ValueStateDescriptor<string>('own'));
      b.setCurrentKey('k');
      const composite = namespacedKey(normalizeKey('k'), '0:10');
      // Key 'k' in window 0:10: the composite key, in k's key group.
      b.setCurrentKeyAndKeyGroup('k', composite, b.getCurrentKeyGroup());
      contents.add(1);
      // A record whose key is that very string: another key group, another key.
      expect(assignToKeyGroup(composite, 128)).not.toBe(assignToKeyGroup('k', 128));
      b.setCurrentKey(composite);
      contents.add(2);
      own.update('mine');
      // Another key evicts the rows (a cache of one key).
      b.setCurrentKey('other');
      own.update('x');
      b.setCurrentKey(composite);
      out[kind] = { read: own.value(), list: [...contents.get()], state: await lines(b) };
      await b.dispose();
    }
    expect(out['leveldb']).toEqual(out['hashmap']);
    expect(out['hashmap']).toMatchObject({ read: 'mine', list: [2] });
  });

  it('leveldb cache - raw sizes that end in the middle of a number are refused, not read forever', () => {
    expect(() => rawOffsets([3, new Uint8Array(0), new Uint8Array([0x80])])).toThrow(/raw state of key group 3 is corrupt/);
    expect(() => rawOffsets([3, new Uint8Array(200), new Uint8Array([0xc8, 0x81])])).toThrow(/corrupt/);
  });

  it('leveldb cache - a Map in a value stays a Map, as on hashmap: after eviction, through a checkpoint into either backend, and as a MapState user key', async () => {
    type V = { m: Map<unknown, unknown>; o: Record<string, unknown>; zero: number };
    const value = (): V => ({ m: new Map<unknown, unknown>([['x', 1], [2, new Map([['deep', -0]])], [{ k: 1 }, [new Map()]]]), o: { '1': 'a' }, zero: -0 });
    const check = (v: V | null, where: string) => {
      expect(v?.m, where).toBeInstanceOf(Map);
      expect(v!.m.get('x'), where).toBe(1);
      const inner = v!.m.get(2) as Map<string, number>;
      expect(inner, where).toBeInstanceOf(Map);
      expect(Object.is(inner.get('deep'), -0), where).toBe(true);
      const [[objKey, list]] = [...v!.m].filter(([k]) => typeof k === 'object') as Array<[unknown, unknown[]]>;
      expect(objKey, where).toEqual({ k: 1 });
      expect(list![0], where).toBeInstanceOf(Map);
      // A plain object stays a plain object (with its string key), -0 stays -0.
      expect(v!.o, where).toEqual({ '1': 'a' });
      expect(Object.getPrototypeOf(v!.o), where).toBe(Object.prototype);
      expect(Object.is(v!.zero, -0), where).toBe(true);
    };
    const user = new Map([[1, 2]]);
    const l = await leveldb({ cacheEntries: 1, bufferEntries: 1 });
    const states = (b: AbstractKeyedStateBackend) => ({ v: b.getValueState(new ValueStateDescriptor<V>('v')), ms: b.getMapState(new MapStateDescriptor<unknown, number>('ms')) });
    let s = states(l);
    l.setCurrentKey('a');
    s.v.update(value());
    s.ms.put(user, 7);
    // A cache of one key: 'a' is evicted, written, and read back from LevelDB.
    l.setCurrentKey('b');
    s.v.update({ m: new Map(), o: {}, zero: 0 });
    l.setCurrentKey('a');
    check(s.v.value(), 'leveldb, after eviction');
    expect(s.ms.get(new Map([[1, 2]])), 'MapState user key').toBe(7);
    expect([...s.ms.keys()][0]).toBeInstanceOf(Map);
    const ref = l.snapshot();
    const snap = unpackValue(packValue(await l.toCanonical(ref))) as KeyedSnapshot;
    l.releaseSnapshot(ref);
    for (const kind of ['hashmap', 'leveldb'] as const) {
      const b = await restored(kind, snap, new KeyGroupRange(0, 127));
      s = states(b);
      b.setCurrentKey('a');
      check(s.v.value(), `leveldb checkpoint into ${kind}`);
      expect(s.ms.get(new Map([[1, 2]])), `${kind}: MapState user key`).toBe(7);
      await b.dispose();
    }
    await l.dispose();
  });

  it('leveldb cache - a restore refuses a snapshot of a newer format, naming it, rather than restore it partly', () => {
    const handle = writeState(packValue({ version: SNAPSHOT_FORMAT_VERSION + 1, keyed: { maxParallelism: 128, startKeyGroup: 0, endKeyGroup: 127, states: [] } }), { operatorId: 'op', subtaskIndex: 0, keyGroupRange: [0, 127] }, 'none', undefined);
    expect(() => restoreFor({ dir: undefined, checkpointId: 1, handles: { op: [handle] } }, 'op', 0, 1, 128)).toThrow(new RegExp(`snapshot format ${SNAPSHOT_FORMAT_VERSION + 1}, newer than this miniflink reads`));
  });
});
