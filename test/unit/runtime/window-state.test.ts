/**
 * NamespaceScope, the (key, window) state of the window operator: composite keys stay exact
 * however many namespaces and keys pass, the memo of them stays bounded, and entering a window's
 * namespace leaves the current key as the record's.
 */
import { describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { NamespaceScope } from '../../../src/runtime/operators/window-state.js';
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
});
