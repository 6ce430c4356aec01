/**
 * Keyed state per (key, window): what Flink's keyed backends hold under a namespace, built here on
 * the backend's plain keyed state without changing it. While a window's state is read or written,
 * the backend's current key is (key, window) (enterNamespace, the key and its group staying the
 * key's), so the state lives in the key's key group under a composite key:
 *
 *   table `_window-contents`:      the plain key -> the contents of its windows (WindowContentsCell)
 *   table `_window-contents/more`: "<window namespace>\u0001<type tag><normalized key>" -> the
 *                                  contents of a window of a key with more than 8 in flight, or
 *                                  of every window with allowed lateness
 *   table `window/<name>`:         the same composite key -> a trigger's or windowState()'s state
 *   table `merging-window-set`: the plain key -> [[start, end, stateStart, stateEnd], ...]
 *
 *   namespace: "<start>:<end>" for a TimeWindow, "global" for the GlobalWindow
 *   type tag:  s (string key), n (number), b (boolean), i (bigint); the normalized key as text
 *
 * The contents are kept per key rather than per (key, window) (snapshot format 5; older snapshots'
 * per-window entries in `window-contents` are converted on restore: upgradeWindowContents in
 * state/snapshot-format.ts): an element goes to one window or a few (a sliding window's size /
 * slide), and the windows of a key in flight are few, so one lookup of the key in a map of keys
 * finds them all, where a composite key per window cost a string built and hashed and a lookup
 * in a map of every (key, window) for each window of each element (Nexmark q5: 5 per bid). The
 * tables' names start with `_` and are reserved: a user function's state cannot take them (the
 * window function's globalState() shares the operator's keyed backend).
 *
 * Both backends store these like any keyed state, so they are checkpointed per key group and a
 * restore at any parallelism takes the key groups it owns, windows included. Namespaces never
 * contain \u0001 and never start with NUL, so a composite key is a plain string key that no other
 * (key, window) shares. The current key is switched back before any user code runs, except the
 * pure functions of state descriptors (a ReducingStateDescriptor's reduce function), which may
 * not use keyed state (as in Flink, where they cannot be rich functions).
 */
import {
  ValueStateDescriptor,
  MapStateDescriptor,
  type AggregatingState,
  type AggregatingStateDescriptor,
  type KeyedStateStore,
  type ListState,
  type MapState,
  type ReducingState,
  type ReducingStateDescriptor,
  type StateDescriptor,
  type ValueState,
} from '../../api/index.js';
import { checkState, MiniFlinkError } from '../../core/errors.js';
import {
  defaultValueOf,
  denormalizeKey,
  normalizedEntries,
  splitWindowKey,
  WINDOW_CONTENTS,
  WINDOW_CONTENTS_ARRAY_WINDOWS,
  WINDOW_CONTENTS_MORE,
  type AbstractKeyedStateBackend,
  type InternalValueState,
  type KeyedSnapshot,
  type NormalizedKey,
} from '../../state/index.js';

/** The composite key of a (normalized key, namespace) pair. */
export function namespacedKey(nk: NormalizedKey, ns: string): string {
  switch (typeof nk) {
    case 'string':
      return `${ns}\u0001s${nk}`;
    case 'number':
      return `${ns}\u0001n${nk}`;
    case 'boolean':
      return `${ns}\u0001b${nk}`;
    default:
      return `${ns}\u0001i${nk}`;
  }
}

/** A window operator's contents: per window of the current key (see WindowContentsCell). */
export interface WindowContents {
  get(ns: string): unknown;
  set(ns: string, value: unknown): void;
  begin(ns: string): unknown;
  commit(value: unknown): void;
  abort(): void;
  take(ns: string): unknown;
  clear(ns: string): void;
  merge(target: string, sources: readonly string[], combine: (a: unknown, b: unknown) => unknown): void;
  /** The operator processes one element (of one key) until endElement. */
  startElement(): void;
  endElement(): void;
}

