/**
 * What every keyed state backend shares: the current key, the five state kinds built on three
 * storage primitives (read, write, remove of the current key's value in one named state), and the
 * timer queues. The hashmap and LevelDB backends supply the storage.
 *
 * Timer queues (Flink's PriorityQueueSetFactory#create on the keyed backend) live on the heap in
 * both backends: a KeyGroupPartitionedPriorityQueue per timer service and time domain, written
 * into the keyed snapshot per key group and restored by key group like keyed state. For LevelDB
 * that is Flink's RocksDB backend with `state.backend.rocksdb.timer-service.factory: HEAP`: timers
 * take memory (about 60-120 bytes each, besides object keys), and registering or firing one never
 * touches the database.
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
import { normalizeKey, type NormalizedKey } from './key-normalizer.js';
import { createTimerQueue, restoreTimerQueues, snapshotTimerQueues, type TimerQueue, type TimerQueuesSnapshot } from './timer-queues.js';
import type { KeyedSnapshot } from './snapshot-format.js';

/** A state's storage handle, as a backend hands it out at registration. */
export type StateTable = unknown;

/** What applyToAllKeys calls for each key: the key, and the state (scoped to that key). */
export type KeyedStateFunction<S> = (key: unknown, state: S) => void;

/** What getValueState hands out, with the read an update builds on (window state's cells use it). */
export interface InternalValueState<T> extends ValueState<T> {
  /** The value, undefined when there is none or it expired (never the default, never an expired value: see unwrapRead). */
  valueToUpdate(): T | undefined;
}

/** Keyed state of one keyed operator subtask. */
export abstract class AbstractKeyedStateBackend {
  protected readonly kinds = new Map<string, StateKind>();
  /** Whether each state's values have time-to-live cells: as registered, or as a restored snapshot says. */
  protected readonly ttl = new Map<string, boolean>();
  private readonly registered = new Map<string, unknown>();
  /** State names an operator keeps for its own state, with the operator's description. */
  private readonly reserved = new Map<string, string>();
  /** Timer queues by name (created by timer services, or by a restore). */
  private readonly timerQueues = new Map<string, TimerQueue>();
  private currentKey: unknown = undefined;
  /** The key the last setCurrentKey call made current (undefined once anything else set one). */
  private lastSetKey: unknown = undefined;
  /** The current key, normalized for lookups (undefined before the first record). */
  protected currentNormalized: NormalizedKey | undefined;
  /** The current key's group. */
  protected currentKeyGroup = -1;

  constructor(
    /** Number of key groups. */
    readonly maxParallelism: number,
    /** The key groups this subtask owns. */
    readonly keyGroupRange: KeyGroupRange,
  ) {}

  /**
   * Sets the key that state calls refer to (a record's key, before the operator processes it).
   * @throws MF_ERR_NULL_KEY for null or undefined.
   * @throws MF_ERR_INVALID_KEY when the key's group is not one this subtask owns: the key selector
   *   gave the record another key here than where it was partitioned (Flink's message).
   */
  setCurrentKey(key: unknown): void {
    // The same number or string setCurrentKey made current last (runs of one key): its form and
    // group are current already. Object.is: -0 after 0 is the same state key, but getCurrentKey()
    // (the key a window or timer hands to user code) must be the record's.
    if (Object.is(key, this.lastSetKey) && (typeof key === 'number' || typeof key === 'string')) return;
    if (key === null || key === undefined) throw new MiniFlinkError('MF_ERR_NULL_KEY', `Assigned key must not be null! The key selector returned ${String(key)}`);
    const normalized = normalizeKey(key);
    const group = assignToKeyGroup(key, this.maxParallelism);
    // Two comparisons on the group computed anyway (Flink checks it at the state table).
    const range = this.keyGroupRange;
    if (group < range.startKeyGroup || group > range.endKeyGroup) throw keyGroupNotInRange(group, range);
    this.currentKey = key;
    this.currentNormalized = normalized;
    this.currentKeyGroup = group;
    this.lastSetKey = key;
  }

