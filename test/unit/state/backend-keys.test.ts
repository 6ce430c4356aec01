/**
 * Keyed backends, both of them: ValueState.value() of an empty state is null as in Flink (and
 * update(null) clears), and getKeys / applyToAllKeys (Flink's KeyedStateBackend#getKeys and
 * #applyToAllKeys) visit exactly the keys with a value, whether in LevelDB, buffered or deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ListStateDescriptor, StateTtlConfig, ValueStateDescriptor, type ValueState } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dbs = 0;
const kinds = ['hashmap', 'leveldb'] as const;
async function open(kind: (typeof kinds)[number], options: { bufferEntries?: number; cacheEntries?: number } = {}): Promise<AbstractKeyedStateBackend> {
  const range = new KeyGroupRange(0, 127);
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), 128, range, options) : new HeapKeyedStateBackend(128, range);
  await b.open();
  return b;
}

const sortKeys = (ks: readonly unknown[]) => [...ks].map((k) => JSON.stringify(k)).sort();

for (const kind of kinds) {
  describe(`keyed backend (${kind})`, () => {
    it(`${kind} - setting the same key again is free, and still right after a namespace or applyToAllKeys moved the current key`, async () => {
      const b = await open(kind);
      const v: ValueState<number> = b.getValueState(new ValueStateDescriptor<number>('v'));
      b.setCurrentKey(5);
      v.update(1);
      b.setCurrentKey('5');
      v.update(2);
      b.setCurrentKey(5);
      expect(v.value()).toBe(1);
      const group = b.getCurrentKeyGroup();
      // A window namespace makes (5, ns) current under the same key object: setCurrentKey(5) must undo it.
      b.setCurrentKeyAndKeyGroup(5, 'composite-5-ns', group);
      expect(v.value()).toBe(null);
      b.setCurrentKey(5);
      expect(v.value()).toBe(1);
      // applyToAllKeys sets every key and restores the one before: the next setCurrentKey of the last key visited must not be skipped.
      b.setCurrentKey('5');
      await b.applyToAllKeys<ValueState<number>>('v', () => {});
      b.setCurrentKey(5);
      expect(v.value()).toBe(1);
      b.setCurrentKey('5');
      expect(v.value()).toBe(2);
      await b.dispose();
    });

    it(`${kind} - ValueState.value() is null without a value, the default when one is given; update(null) and update(undefined) clear`, async () => {
      const b = await open(kind);
      const s = b.getValueState(new ValueStateDescriptor<number>('v'));
      const withDefault = b.getValueState(new ValueStateDescriptor<number>('d', 7));
      b.setCurrentKey('a');
      expect(s.value()).toBeNull();
      expect(withDefault.value()).toBe(7);
      s.update(0);
      expect(s.value()).toBe(0);
      s.update(null);
      expect(s.value()).toBeNull();
      s.update(5);
      (s as ValueState<number | undefined>).update(undefined);
      expect(s.value()).toBeNull();
      s.update(5);
      s.clear();
      expect(s.value()).toBeNull();
      await b.dispose();
    });

    it(`${kind} - ValueState.value() of an expired TTL value is null`, async () => {
      const b = await open(kind);
      let now = 1000;
      b.now = () => now;
      const d = new ValueStateDescriptor<string>('ttl');
      d.enableTimeToLive(StateTtlConfig.newBuilder(100).build());
      const s = b.getValueState(d);
      b.setCurrentKey('a');
      s.update('x');
      now = 1050;
      expect(s.value()).toBe('x');
      now = 1200;
      expect(s.value()).toBeNull();
      await b.dispose();
    });

    it(`${kind} - getKeys lists the keys with a value in the state (written, then some cleared), objects in canonical form`, async () => {
      // A tiny cache and buffer: part of the state is in LevelDB, part staged or cached, some deletions of each.
      const b = await open(kind, { bufferEntries: 16, cacheEntries: 10 });
      const v = b.getValueState(new ValueStateDescriptor<number>('v'));
      const l = b.getListState(new ListStateDescriptor<number>('l'));
      const keys: unknown[] = [];
      for (let i = 0; i < 100; i++) keys.push(i % 3 === 0 ? `s${i}` : i % 3 === 1 ? i : { id: i, tags: ['x'] });
      for (const k of keys) {
        b.setCurrentKey(k);
        v.update(1);
      }
      b.setCurrentKey('only-list');
      l.add(1);
      for (const k of keys.slice(0, 30)) {
        b.setCurrentKey(k);
        v.clear();
      }
      if (b instanceof LevelDbKeyedStateBackend) await b.flush();
      for (const k of keys.slice(90)) {
        b.setCurrentKey(k);
        v.clear();
      }
      expect(sortKeys(await b.getKeys('v'))).toEqual(sortKeys(keys.slice(30, 90)));
      expect(await b.getKeys('l')).toEqual(['only-list']);
      expect(await b.getKeys('never-registered')).toEqual([]);
      await b.dispose();
    });

    it(`${kind} - applyToAllKeys calls the function with each key current and the state scoped to it; it may clear; the key before is current again`, async () => {
      const b = await open(kind, { bufferEntries: 8, cacheEntries: 6 });
      const d = new ValueStateDescriptor<number>('count');
      const s = b.getValueState(d);
      for (let k = 0; k < 40; k++) {
        b.setCurrentKey(k);
        s.update(k * 10);
      }
      b.setCurrentKey('outside');
      const seen: Array<[unknown, number | null]> = [];
      await b.applyToAllKeys<ValueState<number>>(d, (key, state) => {
        expect(b.getCurrentKey()).toEqual(key);
        seen.push([key, state.value()]);
        if ((key as number) % 2 === 0) state.clear();
        else state.update(state.value()! + 1);
      });
      expect(b.getCurrentKey()).toBe('outside');
      expect(seen.sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual(Array.from({ length: 40 }, (_, k) => [k, k * 10]));
      const after: Array<[unknown, number | null]> = [];
      await b.applyToAllKeys<ValueState<number>>('count', (key, state) => void after.push([key, state.value()]));
      expect(after.sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual(Array.from({ length: 20 }, (_, i) => [2 * i + 1, (2 * i + 1) * 10 + 1]));
      expect(() => b.applyToAllKeys('nope', () => {})).toThrow(/Keyed state 'nope' is not registered/);
      await b.dispose();
    });
  });
}

describe('keyed backend - applyToAllKeys', () => {
  it('hashmap - applyToAllKeys is synchronous; with no key set before, none is current after', async () => {
    const b = await open('hashmap');
    const d = new ValueStateDescriptor<number>('v');
    b.setCurrentKey('a');
    b.getValueState(d).update(1);
    const fresh = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127));
    fresh.getValueState(d);
    expect(fresh.applyToAllKeys(d, () => {})).toBeUndefined();
    expect(fresh.getCurrentKey()).toBeUndefined();
    const keys: unknown[] = [];
    expect(b.applyToAllKeys(d, (k) => void keys.push(k))).toBeUndefined();
    expect(keys).toEqual(['a']);
  });
});