/** A cell of raw values per (key, namespace) in one backend table (a ValueState underneath). */
export class NamespacedCell implements WindowContents {
  /** Nothing is kept between the accesses of an element. */
  startElement(): void {}
  endElement(): void {}
  constructor(
    private readonly scope: NamespaceScope,
    private readonly state: InternalValueState<unknown>,
  ) {}
  /** The value in the namespace (undefined: none). */
  get(ns: string): unknown {
    this.scope.enter(ns);
    try {
      return this.state.value() ?? undefined;
    } finally {
      this.scope.leave();
    }
  }
  /** Sets the value in the namespace (undefined or null clears it). */
  set(ns: string, value: unknown): void {
    this.scope.enter(ns);
    try {
      this.state.update(value);
    } finally {
      this.scope.leave();
    }
  }
  /** Replaces the value by `fn(current)` in one visit (fn must not use keyed state). */
  update(ns: string, fn: (current: unknown) => unknown): void {
    this.scope.enter(ns);
    try {
      // With time-to-live, an add never builds on an expired value (Flink's TtlReduceFunction).
      this.state.update(fn(this.state.valueToUpdate() ?? undefined));
    } finally {
      this.scope.leave();
    }
  }
  /**
   * Starts a read-modify-write of the value in the namespace without a closure (the per-element
   * path): returns the value; `commit` (or `abort`) must follow, with no keyed state used between.
   */
  begin(ns: string): unknown {
    this.scope.enter(ns);
    try {
      return this.state.valueToUpdate() ?? undefined;
    } catch (e) {
      this.scope.leave();
      throw e;
    }
  }
  /** Ends what begin() started, setting the value (undefined or null clears it). */
  commit(value: unknown): void {
    try {
      this.state.update(value);
    } finally {
      this.scope.leave();
    }
  }
  /** Ends what begin() started without a change. */
  abort(): void {
    this.scope.leave();
  }
  /** Removes the value and returns what it was. */
  take(ns: string): unknown {
    this.scope.enter(ns);
    try {
      // An expired value is not taken (a merge of windows does not fold it in: Flink's TTL merge).
      const v = this.state.valueToUpdate() ?? undefined;
      if (v !== undefined) this.state.clear();
      return v;
    } finally {
      this.scope.leave();
    }
  }
  /** Removes the value. */
  clear(ns: string): void {
    this.scope.enter(ns);
    try {
      this.state.clear();
    } finally {
      this.scope.leave();
    }
  }
  /** Flink's mergeNamespaces (mergeInto). */
  merge(target: string, sources: readonly string[], combine: (a: unknown, b: unknown) => unknown): void {
    mergeInto(this, target, sources, combine);
  }
}

/**
 * Flink's mergeNamespaces: takes the values of the sources (in order) and folds them, then into
 * the target's value: target = combine(target, combine(s1, s2, ...)).
 */
function mergeInto(cell: Pick<WindowContents, 'take' | 'get' | 'set'>, target: string, sources: readonly string[], combine: (a: unknown, b: unknown) => unknown): void {
  let merged: unknown = undefined;
  for (const s of sources) {
    const v = cell.take(s);
    if (v !== undefined) merged = merged === undefined ? v : combine(merged, v);
  }
  if (merged === undefined) return;
  const t = cell.get(target);
  cell.set(target, t === undefined ? merged : combine(t, merged));
}

/** Namespaces whose composite keys are remembered, at most (the oldest namespace is forgotten first). */
const MEMO_NAMESPACES = 64;
/** Composite keys remembered in all, at most (all are forgotten when full): a few tens of MB. */
const MEMO_ENTRIES = 262_144;

/** Switches the backend's current key to (key, namespace) and back. Not reentrant. */
export class NamespaceScope {
  /** The key's normalized form while a namespace is current (undefined: none is). */
  private nk: NormalizedKey | undefined = undefined;
  /**
   * The composite keys of the recent namespaces, per key: the elements of a time go to the few
   * windows of that time, and the same string object (its hash computed once) makes the backend's
   * lookup cheap, where a new string would be built and hashed for every access. By namespace
   * first, so that a window's keys are forgotten together once its time is past (forget()).
   */
  private readonly memo = new Map<string, Map<NormalizedKey, string>>();
  /** Entries in the memo's maps. */
  private entries = 0;
  constructor(readonly backend: AbstractKeyedStateBackend) {}

