/**
 * The hashmap backend's keyed state: objects in memory, one table per state name, split by key
 * group, with copy-on-write so that a snapshot's synchronous part is short for any state size.
 * Timers are in the timer queues every backend keeps on the heap (abstract-keyed-state-backend.ts).
 *
 *   tables: stateName -> keyGroup -> Group { map: normalizedKey -> value, frozen, fresh }
 *
 * snapshot() marks every group frozen and keeps references to the maps (O(groups), not O(keys)).
 * The first access to a frozen group after that copies the group's map; the first access to a key
 * in a copied group copies that key's value (Flink's CopyOnWriteStateMap copies on access too), so
 * a user function that changes a value in place never changes what a snapshot is writing.
 */
import type { StateKind } from '../api/index.js';
import type { KeyGroupRange } from '../core/key-groups.js';
import { copyRecord } from '../core/record-copy.js';
import { AbstractKeyedStateBackend, entriesToMap, mapToEntries } from './abstract-keyed-state-backend.js';
import { timerQueuesToCanonical, type TimerQueuesSnapshot } from './timer-queues.js';
import { denormalizeKey, type NormalizedKey } from './key-normalizer.js';

/** Entries restored between two turns of the event loop. */
const RESTORE_CHUNK = 20_000;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
import { normalizedEntries, type KeyedSnapshot, type KeyedStateData } from './snapshot-format.js';

/** One key group of one state. */
interface Group {
  map: Map<NormalizedKey, unknown>;
  /** Part of a snapshot: must be copied before any access. */
  frozen: boolean;
  /** After a copy: keys whose values were copied since (null: never shared with a snapshot). */
  fresh: Set<NormalizedKey> | null;
  /** A map of a local copy this backend restored from: it stays frozen until copied (never thawed in place). */
  borrowed?: true;
  /**
   * Copied (directly or through later copies) from a borrowed map, so its values not in `fresh`
   * are still the local copy's: `fresh` is kept when a snapshot thaws the group, never dropped.
   */
  derived?: true;
}

type Table = Map<number, Group>;

/** A snapshot's synchronous part: frozen maps, serialized later (toCanonical). */
export interface HeapSnapshotRef {
  readonly maxParallelism: number;
  readonly range: KeyGroupRange;
  readonly tables: ReadonlyArray<{ name: string; kind: StateKind; ttl?: boolean; groups: Array<[number, Map<NormalizedKey, unknown>]> }>;
  /** The timer queues' key groups (shared copy-on-write). */
  readonly timers?: TimerQueuesSnapshot;
}

/** Keyed state of one keyed operator subtask, in memory. */
export class HeapKeyedStateBackend extends AbstractKeyedStateBackend {
  private readonly tables = new Map<string, Table>();
  /** Snapshots whose asynchronous part still reads frozen maps. */
  private pendingSnapshots = 0;

  protected table(name: string): Table {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }

  /** The current key's group of a table, copied if frozen; created when asked. */
  private group(table: Table, create: boolean): Group | undefined {
    let g = table.get(this.currentKeyGroup);
    if (!g) {
      if (!create) return undefined;
      g = { map: new Map(), frozen: false, fresh: null };
      table.set(this.currentKeyGroup, g);
    } else if (g.frozen) {
      g = { map: new Map(g.map), frozen: false, fresh: new Set(), ...(g.borrowed || g.derived ? { derived: true as const } : {}) };
      table.set(this.currentKeyGroup, g);
    }
    return g;
  }

  protected read(name: string, t: unknown): unknown {
    const table = t as Table;
    const key = this.checkKey(name);
    const g0 = table.get(this.currentKeyGroup);
    if (!g0) return undefined;
    if (!g0.frozen && (g0.fresh === null || g0.fresh.has(key))) return g0.map.get(key);
    // The value may still be part of a snapshot being written: copy it before handing it out.
    const g = this.group(table, false)!;
    let v = g.map.get(key);
    if (v !== null && typeof v === 'object') {
      v = copyRecord(v);
      g.map.set(key, v);
    }
    g.fresh!.add(key);
    return v;
  }

  protected write(name: string, t: unknown, value: unknown): void {
    const key = this.checkKey(name);
    const g = this.group(t as Table, true)!;
    g.map.set(key, value);
    g.fresh?.add(key);
  }

  protected remove(name: string, t: unknown): void {
    const key = this.checkKey(name);
    const g = this.group(t as Table, false);
    if (!g) return;
    g.map.delete(key);
    g.fresh?.add(key);
  }

  /** Number of keys with a value in a state (for tests and the state browser). */
  size(name: string): number {
    let n = 0;
    for (const g of this.tables.get(name)?.values() ?? []) n += g.map.size;
    return n;
  }

  /** The synchronous part of a snapshot: freezes every group (O(groups)). */
  snapshot(): HeapSnapshotRef {
    this.pendingSnapshots++;
    const tables: HeapSnapshotRef['tables'][number][] = [];
    for (const [name, table] of this.tables) {
      const groups: Array<[number, Map<NormalizedKey, unknown>]> = [];
      for (const [kg, g] of table) {
        if (g.map.size === 0) continue;
        g.frozen = true;
        groups.push([kg, g.map]);
      }
      const ttl = this.ttl.get(name);
      tables.push({ name, kind: this.kinds.get(name) ?? 'value', ...(ttl !== undefined ? { ttl } : {}), groups });
    }
    return { maxParallelism: this.maxParallelism, range: this.keyGroupRange, tables, timers: this.snapshotTimers() };
  }

