/**
 * NamespaceScope, the (key, window) state of the window operator: composite keys stay exact
 * however many namespaces and keys pass, the memo of them stays bounded, and entering a window's
 * namespace leaves the current key as the record's.
 */
import { describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { NamespaceScope, WindowStateStore } from '../../../src/runtime/operators/window-state.js';
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor, StateTtlConfig } from '../../../src/api/index.js';
import { HeapKeyedStateBackend } from '../../../src/state/index.js';

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
