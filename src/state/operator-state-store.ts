/**
 * Operator (non-keyed) state (Flink's DefaultOperatorStateBackend): split and union list state,
 * and broadcast state (a map every subtask holds the same copy of). How each is handed to the new
 * subtasks on restore: operator-state-repartitioner.ts.
 */
import type { BroadcastState, ListState, ListStateDescriptor, MapStateDescriptor, OperatorStateStore } from '../api/index.js';
import { normalizeKey, type NormalizedKey } from './key-normalizer.js';
import { copyRecord } from '../core/record-copy.js';
import { MiniFlinkError } from '../core/errors.js';
import { repartitionOperatorState } from './operator-state-repartitioner.js';
import { incompatibleRestoredKind } from './abstract-keyed-state-backend.js';
import type { OperatorStateData, RedistributionMode } from './snapshot-format.js';

/** The operator state of one operator subtask. */
export class DefaultOperatorStateStore implements OperatorStateStore {
  private readonly states = new Map<string, { mode: RedistributionMode; items: unknown[] }>();
  /** Broadcast state by name: entries by normalized key (keys compare by value). */
  private readonly broadcast = new Map<string, Map<NormalizedKey, [unknown, unknown]>>();
  /** Called on every write of list state (a source marks which of its held records the state covers). */
  onWrite: (() => void) | undefined;

  /** States asked for in this run (the others, if any, came from the restore). */
  private readonly asked = new Set<string>();

  /**
   * @param restored every old subtask's operator state of this operator, indexed by old subtask
   *   (undefined: it had none; the length is the old parallelism; empty on a fresh start),
   *   redistributed for subtask `index` of `parallelism`.
   */
  constructor(restored: ReadonlyArray<OperatorStateData | undefined> = [], index = 0, parallelism = 1) {
    if (restored.length === 0) return;
    for (const [name, s] of repartitionOperatorState(restored, index, parallelism)) {
      if (s.mode === 'broadcast') this.broadcast.set(name, new Map((s.items as Array<[unknown, unknown]>).map(([k, v]) => [normalizeKey(k), [k, v]])));
      else this.states.set(name, s);
    }
  }

  /** A state asked for as another kind than it has: restored so, or asked for so before in this run. */
  private otherKind(name: string, was: string, now: string): MiniFlinkError {
    if (!this.asked.has(name)) return incompatibleRestoredKind('Operator', name, was, now);
    return new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Operator state '${name}' was registered as ${was} state and cannot be used as ${now} state`);
  }

  private get<T>(d: ListStateDescriptor<T>, mode: RedistributionMode): ListState<T> {
    if (this.broadcast.has(d.name)) throw this.otherKind(d.name, 'broadcast', `${mode} list`);
    let s = this.states.get(d.name);
    if (!s) this.states.set(d.name, (s = { mode, items: [] }));
    else if (s.mode !== mode) throw this.otherKind(d.name, `${s.mode} list`, `${mode} list`);
    this.asked.add(d.name);
    const state = s;
    return {
      get: () => state.items as T[],
      add: (v) => {
        state.items.push(v);
        this.onWrite?.();
      },
      addAll: (vs) => {
        state.items.push(...vs);
        this.onWrite?.();
      },
      update: (vs) => {
        state.items = [...vs];
        this.onWrite?.();
      },
      clear: () => {
        state.items = [];
        this.onWrite?.();
      },
    };
  }

  /** Split list state. */
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.get(d, 'split');
  }

  /** Union list state. */
  getUnionListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.get(d, 'union');
  }

  /**
   * Broadcast state (Flink's getBroadcastState): a map every subtask keeps the same copy of, as
   * long as the function changes it the same way in every subtask. Keys compare by value.
   */
  getBroadcastState<K, V>(d: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    if (this.states.has(d.name)) throw this.otherKind(d.name, `${this.states.get(d.name)!.mode} list`, 'broadcast');
    let m = this.broadcast.get(d.name);
    if (!m) this.broadcast.set(d.name, (m = new Map()));
    this.asked.add(d.name);
    const map = m;
    const entries = function* (): Generator<[K, V]> {
      for (const [k, v] of map.values()) yield [k as K, v as V];
    };
    const state: BroadcastState<K, V> = {
      get: (k) => {
        const e = map.get(normalizeKey(k));
        return e === undefined ? null : (e[1] as V);
      },
      contains: (k) => map.has(normalizeKey(k)),
      immutableEntries: () => [...entries()].map(([k, v]) => [copyRecord(k), copyRecord(v)] as [K, V]),
      put: (k, v) => void map.set(normalizeKey(k), [k, v]),
      putAll: (es) => {
        for (const [k, v] of es instanceof Map ? es.entries() : es) map.set(normalizeKey(k), [k, v]);
      },
      remove: (k) => void map.delete(normalizeKey(k)),
      entries,
      iterator: entries,
      clear: () => map.clear(),
    };
    return state;
  }

  /** Whether any state is registered. */
  isEmpty(): boolean {
    return this.states.size === 0 && this.broadcast.size === 0;
  }

  /** A copy of every state, for a snapshot. */
  snapshot(): OperatorStateData {
    const out: Record<string, { mode: RedistributionMode; items: unknown[] }> = {};
    for (const [name, s] of this.states) out[name] = { mode: s.mode, items: s.items.map((x) => copyRecord(x)) };
    for (const [name, m] of this.broadcast) out[name] = { mode: 'broadcast', items: [...m.values()].map(([k, v]) => [copyRecord(k), copyRecord(v)]) };
    return out;
  }
}