  private composite(nk: NormalizedKey, ns: string): string {
    let m = this.memo.get(ns);
    if (m === undefined) {
      if (this.memo.size >= MEMO_NAMESPACES) {
        const [oldest, keys] = this.memo.entries().next().value!;
        this.entries -= keys.size;
        this.memo.delete(oldest);
      }
      this.memo.set(ns, (m = new Map()));
    }
    let composite = m.get(nk);
    if (composite === undefined) {
      if (this.entries >= MEMO_ENTRIES) {
        for (const keys of this.memo.values()) keys.clear();
        this.entries = 0;
      }
      composite = namespacedKey(nk, ns);
      m.set(nk, composite);
      this.entries++;
    }
    return composite;
  }
  /** Forgets the composite key of (current key, ns): the window's state is gone. */
  forget(ns: string): void {
    const m = this.memo.get(ns);
    if (m === undefined) return;
    if (m.delete(this.backend.getCurrentNormalizedKey()!)) this.entries--;
    if (m.size === 0) this.memo.delete(ns);
  }
  /** Makes (current key, ns) current; leave() must follow. */
  enter(ns: string): void {
    const nk = this.backend.getCurrentNormalizedKey();
    checkState(nk !== undefined && this.nk === undefined, 'Window state needs a current key, outside another window state call');
    this.nk = this.backend.enterNamespace(this.composite(nk, ns));
  }
  /** Makes the plain key current again. */
  leave(): void {
    this.backend.leaveNamespace(this.nk!);
    this.nk = undefined;
  }
  /** Fails while a namespace is current (state under the plain key would be read under the composite one). */
  checkOutside(): void {
    checkState(this.nk === undefined, 'Window contents are used under the plain key, outside another window state call');
  }
  /**
   * The windows' contents: a key's first windows in its value (WindowContentsCell), or with
   * `perWindow` every window apart under its composite key in `_window-contents/more`.
   */
  contentsCell(perWindow: boolean): WindowContents {
    const more = this.cell(WINDOW_CONTENTS_MORE);
    if (perWindow) return more;
    const state = this.backend.getValueState(new ValueStateDescriptor<unknown[]>(WINDOW_CONTENTS)) as InternalValueState<unknown[]>;
    return new WindowContentsCell(this, state, more);
  }
  /** A raw cell in the table `name`. */
  cell(name: string, like?: StateDescriptor<any>): NamespacedCell {
    const d = new ValueStateDescriptor<unknown>(name);
    if (like?.ttlConfig) d.enableTimeToLive(like.ttlConfig);
    return new NamespacedCell(this, this.backend.getValueState(d) as InternalValueState<unknown>);
  }
}

/** The kinds of state that merge when windows merge (Flink's MergingState), and how. */
type MergeFn = (a: unknown, b: unknown) => unknown;

/**
 * Per-window state by descriptor, for triggers (getPartitionedState) and ProcessWindowFunction's
 * windowState(): each state acts on the window the store is set to (`ns`) when it is called.
 */
