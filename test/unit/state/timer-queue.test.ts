/**
 * The timer queue (Flink's KeyGroupPartitionedPriorityQueue of HeapPriorityQueueSets): timestamp
 * order without sorting, set semantics per (key, timestamp, namespace), deletion of any timer,
 * one heap per key group, copy-on-write snapshots, and many timers.
 */
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup, KeyGroupRange } from '../../../src/core/key-groups.js';
import { createTimerQueue, HeapPriorityQueueSet, normalizeKey, type TimerHeapSnapshot, type TimerQueue } from '../../../src/state/index.js';

const MAX = 128;
const ALL = new KeyGroupRange(0, MAX - 1);

function add(q: TimerQueue, key: unknown, ts: number, namespace?: unknown): boolean {
  return q.add(assignToKeyGroup(key, MAX), key, normalizeKey(key), ts, namespace, namespace === undefined ? undefined : normalizeKey(namespace));
}

function del(q: TimerQueue, key: unknown, ts: number, namespace?: unknown): boolean {
  return q.remove(assignToKeyGroup(key, MAX), normalizeKey(key), ts, namespace === undefined ? undefined : normalizeKey(namespace));
}

/** The timers of a key group's snapshot, as `key@ts`. */
function timersOf(s: TimerHeapSnapshot): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) if (s.removed[s.heap[i]!] === 0) out.push(`${String(s.keys[s.heap[i]!])}@${s.ts[s.heap[i]!]}`);
  return out.sort();
}

function drain(q: TimerQueue): Array<[unknown, number]> {
  const out: Array<[unknown, number]> = [];
  for (let t = q.poll(); t !== undefined; t = q.poll()) out.push([t.key, t.timestamp]);
  return out;
}