  /** The asynchronous part: reads the frozen maps, giving the event loop a turn every RESTORE_CHUNK entries. */
  toCanonical(ref: unknown): Promise<KeyedSnapshot> {
    return heapSnapshotToCanonical(ref as HeapSnapshotRef);
  }

  /**
   * A snapshot was written. When none is pending any more, no one reads the frozen maps: groups
   * not copied yet thaw in place and copied ones stop tracking fresh keys, so access is fast again.
   */
  override releaseSnapshot(): void {
    if (--this.pendingSnapshots > 0) return;
    this.pendingSnapshots = 0;
    for (const table of this.tables.values()) {
      for (const g of table.values()) {
        if (g.borrowed) continue;
        g.frozen = false;
        // A group derived from a local copy keeps copying the values it shares with the copy.
        if (!g.derived) g.fresh = null;
      }
    }
  }

  /**
   * Restores from a local copy (local recovery): the copy's frozen maps become this backend's
   * groups as they are, frozen for good, so the first access to a group copies it (and each value
   * read from it) and the copy never changes: O(key groups), not O(keys). Timers from the copy's.
   */
  override restoreLocal(copy: unknown): void {
    const { ref } = copy as { ref: HeapSnapshotRef };
    if (ref.maxParallelism !== this.maxParallelism) throw new Error(`A local copy of max parallelism ${ref.maxParallelism} cannot restore a backend of max parallelism ${this.maxParallelism} (this is a bug in miniflink)`);
    for (const t of ref.tables) {
      const table = this.table(t.name);
      // The kind as the snapshot knew it, until the operator registers the state again.
      if (!this.kinds.has(t.name)) this.kinds.set(t.name, t.kind);
      if (t.ttl !== undefined && !this.ttl.has(t.name)) this.ttl.set(t.name, t.ttl);
      for (const [kg, map] of t.groups) if (this.keyGroupRange.contains(kg)) table.set(kg, { map, frozen: true, fresh: null, borrowed: true });
    }
    if (ref.timers && ref.timers.length > 0) this.restoreTimers({ maxParallelism: this.maxParallelism, startKeyGroup: this.keyGroupRange.startKeyGroup, endKeyGroup: this.keyGroupRange.endKeyGroup, states: [], timers: timerQueuesToCanonical(ref.timers) });
  }

  /**
   * Restores the key groups of this subtask's range from canonical snapshots of any subtasks. It
   * gives the slot thread's event loop a turn every RESTORE_CHUNK entries, so a long restore still
   * answers heartbeats (and a cancel).
   */
  async restore(snapshots: readonly KeyedSnapshot[]): Promise<void> {
    let sinceTurn = 0;
    for (const s of snapshots) {
      this.checkRestore(s);
      this.restoreTimers(s);
      for (const st of s.states) {
        const table = this.table(st.name);
        for (const [kg, entries] of normalizedEntries(st)) {
          if (!this.keyGroupRange.contains(kg)) continue;
          const map = new Map<NormalizedKey, unknown>();
          table.set(kg, { map, frozen: false, fresh: null });
          for (const [nk, value] of entries) {
            map.set(nk, st.kind === 'map' ? entriesToMap(value) : value);
            if (++sinceTurn === RESTORE_CHUNK) {
              sinceTurn = 0;
              await nextTurn();
            }
          }
        }
      }
    }
  }

  /** The keys with a value in a state (as denormalizeKey gives them back), key group by key group. */
  getKeys(stateName: string): unknown[] {
    const keys: unknown[] = [];
    for (const g of this.tables.get(stateName)?.values() ?? []) for (const nk of g.map.keys()) keys.push(denormalizeKey(nk));
    return keys;
  }
}

/**
 * The canonical form of a heap snapshot (the asynchronous part reads the frozen maps, which the
 * task does not change meanwhile: it writes into fresh copies). The slot thread's event loop gets a
 * turn every RESTORE_CHUNK entries, so the task processes records and answers heartbeats while a
 * large state is converted.
 */
export async function heapSnapshotToCanonical(ref: HeapSnapshotRef): Promise<KeyedSnapshot> {
  let sinceTurn = 0;
  const states: KeyedStateData[] = [];
  for (const t of ref.tables) {
    const groups: Array<readonly [number, Array<readonly [unknown, unknown]>]> = [];
    for (const [kg, map] of t.groups) {
      const entries: Array<readonly [unknown, unknown]> = [];
      for (const [nk, v] of map) {
        entries.push([denormalizeKey(nk), t.kind === 'map' ? mapToEntries(v) : v] as const);
        if (++sinceTurn === RESTORE_CHUNK) {
          sinceTurn = 0;
          await nextTurn();
        }
      }
      groups.push([kg, entries] as const);
    }
    states.push({ name: t.name, kind: t.kind, groups, ...(t.ttl !== undefined ? { ttl: t.ttl } : {}) } as KeyedStateData);
  }
  const timers = ref.timers && ref.timers.length > 0 ? { timers: timerQueuesToCanonical(ref.timers) } : {};
  return { maxParallelism: ref.maxParallelism, startKeyGroup: ref.range.startKeyGroup, endKeyGroup: ref.range.endKeyGroup, states, ...timers };
}