export class WindowStateStore implements KeyedStateStore {
  /** The namespace the states act on: set by the operator before it calls a trigger or function. */
  ns = '';
  private readonly states = new Map<string, { kind: string; state: unknown; cell?: NamespacedCell; merge?: MergeFn }>();
  constructor(private readonly scope: NamespaceScope) {}

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.lookup(d, 'value', (cell) => ({
      state: {
        value: () => (cell.get(this.ns) ?? defaultValueOf(d)) as T | null,
        update: (v: T | null) => cell.set(this.ns, v),
        clear: () => cell.clear(this.ns),
      } satisfies ValueState<T>,
    }));
  }

  getListState<T>(d: StateDescriptor<any> & { kind: 'list' }): ListState<T> {
    return this.lookup(d, 'list', (cell) => ({
      state: {
        get: () => (cell.get(this.ns) as T[] | undefined) ?? [],
        add: (v: T) => cell.update(this.ns, (cur) => appendTo(cur as T[] | undefined, [v])),
        addAll: (vs: Iterable<T>) => cell.update(this.ns, (cur) => appendTo(cur as T[] | undefined, [...vs])),
        update: (vs: Iterable<T>) => {
          const arr = [...vs];
          cell.set(this.ns, arr.length === 0 ? undefined : arr);
        },
        clear: () => cell.clear(this.ns),
      } satisfies ListState<T>,
      merge: (a, b) => (a as T[]).concat(b as T[]),
    }));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    const found = this.states.get(d.name);
    if (found) return this.checkKind(d, found) as MapState<K, V>;
    // Maps use the backend's own MapState (per-entry access), under the composite key.
    const md = new MapStateDescriptor<K, V>(`window/${d.name}`);
    if (d.ttlConfig) md.enableTimeToLive(d.ttlConfig);
    const m = this.scope.backend.getMapState(md);
    const at = <R>(f: () => R): R => {
      this.scope.enter(this.ns);
      try {
        return f();
      } finally {
        this.scope.leave();
      }
    };
    const state: MapState<K, V> = {
      get: (k) => at(() => m.get(k)),
      put: (k, v) => at(() => m.put(k, v)),
      putAll: (entries) => at(() => m.putAll(entries)),
      remove: (k) => at(() => m.remove(k)),
      contains: (k) => at(() => m.contains(k)),
      entries: () => at(() => [...m.entries()]),
      keys: () => at(() => [...m.keys()]),
      values: () => at(() => [...m.values()]),
      isEmpty: () => at(() => m.isEmpty()),
      clear: () => at(() => m.clear()),
    };
    this.states.set(d.name, { kind: 'map', state });
    return state;
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const reduce = d.reduceFunction as MergeFn;
    return this.lookup(d, 'reducing', (cell) => ({
      state: {
        get: () => cell.get(this.ns) as T | undefined,
        add: (v: T) => cell.update(this.ns, (cur) => (cur === undefined ? v : reduce(cur, v))),
        clear: () => cell.clear(this.ns),
      } satisfies ReducingState<T>,
      merge: reduce,
    }));
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const f = d.aggregateFunction;
    return this.lookup(d, 'aggregating', (cell) => ({
      state: {
        get: () => {
          const acc = cell.get(this.ns) as ACC | undefined;
          return acc === undefined ? undefined : f.getResult(acc);
        },
        add: (v: IN) => cell.update(this.ns, (acc) => f.add(v, (acc as ACC | undefined) ?? f.createAccumulator())),
        clear: () => cell.clear(this.ns),
      } satisfies AggregatingState<IN, OUT>,
      merge: (a, b) => f.merge(a as ACC, b as ACC),
    }));
  }

  /** The state a descriptor describes, of its kind. */
  getPartitionedState<S>(d: StateDescriptor<any>): S {
    switch (d.kind) {
      case 'value':
        return this.getState(d as ValueStateDescriptor<unknown>) as S;
      case 'list':
        return this.getListState(d as StateDescriptor<any> & { kind: 'list' }) as S;
      case 'map':
        return this.getMapState(d as MapStateDescriptor<unknown, unknown>) as S;
      case 'reducing':
        return this.getReducingState(d as ReducingStateDescriptor<unknown>) as S;
      case 'aggregating':
        return this.getAggregatingState(d as AggregatingStateDescriptor<unknown, unknown, unknown>) as S;
    }
  }

  /**
   * Merges the descriptor's state of the source windows into the target window (Flink's
   * mergePartitionedState).
   * @throws MF_ERR_INVALID_ARGUMENT for value or map state, which do not merge.
   */
  mergeNamespaces(d: StateDescriptor<any>, target: string, sources: readonly string[]): void {
    this.getPartitionedState(d);
    const s = this.states.get(d.name)!;
    if (s.merge === undefined || s.cell === undefined) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `The given state descriptor '${d.name}' does not refer to a mergeable state (MergingState): only list, reducing and aggregating state merge`);
    }
    if (sources.length > 0) s.cell.merge(target, sources, s.merge);
  }

  private lookup<S>(d: StateDescriptor<any>, kind: string, make: (cell: NamespacedCell) => { state: S; merge?: MergeFn }): S {
    const found = this.states.get(d.name);
    if (found) return this.checkKind(d, found) as S;
    const cell = this.scope.cell(`window/${d.name}`, d);
    const made = make(cell);
    this.states.set(d.name, { kind, state: made.state, cell, ...(made.merge ? { merge: made.merge } : {}) });
    return made.state;
  }

  private checkKind(d: StateDescriptor<any>, found: { kind: string; state: unknown }): unknown {
    if (found.kind !== d.kind) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `State '${d.name}' was registered as ${found.kind} state and cannot be used as ${d.kind} state`);
    return found.state;
  }
}

function appendTo<T>(cur: T[] | undefined, vs: T[]): T[] | undefined {
  if (cur === undefined) return vs.length > 0 ? vs : undefined;
  cur.push(...vs);
  return cur;
}

