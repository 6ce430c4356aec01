/**
 * What keyed state hands out, on both backends: a ValueStateDescriptor's default value is a fresh
 * copy for every read (Flink copies it with the state's serializer), so changing what value()
 * returned for one key never changes what another key reads. And what both backends store alike:
 * no empty list for addAll([]), no state for an accumulator that is nothing, and a restore that
 * refuses to read state with time-to-live cells the other way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../../../src/api/index.js';
import { packValue, unpackValue } from '../../../src/core/serde.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-state-values-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dbs = 0;
const kinds = ['hashmap', 'leveldb'] as const;
async function open(kind: (typeof kinds)[number]): Promise<AbstractKeyedStateBackend> {
  const range = new KeyGroupRange(0, 127);
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), 128, range) : new HeapKeyedStateBackend(128, range);
  await b.open();
  return b;
}

for (const kind of kinds) {
  describe(`state values (${kind})`, () => {
    it(`${kind} - a ValueStateDescriptor's default value is a fresh copy per read: changing it for one key leaves the others' default alone`, async () => {
      const b = await open(kind);
      const defaultValue = { n: 0, tags: ['x'] };
      const s = b.getValueState(new ValueStateDescriptor<{ n: number; tags: string[] }>('s', defaultValue));
      b.setCurrentKey('a');
      const a = s.value()!;
      a.n++;
      a.tags.push('a');
      // Changed in place but never written back (key 'b' of the reproducer): still the default next time.
      expect(s.value()).toEqual({ n: 0, tags: ['x'] });
      b.setCurrentKey('b');
      const fromB = s.value()!;
      expect(fromB).toEqual({ n: 0, tags: ['x'] });
      fromB.n = 5;
      s.update(fromB);
      b.setCurrentKey('c');
      expect(s.value()).toEqual({ n: 0, tags: ['x'] });
      expect(defaultValue).toEqual({ n: 0, tags: ['x'] });
      b.setCurrentKey('b');
      expect(s.value()).toEqual({ n: 5, tags: ['x'] });
      await b.dispose();
    });

    it(`${kind} - addAll of nothing stores nothing; an accumulator or reduction that is nothing is no state (the key is not listed)`, async () => {
      const b = await open(kind);
      b.setCurrentKey('a');
      const list = b.getListState(new ListStateDescriptor<number>('l'));
      list.addAll([]);
      // An AggregateFunction that changes its accumulator and forgets to return it; a reduce returning null.
      const agg = b.getAggregatingState(
        new AggregatingStateDescriptor<number, { n: number }, number>('agg', {
          createAccumulator: () => ({ n: 0 }),
          add: ((v: number, acc: { n: number }) => void (acc.n += v)) as never,
          getResult: (acc) => acc.n,
          merge: (x) => x,
        }),
      );
      agg.add(1);
      const red = b.getReducingState(new ReducingStateDescriptor<number | null>('red', () => null));
      red.add(1);
      red.add(2);
      expect(await b.getKeys('l')).toEqual([]);
      expect(await b.getKeys('agg')).toEqual([]);
      expect(await b.getKeys('red')).toEqual([]);
      expect(agg.get()).toBeUndefined();
      expect([...list.get()]).toEqual([]);
      list.addAll([1, 2]);
      list.addAll([]);
      expect([...list.get()]).toEqual([1, 2]);
      await b.dispose();
    });

    it(`${kind} - a restore refuses state checkpointed with time-to-live under a descriptor without it, and the other way round (Flink: StateMigrationException); the same setting restores`, async () => {
      const ttlOf = (ttl: boolean) => {
        const d = new ValueStateDescriptor<number>('v');
        if (ttl) d.enableTimeToLive(StateTtlConfig.newBuilder(60_000).build());
        return d;
      };
      for (const [before, after] of [[false, true], [true, false], [true, true], [false, false]] as const) {
        const b = await open(kind);
        b.setCurrentKey('a');
        b.getValueState(ttlOf(before)).update(42);
        const ref = b.snapshot();
        const snap = unpackValue(packValue(await b.toCanonical(ref))) as KeyedSnapshot;
        b.releaseSnapshot(ref);
        await b.dispose();
        for (const into of kinds) {
          const r = await open(into);
          await r.restore([snap]);
          if (before === after) {
            const v = r.getValueState(ttlOf(after));
            r.setCurrentKey('a');
            expect(v.value(), `${kind} -> ${into}, ttl ${before}`).toBe(42);
          } else {
            expect(() => r.getValueState(ttlOf(after)), `${kind} -> ${into}`).toThrow(
              `Keyed state 'v' was checkpointed ${before ? 'with' : 'without'} time-to-live and is now registered ${before ? 'without' : 'with'} it`,
            );
          }
          // Registered first, restored after: refused as well.
          const first = await open(into);
          first.getValueState(ttlOf(after));
          if (before === after) await first.restore([snap]);
          else await expect(Promise.resolve().then(() => first.restore([snap]))).rejects.toMatchObject({ code: 'MF_ERR_RESTORE_FAILED' });
          await r.dispose();
          await first.dispose();
        }
      }
    });

    it(`${kind} - a state restored as one kind and registered as another fails as a restore (Flink: incompatible state types), either order; two kinds in one run, as before`, async () => {
      const b = await open(kind);
      b.setCurrentKey('a');
      await b.getValueState(new ValueStateDescriptor<number>('count')).update(1);
      const ref = b.snapshot();
      const snap = unpackValue(packValue(await b.toCanonical(ref))) as KeyedSnapshot;
      b.releaseSnapshot(ref);
      expect(() => b.getListState(new ListStateDescriptor<number>('count'))).toThrow(expect.objectContaining({ code: 'MF_ERR_INVALID_ARGUMENT', message: "State 'count' was registered as value state and cannot be used as list state" }));
      await b.dispose();
      const restored = await open(kind);
      await restored.restore([snap]);
      // Before: "State 'count' was registered as value state ...", though the program never registered it so.
      expect(() => restored.getListState(new ListStateDescriptor<number>('count'))).toThrow(expect.objectContaining({ code: 'MF_ERR_RESTORE_FAILED', message: expect.stringMatching(/^Keyed state 'count' was restored from the checkpoint or savepoint as value state and is now registered as list state: incompatible state types .*Was \[VALUE\], registered with \[LIST\]/) }));
      const registeredFirst = await open(kind);
      registeredFirst.getListState(new ListStateDescriptor<number>('count'));
      await expect(Promise.resolve().then(() => registeredFirst.restore([snap]))).rejects.toMatchObject({ code: 'MF_ERR_RESTORE_FAILED', message: expect.stringMatching(/^Keyed state 'count' was restored .* as value state and is now registered as list state/) });
      await restored.dispose();
      await registeredFirst.dispose();
    });

    it(`${kind} - keys with a lone surrogate stay apart ('\\uD800', '\\uDC00' and U+FFFD: msgpack's UTF-8 had made them one), live and through a snapshot into either backend`, async () => {
      const keys = ['\uD800', '\uDC00', '\uFFFD', { name: '\uD800' }, { name: '\uDC00' }];
      const b = await open(kind);
      const v = b.getValueState(new ValueStateDescriptor<number>('v'));
      for (const [i, k] of keys.entries()) {
        b.setCurrentKey(k);
        await v.update(i + 1);
      }
      const read = async (x: AbstractKeyedStateBackend) => {
        const s = x.getValueState(new ValueStateDescriptor<number>('v'));
        const out: Array<number | null> = [];
        for (const k of keys) {
          x.setCurrentKey(k);
          out.push(await s.value());
        }
        return out;
      };
      expect(await read(b)).toEqual([1, 2, 3, 4, 5]);
      if (kind === 'leveldb') await (b as LevelDbKeyedStateBackend).flush();
      expect(((await b.getKeys('v')) as unknown[]).length).toBe(5);
      const ref = b.snapshot();
      const snap = unpackValue(packValue(await b.toCanonical(ref))) as KeyedSnapshot;
      b.releaseSnapshot(ref);
      for (const into of kinds) {
        const r = await open(into);
        await r.restore([snap]);
        expect(await read(r), `${kind} -> ${into}`).toEqual([1, 2, 3, 4, 5]);
        await r.dispose();
      }
      await b.dispose();
    });

    it(`${kind} - time-to-live with ReturnExpiredIfNotCleanedUp: an expired value is returned by the read that finds it, which removes it (Flink's AbstractTtlDecorator); add and put never build on it`, async () => {
      const b = await open(kind);
      let now = 1000;
      b.now = () => now;
      const ttl = StateTtlConfig.newBuilder(100).returnExpiredIfNotCleanedUp().build();
      const withTtl = <D extends { enableTimeToLive(c: typeof ttl): void }>(d: D): D => (d.enableTimeToLive(ttl), d);
      const v = b.getValueState(withTtl(new ValueStateDescriptor<string>('v')));
      const r = b.getReducingState(withTtl(new ReducingStateDescriptor<number>('r', (x, y) => x + y)));
      const a = b.getAggregatingState(withTtl(new AggregatingStateDescriptor<number, number, number>('a', { createAccumulator: () => 0, add: (x, acc) => acc + x, getResult: (acc) => acc, merge: (x, y) => x + y })));
      const l = b.getListState(withTtl(new ListStateDescriptor<number>('l')));
      const m = b.getMapState(withTtl(new MapStateDescriptor<string, number>('m')));
      b.setCurrentKey('k');
      await v.update('old');
      await r.add(100);
      await a.add(100);
      await l.add(100);
      await m.put('old', 100);
      now = 1200;
      // Before the fix: 'old' twice, and 101, 101, [100, 1], {old, new}: expired values were never removed.
      expect(await v.value()).toBe('old');
      expect(await v.value()).toBeNull();
      await r.add(1);
      await a.add(1);
      await l.add(1);
      await m.put('new', 1);
      expect(await r.get()).toBe(1);
      expect(await a.get()).toBe(1);
      expect([...(await l.get())]).toEqual([1]);
      expect(await m.entries()).toEqual([['new', 1]]);
      await b.dispose();
    });
  });
}
