/**
 * Operator (non-keyed) state (Flink's DefaultOperatorStateBackend): split and union list state,
 * and broadcast state (a map every subtask holds the same copy of). How each is handed to the new
 * subtasks on restore: operator-state-repartitioner.ts.
 */
import type { ListState, ListStateDescriptor, OperatorStateStore } from '../api/index.js';
import { copyRecord } from '../core/record-copy.js';
import { MiniFlinkError } from '../core/errors.js';
import { repartitionOperatorState } from './operator-state-repartitioner.js';
import type { OperatorStateData, RedistributionMode } from './snapshot-format.js';

/** The operator state of one operator subtask. */
export class DefaultOperatorStateStore implements OperatorStateStore {
  private readonly states = new Map<string, { mode: RedistributionMode; items: unknown[] }>();

  /**
   * @param restored every old subtask's operator state of this operator, indexed by old subtask
   *   (undefined: it had none; the length is the old parallelism; empty on a fresh start),
   *   redistributed for subtask `index` of `parallelism`.
   */
  constructor(restored: ReadonlyArray<OperatorStateData | undefined> = [], index = 0, parallelism = 1) {
    if (restored.length > 0) for (const [name, s] of repartitionOperatorState(restored, index, parallelism)) this.states.set(name, s);
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