/**
 * The contents of a key's windows: the first WINDOW_CONTENTS_ARRAY_WINDOWS (8) in one value of the
 * table `_window-contents` under the plain key, `[ns0, contents0, ns1, contents1, ...]` in the order
 * the windows got their first element; a key with more windows in flight (windowAll's one key, a
 * sliding window of more than 8 slides) keeps the others one entry per (key, window) under the
 * composite key in the table `_window-contents/more`, as all windows were kept up to snapshot
 * format 4, and its value ends with their count (an odd length). So an element costs one lookup of
 * its key whatever the window (a sliding window's element goes to size / slide of them), and no
 * key's value grows past 8 windows: a checkpoint's copy-on-write (hashmap) and a cache miss
 * (LevelDB) handle at most that many windows' contents of a key. A key without windows has no
 * value. Used with the plain key current (never inside a NamespaceScope's enter/leave); contents
 * are never undefined or null (setting either removes the window). The per-element path is
 * begin() -> commit().
 *
 * With allowed lateness (event time) the operator keeps every window in `more` instead
 * (contentsCell(true)): windows past their end stay for late elements, so a key would hold many
 * windows that hardly change (copied together after every checkpoint on hashmap, read and written
 * together on LevelDB); there a window costs what it cost before. windowContentsLaidOut converts a
 * restored snapshot of the other layout.
 */
export class WindowContentsCell implements WindowContents {
  /** What begin() found: the key's value (undefined: none), the window's place in it (-1: not there), whether it is in `more`. */
  private held: unknown[] | undefined = undefined;
  private at = -1;
  private inMore = false;
  private heldNs = '';
  /** Between startElement and endElement: the key's value as last read or written here (null: not read yet; undefined: none). */
  private known: unknown[] | undefined | null = null;
  private inElement = false;
  /** Whether `known` was changed in place since it was last written. */
  private changed = false;
  constructor(
    private readonly scope: NamespaceScope,
    private readonly state: InternalValueState<unknown[]>,
    private readonly more: NamespacedCell,
  ) {}

  /**
   * Until endElement, the current key stays (one element of one key): the key's value is read once
   * and changed in place, and written once at the end (endElement), so an element of several
   * windows reads and writes it once. Written at the end even though the backends keep a value
   * read for an update: LevelDB's cache may let the key go meanwhile (a window of `more` or a
   * trigger's state is another key of the cache), and a change made after that would be lost.
   */
  startElement(): void {
    this.inElement = true;
    this.known = null;
    this.changed = false;
  }
  endElement(): void {
    this.inElement = false;
    if (this.changed && this.known) this.state.update(this.known);
    this.changed = false;
    this.known = null;
  }
  private load(): unknown[] | undefined {
    if (this.known !== null) return this.known;
    const c = this.state.valueToUpdate();
    if (this.inElement) this.known = c;
    return c;
  }

  /** The window's contents (undefined: none). */
  get(ns: string): unknown {
    this.scope.checkOutside();
    const c = this.load();
    if (c === undefined) return undefined;
    const i = indexOfWindow(c, ns);
    if (i >= 0) return c[i + 1];
    return (c.length & 1) === 1 ? this.more.get(ns) : undefined;
  }
  /** Sets the window's contents (undefined or null removes them). */
  set(ns: string, value: unknown): void {
    this.begin(ns);
    this.commit(value);
  }
  /**
   * Starts a read-modify-write of the window's contents: returns them (undefined: none);
   * commit() or abort() must follow, with no use of this cell between.
   */
  begin(ns: string): unknown {
    this.scope.checkOutside();
    const c = this.load();
    this.held = c;
    this.heldNs = ns;
    this.inMore = false;
    if (c === undefined) {
      this.at = -1;
      return undefined;
    }
    const i = (this.at = indexOfWindow(c, ns));
    if (i >= 0) return c[i + 1];
    if ((c.length & 1) === 0) return undefined;
    const v = this.more.get(ns);
    this.inMore = v !== undefined;
    return v;
  }
  /** Ends what begin() started, setting the window's contents (undefined or null removes them). */
  commit(value: unknown): void {
    const c = this.held;
    const i = this.at;
    const ns = this.heldNs;
    const inMore = this.inMore;
    this.held = undefined;
    if (value === undefined || value === null) {
      if (c === undefined) return;
      if (i >= 0) c.splice(i, 2);
      else if (inMore) {
        this.more.clear(ns);
        if (c[c.length - 1] === 1) c.pop();
        else (c[c.length - 1] as number)--;
      } else return;
      if (c.length === 0) {
        this.state.clear();
        if (this.inElement) this.known = undefined;
        this.changed = false;
      } else this.state.update(c);
      return;
    }
    if (c === undefined) {
      const fresh = [ns, value];
      this.state.update(fresh);
      if (this.inElement) this.known = fresh;
    } else if (i >= 0) {
      c[i + 1] = value;
      // Within an element, written at its end.
      if (this.inElement) this.changed = true;
      else this.state.update(c);
    } else if (inMore) this.more.set(ns, value);
    else {
      const pairs = c.length & ~1;
      if (pairs < 2 * WINDOW_CONTENTS_ARRAY_WINDOWS) {
        if (pairs === c.length) c.push(ns, value);
        else c.splice(pairs, 0, ns, value);
      } else {
        this.more.set(ns, value);
        if (pairs === c.length) c.push(1);
        else (c[pairs] as number)++;
      }
      this.state.update(c);
    }
  }
  /** Ends what begin() started without a change. */
  abort(): void {
    this.held = undefined;
  }
  /** Removes the window's contents and returns what they were. */
  take(ns: string): unknown {
    const v = this.begin(ns);
    this.commit(undefined);
    return v;
  }
  /** Removes the window's contents. */
  clear(ns: string): void {
    this.begin(ns);
    this.commit(undefined);
  }
  /** Flink's mergeNamespaces (mergeInto). */
  merge(target: string, sources: readonly string[], combine: (a: unknown, b: unknown) => unknown): void {
    mergeInto(this, target, sources, combine);
  }
}

