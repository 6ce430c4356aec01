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
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../../../src/api/index.js';
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
  });
}
