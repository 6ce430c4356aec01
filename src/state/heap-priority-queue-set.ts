/**
 * The timers of one key group: a min-heap by timestamp with set semantics (Flink's
 * HeapPriorityQueueSet), laid out in columns rather than one object per timer. A timer is the same
 * timer as another with equal (normalized key, timestamp, namespace); adding it again is a no-op,
 * and any timer can be found and removed by those three.
 *
 *   slot columns (a timer lives in one slot; freed slots are reused):
 *     ts: Float64Array   normalized keys: array   removed: Uint8Array   at: Int32Array (index entry)
 *     keys: array, only once a key differs from its normalized form (objects); namespaces and
 *     their normalized forms: arrays, only once a timer has a namespace (windows)
 *   heap (4-ary, children of i at 4i+1..4i+4):  heap: slot ids   prio: their timestamps
 *   index (open addressing, linear probing):    [slot id or EMPTY or DELETED, probe hash] pairs,
 *                                               at least half free; the probe hash spares a look
 *                                               at the columns for entries that cannot match
 *
 * Why columns: at a million timers the costs are cache misses and garbage collection. A heap of
 * objects follows a pointer per comparison, and a Map entry plus an object per timer keep the
 * collector copying live data; here sifting compares numbers in one array (four children in a
 * cache line) and touches nothing but the heap's two arrays, the index is an Int32Array, and a
 * timer allocates nothing that lives on.
 *
 * Removing the head is O(log n). Removing another timer is O(1): it leaves the index at once and
 * is marked `removed`; its heap entry stays until it reaches the top (dropped then, its slot
 * freed) or removed entries outnumber live ones (the heap is rebuilt without them: O(n) for n/2
 * removals). So no heap position is kept per slot, and sifting writes nowhere else. The head is
 * always a live timer.
 *
 * Snapshots (`snapshot()`) hand out the heap and the columns a snapshot reads as they are, O(1);
 * the next change copies them first (copy-on-write), so the snapshot keeps seeing its timers.
 */
import type { NormalizedKey } from './key-normalizer.js';

const EMPTY = -1;
const DELETED = -2;
/** Removed timers a heap may hold before a rebuild is considered. */
const MIN_DEAD_FOR_REBUILD = 64;

/** One key group's timers at a snapshot: the slots in `heap[0..length)` not `removed`. */
export interface TimerHeapSnapshot {
  /** Number of timers. */
  readonly size: number;
  /** Heap entries (removed timers' included). */
  readonly length: number;
  readonly heap: Int32Array;
  readonly removed: Uint8Array;
  readonly ts: Float64Array;
  readonly keys: readonly unknown[];
  /** Undefined when no timer has a namespace. */
  readonly namespaces: readonly unknown[] | undefined;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Murmur3's finalizer. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** A 32-bit hash of a normalized key (or namespace). */
function hashNormalized(v: NormalizedKey | undefined): number {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) return v;
      f64[0] = v;
      return (u32[0]! ^ u32[1]!) | 0;
    case 'string':
      return stringHash(v);
    case 'boolean':
      return v ? 1231 : 1237;
    case 'undefined':
      return 0;
    default:
      return stringHash(String(v));
  }
}

/** Whether two normalized keys (or namespaces) are one: NaN is one key, though NaN !== NaN. */
function sameKey(a: NormalizedKey | undefined, b: NormalizedKey | undefined): boolean {
  return a === b || (a !== a && b !== b);
}

/** Where a timer's search starts in the index (before masking). */
function probeStart(hash: number, ts: number): number {
  return mix(hash ^ Math.imul((ts | 0) ^ ((ts / 4294967296) | 0), 0x9e3779b1));
}

/** The timers of one key group. */
export class HeapPriorityQueueSet {
  // ---- slot columns ----
  private ts = new Float64Array(8);
  private normalizedKeys: NormalizedKey[] = [];
  /** The keys as registered, once one differs from its normalized form (before: normalizedKeys). */
  private keys: unknown[] | undefined;
  /** Namespaces and their normalized forms, once a timer has one (before: all void). */
  private namespaces: unknown[] | undefined;
  private normalizedNamespaces: Array<NormalizedKey | undefined> | undefined;
  /** 1: the slot's timer was removed but its entry is still in the heap. */
  private removed = new Uint8Array(8);
  /** Each slot's entry in the index (freeing a slot needs no search). */
  private at = new Int32Array(8);
  /** Slots ever used (the columns' length). */
  private slots = 0;
  /** Freed slots, reused first. */
  private free: number[] = [];