  /**
   * Sets the current key when its normalized form and key group are known already (a timer
   * firing: the queue kept both), skipping the hashing setCurrentKey does.
   */
  setCurrentKeyAndKeyGroup(key: unknown, normalizedKey: NormalizedKey, keyGroup: number): void {
    this.lastSetKey = undefined;
    this.currentKey = key;
    this.currentNormalized = normalizedKey;
    this.currentKeyGroup = keyGroup;
  }

  /**
   * Makes `composite` (a (key, namespace) pair's key: window state) the current normalized key
   * within the current key's group, until leaveNamespace(); returns the normalized key it
   * replaced, which leaveNamespace() takes back. The current key and its group stay, and so does
   * the run of one key that setCurrentKey skips the hashing for.
   */
  enterNamespace(composite: string): NormalizedKey | undefined {
    const nk = this.currentNormalized;
    this.currentNormalized = composite;
    return nk;
  }

  /** Makes the key's normalized form (what enterNamespace returned) current again. */
  leaveNamespace(normalizedKey: NormalizedKey): void {
    this.currentNormalized = normalizedKey;
  }

  /** Reserves state names for an operator's own state: a user function's state cannot take them (checkUserStateName). */
  reserveStateNames(owner: string, names: readonly string[]): void {
    for (const n of names) this.reserved.set(n, owner);
  }

  /**
   * Checks the name of a state a user function registers (the runtime context's get*State).
   * @throws MF_ERR_INVALID_ARGUMENT for a name the operator keeps for its own state.
   */
  checkUserStateName(name: string): void {
    const owner = this.reserved.get(name);
    if (owner !== undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The state name '${name}' is taken by ${owner} for its own state: give the state another name`);
  }

  /** The current key. */
  getCurrentKey(): unknown {
    return this.currentKey;
  }

  /** The current key, normalized (undefined before the first key). */
  getCurrentNormalizedKey(): NormalizedKey | undefined {
    return this.currentNormalized;
  }

  /** The current key's group. */
  getCurrentKeyGroup(): number {
    return this.currentKeyGroup;
  }

  // ---- timer queues ----

  /**
   * The timer queue of this name, created empty on first use (Flink's
   * PriorityQueueSetFactory#create); a restore fills it, before or after it is first asked for.
   */
  createTimerQueue(name: string): TimerQueue {
    let q = this.timerQueues.get(name);
    if (!q) this.timerQueues.set(name, (q = createTimerQueue(this.keyGroupRange)));
    return q;
  }

  /** The synchronous part of a snapshot of the timer queues (O(key groups), copy-on-write). */
  protected snapshotTimers(): TimerQueuesSnapshot {
    return snapshotTimerQueues(this.timerQueues);
  }

  /** Restores the timers of this subtask's key groups from a canonical snapshot. */
  protected restoreTimers(s: KeyedSnapshot): void {
    if (s.timers) restoreTimerQueues(s.timers, this.keyGroupRange, (name) => this.createTimerQueue(name));
  }

  // ---- iterating keys ----

  /**
   * The keys with a value in a state (Flink's KeyedStateBackend#getKeys), in no particular order,
   * as denormalizeKey gives them back (key-normalizer.ts). The hashmap backend answers at once;
   * LevelDB has to iterate the database, so its answer is a promise, except within a key
   * iteration (prepareKeyIteration).
   */
  abstract getKeys(stateName: string): readonly unknown[] | Promise<readonly unknown[]>;

  /**
   * Makes getKeys and applyToAllKeys synchronous until endKeyIteration: what
   * KeyedBroadcastProcessFunction's applyToKeyedState needs, as Flink's visits every key before it
   * returns. Undefined when they are already (the hashmap backend); otherwise a promise that
   * settles once the keys are listed (LevelDB), and nothing else may use the backend meanwhile
   * but through the calls that change state (a timer firing), which the iteration sees.
   */
  prepareKeyIteration(): Promise<void> | undefined {
    return undefined;
  }

  /** Ends what prepareKeyIteration began. */
  endKeyIteration(): void {}

  /**
   * Calls `fn(key, state)` for every key with a value in the state, with that key current (Flink's
   * KeyedStateBackend#applyToAllKeys, what KeyedBroadcastProcessFunction's applyToKeyedState
   * uses). The keys are taken first, so `fn` may change or clear the state. The key that was
   * current before is current again afterwards. Takes a descriptor (registering the state if
   * needed) or the name of a registered state. Synchronous on the hashmap backend, and on LevelDB
   * within a key iteration (prepareKeyIteration); otherwise LevelDB reads the keys asynchronously,
   * then every call happens at once: the caller must not let other input in until the promise settles.
   * @throws MF_ERR_INVALID_ARGUMENT for the name of a state not registered.
   */
  applyToAllKeys<S = unknown>(state: StateDescriptor<any> | string, fn: KeyedStateFunction<S>): void | Promise<void> {
    const name = typeof state === 'string' ? state : state.name;
    const handle = (typeof state === 'string' ? this.registered.get(state) : this.getState(state)) as S | undefined;
    if (handle === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Keyed state '${name}' is not registered: pass its descriptor to applyToAllKeys`);
    const keys = this.getKeys(name);
    if (!Array.isArray(keys)) return (keys as Promise<readonly unknown[]>).then((ks) => this.applyToKeys(ks, handle, fn));
    this.applyToKeys(keys as readonly unknown[], handle, fn);
  }

