/**
 * The timers of one subtask, partitioned by key group (Flink's KeyGroupPartitionedPriorityQueue):
 * one heap set per key group of the subtask's range, and a heap of those heaps ordered by their
 * heads.
 *
 *   heap of heaps (by head timestamp)     key-group heaps (HeapPriorityQueueSet)
 *         [kg 7] --------------------->   kg 7: 100, 250, 300 ...
 *        /      \                         kg 5: 120, 180 ...
 *    [kg 5]    [kg 9]                     kg 9: 400 ...          (empty heaps: Infinity, last)
 *
 *   heap: Int32Array of key-group slots; pos: slot -> place in heap; head: slot -> head timestamp
 *
 * add/remove change one key group's heap (O(log n)) and, when its head changed, re-place that
 * key group in the heap of heaps (O(log key groups)); the head is O(1); poll is O(log n + log key
 * groups). Keeping each key group apart is what lets a snapshot write the timers per key group and
 * a restore at another parallelism take exactly the key groups it owns, as keyed state does.
 */
import type { KeyGroupRange } from '../core/key-groups.js';
import { MiniFlinkError } from '../core/errors.js';
import { HeapPriorityQueueSet, type TimerHeapSnapshot } from './heap-priority-queue-set.js';
import { InternalTimer } from './internal-timer.js';
import type { NormalizedKey } from './key-normalizer.js';

/** One timer to restore: key, normalized key, timestamp, namespace and namespace normalized. */
export type TimerEntry = readonly [key: unknown, nk: NormalizedKey, ts: number, namespace: unknown, nsNorm: NormalizedKey | undefined];

/** The timers of one subtask, by key group. */
export class KeyGroupPartitionedPriorityQueue {
  /** One heap set per key group of the range, by slot (key group - first key group). */
  private readonly keyGroupHeaps: HeapPriorityQueueSet[] = [];
  /** The heap of heaps: slots ordered by `head`. */
  private readonly heap: Int32Array;
  /** Each slot's place in `heap`. */
  private readonly pos: Int32Array;
  /** Each slot's head timestamp (Infinity when empty). */
  private readonly head: Float64Array;
  private readonly firstKeyGroup: number;