  // ---- heap ----
  private heap = new Int32Array(8);
  private prio = new Float64Array(8);
  /** Heap entries, removed ones included. */
  private n = 0;
  /** Heap entries of removed timers. */
  private dead = 0;

  // ---- index ----
  /** [slot, probe hash] per entry. */
  private index = new Int32Array(32).fill(EMPTY);
  /** Entries of the index that are not EMPTY (live and DELETED). */
  private used = 0;

  /** The heap and the columns are part of a snapshot: copy them before the next change. */
  private shared = false;

  constructor(
    /** The key group of every timer. */
    readonly keyGroup: number,
  ) {}

  /** Number of timers. */
  get size(): number {
    return this.n - this.dead;
  }

  /** The first timestamp, Infinity when empty. */
  headPriority(): number {
    return this.n > 0 ? this.prio[0]! : Infinity;
  }

  /** The first timer's slot (-1 when empty): read it with the accessors before the next change. */
  headSlot(): number {
    return this.n > 0 ? this.heap[0]! : -1;
  }

  /** A slot's timestamp. */
  timestampOf(slot: number): number {
    return this.ts[slot]!;
  }
  /** A slot's key (as registered). */
  keyOf(slot: number): unknown {
    return this.keys === undefined ? this.normalizedKeys[slot] : this.keys[slot];
  }
  /** A slot's normalized key. */
  normalizedKeyOf(slot: number): NormalizedKey {
    return this.normalizedKeys[slot]!;
  }
  /** A slot's namespace (undefined: the void namespace). */
  namespaceOf(slot: number): unknown {
    return this.namespaces?.[slot];
  }

  /** Whether the timer is in the set. */
  contains(nk: NormalizedKey, ts: number, nsNorm: NormalizedKey | undefined): boolean {
    return this.find(nk, ts, nsNorm, hashOf(nk, nsNorm)) >= 0;
  }

  /**
   * Adds a timer unless it is in the set. Returns true when it became the head.
   * @param nsNorm the namespace normalized (undefined for the void namespace).
   */
  add(key: unknown, nk: NormalizedKey, ts: number, namespace: unknown, nsNorm: NormalizedKey | undefined): boolean {
    const h = hashOf(nk, nsNorm);
    if (this.find(nk, ts, nsNorm, h) >= 0) return false;
    this.unshare();
    const slot = this.store(key, nk, ts, namespace, nsNorm);
    this.insertIntoIndex(slot, probeStart(h, ts));
    if (this.n >= this.heap.length) this.growHeap();
    const i = this.n++;
    this.heap[i] = slot;
    this.prio[i] = ts;
    return this.siftUp(i) === 0;
  }

  /** Removes and returns the first timer's slot (-1 when empty): read it before the next change. */
  pollSlot(): number {
    if (this.n === 0) return -1;
    this.unshare();
    const slot = this.heap[0]!;
    this.unindex(slot);
    this.removeHead();
    this.free.push(slot);
    return slot;
  }

  /** Removes a timer. Returns true when it was the head (absent: false). */
  remove(nk: NormalizedKey, ts: number, nsNorm: NormalizedKey | undefined): boolean {
    const slot = this.find(nk, ts, nsNorm, hashOf(nk, nsNorm));
    if (slot < 0) return false;
    this.unshare();
    this.unindex(slot);
    if (slot === this.heap[0]) {
      this.removeHead();
      this.free.push(slot);
      return true;
    }
    this.removed[slot] = 1;
    this.dead++;
    if (this.dead >= MIN_DEAD_FOR_REBUILD && this.dead * 2 > this.n) this.rebuild();
    return false;
  }

