/**
 * How operator state is handed to the subtasks of a restored operator: Flink's
 * RoundRobinOperatorStateRepartitioner, item for item.
 *
 *   split      unchanged parallelism: every subtask gets back exactly its own items. Otherwise
 *              the items of all old subtasks, in subtask order, are cut into contiguous ranges
 *              whose sizes differ by at most one; the first `total % p` subtasks (counted from a
 *              start index) get one more. The start index carries over from one state name to the
 *              next, in the order Java's HashMap iterates the names, so that the extra items of
 *              several states do not all land on subtask 0.
 *   union      every subtask gets every item of every old subtask.
 *   broadcast  subtask i gets old subtask (i % old parallelism)'s copy.
 */
import { stringHashCode } from '../core/java-hash.js';
import type { OperatorStateData, RedistributionMode } from './snapshot-format.js';

/** One state as a new subtask receives it. */
export interface RestoredOperatorState {
  readonly mode: RedistributionMode;
  readonly items: unknown[];
}

/**
 * The operator state subtask `index` of `parallelism` restores.
 * @param old every old subtask's operator state, indexed by old subtask (undefined: it had none);
 *   its length is the old parallelism.
 */
export function repartitionOperatorState(old: ReadonlyArray<OperatorStateData | undefined>, index: number, parallelism: number): Map<string, RestoredOperatorState> {
  const oldParallelism = old.length;
  const out = new Map<string, RestoredOperatorState>();
  // Every state name with its mode and its items per old subtask, names in first-seen order.
  const byName = new Map<string, { mode: RedistributionMode; perSubtask: unknown[][] }>();
  old.forEach((data, subtask) => {
    for (const [name, s] of Object.entries(data ?? {})) {
      let e = byName.get(name);
      if (!e) byName.set(name, (e = { mode: s.mode, perSubtask: Array.from({ length: oldParallelism }, () => []) }));
      e.perSubtask[subtask] = [...s.items];
    }
  });
  for (const [name, e] of byName) {
    if (e.mode === 'union') out.set(name, { mode: 'union', items: e.perSubtask.flat() });
    else if (e.mode === 'broadcast') out.set(name, { mode: 'broadcast', items: [...e.perSubtask[index % oldParallelism]!] });
  }
  const split = [...byName].filter(([, e]) => e.mode === 'split');
  if (parallelism === oldParallelism) {
    for (const [name, e] of split) out.set(name, { mode: 'split', items: e.perSubtask[index] ?? [] });
    return out;
  }
  let startParallelOp = 0;
  for (const name of javaHashMapOrder(split.map(([n]) => n))) {
    const all = byName.get(name)!.perSubtask.flat();
    const ranges = splitRanges(all.length, parallelism, startParallelOp);
    startParallelOp = ranges.nextStart;
    const [from, to] = ranges.bySubtask[index]!;
    out.set(name, { mode: 'split', items: all.slice(from, to) });
  }
  return out;
}

/**
 * Flink's repartitionSplitState for one state of `total` items: the [from, to) range of each new
 * subtask, and the start index for the next state name.
 */
export function splitRanges(total: number, parallelism: number, startParallelOp: number): { bySubtask: Array<[number, number]>; nextStart: number } {
  const bySubtask: Array<[number, number]> = Array.from({ length: parallelism }, () => [0, 0]);
  const baseFraction = Math.floor(total / parallelism);
  let remainder = total % parallelism;
  let nextStart = startParallelOp;
  let offset = 0;
  for (let i = 0; i < parallelism; i++) {
    const op = (i + startParallelOp) % parallelism;
    let n = baseFraction;
    if (remainder > 0) {
      n++;
      remainder--;
    } else if (remainder === 0) {
      // Out of odd items: the next state's round starts with this subtask, for a fair balance.
      nextStart = op;
      remainder--;
    }
    bySubtask[op] = [offset, offset + n];
    offset += n;
  }
  return { bySubtask, nextStart };
}

/**
 * The order in which a java.util.HashMap<String, ?> that received the keys in this order iterates
 * them: by bucket ((h ^ h >>> 16) & (capacity - 1)), then by insertion within a bucket; the table
 * starts at 16 buckets and doubles whenever it is more than three quarters full.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string) => {
    const h = stringHashCode(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}