  constructor(
    /** The key groups of the subtask. */
    readonly keyGroupRange: KeyGroupRange,
  ) {
    const n = keyGroupRange.numberOfKeyGroups;
    this.firstKeyGroup = keyGroupRange.startKeyGroup;
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n);
    this.head = new Float64Array(n).fill(Infinity);
    for (let i = 0; i < n; i++) {
      this.keyGroupHeaps.push(new HeapPriorityQueueSet(this.firstKeyGroup + i));
      this.heap[i] = i;
      this.pos[i] = i;
    }
  }

  /** The first timer's timestamp, Infinity when empty. */
  headTimestamp(): number {
    return this.heap.length > 0 ? this.head[this.heap[0]!]! : Infinity;
  }

  /** The first timer, or undefined. */
  peek(): InternalTimer | undefined {
    if (this.headTimestamp() === Infinity) return undefined;
    const h = this.keyGroupHeaps[this.heap[0]!]!;
    return timerAt(h, h.headSlot());
  }

  /** Removes and returns the first timer, or undefined. */
  poll(): InternalTimer | undefined {
    return this.pollUpTo(Infinity);
  }

  /** Removes and returns the first timer if its timestamp is at most `limit`. */
  pollUpTo(limit: number): InternalTimer | undefined {
    if (this.heap.length === 0) return undefined;
    const g = this.heap[0]!;
    const first = this.head[g]!;
    if (first > limit || first === Infinity) return undefined;
    const h = this.keyGroupHeaps[g]!;
    const slot = h.pollSlot();
    // The timestamp is the head's priority already read: one column fewer to touch.
    const t = new InternalTimer(first, h.keyOf(slot), h.normalizedKeyOf(slot), h.keyGroup, h.namespaceOf(slot));
    this.update(g);
    return t;
  }

  /**
   * Adds a timer unless it is there (same normalized key, timestamp and namespace). Returns true
   * when it became the first of the whole queue.
   * @param nsNorm the namespace normalized (undefined for the void namespace).
   * @throws MF_ERR_INTERNAL when the key group is not in the range.
   */
  add(keyGroup: number, key: unknown, nk: NormalizedKey, ts: number, namespace?: unknown, nsNorm?: NormalizedKey): boolean {
    const g = this.slot(keyGroup);
    if (!this.keyGroupHeaps[g]!.add(key, nk, ts, namespace, nsNorm)) return false;
    this.update(g);
    return this.heap[0] === g;
  }

  /** Removes a timer. Returns true when it was the first of the whole queue (absent: false). */
  remove(keyGroup: number, nk: NormalizedKey, ts: number, nsNorm?: NormalizedKey): boolean {
    const g = this.slot(keyGroup);
    const wasFirst = this.heap[0] === g;
    if (!this.keyGroupHeaps[g]!.remove(nk, ts, nsNorm)) return false;
    this.update(g);
    return wasFirst;
  }

  /** Whether a timer is there. */
  contains(keyGroup: number, nk: NormalizedKey, ts: number, nsNorm?: NormalizedKey): boolean {
    return this.keyGroupHeaps[this.slot(keyGroup)]!.contains(nk, ts, nsNorm);
  }

  /** Adds the timers of one key group at once (those there skipped): restores. */
  addAllToKeyGroup(keyGroup: number, timers: Iterable<TimerEntry>): void {
    const g = this.slot(keyGroup);
    if (this.keyGroupHeaps[g]!.addAll(timers)) this.update(g);
  }

  /** Number of timers (O(key groups)). */
  get size(): number {
    let n = 0;
    for (const h of this.keyGroupHeaps) n += h.size;
    return n;
  }

  /** Whether the queue is empty. */
  isEmpty(): boolean {
    return this.headTimestamp() === Infinity;
  }

  /**
   * A snapshot of the non-empty key groups, O(key groups): nothing is copied (each key-group heap
   * copies its arrays before its next change).
   */
  snapshotKeyGroups(): Array<[keyGroup: number, snapshot: TimerHeapSnapshot]> {
    const out: Array<[number, TimerHeapSnapshot]> = [];
    for (const h of this.keyGroupHeaps) if (h.size > 0) out.push([h.keyGroup, h.snapshot()]);
    return out;
  }

  /** Every timer, key group by key group, in no particular order. */
  *[Symbol.iterator](): IterableIterator<InternalTimer> {
    for (const h of this.keyGroupHeaps) for (const slot of h.slotsInHeap()) yield timerAt(h, slot);
  }

  private slot(keyGroup: number): number {
    const g = keyGroup - this.firstKeyGroup;
    if (!(g >= 0 && g < this.keyGroupHeaps.length)) throw new MiniFlinkError('MF_ERR_INTERNAL', `${this.keyGroupRange.toString()} does not contain key group ${keyGroup}`);
    return g;
  }

  /** Re-places a key group in the heap of heaps after its head changed. */
  private update(g: number): void {
    const heap = this.heap;
    const pos = this.pos;
    const head = this.head;
    const p = this.keyGroupHeaps[g]!.headPriority();
    head[g] = p;
    let i = pos[g]!;
    // Up,
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent]!;
      if (p >= head[ps]!) break;
      heap[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    // or down.
    const n = heap.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && head[heap[c + 1]!]! < head[heap[c]!]!) c++;
      const cs = heap[c]!;
      if (head[cs]! >= p) break;
      heap[i] = cs;
      pos[cs] = i;
      i = c;
    }
    heap[i] = g;
    pos[g] = i;
  }
}

function timerAt(h: HeapPriorityQueueSet, slot: number): InternalTimer {
  return new InternalTimer(h.timestampOf(slot), h.keyOf(slot), h.normalizedKeyOf(slot), h.keyGroup, h.namespaceOf(slot));
}
