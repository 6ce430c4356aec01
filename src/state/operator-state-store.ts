/**
 * Operator (non-keyed) list state (Flink's DefaultOperatorStateBackend): `split` state is dealt
 * out round-robin to the new subtasks on restore, `union` state is given whole to every subtask.
 */
import type { ListState, ListStateDescriptor, OperatorStateStore } from '../api/index.js';
import { copyRecord } from '../core/record-copy.js';
import { MiniFlinkError } from '../core/errors.js';
import type { OperatorStateData, RedistributionMode } from './snapshot-format.js';

/** The operator state of one operator subtask. */
export class DefaultOperatorStateStore implements OperatorStateStore {
  private readonly states = new Map<string, { mode: RedistributionMode; items: unknown[] }>();

  /**
   * @param restored every old subtask's operator state of this operator, in subtask order (empty
   *   on a fresh start), redistributed for subtask `index` of `parallelism`.
   */
  constructor(restored: readonly OperatorStateData[] = [], index = 0, parallelism = 1) {
    const byName = new Map<string, { mode: RedistributionMode; all: unknown[] }>();
    for (const data of restored) {
      for (const [name, s] of Object.entries(data)) {
        let e = byName.get(name);
        if (!e) byName.set(name, (e = { mode: s.mode, all: [] }));
        e.all.push(...s.items);
      }
    }
    for (const [name, { mode, all }] of byName) {
      const items = mode === 'union' ? all : all.filter((_, i) => i % parallelism === index);
      this.states.set(name, { mode, items });
    }
  }

  private get<T>(d: ListStateDescriptor<T>, mode: RedistributionMode): ListState<T> {
    let s = this.states.get(d.name);
    if (!s) this.states.set(d.name, (s = { mode, items: [] }));
    else if (s.mode !== mode) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Operator state '${d.name}' was registered as ${s.mode} list state and cannot be used as ${mode} list state`);
    const state = s;
    return {
      get: () => state.items as T[],
      add: (v) => void state.items.push(v),
      addAll: (vs) => void state.items.push(...vs),
      update: (vs) => void (state.items = [...vs]),
      clear: () => void (state.items = []),
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

  /** Whether any state is registered. */
  isEmpty(): boolean {
    return this.states.size === 0;
  }

  /** A copy of every state, for a snapshot. */
  snapshot(): OperatorStateData {
    const out: Record<string, { mode: RedistributionMode; items: unknown[] }> = {};
    for (const [name, s] of this.states) out[name] = { mode: s.mode, items: s.items.map((x) => copyRecord(x)) };
    return out;
  }
}
