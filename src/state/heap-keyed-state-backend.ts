/**
 * The hashmap backend's keyed state: objects in memory, one table per state name, split by key
 * group, with copy-on-write so that a snapshot's synchronous part is short for any state size.
 *
 *   tables: stateName -> keyGroup -> Group { map: normalizedKey -> value, frozen, fresh }
 *
 * snapshot() marks every group frozen and keeps references to the maps (O(groups), not O(keys)).
 * The first access to a frozen group after that copies the group's map; the first access to a key
 * in a copied group copies that key's value (Flink's CopyOnWriteStateMap copies on access too), so
 * a user function that changes a value in place never changes what a snapshot is writing.
 *
 * The operator sets the current key before it calls user code; every state object reads it.
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  StateKind,
  ValueState,
  ValueStateDescriptor,
} from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { assignToKeyGroup, type KeyGroupRange } from '../core/key-groups.js';
import { copyRecord } from '../core/record-copy.js';
import { denormalizeKey, normalizeKey, type NormalizedKey } from './key-normalizer.js';
import type { KeyedSnapshot, KeyedStateData } from './snapshot-format.js';

/** One key group of one state. */
interface Group {
  map: Map<NormalizedKey, unknown>;
  /** Part of a snapshot: must be copied before any access. */
  frozen: boolean;
  /** After a copy: keys whose values were copied since (null: never shared with a snapshot). */
  fresh: Set<NormalizedKey> | null;
}

type Table = Map<number, Group>;

/** A snapshot's synchronous part: frozen maps, serialized later (toCanonical). */
export interface HeapSnapshotRef {
  readonly maxParallelism: number;
  readonly range: KeyGroupRange;
  readonly tables: ReadonlyArray<{ name: string; kind: StateKind; groups: Array<[number, Map<NormalizedKey, unknown>]> }>;
}

/** Keyed state of one keyed operator subtask, in memory. */
export class HeapKeyedStateBackend {
  private readonly tables = new Map<string, Table>();
  private readonly kinds = new Map<string, StateKind>();
  private readonly registered = new Map<string, unknown>();
  private currentKey: unknown = undefined;
  private currentNormalized: NormalizedKey | undefined;
  private currentKeyGroup = -1;

  constructor(
    /** Number of key groups. */
    readonly maxParallelism: number,
    /** The key groups this subtask owns. */
    readonly keyGroupRange: KeyGroupRange,
  ) {}

  /** Sets the key that state calls refer to. */
  setCurrentKey(key: unknown): void {
    if (key === null || key === undefined) throw new MiniFlinkError('MF_ERR_NULL_KEY', `Assigned key must not be null! The key selector returned ${String(key)}`);
    this.currentKey = key;
    this.currentNormalized = normalizeKey(key);
    this.currentKeyGroup = assignToKeyGroup(key, this.maxParallelism);
  }

  /** The current key. */
  getCurrentKey(): unknown {
    return this.currentKey;
  }

  /** The current key's group. */
  getCurrentKeyGroup(): number {
    return this.currentKeyGroup;
  }

