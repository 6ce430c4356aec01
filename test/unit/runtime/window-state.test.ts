/**
 * NamespaceScope, the (key, window) state of the window operator: composite keys stay exact
 * however many namespaces and keys pass, the memo of them stays bounded, and entering a window's
 * namespace leaves the current key as the record's. WindowContentsCell, the contents of a key's
 * windows in one value: exact past its first 8 windows (kept per window then) and back,
 * copy-on-write under a snapshot, never used inside a namespace; and the conversion of format-4
 * snapshots' contents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup, KeyGroupRange } from '../../../src/core/key-groups.js';
import { namespacedKey, NamespaceScope, WindowStateStore } from '../../../src/runtime/operators/window-state.js';
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../../../src/api/index.js';
import {
  canonicalKeyedSnapshot,
  HeapKeyedStateBackend,
  LevelDbKeyedStateBackend,
  normalizeKey,
  upgradeWindowContents,
  WINDOW_CONTENTS,
  WINDOW_CONTENTS_ARRAY_WINDOWS,
  WINDOW_CONTENTS_MORE,
  type KeyedSnapshot,
} from '../../../src/state/index.js';

const MAX = 128;

describe('window state scope', () => {
  it('window state - values per (key, namespace) stay exact past the memo of composite keys, which stays bounded', () => {
    const backend = new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
    const scope = new NamespaceScope(backend);
    const cell = scope.cell('window-contents');
    // 70 namespaces (beyond the 64 remembered) x 5,000 keys (350,000 pairs, beyond the 262,144 entries), twice.
    for (let round = 1; round <= 2; round++) {
      for (let w = 0; w < 70; w++) {
        for (let k = 0; k < 5_000; k++) {
          backend.setCurrentKey(k);
          const cur = cell.begin(`${w}:${w + 1}`) as number | undefined;
          cell.commit((cur ?? 0) + k + w);
        }
        expect((scope as unknown as { entries: number }).entries).toBeLessThanOrEqual(262_144);
      }
    }
    expect(backend.size('window-contents')).toBe(350_000);
    for (const [k, w] of [[0, 0], [4_999, 69], [1_234, 33]] as const) {
      backend.setCurrentKey(k);
      expect(cell.get(`${w}:${w + 1}`)).toBe(2 * (k + w));
    }
  });

  it('window state - the current key stays the record\'s across a window state access: -0 after 0 is -0', () => {
    const backend = new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
    const cell = new NamespaceScope(backend).cell('window-contents');
    backend.setCurrentKey(0);
    cell.set('0:10', 1);
    backend.setCurrentKey(-0);
    expect(Object.is(backend.getCurrentKey(), -0)).toBe(true);
    // One state key for 0 and -0 (as documented): -0 reads what 0 wrote.
    expect(cell.get('0:10')).toBe(1);
    expect(Object.is(backend.getCurrentKey(), -0)).toBe(true);
  });

  it('window state - per-window state with time-to-live (ReturnExpiredIfNotCleanedUp): add never builds on an expired value, and a merge of windows does not take one (found by a review)', () => {
    const backend = new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
    let now = 1000;
    backend.now = () => now;
    const store = new WindowStateStore(new NamespaceScope(backend));
    const ttl = StateTtlConfig.newBuilder(100).returnExpiredIfNotCleanedUp().build();
    const rd = new ReducingStateDescriptor<number>('r', (a, b) => a + b);
    rd.enableTimeToLive(ttl);
    const ad = new AggregatingStateDescriptor<number, number, number>('a', { createAccumulator: () => 0, add: (x, acc) => acc + x, getResult: (acc) => acc, merge: (x, y) => x + y });
    ad.enableTimeToLive(ttl);
    const ld = new ListStateDescriptor<number>('l');
    ld.enableTimeToLive(ttl);
    backend.setCurrentKey('k');
    store.ns = '0:10';
    const r = store.getReducingState(rd);
    const a = store.getAggregatingState(ad);
    const l = store.getListState<number>(ld);
    r.add(100);
    a.add(100);
    l.add(100);
    store.ns = '10:20';
    r.add(50);
    now = 1200;
    // Before the fix: 101, 101 and [100, 1].
    store.ns = '0:10';
    r.add(1);
    a.add(1);
    l.add(1);
    expect([r.get(), a.get(), [...l.get()]]).toEqual([1, 1, [1]]);
    // Merging the expired 10:20 into 0:10 folds nothing in.
    store.mergeNamespaces(rd, '0:10', ['10:20']);
    expect(r.get()).toBe(1);
  });
});

describe('window contents, one value per key', () => {
  const heap = () => new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
  const valueOf = (b: HeapKeyedStateBackend, key: unknown) => {
    b.setCurrentKey(key);
    return b.getValueState(new ValueStateDescriptor<unknown[]>(WINDOW_CONTENTS)).value();
  };

  it('window contents - 40 windows of a key (8 in its value, the others per window), removed in any order, stay exact; the key has no value once none is left', () => {
    const backend = heap();
    const scope = new NamespaceScope(backend);
    const cell = scope.contentsCell(false);
    const model = new Map<string, number>();
    backend.setCurrentKey('k');
    for (let round = 0; round < 3; round++) {
      for (let w = 0; w < 40; w++) {
        const ns = `${w}:${w + 10}`;
        const cur = cell.begin(ns) as number | undefined;
        expect(cur).toBe(model.get(ns));
        cell.commit((cur ?? 0) + w + 1);
        model.set(ns, (model.get(ns) ?? 0) + w + 1);
      }
      expect(valueOf(backend, 'k')!.length).toBe(2 * WINDOW_CONTENTS_ARRAY_WINDOWS + 1);
      expect(backend.size(WINDOW_CONTENTS_MORE)).toBe(model.size - WINDOW_CONTENTS_ARRAY_WINDOWS);
      // Another key's windows are apart.
      backend.setCurrentKey(7);
      cell.set('0:10', -1);
      backend.setCurrentKey('k');
      // Windows of the value and of `more` go, in any order; the freed places take new windows.
      for (let w = round; w < 40; w += 3) {
        const ns = `${w}:${w + 10}`;
        expect(cell.take(ns)).toBe(model.get(ns));
        model.delete(ns);
      }
      for (const [ns, v] of model) expect(cell.get(ns)).toBe(v);
      expect(cell.get('99:109')).toBeUndefined();
      expect(cell.take('99:109')).toBeUndefined();
    }
    for (const ns of [...model.keys()].reverse()) cell.clear(ns);
    expect(backend.size(WINDOW_CONTENTS)).toBe(1);
    expect(backend.size(WINDOW_CONTENTS_MORE)).toBe(0);
    backend.setCurrentKey(7);
    expect(cell.get('0:10')).toBe(-1);
    cell.set('0:10', null);
    expect(backend.size(WINDOW_CONTENTS)).toBe(0);
  });

  it('window contents - a key whose windows are all past its first 8 (the first ones fired) still finds them; new windows fill the freed places', () => {
    const backend = heap();
    const cell = new NamespaceScope(backend).contentsCell(false);
    backend.setCurrentKey(1);
    for (let w = 0; w < 12; w++) cell.set(`${w}:${w + 1}`, w);
    for (let w = 0; w < 8; w++) expect(cell.take(`${w}:${w + 1}`)).toBe(w);
    expect(valueOf(backend, 1)).toEqual([4]);
    for (let w = 8; w < 12; w++) expect(cell.get(`${w}:${w + 1}`)).toBe(w);
    cell.set('20:21', 20);
    expect(valueOf(backend, 1)).toEqual(['20:21', 20, 4]);
    for (let w = 8; w < 12; w++) cell.clear(`${w}:${w + 1}`);
    expect(valueOf(backend, 1)).toEqual(['20:21', 20]);
    expect(backend.size(WINDOW_CONTENTS_MORE)).toBe(0);
  });

  it('window contents - abort leaves the value; merge folds windows into one; a value changed in place after a snapshot leaves the snapshot as it was', async () => {
    const backend = heap();
    const cell = new NamespaceScope(backend).contentsCell(false);
    backend.setCurrentKey(1);
    cell.set('0:10', [1]);
    cell.set('10:20', [2]);
    cell.set('20:30', [3]);
    expect(cell.begin('0:10')).toEqual([1]);
    cell.abort();
    cell.merge('30:40', ['0:10', '20:30'], (a, b) => (a as number[]).concat(b as number[]));
    expect([cell.get('0:10'), cell.get('20:30'), cell.get('30:40'), cell.get('10:20')]).toEqual([undefined, undefined, [1, 3], [2]]);
    const ref = backend.snapshot();
    (cell.begin('30:40') as number[]).push(99);
    cell.commit(cell.get('30:40'));
    cell.set('40:50', [4]);
    const snap = await backend.toCanonical(ref);
    backend.releaseSnapshot();
    expect(snap.states.find((st) => st.name === WINDOW_CONTENTS)!.groups.flatMap(([, e]) => e.map(([, v]) => v))).toEqual([['10:20', [2], '30:40', [1, 3]]]);
    expect(cell.get('30:40')).toEqual([1, 3, 99]);
  });

  it('window contents - used inside another window state call (a namespace current), it fails instead of reading the wrong key', () => {
    const backend = heap();
    const scope = new NamespaceScope(backend);
    const cell = scope.contentsCell(false);
    backend.setCurrentKey(1);
    scope.enter('0:10');
    expect(() => cell.get('0:10')).toThrow(/outside another window state call/);
    scope.leave();
    expect(cell.get('0:10')).toBeUndefined();
  });

  it('window contents - a format-4 snapshot (an entry per key and window) converts: a key\'s first 8 windows to its value, the others per window; user state of the old table\'s name stays, also under keys that look like a window\'s; format 5 stays', () => {
    const keys: unknown[] = ['a', '\u0000odd', '', 'x\u0001y', 7, -1.5, NaN, Infinity, 2 ** 60, true, false, 12n, -3n, new Date(5), { x: [1, 'y'] }];
    const byGroup = new Map<number, Array<readonly [unknown, unknown]>>();
    const put = (groupOf: unknown, key: unknown, value: unknown) => {
      const kg = assignToKeyGroup(groupOf, MAX);
      byGroup.set(kg, [...(byGroup.get(kg) ?? []), [key, value]]);
    };
    keys.forEach((k, i) => {
      put(k, namespacedKey(normalizeKey(k), '0:10'), i);
      put(k, namespacedKey(normalizeKey(k), 'global'), [i]);
    });
    const many = Array.from({ length: 20 }, (_, w) => [namespacedKey(normalizeKey('many'), `${w}:${w + 1}`), w] as const);
    for (const [k, w] of many) put('many', k, w);
    // A window function's globalState() named 'window-contents' shared the table, under plain keys,
    // some of which look like a window's (found by a review: '0:10\u0001sy' was taken for key 'y').
    const user = ['plain', 5, '0:10\u0001zq', 'x\u0001s', '0:10\u0001sy', '1:\u0001sy', ' 1:2\u0001sy', '01:2\u0001sy'];
    user.forEach((k, i) => put(k, k, `u${i}`));
    const other = { name: 'counts', kind: 'value' as const, groups: [[3, [['a', 1]]] as const] };
    const groups = [...byGroup].sort((a, b) => a[0] - b[0]);
    const v4: KeyedSnapshot = { maxParallelism: MAX, startKeyGroup: 0, endKeyGroup: MAX - 1, version: 4, states: [{ name: 'window-contents', kind: 'value', groups }, other] };
    const up = upgradeWindowContents(v4);
    expect(up.states.map((st) => st.name)).toEqual(['counts', 'window-contents', WINDOW_CONTENTS, WINDOW_CONTENTS_MORE]);
    expect(up.states[0]).toBe(other);
    const entriesOf = (i: number) => new Map(up.states[i]!.groups.flatMap(([kg, e]) => e.map(([k, v]) => [normalizeKey(k), [kg, v]] as const)));
    expect(entriesOf(1)).toEqual(new Map(user.map((k, i) => [normalizeKey(k), [assignToKeyGroup(k, MAX), `u${i}`]])));
    const got = entriesOf(2);
    expect(got.size).toBe(keys.length + 1);
    keys.forEach((k, i) => expect(got.get(normalizeKey(k)), String(k)).toEqual([assignToKeyGroup(k, MAX), ['0:10', i, 'global', [i]]]));
    expect(got.get('many')![1]).toEqual([...many.slice(0, 8).flatMap(([, w]) => [`${w}:${w + 1}`, w]), 12]);
    expect(up.states[3]!.groups).toEqual([[assignToKeyGroup('many', MAX), many.slice(8)]]);
    // Through the canonical form too (as a LevelDB snapshot's raw groups are read).
    expect(canonicalKeyedSnapshot(up).states[2]!.groups.flatMap(([, e]) => e).length).toBe(keys.length + 1);
    const v5 = { ...v4, version: 5 };
    expect(upgradeWindowContents(v5)).toBe(v5);
    const { version: _, ...current } = v4;
    expect(upgradeWindowContents(current)).toBe(current);
  });

  it('window contents - a format-4 LevelDB snapshot (raw entries, as the old per-window cell wrote them) converts too, and restores', async () => {
    const root = mkdtempSync(join(tmpdir(), 'miniflink-window-state-'));
    try {
      const b = new LevelDbKeyedStateBackend(join(root, 'db'), MAX, new KeyGroupRange(0, MAX - 1));
      await b.open();
      const old = new NamespaceScope(b).cell('window-contents');
      for (let k = 0; k < 50; k++) {
        b.setCurrentKey(`k${k}`);
        for (let w = 0; w < 10; w++) old.set(`${w}:${w + 1}`, { k, w });
      }
      const ref = b.snapshot();
      const raw = await b.toCanonical(ref);
      b.releaseSnapshot(ref);
      await b.dispose();
      expect(raw.states[0]!.rawGroups!.length).toBeGreaterThan(0);
      const up = upgradeWindowContents({ ...raw, version: 4 });
      const restored = new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
      await restored.restore([up]);
      const cell = new NamespaceScope(restored).contentsCell(false);
      for (let k = 0; k < 50; k++) {
        restored.setCurrentKey(`k${k}`);
        for (let w = 0; w < 10; w++) expect(cell.get(`${w}:${w + 1}`)).toEqual({ k, w });
      }
      expect(restored.size(WINDOW_CONTENTS)).toBe(50);
      expect(restored.size(WINDOW_CONTENTS_MORE)).toBe(100);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('window contents - within one element on LevelDB with a cache of 1 key, a window of `more` (another row, evicting the key\'s) between two in-place changes loses neither (found reading the change)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'miniflink-window-state-'));
    try {
      for (const cacheEntries of [1, 2, 3]) {
        const b = new LevelDbKeyedStateBackend(join(root, `db-${cacheEntries}`), MAX, new KeyGroupRange(0, MAX - 1), { cacheEntries, bufferEntries: 1 });
        await b.open();
        const cell = new NamespaceScope(b).contentsCell(false);
        b.setCurrentKey('k');
        for (let w = 0; w < 10; w++) cell.set(`${w}:${w + 1}`, [w]);
        // One element of windows 0 (in the key's value), 9 (in `more`), 1, then 11 (new, to `more`) and 2.
        for (let round = 0; round < 3; round++) {
          cell.startElement();
          for (const w of [0, 9, 1, 11, 2]) {
            const cur = (cell.begin(`${w}:${w + 1}`) as number[] | undefined) ?? [];
            cur.push(100 + round);
            cell.commit(cur);
          }
          cell.endElement();
          // Other keys push the key's row out of the cache.
          for (let k = 0; k < 5; k++) {
            b.setCurrentKey(`other${k}`);
            cell.set('0:1', [k]);
          }
          b.setCurrentKey('k');
        }
        for (const w of [0, 9, 1, 2]) expect(cell.get(`${w}:${w + 1}`), `cache ${cacheEntries}, window ${w}`).toEqual([w, 100, 101, 102]);
        expect(cell.get('11:12')).toEqual([100, 101, 102]);
        for (const w of [3, 4, 5, 6, 7, 8]) expect(cell.get(`${w}:${w + 1}`)).toEqual([w]);
        await b.dispose();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