  /**
   * Adds many timers at once (those in the set skipped), building the heap once: O(n). Returns
   * whether any was added.
   */
  addAll(timers: Iterable<readonly [key: unknown, nk: NormalizedKey, ts: number, namespace: unknown, nsNorm: NormalizedKey | undefined]>): boolean {
    const before = this.n;
    this.unshare();
    for (const [key, nk, ts, namespace, nsNorm] of timers) {
      const h = hashOf(nk, nsNorm);
      if (this.find(nk, ts, nsNorm, h) >= 0) continue;
      const slot = this.store(key, nk, ts, namespace, nsNorm);
      this.insertIntoIndex(slot, probeStart(h, ts));
      if (this.n >= this.heap.length) this.growHeap();
      this.heap[this.n] = slot;
      this.prio[this.n++] = ts;
    }
    if (this.n === before) return false;
    this.heapify();
    return true;
  }

  /** The slots of the timers, in heap order (valid until the next change). */
  *slotsInHeap(): IterableIterator<number> {
    for (let i = 0; i < this.n; i++) if (this.removed[this.heap[i]!] === 0) yield this.heap[i]!;
  }

  /** A snapshot, O(1) (copy-on-write; see the file's header). */
  snapshot(): TimerHeapSnapshot {
    if (this.n > 0) this.shared = true;
    return {
      size: this.n - this.dead,
      length: this.n,
      heap: this.heap,
      ts: this.ts,
      keys: this.keys ?? this.normalizedKeys,
      namespaces: this.namespaces,
      removed: this.removed,
    };
  }

  // ---- slots ----