  private checkKey(name: string): NormalizedKey {
    if (this.currentNormalized === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Keyed state '${name}' was used outside of a keyed context (no current key)`);
    return this.currentNormalized;
  }

  /** The current key's group of a table, copied if frozen; created when asked. */
  private group(table: Table, create: boolean): Group | undefined {
    let g = table.get(this.currentKeyGroup);
    if (!g) {
      if (!create) return undefined;
      g = { map: new Map(), frozen: false, fresh: null };
      table.set(this.currentKeyGroup, g);
    } else if (g.frozen) {
      g = { map: new Map(g.map), frozen: false, fresh: new Set() };
      table.set(this.currentKeyGroup, g);
    }
    return g;
  }

  /** Reads the current key's value, copying it first if a snapshot may still be writing it. */
  private read(name: string, table: Table): unknown {
    const key = this.checkKey(name);
    const g0 = table.get(this.currentKeyGroup);
    if (!g0) return undefined;
    if (!g0.frozen && (g0.fresh === null || g0.fresh.has(key))) return g0.map.get(key);
    const g = this.group(table, false)!;
    let v = g.map.get(key);
    if (v !== null && typeof v === 'object') {
      v = copyRecord(v);
      g.map.set(key, v);
    }
    g.fresh!.add(key);
    return v;
  }

  private write(name: string, table: Table, value: unknown): void {
    const key = this.checkKey(name);
    const g = this.group(table, true)!;
    g.map.set(key, value);
    g.fresh?.add(key);
  }

  private remove(name: string, table: Table): void {
    const key = this.checkKey(name);
    const g = this.group(table, false);
    if (!g) return;
    g.map.delete(key);
    g.fresh?.add(key);
  }

  private register<S>(d: StateDescriptor<unknown>, make: (t: Table) => S): S {
    const kind = this.kinds.get(d.name);
    if (kind !== undefined && kind !== d.kind) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `State '${d.name}' was registered as ${kind} state and cannot be used as ${d.kind} state`);
    }
    const existing = this.registered.get(d.name);
    if (existing) return existing as S;
    this.kinds.set(d.name, d.kind);
    let table = this.tables.get(d.name);
    if (!table) this.tables.set(d.name, (table = new Map()));
    const s = make(table);
    this.registered.set(d.name, s);
    return s;
  }

  /** A ValueState. */
  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.register(d, (t) => ({
      value: () => {
        const v = this.read(d.name, t) as T | undefined;
        return v === undefined ? d.defaultValue : v;
      },
      update: (v: T) => (v === undefined || v === null ? this.remove(d.name, t) : this.write(d.name, t, v)),
      clear: () => this.remove(d.name, t),
    }));
  }

  /** A ListState. */
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.register(d, (t) => {
      const list = (create: boolean): T[] | undefined => {
        let l = this.read(d.name, t) as T[] | undefined;
        if (!l && create) this.write(d.name, t, (l = []));
        return l;
      };
      return {
        get: () => list(false) ?? [],
        add: (v: T) => void list(true)!.push(v),
        addAll: (vs: Iterable<T>) => void list(true)!.push(...vs),
        update: (vs: Iterable<T>) => {
          const arr = [...vs];
          if (arr.length === 0) this.remove(d.name, t);
          else this.write(d.name, t, arr);
        },
        clear: () => this.remove(d.name, t),
      };
    });
  }

  /** A MapState. User keys are normalized like record keys; entries keep the original key. */
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    type Entries = Map<NormalizedKey, [K, V]>;
    return this.register(d, (t) => {
      const map = (create: boolean): Entries | undefined => {
        let m = this.read(d.name, t) as Entries | undefined;
        if (!m && create) this.write(d.name, t, (m = new Map()));
        return m;
      };
      const state: MapState<K, V> = {
        get: (k) => map(false)?.get(normalizeKey(k))?.[1],
        put: (k, v) => void map(true)!.set(normalizeKey(k), [k, v]),
        putAll: (entries) => {
          for (const [k, v] of entries) state.put(k, v);
        },
        remove: (k) => {
          const m = map(false);
          if (!m) return;
          m.delete(normalizeKey(k));
          if (m.size === 0) this.remove(d.name, t);
        },
        contains: (k) => map(false)?.has(normalizeKey(k)) ?? false,
        entries: () => [...(map(false)?.values() ?? [])].map(([k, v]) => [k, v] as [K, V]),
        keys: () => [...(map(false)?.values() ?? [])].map(([k]) => k),
        values: () => [...(map(false)?.values() ?? [])].map(([, v]) => v),
        isEmpty: () => (map(false)?.size ?? 0) === 0,
        clear: () => this.remove(d.name, t),
      };
      return state;
    });
  }

  /** A ReducingState. */
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.register(d, (t) => ({
      get: () => this.read(d.name, t) as T | undefined,
      add: (v: T) => {
        const cur = this.read(d.name, t) as T | undefined;
        this.write(d.name, t, cur === undefined ? v : d.reduceFunction(cur, v));
      },
      clear: () => this.remove(d.name, t),
    }));
  }

  /** An AggregatingState. */
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const f = d.aggregateFunction;
    return this.register(d, (t) => ({
      get: () => {
        const acc = this.read(d.name, t) as ACC | undefined;
        return acc === undefined ? undefined : f.getResult(acc);
      },
      add: (v: IN) => {
        const acc = (this.read(d.name, t) as ACC | undefined) ?? f.createAccumulator();
        this.write(d.name, t, f.add(v, acc));
      },
      clear: () => this.remove(d.name, t),
    }));
  }

  /** Number of keys with a value in a state (for tests and the state browser). */
  size(name: string): number {
    let n = 0;
    for (const g of this.tables.get(name)?.values() ?? []) n += g.map.size;
    return n;
  }

  /** The synchronous part of a snapshot: freezes every group (O(groups)). */
  snapshot(): HeapSnapshotRef {
    const tables: HeapSnapshotRef['tables'][number][] = [];
    for (const [name, table] of this.tables) {
      const groups: Array<[number, Map<NormalizedKey, unknown>]> = [];
      for (const [kg, g] of table) {
        if (g.map.size === 0) continue;
        g.frozen = true;
        groups.push([kg, g.map]);
      }
      tables.push({ name, kind: this.kinds.get(name) ?? 'value', groups });
    }
    return { maxParallelism: this.maxParallelism, range: this.keyGroupRange, tables };
  }

  /** Restores the key groups of this subtask's range from canonical snapshots of any subtasks. */
  restore(snapshots: readonly KeyedSnapshot[]): void {
    for (const s of snapshots) {
      if (s.maxParallelism !== this.maxParallelism) {
        throw new MiniFlinkError(
          'MF_ERR_INVALID_ARGUMENT',
          `The state was written with max parallelism ${s.maxParallelism} but the operator now has max parallelism ${this.maxParallelism}: keyed state cannot be restored with a different max parallelism.`,
        );
      }
      for (const st of s.states) {
        const kind = this.kinds.get(st.name);
        if (kind !== undefined && kind !== st.kind) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Restored state '${st.name}' is ${st.kind} state but is registered as ${kind} state`);
        this.kinds.set(st.name, st.kind);
        let table = this.tables.get(st.name);
        if (!table) this.tables.set(st.name, (table = new Map()));
        for (const [kg, entries] of st.groups) {
          if (!this.keyGroupRange.contains(kg)) continue;
          const map = new Map<NormalizedKey, unknown>();
          for (const [key, value] of entries) {
            map.set(normalizeKey(key), st.kind === 'map' ? new Map((value as Array<[unknown, unknown]>).map(([k, v]) => [normalizeKey(k), [k, v]])) : value);
          }
          table.set(kg, { map, frozen: false, fresh: null });
        }
      }
    }
  }
}

/** The canonical form of a heap snapshot (the asynchronous part reads the frozen maps). */
export function heapSnapshotToCanonical(ref: HeapSnapshotRef): KeyedSnapshot {
  const states: KeyedStateData[] = ref.tables.map((t) => ({
    name: t.name,
    kind: t.kind,
    groups: t.groups.map(([kg, map]) => [
      kg,
      [...map].map(([nk, v]) => [denormalizeKey(nk), t.kind === 'map' ? [...(v as Map<NormalizedKey, [unknown, unknown]>).values()] : v] as const),
    ]),
  }));
  return { maxParallelism: ref.maxParallelism, startKeyGroup: ref.range.startKeyGroup, endKeyGroup: ref.range.endKeyGroup, states };
}