/** A deterministic pseudo-random sequence (xorshift). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('timer queue', () => {
  it('timer queue - polls in timestamp order across keys and key groups', () => {
    const q = createTimerQueue(ALL);
    const r = rng(7);
    const stamps: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const ts = Math.floor(r() * 1000);
      stamps.push(ts);
      add(q, `k${i}`, ts);
    }
    expect(q.size).toBe(5000);
    expect(drain(q).map(([, ts]) => ts)).toEqual(stamps.sort((a, b) => a - b));
    expect(q.isEmpty()).toBe(true);
    expect(q.poll()).toBeUndefined();
    expect(q.headTimestamp()).toBe(Infinity);
  });

  it('timer queue - one timer per (key, timestamp, namespace): a second registration is a no-op', () => {
    const q = createTimerQueue(ALL);
    expect(add(q, 'a', 10)).toBe(true);
    expect(add(q, 'a', 10)).toBe(false);
    add(q, 'a', 20);
    add(q, 'b', 10);
    // Keys by value: an equal object key is the same key.
    add(q, { id: 1, x: 'y' }, 10);
    add(q, { x: 'y', id: 1 }, 10);
    // Another namespace is another timer; the same namespace by value is the same.
    add(q, 'a', 10, { start: 0, end: 5 });
    add(q, 'a', 10, { end: 5, start: 0 });
    // The number 1 and the string '1' are different keys; so are 1.5 and '1.5'.
    add(q, 1, 10);
    add(q, '1', 10);
    add(q, 1.5, 10);
    add(q, '1.5', 10);
    expect(q.size).toBe(9);
    expect(q.contains(assignToKeyGroup('a', MAX), 'a', 10, normalizeKey({ end: 5, start: 0 }))).toBe(true);
    expect(q.contains(assignToKeyGroup('a', MAX), 'a', 10, normalizeKey({ end: 6, start: 0 }))).toBe(false);
    expect(drain(q).map(([, ts]) => ts)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 20]);
  });

  it('timer queue - NaN is one key: a second registration is a no-op and a deletion finds it (NaN !== NaN)', () => {
    const q = createTimerQueue(ALL);
    expect(add(q, NaN, 1000)).toBe(true);
    add(q, NaN, 1000);
    add(q, NaN, 1000, 'w1');
    add(q, NaN, 1000, 'w1');
    add(q, NaN, 1000, NaN);
    add(q, NaN, 1000, NaN);
    expect(q.size).toBe(3);
    del(q, NaN, 1000, 'w1');
    del(q, NaN, 1000, NaN);
    expect(q.size).toBe(1);
    expect(drain(q)).toEqual([[NaN, 1000]]);
  });

  it('timer queue - deletes any timer; deleting one that is not there is a no-op', () => {
    const q = createTimerQueue(ALL);
    const ts = [50, 10, 40, 30, 20, 60];
    for (const t of ts) add(q, 'k', t);
    for (const t of ts) add(q, 'j', t + 1);
    add(q, 'k', 10, 'window');
    expect(del(q, 'k', 40)).toBe(false);
    expect(del(q, 'k', 10)).toBe(true); // the head
    expect(del(q, 'k', 10)).toBe(false);
    expect(del(q, 'k', 999)).toBe(false);
    expect(del(q, 'nobody', 10)).toBe(false);
    expect(del(q, 'j', 61)).toBe(false);
    expect(del(q, 'k', 10, 'other window')).toBe(false);
    expect(del(q, 'k', 10, 'window')).toBe(true);
    // Back after a deletion.
    expect(add(q, 'k', 40)).toBe(false);
    expect(drain(q)).toEqual([
      ['j', 11],
      ['k', 20],
      ['j', 21],
      ['k', 30],
      ['j', 31],
      ['k', 40],
      ['j', 41],
      ['k', 50],
      ['j', 51],
      ['k', 60],
    ]);
  });

  it('timer queue - add reports a new head, remove reports removing the head', () => {
    const q = createTimerQueue(ALL);
    expect(add(q, 'a', 100)).toBe(true);
    expect(add(q, 'b', 200)).toBe(false);
    expect(add(q, 'c', 50)).toBe(true);
    expect(add(q, 'a', 100)).toBe(false);
    expect(q.peek()?.key).toBe('c');
    expect(del(q, 'b', 200)).toBe(false);
    expect(del(q, 'c', 50)).toBe(true);
    expect(q.peek()?.key).toBe('a');
    expect(q.pollUpTo(99)).toBeUndefined();
    expect(q.pollUpTo(100)?.key).toBe('a');
  });

  it('timer queue - one heap per key group of the range: a snapshot lists timers by key group; a key group outside the range throws', () => {
    const range = new KeyGroupRange(32, 63);
    const q = createTimerQueue(range);
    const mine: string[] = [];
    for (let i = 0; mine.length < 300; i++) if (range.contains(assignToKeyGroup(`k${i}`, MAX))) mine.push(`k${i}`);
    for (const k of mine) add(q, k, 1);
    for (const k of mine) add(q, k, 2);
    const groups = q.snapshotKeyGroups();
    expect(groups.every(([kg]) => range.contains(kg))).toBe(true);
    expect(groups.map(([kg]) => kg)).toEqual([...groups.map(([kg]) => kg)].sort((a, b) => a - b));
    for (const [kg, s] of groups) expect(timersOf(s).every((t) => assignToKeyGroup(t.split('@')[0], MAX) === kg)).toBe(true);
    expect(groups.reduce((n, [, s]) => n + s.size, 0)).toBe(600);
    const outside = [...Array(1000).keys()].map((i) => `x${i}`).find((k) => !range.contains(assignToKeyGroup(k, MAX)))!;
    expect(() => add(q, outside, 1)).toThrow(/does not contain key group/);
  });

  it('timer queue - a snapshot keeps its timers while the queue changes: polls, adds into freed slots, deletions (copy-on-write per key group)', () => {
    const q = createTimerQueue(ALL);
    for (let i = 0; i < 2000; i++) add(q, i % 10, i);
    const snap = q.snapshotKeyGroups();
    const text = () => snap.map(([kg, s]) => [kg, timersOf(s)]);
    const before = text();
    expect(before.flatMap(([, ts]) => ts as string[]).length).toBe(2000);
    for (let i = 0; i < 50; i++) q.poll();
    for (let i = 0; i < 100; i++) add(q, i % 10, 5000 + i);
    for (let i = 1000; i < 2000; i++) del(q, i % 10, i);
    expect(text()).toEqual(before);
    expect(q.size).toBe(2000 - 50 + 100 - 1000);
    // A second snapshot sees the changes; the first still does not.
    expect(q.snapshotKeyGroups().reduce((n, [, s]) => n + s.size, 0)).toBe(1050);
    del(q, 3, 5003);
    add(q, 3, 7777);
    const third = q.snapshotKeyGroups();
    expect(third.reduce((n, [, s]) => n + s.size, 0)).toBe(1050);
    expect(third.flatMap(([, s]) => timersOf(s))).toContain('3@7777');
    expect(text()).toEqual(before);
    const order = drain(q).map(([, ts]) => ts);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.length).toBe(1050);
    expect(text()).toEqual(before);
  });

  it('timer queue - 300,000 timers with random deletions come out in order (O(log n) each)', () => {
    const q = createTimerQueue(ALL);
    const r = rng(42);
    const n = 300_000;
    const stamps = new Float64Array(n);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      stamps[i] = Math.floor(r() * 10_000_000);
      q.add(assignToKeyGroup(i, MAX), i, i, stamps[i]!);
    }
    let deleted = 0;
    for (let i = 0; i < n; i += 3) {
      q.remove(assignToKeyGroup(i, MAX), i, stamps[i]!);
      deleted++;
      stamps[i] = -1;
    }
    expect(q.size).toBe(n - deleted);
    let last = -Infinity;
    let count = 0;
    let ordered = true;
    for (let t = q.poll(); t !== undefined; t = q.poll()) {
      if (t.timestamp < last || stamps[t.key as number] !== t.timestamp) ordered = false;
      last = t.timestamp;
      count++;
    }
    const ms = performance.now() - t0;
    expect(ordered).toBe(true);
    expect(count).toBe(n - deleted);
    // Under a second on this shared 2-core machine, busy; a scan per timer would take minutes.
    expect(ms).toBeLessThan(20_000);
  });

  it('key-group heap - object keys and namespaces arriving after plain timers: kept as registered, told apart, snapshots unchanged', () => {
    const h = new HeapPriorityQueueSet(0);
    for (let i = 0; i < 100; i++) h.add(i, i, 1000 + i, undefined, undefined);
    const before = h.snapshot();
    const obj = { user: 'a' };
    const nk = normalizeKey(obj);
    expect(h.add(obj, nk, 5, undefined, undefined)).toBe(true);
    expect(h.add(7, 7, 1007, 'w1', normalizeKey('w1'))).toBe(false);
    expect(h.add(7, 7, 1007, 'w1', normalizeKey('w1'))).toBe(false);
    expect(h.size).toBe(102);
    expect(h.contains(7, 1007, undefined)).toBe(true);
    expect(h.contains(7, 1007, normalizeKey('w1'))).toBe(true);
    expect(h.contains(7, 1007, normalizeKey('w2'))).toBe(false);
    expect(h.keyOf(h.headSlot())).toBe(obj);
    expect(h.remove(7, 1007, undefined)).toBe(false);
    expect(h.contains(7, 1007, normalizeKey('w1'))).toBe(true);
    expect(before.size).toBe(100);
    expect(before.namespaces).toBeUndefined();
    const keys = Array.from({ length: before.length }, (_, i) => before.keys[before.heap[i]!]).sort((a, b) => (a as number) - (b as number));
    expect(keys).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const out: Array<[unknown, number, unknown]> = [];
    for (let slot = h.pollSlot(); slot >= 0; slot = h.pollSlot()) out.push([h.keyOf(slot), h.timestampOf(slot), h.namespaceOf(slot)]);
    expect(out[0]).toEqual([obj, 5, undefined]);
    expect(out.filter(([k]) => k === 7)).toEqual([[7, 1007, 'w1']]);
    expect(out.length).toBe(101);
  });

  it('key-group heap - head and other deletions, re-adding, heavy churn: slots reused, the rest polls in order', () => {
    const h = new HeapPriorityQueueSet(0);
    const r = rng(3);
    const live = new Map<number, number>();
    for (let round = 0; round < 20_000; round++) {
      const k = Math.floor(r() * 500);
      const ts = Math.floor(r() * 50);
      if (r() < 0.6) {
        const fresh = !live.has(k * 100 + ts);
        const head = h.headPriority();
        const becameHead = h.add(k, k, ts, undefined, undefined);
        if (!fresh) expect(becameHead).toBe(false);
        else expect(becameHead).toBe(ts < head);
        live.set(k * 100 + ts, ts);
      } else {
        const wasHead = h.headSlot() >= 0 && h.keyOf(h.headSlot()) === k && h.timestampOf(h.headSlot()) === ts;
        expect(h.remove(k, ts, undefined)).toBe(live.has(k * 100 + ts) && wasHead);
        live.delete(k * 100 + ts);
      }
      expect(h.size).toBe(live.size);
    }
    const out: number[] = [];
    for (let s = h.pollSlot(); s >= 0; s = h.pollSlot()) out.push(h.timestampOf(s));
    expect(out).toEqual([...live.values()].sort((a, b) => a - b));
    expect(h.headPriority()).toBe(Infinity);
  });
});