/** Where a window's entry is in a key's value (-1: not there; a trailing count is not a window). */
function indexOfWindow(c: readonly unknown[], ns: string): number {
  for (let i = 0; i + 1 < c.length; i += 2) if (c[i] === ns) return i;
  return -1;
}

/**
 * A keyed snapshot's window contents laid out for the operator restoring it: with `perWindow`
 * (allowed lateness) every window in `_window-contents/more`, each key's value dissolved into
 * entries under composite keys; without, each key with windows in `more` but no value (a snapshot
 * of the other layout) gets a value counting them. The job may have changed its allowed lateness
 * between the snapshot and the restore. Key groups stay.
 */
export function windowContentsLaidOut(s: KeyedSnapshot, perWindow: boolean): KeyedSnapshot {
  const value = s.states.find((st) => st.name === WINDOW_CONTENTS);
  const more = s.states.find((st) => st.name === WINDOW_CONTENTS_MORE);
  const groupsOf = (byGroup: Map<number, Array<readonly [unknown, unknown]>>) => [...byGroup].sort((a, b) => a[0] - b[0]);
  const add = (byGroup: Map<number, Array<readonly [unknown, unknown]>>, kg: number, entry: readonly [unknown, unknown]) => {
    let l = byGroup.get(kg);
    if (l === undefined) byGroup.set(kg, (l = []));
    l.push(entry);
  };
  if (perWindow) {
    if (value === undefined) return s;
    const byGroup = new Map<number, Array<readonly [unknown, unknown]>>();
    if (more !== undefined) for (const [kg, entries] of normalizedEntries(more)) for (const [k, v] of entries) add(byGroup, kg, [denormalizeKey(k), v]);
    for (const [kg, entries] of normalizedEntries(value)) {
      for (const [nk, v] of entries) {
        const windows = v as unknown[];
        for (let i = 0; i + 1 < windows.length; i += 2) add(byGroup, kg, [namespacedKey(nk, windows[i] as string), windows[i + 1]]);
      }
    }
    const states = s.states.filter((st) => st !== value && st !== more);
    if (byGroup.size > 0) states.push({ name: WINDOW_CONTENTS_MORE, kind: 'value', groups: groupsOf(byGroup) });
    return { ...s, states };
  }
  if (value !== undefined || more === undefined) return s;
  const byGroup = new Map<number, Array<readonly [unknown, unknown]>>();
  for (const [kg, entries] of normalizedEntries(more)) {
    const counts = new Map<NormalizedKey, number>();
    for (const [k] of entries) {
      const split = splitWindowKey(k);
      if (split === undefined) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore the window contents: ${JSON.stringify(String(k).slice(0, 100))} in ${WINDOW_CONTENTS_MORE} is not a window's key`);
      counts.set(split[1], (counts.get(split[1]) ?? 0) + 1);
    }
    for (const [nk, n] of counts) add(byGroup, kg, [denormalizeKey(nk), [n]]);
  }
  return { ...s, states: [...s.states, { name: WINDOW_CONTENTS, kind: 'value', groups: groupsOf(byGroup) }] };
}