  private applyToKeys<S>(keys: readonly unknown[], state: S, fn: KeyedStateFunction<S>): void {
    const [key, normalized, group] = [this.currentKey, this.currentNormalized, this.currentKeyGroup];
    try {
      for (const k of keys) {
        this.setCurrentKey(k);
        fn(k, state);
      }
    } finally {
      this.currentKey = key;
      this.currentNormalized = normalized;
      this.currentKeyGroup = group;
      this.lastSetKey = undefined;
    }
  }

  /** The state a descriptor describes, of its kind. */
  getState(d: StateDescriptor<any>): unknown {
    switch (d.kind) {
      case 'value':
        return this.getValueState(d as ValueStateDescriptor<unknown>);
      case 'list':
        return this.getListState(d as ListStateDescriptor<unknown>);
      case 'map':
        return this.getMapState(d as MapStateDescriptor<unknown, unknown>);
      case 'reducing':
        return this.getReducingState(d as ReducingStateDescriptor<unknown>);
      case 'aggregating':
        return this.getAggregatingState(d as AggregatingStateDescriptor<unknown, unknown, unknown>);
    }
  }

  /** Throws when no key is set. */
  protected checkKey(name: string): NormalizedKey {
    if (this.currentNormalized === undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Keyed state '${name}' was used outside of a keyed context (no current key)`);
    return this.currentNormalized;
  }

  // ---- storage, per backend ----

  /** The storage of a named state (created on first registration). */
  protected abstract table(name: string): StateTable;
  /** The current key's value, safe to change in place. */
  protected abstract read(name: string, table: StateTable): unknown;
  /** Sets the current key's value. */
  protected abstract write(name: string, table: StateTable, value: unknown): void;
  /** Removes the current key's value. */
  protected abstract remove(name: string, table: StateTable): void;

  /** The synchronous part of a snapshot (an opaque reference). */
  abstract snapshot(): unknown;
  /** The canonical form of a snapshot reference (the asynchronous part). */
  abstract toCanonical(ref: unknown): KeyedSnapshot | Promise<KeyedSnapshot>;
  /** The asynchronous part of a snapshot is done with its reference (copy-on-write may stop). */
  releaseSnapshot(_ref: unknown): void {}
  /** Restores this subtask's key groups from canonical snapshots. */
  abstract restore(snapshots: readonly KeyedSnapshot[]): void | Promise<void>;
  /** Restores from a local copy this backend's kind made (local recovery; checkpoint/local-recovery.ts). */
  restoreLocal(_copy: unknown): void | Promise<void> {
    throw new Error(`${this.constructor.name} has no local recovery (this is a bug in miniflink)`);
  }
  /** Prepares storage (opens a database). */
  open(): void | Promise<void> {}
  /** Releases storage. */
  dispose(): void | Promise<void> {}
  /**
   * Called with a failure of storage found outside any call (a LevelDB batch written in the
   * background); the task sets it to fail itself. Later calls on the backend throw it as well.
   */
  onError: ((error: Error) => void) | undefined;

  /** Checks a restored snapshot's max parallelism and a state's kind. */
  protected checkRestore(s: KeyedSnapshot): void {
    if (s.maxParallelism !== this.maxParallelism) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `The state was written with max parallelism ${s.maxParallelism} but the operator now has max parallelism ${this.maxParallelism}: keyed state cannot be restored with a different max parallelism.`,
      );
    }
    for (const st of s.states) {
      const kind = this.kinds.get(st.name);
      if (kind !== undefined && kind !== st.kind) throw incompatibleRestoredKind('Keyed', st.name, st.kind, kind);
      this.kinds.set(st.name, st.kind);
      if (st.ttl === undefined) continue;
      const ttl = this.ttl.get(st.name);
      if (ttl !== undefined && ttl !== st.ttl) throw ttlChanged(st.name, st.ttl);
      this.ttl.set(st.name, st.ttl);
    }
  }

  /** Current time for state TTL (set by the operator from its clock). */
  now: () => number = () => Date.now();

  private register<S>(d: StateDescriptor<unknown>, make: (t: StateTable) => S): S {
    const kind = this.kinds.get(d.name);
    if (kind !== undefined && kind !== d.kind) {
      // Not registered in this run: the kind came with the restored checkpoint or savepoint.
      if (!this.registered.has(d.name)) throw incompatibleRestoredKind('Keyed', d.name, kind, d.kind);
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `State '${d.name}' was registered as ${kind} state and cannot be used as ${d.kind} state`);
    }
    const existing = this.registered.get(d.name);
    if (existing) return existing as S;
    const ttl = this.ttl.get(d.name);
    if (ttl !== undefined && ttl !== (d.ttlConfig !== undefined)) throw ttlChanged(d.name, ttl);
    this.kinds.set(d.name, d.kind);
    this.ttl.set(d.name, d.ttlConfig !== undefined);
    const table = this.table(d.name);
    const s = make(d.ttlConfig ? this.ttlTable(d, table) : table);
    this.registered.set(d.name, s);
    return s;
  }

  /**
   * With TTL, values are stored as { v, ts } and a read past the TTL is absent (and removed).
   * The wrapped table is marked so read/write below know to (un)wrap.
   */
  private ttlTable(d: StateDescriptor<unknown>, table: StateTable): StateTable {
    return { [TTL]: d.ttlConfig!, table };
  }

  /**
   * The current key's value. With TTL, an expired value is removed as it is read (Flink's
   * AbstractTtlDecorator, whatever the visibility); with ReturnExpiredIfNotCleanedUp that read
   * still returns it, unless `unexpired` (an add or put building on the value: Flink's
   * TtlReduceFunction, TtlAggregateFunction and per-element list and map TTL never build on an
   * expired value).
   */
  private unwrapRead(name: string, t: StateTable, unexpired = false): unknown {
    if (!isTtl(t)) return this.read(name, t);
    const cell = this.read(name, t.table) as { v: unknown; ts: number } | undefined;
    if (cell === undefined) return undefined;
    const cfg = t[TTL];
    const now = this.now();
    if (now - cell.ts >= cfg.ttlMs) {
      this.remove(name, t.table);
      return cfg.visibility === 'ReturnExpiredIfNotCleanedUp' && !unexpired ? cell.v : undefined;
    }
    if (cfg.updateType === 'OnReadAndWrite') this.write(name, t.table, { v: cell.v, ts: now });
    return cell.v;
  }

  private wrapWrite(name: string, t: StateTable, value: unknown): void {
    // No value (a ReduceFunction or AggregateFunction that returned nothing): the key has no state,
    // as Flink treats a null accumulator, on either backend alike.
    if (value === undefined || value === null) return this.unwrapRemove(name, t);
    if (!isTtl(t)) return this.write(name, t, value);
    this.write(name, t.table, { v: value, ts: this.now() });
  }

  private unwrapRemove(name: string, t: StateTable): void {
    this.remove(name, isTtl(t) ? t.table : t);
  }

  /**
   * A ValueState. As in Flink, value() is null when there is no value (or a copy of the
   * descriptor's default, fresh for every read as Flink's serializer.copy makes it, so that
   * changing it for one key never changes another's), and update(null) (or undefined) clears it:
   * neither can be stored.
   */
  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.register(d, (t): InternalValueState<T> => ({
      value: () => {
        const v = this.unwrapRead(d.name, t) as T | undefined;
        return v === undefined ? defaultValueOf(d) : v;
      },
      valueToUpdate: () => this.unwrapRead(d.name, t, true) as T | undefined,
      update: (v: T) => (v === undefined || v === null ? this.unwrapRemove(d.name, t) : this.wrapWrite(d.name, t, v)),
      clear: () => this.unwrapRemove(d.name, t),
    }));
  }

  /** A ListState. */
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.register(d, (t) => {
      const append = (vs: T[]) => {
        // Nothing to add (addAll of an empty list) changes nothing, as in Flink: no empty list is stored.
        if (vs.length === 0) return;
        const l = (this.unwrapRead(d.name, t, true) as T[] | undefined) ?? [];
        l.push(...vs);
        this.wrapWrite(d.name, t, l);
      };
      return {
        get: () => (this.unwrapRead(d.name, t) as T[] | undefined) ?? [],
        add: (v: T) => append([v]),
        addAll: (vs: Iterable<T>) => append([...vs]),
        update: (vs: Iterable<T>) => {
          const arr = [...vs];
          if (arr.length === 0) this.unwrapRemove(d.name, t);
          else this.wrapWrite(d.name, t, arr);
        },
        clear: () => this.unwrapRemove(d.name, t),
      };
    });
  }

  /** A MapState: user keys normalized like record keys; entries keep the original key. */
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    type Entries = Map<NormalizedKey, [K, V]>;
    return this.register(d, (t) => {
      const map = (unexpired = false) => this.unwrapRead(d.name, t, unexpired) as Entries | undefined;
      const state: MapState<K, V> = {
        get: (k) => map()?.get(normalizeKey(k))?.[1],
        put: (k, v) => {
          const m = map(true) ?? new Map();
          m.set(normalizeKey(k), [k, v]);
          this.wrapWrite(d.name, t, m);
        },
        putAll: (entries) => {
          for (const [k, v] of entries) state.put(k, v);
        },
        remove: (k) => {
          const m = map(true);
          if (!m) return;
          m.delete(normalizeKey(k));
          if (m.size === 0) this.unwrapRemove(d.name, t);
          else this.wrapWrite(d.name, t, m);
        },
        contains: (k) => map()?.has(normalizeKey(k)) ?? false,
        entries: () => [...(map()?.values() ?? [])].map(([k, v]) => [k, v] as [K, V]),
        keys: () => [...(map()?.values() ?? [])].map(([k]) => k),
        values: () => [...(map()?.values() ?? [])].map(([, v]) => v),
        isEmpty: () => (map()?.size ?? 0) === 0,
        clear: () => this.unwrapRemove(d.name, t),
      };
      return state;
    });
  }

  /** A ReducingState. */
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.register(d, (t) => ({
      get: () => this.unwrapRead(d.name, t) as T | undefined,
      add: (v: T) => {
        const cur = this.unwrapRead(d.name, t, true) as T | undefined;
        this.wrapWrite(d.name, t, cur === undefined ? v : d.reduceFunction(cur, v));
      },
      clear: () => this.unwrapRemove(d.name, t),
    }));
  }

  /** An AggregatingState. */
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const f = d.aggregateFunction;
    return this.register(d, (t) => ({
      get: () => {
        const acc = this.unwrapRead(d.name, t) as ACC | undefined;
        return acc === undefined ? undefined : f.getResult(acc);
      },
      add: (v: IN) => {
        const acc = (this.unwrapRead(d.name, t, true) as ACC | undefined) ?? f.createAccumulator();
        this.wrapWrite(d.name, t, f.add(v, acc));
      },
      clear: () => this.unwrapRemove(d.name, t),
    }));
  }
}

/**
 * A state restored as one kind and registered as another (Flink's StateMigrationException,
 * "Incompatible state types").
 */
export function incompatibleRestoredKind(what: 'Keyed' | 'Operator', name: string, was: string, now: string): MiniFlinkError {
  return new MiniFlinkError(
    'MF_ERR_RESTORE_FAILED',
    `${what} state '${name}' was restored from the checkpoint or savepoint as ${was} state and is now registered as ${now} state: incompatible state types (Flink refuses this too, with a StateMigrationException: "Incompatible state types. Was [${was.toUpperCase()}], registered with [${now.toUpperCase()}]"). Keep the state's kind, or give the state a new name to start it empty.`,
  );
}

/**
 * A state restored with time-to-live cells and registered without TTL, or the other way round:
 * its values cannot be read (Flink refuses it too, with a StateMigrationException).
 */
function ttlChanged(name: string, hadTtl: boolean): MiniFlinkError {
  return new MiniFlinkError(
    'MF_ERR_RESTORE_FAILED',
    `Keyed state '${name}' was checkpointed ${hadTtl ? 'with' : 'without'} time-to-live and is now registered ${hadTtl ? 'without' : 'with'} it: its values cannot be read that way (Flink refuses this too, with a StateMigrationException). Keep the descriptor's TTL as it was, or give the state a new name to start it empty.`,
  );
}

/** Flink's KeyGroupRangeOffsets.newIllegalKeyGroupException. */
function keyGroupNotInRange(group: number, range: KeyGroupRange): MiniFlinkError {
  return new MiniFlinkError(
    'MF_ERR_INVALID_KEY',
    `Key group ${group} is not in ${range.toString()}. Unless you're directly using low level state access APIs, this is most likely caused by non-deterministic shuffle key (hashCode and equals implementation).`,
  );
}

/**
 * A ValueStateDescriptor's default value, or null: a fresh copy (record-copy.ts) each time, as
 * Flink's ValueState hands out `serializer.copy(defaultValue)`; primitives need none.
 */
export function defaultValueOf<T>(d: ValueStateDescriptor<T>): T | null {
  const v = d.defaultValue;
  if (v === undefined || v === null) return null;
  return typeof v === 'object' ? copyRecord(v) : v;
}

const TTL = Symbol('ttl');
type TtlTable = { [TTL]: import('../api/index.js').StateTtlConfig; table: StateTable };
function isTtl(t: StateTable): t is TtlTable {
  return typeof t === 'object' && t !== null && TTL in t;
}

/** Map state values in canonical form: [userKey, value] pairs (inside a TTL cell when wrapped). */
export function mapToEntries(v: unknown): unknown {
  if (!(v instanceof Map)) {
    const cell = v as { v: unknown; ts: number };
    return { v: mapToEntries(cell.v), ts: cell.ts };
  }
  return [...(v as Map<NormalizedKey, [unknown, unknown]>).values()];
}

/** Map state values from canonical form. */
export function entriesToMap(v: unknown): unknown {
  if (!Array.isArray(v)) {
    const cell = v as { v: unknown; ts: number };
    return { v: entriesToMap(cell.v), ts: cell.ts };
  }
  return new Map((v as Array<[unknown, unknown]>).map(([k, x]) => [normalizeKey(k), [k, x]]));
}