  private store(key: unknown, nk: NormalizedKey, ts: number, namespace: unknown, nsNorm: NormalizedKey | undefined): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.slots++;
      if (slot >= this.ts.length) this.growSlots();
    }
    this.ts[slot] = ts;
    this.normalizedKeys[slot] = nk;
    if (this.keys === undefined && key !== nk) this.keys = this.normalizedKeys.slice();
    if (this.keys !== undefined) this.keys[slot] = key;
    if (this.namespaces === undefined && namespace !== undefined) {
      this.namespaces = new Array<unknown>(this.slots).fill(undefined);
      this.normalizedNamespaces = new Array<NormalizedKey | undefined>(this.slots).fill(undefined);
    }
    if (this.namespaces !== undefined) {
      this.namespaces[slot] = namespace;
      this.normalizedNamespaces![slot] = nsNorm;
    }
    // Keys and namespaces of freed slots stay referenced until the slot is reused (overwritten here).
    return slot;
  }

  private growSlots(): void {
    const size = this.ts.length * 2;
    const ts = new Float64Array(size);
    ts.set(this.ts);
    this.ts = ts;
    const removed = new Uint8Array(size);
    removed.set(this.removed);
    this.removed = removed;
    const at = new Int32Array(size);
    at.set(this.at);
    this.at = at;
  }

  private unshare(): void {
    if (!this.shared) return;
    // What a snapshot reads: the heap, and the timestamp, key, namespace and removed columns.
    this.heap = this.heap.slice();
    this.ts = this.ts.slice();
    this.removed = this.removed.slice();
    this.normalizedKeys = this.normalizedKeys.slice();
    this.keys = this.keys?.slice();
    this.namespaces = this.namespaces?.slice();
    this.shared = false;
  }

  // ---- index ----

  /** The slot of a timer, or -1. */
  private find(nk: NormalizedKey, ts: number, nsNorm: NormalizedKey | undefined, h: number): number {
    const index = this.index;
    const mask = (index.length >> 1) - 1;
    const ph = probeStart(h, ts);
    for (let i = ph & mask; ; i = (i + 1) & mask) {
      const s = index[2 * i]!;
      if (s === EMPTY) return -1;
      if (s >= 0 && index[2 * i + 1] === ph && this.ts[s] === ts && sameKey(this.normalizedKeys[s]!, nk)) {
        if (this.normalizedNamespaces === undefined ? nsNorm === undefined : sameKey(this.normalizedNamespaces[s], nsNorm)) return s;
      }
    }
  }

  private insertIntoIndex(slot: number, ph: number): void {
    if ((this.used + 1) * 2 > this.index.length >> 1) this.rehash();
    const index = this.index;
    const mask = (index.length >> 1) - 1;
    let i = ph & mask;
    while (index[2 * i]! >= 0) i = (i + 1) & mask;
    if (index[2 * i] === EMPTY) this.used++;
    index[2 * i] = slot;
    index[2 * i + 1] = ph;
    this.at[slot] = i;
  }

  private unindex(slot: number): void {
    this.index[2 * this.at[slot]!] = DELETED;
  }

  /** Rebuilds the index for the live timers (dropping DELETED entries), at most a quarter full. */
  private rehash(): void {
    let size = 16;
    while (size < (this.n - this.dead + 1) * 4) size *= 2;
    const old = this.index;
    const index = new Int32Array(2 * size).fill(EMPTY);
    const mask = size - 1;
    let used = 0;
    for (let e = 0; e < old.length; e += 2) {
      const s = old[e]!;
      if (s < 0) continue;
      const ph = old[e + 1]!;
      let i = ph & mask;
      while (index[2 * i] !== EMPTY) i = (i + 1) & mask;
      index[2 * i] = s;
      index[2 * i + 1] = ph;
      this.at[s] = i;
      used++;
    }
    this.index = index;
    this.used = used;
  }

  // ---- heap ----

  private growHeap(): void {
    const heap = new Int32Array(this.heap.length * 2);
    heap.set(this.heap);
    this.heap = heap;
    const prio = new Float64Array(this.prio.length * 2);
    prio.set(this.prio);
    this.prio = prio;
  }

  /** Takes the head entry off the heap, then the entries of removed timers that came to the top. */
  private removeHead(): void {
    for (;;) {
      const last = --this.n;
      if (last > 0) {
        this.heap[0] = this.heap[last]!;
        this.prio[0] = this.prio[last]!;
        this.siftDown(0);
      }
      // Without removed timers in the heap, the new top is live (no need to look).
      if (this.n === 0 || this.dead === 0) return;
      const top = this.heap[0]!;
      if (this.removed[top] === 0) return;
      this.removed[top] = 0;
      this.dead--;
      this.free.push(top);
    }
  }

  /** Rebuilds the heap from the live timers, freeing the slots of removed ones. */
  private rebuild(): void {
    let k = 0;
    for (let i = 0; i < this.n; i++) {
      const s = this.heap[i]!;
      if (this.removed[s] === 0) {
        this.heap[k] = s;
        this.prio[k++] = this.prio[i]!;
      } else {
        this.removed[s] = 0;
        this.free.push(s);
      }
    }
    this.n = k;
    this.dead = 0;
    this.heapify();
  }

  /** Floyd's heap construction. */
  private heapify(): void {
    for (let i = (this.n - 2) >> 2; i >= 0; i--) this.siftDown(i);
  }

  /** Moves the entry at i up while it comes before its parent; returns where it ends. */
  private siftUp(i: number): number {
    const heap = this.heap;
    const prio = this.prio;
    const s = heap[i]!;
    const p = prio[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pp = prio[parent]!;
      if (p >= pp) break;
      heap[i] = heap[parent]!;
      prio[i] = pp;
      i = parent;
    }
    heap[i] = s;
    prio[i] = p;
    return i;
  }

  /** Moves the entry at i down while a child comes before it. */
  private siftDown(i: number): void {
    const heap = this.heap;
    const prio = this.prio;
    const n = this.n;
    const s = heap[i]!;
    const p = prio[i]!;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The smallest of up to four children (their priorities share a cache line).
      let c = first;
      let cp = prio[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let j = first + 1; j < end; j++) {
        const q = prio[j]!;
        if (q < cp) {
          c = j;
          cp = q;
        }
      }
      if (cp >= p) break;
      heap[i] = heap[c]!;
      prio[i] = cp;
      i = c;
    }
    heap[i] = s;
    prio[i] = p;
  }
}

function hashOf(nk: NormalizedKey, nsNorm: NormalizedKey | undefined): number {
  return nsNorm === undefined ? hashNormalized(nk) : hashNormalized(nk) ^ mix(hashNormalized(nsNorm));
}
