/**
 * A task's side of state files: turning operator snapshots into handles (the asynchronous part of
 * a checkpoint) and handles back into what each operator restores.
 */
import { readState, writeState, type StateHandle } from '../../checkpoint/metadata.js';
import type { Compression } from '../../checkpoint/compression.js';
import { packValue, unpackValue } from '../../core/serde.js';
import { computeKeyGroupRangeForOperatorIndex } from '../../core/key-groups.js';
import { SNAPSHOT_FORMAT_VERSION, type OperatorSnapshot, type OperatorStateData } from '../../state/index.js';
import type { RestoreSpec } from '../protocol.js';
import type { OperatorRestore, OperatorSnapshotRef } from '../operators/stream-operator.js';

/** Serializes, compresses and stores one operator's snapshot. */
export async function storeSnapshot(
  ref: OperatorSnapshotRef,
  meta: { operatorId: string; subtaskIndex: number },
  compression: Compression,
  dir: string | undefined,
): Promise<StateHandle | undefined> {
  if (!ref.keyed && !ref.operator) return undefined;
  let keyed;
  if (ref.keyed) {
    try {
      keyed = await ref.keyed.backend.toCanonical(ref.keyed.ref);
    } finally {
      ref.keyed.backend.releaseSnapshot(ref.keyed.ref);
    }
  }
  const snapshot: OperatorSnapshot = {
    version: SNAPSHOT_FORMAT_VERSION,
    ...(keyed ? { keyed } : {}),
    ...(ref.operator ? { operator: ref.operator } : {}),
  };
  const range = keyed ? ([keyed.startKeyGroup, keyed.endKeyGroup] as const) : undefined;
  // Recorded in _metadata, so that a restore reads only the handles a subtask needs.
  const hasOperatorState = ref.operator !== undefined && Object.values(ref.operator).some((st) => st.items.length > 0);
  return writeState(packValue(snapshot), { ...meta, ...(range ? { keyGroupRange: range } : {}), hasOperatorState }, compression, dir);
}

/**
 * What one operator of this subtask restores (undefined: the operator has no state in the
 * checkpoint). Reads only the handles it needs: those whose key groups overlap this subtask's, and
 * those with operator state (every subtask gets its share of it). Handles of version 1 metadata do
 * not say whether they hold operator state, so all of them are read.
 */
export function restoreFor(
  restore: RestoreSpec | undefined,
  operatorId: string,
  subtaskIndex: number,
  parallelism: number,
  maxParallelism: number,
): OperatorRestore | undefined {
  if (!restore) return undefined;
  const handles = restore.handles[operatorId];
  if (!handles) return { keyed: [], operator: [] };
  const mine = computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtaskIndex);
  const keyed = [];
  // Indexed by old subtask: how operator state is redistributed depends on who held what.
  const oldParallelism = restore.parallelism?.[operatorId] ?? Math.max(0, ...handles.map((h) => h.subtaskIndex + 1));
  const operator: Array<OperatorStateData | undefined> = Array.from({ length: oldParallelism }, () => undefined);
  for (const h of [...handles].sort((a, b) => a.subtaskIndex - b.subtaskIndex)) {
    const overlaps = h.keyGroupRange !== undefined && h.keyGroupRange[0] <= mine.endKeyGroup && h.keyGroupRange[1] >= mine.startKeyGroup;
    if (!overlaps && h.hasOperatorState === false) continue;
    const snap = unpackValue(readState(h, restore.dir)) as OperatorSnapshot;
    if (snap.keyed && overlaps) keyed.push(snap.keyed);
    if (snap.operator) operator[h.subtaskIndex] = snap.operator;
  }
  return { keyed, operator };
}
