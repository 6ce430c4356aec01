import { describe, expect, it } from 'vitest';
import { javaHashMapOrder, repartitionOperatorState, splitRanges } from '../../../src/state/operator-state-repartitioner.js';
import { DefaultOperatorStateStore } from '../../../src/state/operator-state-store.js';
import type { OperatorStateData } from '../../../src/state/snapshot-format.js';

const split = (items: unknown[]) => ({ mode: 'split' as const, items });
const all = (old: Array<OperatorStateData | undefined>, p: number, name: string) =>
  Array.from({ length: p }, (_, i) => repartitionOperatorState(old, i, p).get(name)?.items ?? []);

describe('operator state repartitioning (Flink RoundRobinOperatorStateRepartitioner)', () => {
  it('split state at unchanged parallelism: every subtask gets back exactly its own items', () => {
    // Dealing i % p would give subtask 0 [a0, a2, b1] here.
    const old = [{ s: split(['a0', 'a1', 'a2']) }, { s: split(['b0']) }];
    expect(all(old, 2, 's')).toEqual([['a0', 'a1', 'a2'], ['b0']]);
  });

  it('split state at unchanged parallelism stays with its subtask also beside union state', () => {
    const old = [{ s: split(['a0', 'a1']), u: { mode: 'union' as const, items: ['ua'] } }, { s: split([]), u: { mode: 'union' as const, items: ['ub'] } }];
    expect(all(old, 2, 's')).toEqual([['a0', 'a1'], []]);
    expect(all(old, 2, 'u')).toEqual([['ua', 'ub'], ['ua', 'ub']]);
  });

  it('split state at a new parallelism: contiguous ranges in old subtask order, sizes differ by at most one', () => {
    const old = [{ s: split(['a0', 'a1', 'a2']) }, { s: split(['b0', 'b1']) }];
    expect(all(old, 3, 's')).toEqual([['a0', 'a1'], ['a2', 'b0'], ['b1']]);
    expect(all(old, 1, 's')).toEqual([['a0', 'a1', 'a2', 'b0', 'b1']]);
    expect(all(old, 4, 's')).toEqual([['a0', 'a1'], ['a2'], ['b0'], ['b1']]);
    // A subtask that held nothing, and more subtasks than items.
    expect(all([undefined, { s: split(['x']) }, undefined], 2, 's')).toEqual([['x'], []]);
  });

  it('the start index rotates across state names in HashMap order (the remainder rule)', () => {
    // 5 items on 3 subtasks: 2, 2, 1 from subtask 0; the round ran out of odd items at subtask 2.
    expect(splitRanges(5, 3, 0)).toEqual({ bySubtask: [[0, 2], [2, 4], [4, 5]], nextStart: 2 });
    // The next state starts at subtask 2: it gets the first, larger range.
    expect(splitRanges(5, 3, 2)).toEqual({ bySubtask: [[2, 4], [4, 5], [0, 2]], nextStart: 1 });
    // No remainder: the start stays where the round began.
    expect(splitRanges(6, 3, 1)).toEqual({ bySubtask: [[4, 6], [0, 2], [2, 4]], nextStart: 1 });
    // 'a' (bucket 1) is iterated before 'b' (bucket 2) whatever the insertion order.
    const old = [{ b: split([1, 2, 3, 4, 5]), a: split([1, 2, 3, 4, 5]) }];
    expect(all(old, 3, 'a')).toEqual([[1, 2], [3, 4], [5]]);
    // 'b' starts where 'a' ran out of odd items, at subtask 2.
    expect(all(old, 3, 'b')).toEqual([[3, 4], [5], [1, 2]]);
  });

  it('java.util.HashMap iteration order of strings', () => {
    expect(javaHashMapOrder(['c', 'b', 'a'])).toEqual(['a', 'b', 'c']);
    // 'q' (113) and 'a' (97) share bucket 1 of 16: insertion order within the bucket.
    expect(javaHashMapOrder(['q', 'b', 'a'])).toEqual(['q', 'a', 'b']);
    // 13 keys: the table has grown to 32 buckets, so 'q' (bucket 17) now follows 'b' (bucket 2).
    const many = ['q', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
    expect(javaHashMapOrder(many)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'q']);
  });

  it('union state: every subtask gets every item, in old subtask order', () => {
    const old = [{ u: { mode: 'union' as const, items: [1, 2] } }, { u: { mode: 'union' as const, items: [3] } }];
    expect(all(old, 3, 'u')).toEqual([[1, 2, 3], [1, 2, 3], [1, 2, 3]]);
  });

  it("broadcast state: subtask i gets old subtask (i % old parallelism)'s copy", () => {
    const old = [0, 1].map((i) => ({ b: { mode: 'broadcast' as const, items: [[`k${i}`, i]] } }));
    expect(all(old, 5, 'b')).toEqual([[['k0', 0]], [['k1', 1]], [['k0', 0]], [['k1', 1]], [['k0', 0]]]);
  });

  it('the operator state store restores what the repartitioner hands it', () => {
    const store = new DefaultOperatorStateStore([{ s: split([1, 2, 3]) }, { s: split([4]) }], 1, 2);
    expect(store.getListState({ name: 's' } as never).get()).toEqual([4]);
  });

  it('a state restored as one kind and asked for as another fails as a restore (Flink: incompatible state types); asked for twice as two kinds in one run, as before', () => {
    const restored = new DefaultOperatorStateStore([{ s: split([1]), b: { mode: 'broadcast' as const, items: [['k', 1]] } }], 0, 1);
    expect(() => restored.getUnionListState({ name: 's' } as never)).toThrow(expect.objectContaining({ code: 'MF_ERR_RESTORE_FAILED', message: expect.stringMatching(/^Operator state 's' was restored from the checkpoint or savepoint as split list state and is now registered as union list state: incompatible state types/) }));
    expect(() => restored.getListState({ name: 'b' } as never)).toThrow(expect.objectContaining({ code: 'MF_ERR_RESTORE_FAILED', message: expect.stringMatching(/^Operator state 'b' was restored .* as broadcast state and is now registered as split list state/) }));
    expect(() => restored.getBroadcastState({ name: 's' } as never)).toThrow(expect.objectContaining({ code: 'MF_ERR_RESTORE_FAILED' }));
    const fresh = new DefaultOperatorStateStore();
    fresh.getListState({ name: 'x' } as never);
    expect(() => fresh.getUnionListState({ name: 'x' } as never)).toThrow(expect.objectContaining({ code: 'MF_ERR_INVALID_ARGUMENT', message: "Operator state 'x' was registered as split list state and cannot be used as union list state" }));
  });
});
