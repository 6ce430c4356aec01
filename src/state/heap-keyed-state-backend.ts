/**
 * The hashmap backend's keyed state: objects in memory, one table per state name, split by key
 * group so that snapshots and redistribution work per key group.
 *
 *   tables: stateName -> keyGroup -> normalizedKey -> value
 *
 * The operator sets the current key before it calls user code; every state object reads it.
 */
import {
  type AggregatingState,
  type AggregatingStateDescriptor,
  type ListState,
  type ListStateDescriptor,
  type MapState,
  type MapStateDescriptor,
  type ReducingState,
  type ReducingStateDescriptor,
  type StateDescriptor,
  type ValueState,
  type ValueStateDescriptor,
} from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { assignToKeyGroup, type KeyGroupRange } from '../core/key-groups.js';
import { normalizeKey, type NormalizedKey } from './key-normalizer.js';

type Table = Map<number, Map<NormalizedKey, unknown>>;

/** Keyed state of one keyed operator subtask, in memory. */
export class HeapKeyedStateBackend {
  private readonly tables = new Map<string, Table>();
  private readonly kinds = new Map<string, string>();
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

  private slot(name: string, create: boolean): Map<NormalizedKey, unknown> | undefined {
    if (this.currentNormalized === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Keyed state '${name}' was used outside of a keyed context (no current key)`);
    const table = this.tables.get(name)!;
    let g = table.get(this.currentKeyGroup);
    if (!g && create) table.set(this.currentKeyGroup, (g = new Map()));
    return g;
  }

  private get(name: string): unknown {
    return this.slot(name, false)?.get(this.currentNormalized!);
  }

  private put(name: string, value: unknown): void {
    this.slot(name, true)!.set(this.currentNormalized!, value);
  }

  private remove(name: string): void {
    this.slot(name, false)?.delete(this.currentNormalized!);
  }

  /** Fast path for one table: the per-record get/put of ValueState and the built-in reduce. */
  private tableAccess(name: string): { get(): unknown; put(v: unknown): void } {
    const table = this.tables.get(name)!;
    return {
      get: () => {
        if (this.currentNormalized === undefined) return this.get(name);
        return table.get(this.currentKeyGroup)?.get(this.currentNormalized);
      },
      put: (v) => {
        let g = table.get(this.currentKeyGroup);
        if (!g) {
          if (this.currentNormalized === undefined) return this.put(name, v);
          table.set(this.currentKeyGroup, (g = new Map()));
        }
        g.set(this.currentNormalized!, v);
      },
    };
  }

  private register<S>(d: StateDescriptor<unknown>, make: () => S): S {
    const kind = this.kinds.get(d.name);
    if (kind !== undefined && kind !== d.kind) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `State '${d.name}' was registered as ${kind} state and cannot be used as ${d.kind} state`);
    }
    const existing = this.registered.get(d.name);
    if (existing) return existing as S;
    this.kinds.set(d.name, d.kind);
    if (!this.tables.has(d.name)) this.tables.set(d.name, new Map());
    const s = make();
    this.registered.set(d.name, s);
    return s;
  }

  /** A ValueState. */
  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.register(d, () => {
      const t = this.tableAccess(d.name);
      return {
        value: () => {
          const v = t.get() as T | undefined;
          return v === undefined ? d.defaultValue : v;
        },
        update: (v: T) => (v === undefined || v === null ? this.remove(d.name) : t.put(v)),
        clear: () => this.remove(d.name),
      };
    });
  }

  /** A ListState. */
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    const list = (create: boolean): T[] | undefined => {
      let l = this.get(d.name) as T[] | undefined;
      if (!l && create) this.put(d.name, (l = []));
      return l;
    };
    return this.register(d, () => ({
      get: () => list(false) ?? [],
      add: (v: T) => void list(true)!.push(v),
      addAll: (vs: Iterable<T>) => void list(true)!.push(...vs),
      update: (vs: Iterable<T>) => {
        const arr = [...vs];
        if (arr.length === 0) this.remove(d.name);
        else this.put(d.name, arr);
      },
      clear: () => this.remove(d.name),
    }));
  }

  /** A MapState. User keys are normalized like record keys; entries keep the original key. */
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    type Entries = Map<NormalizedKey, [K, V]>;
    const map = (create: boolean): Entries | undefined => {
      let m = this.get(d.name) as Entries | undefined;
      if (!m && create) this.put(d.name, (m = new Map()));
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
        if (m.size === 0) this.remove(d.name);
      },
      contains: (k) => map(false)?.has(normalizeKey(k)) ?? false,
      entries: () => [...(map(false)?.values() ?? [])].map(([k, v]) => [k, v] as [K, V]),
      keys: () => [...(map(false)?.values() ?? [])].map(([k]) => k),
      values: () => [...(map(false)?.values() ?? [])].map(([, v]) => v),
      isEmpty: () => (map(false)?.size ?? 0) === 0,
      clear: () => this.remove(d.name),
    };
    return this.register(d, () => state);
  }

  /** A ReducingState. */
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.register(d, () => ({
      get: () => this.get(d.name) as T | undefined,
      add: (v: T) => {
        const cur = this.get(d.name) as T | undefined;
        this.put(d.name, cur === undefined ? v : d.reduceFunction(cur, v));
      },
      clear: () => this.remove(d.name),
    }));
  }

  /** An AggregatingState. */
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const f = d.aggregateFunction;
    return this.register(d, () => ({
      get: () => {
        const acc = this.get(d.name) as ACC | undefined;
        return acc === undefined ? undefined : f.getResult(acc);
      },
      add: (v: IN) => {
        const acc = (this.get(d.name) as ACC | undefined) ?? f.createAccumulator();
        this.put(d.name, f.add(v, acc));
      },
      clear: () => this.remove(d.name),
    }));
  }

  /** Number of keys with a value in a state (for tests and the state browser). */
  size(name: string): number {
    let n = 0;
    for (const g of this.tables.get(name)?.values() ?? []) n += g.size;
    return n;
  }
}
