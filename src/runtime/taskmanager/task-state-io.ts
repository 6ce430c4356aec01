/**
 * A task's side of state files: turning operator snapshots into handles (the asynchronous part of
 * a checkpoint) and handles back into what each operator restores.
 */
import { readState, writeState, type StateHandle } from '../../checkpoint/metadata.js';
import type { Compression } from '../../checkpoint/compression.js';
import { packValue, unpackValue } from '../../core/serde.js';
import { computeKeyGroupRangeForOperatorIndex } from '../../core/key-groups.js';
import { SNAPSHOT_FORMAT_VERSION, type ChannelStateData, type OperatorSnapshot, type OperatorStateData } from '../../state/index.js';
import type { RestoreSpec } from '../protocol.js';
import { rmSync } from 'node:fs';
import { MiniFlinkError } from '../../core/errors.js';
import { HeapKeyedStateBackend, type HeapSnapshotRef } from '../../state/heap-keyed-state-backend.js';
import { LevelDbKeyedStateBackend } from '../../state/leveldb-keyed-state-backend.js';
import { copiedOperatorState, digestFiles, packOperatorState, verifyLevelDbCopy, type LocalCopy, type LocalStateStore } from '../../checkpoint/local-recovery.js';
import type { OperatorRestore, OperatorSnapshotRef } from '../operators/stream-operator.js';

/** Where a local copy of a snapshot goes (local recovery's backup). */
export interface LocalBackup {
  readonly store: LocalStateStore;
  readonly jobId: string;
  readonly checkpointId: number;
  /** The directory of this operator subtask's LevelDB copy of this checkpoint. */
  readonly dir: string;
  /** A local copy could not be made (the checkpoint goes on without it). */
  readonly warn: (message: string, error: unknown) => void;
}

/**
 * Serializes, compresses and stores one operator's snapshot; with `local`, also keeps a copy in
 * the slot thread (the heap snapshot's frozen maps, held until the copy is dropped; a LevelDB
 * database of the raw entries). A copy that cannot be made is only logged.
 */
export async function storeSnapshot(
  ref: OperatorSnapshotRef,
  meta: { operatorId: string; subtaskIndex: number },
  compression: Compression,
  dir: string | undefined,
  local?: LocalBackup,
  channels?: ChannelStateData,
): Promise<StateHandle | undefined> {
  if (!ref.keyed && !ref.operator && !channels) return undefined;
  let keyed;
  // A heap snapshot's frozen maps stay held by its local copy (released when the copy goes).
  let heldByCopy = false;
  if (ref.keyed) {
    const { backend } = ref.keyed;
    try {
      keyed = await backend.toCanonical(ref.keyed.ref);
      heldByCopy = local !== undefined && backend instanceof HeapKeyedStateBackend;
    } finally {
      if (!heldByCopy) backend.releaseSnapshot(ref.keyed.ref);
    }
  }
  const snapshot: OperatorSnapshot = {
    version: SNAPSHOT_FORMAT_VERSION,
    ...(keyed ? { keyed } : {}),
    ...(ref.operator ? { operator: ref.operator } : {}),
    ...(channels ? { channels } : {}),
  };
  const range = keyed ? ([keyed.startKeyGroup, keyed.endKeyGroup] as const) : undefined;
  // Recorded in _metadata, so that a restore reads only the handles a subtask needs.
  const hasOperatorState = ref.operator !== undefined && Object.values(ref.operator).some((st) => st.items.length > 0);
  let handle: StateHandle;
  try {
    const inFlightBytes = channels ? inFlightSize(channels) : 0;
    handle = writeState(packValue(snapshot), { ...meta, ...(range ? { keyGroupRange: range } : {}), hasOperatorState, ...(inFlightBytes > 0 ? { inFlightBytes } : {}) }, compression, dir);
  } catch (e) {
    if (heldByCopy) ref.keyed!.backend.releaseSnapshot(ref.keyed!.ref);
    throw e;
  }
  if (local) await keepLocalCopy(ref, meta, handle, local, heldByCopy, channels);
  return handle;
}

/** Bytes of in-flight data. */
export function inFlightSize(c: ChannelStateData): number {
  let n = 0;
  for (const [, , buffers] of c.input) for (const [bytes] of buffers) n += bytes.byteLength;
  for (const [, buffers] of c.output) for (const [bytes] of buffers) n += bytes.byteLength;
  return n;
}

/** Keeps a local copy of a written snapshot (its handle names the checkpoint's state it copies). */
async function keepLocalCopy(ref: OperatorSnapshotRef, meta: { operatorId: string; subtaskIndex: number }, handle: StateHandle, local: LocalBackup, heldByCopy: boolean, channels: ChannelStateData | undefined): Promise<void> {
  const base = { jobId: local.jobId, checkpointId: local.checkpointId, operatorId: meta.operatorId, subtaskIndex: meta.subtaskIndex, checksum: handle.checksum, keyGroupRange: handle.keyGroupRange };
  const keyedRef = ref.keyed;
  try {
    let keyed: LocalCopy['keyed'];
    if (keyedRef && heldByCopy) {
      let released = false;
      keyed = { kind: 'heap', ref: keyedRef.ref as HeapSnapshotRef, release: () => void (released || ((released = true), keyedRef.backend.releaseSnapshot(keyedRef.ref))) };
    } else if (keyedRef && keyedRef.backend instanceof LevelDbKeyedStateBackend) {
      const written = await keyedRef.backend.writeLocalCopy(keyedRef.ref, local.dir);
      keyed = { kind: 'leveldb', dir: local.dir, digests: digestFiles(local.dir), ...written };
    }
    local.store.put({ ...base, keyed, operator: packOperatorState(ref.operator), channels: channels ? packValue(channels) : undefined });
  } catch (e) {
    if (heldByCopy) keyedRef!.backend.releaseSnapshot(keyedRef!.ref);
    rmSync(local.dir, { recursive: true, force: true });
    local.warn(`Could not keep a local copy of the state of operator ${meta.operatorId} (subtask ${meta.subtaskIndex}) of checkpoint ${local.checkpointId}; a restore reads checkpoint storage.`, e);
  }
}

/**
 * The local copy an operator subtask restores from, or why none serves (undefined reason: no state
 * to restore). A copy serves when the restore is a checkpoint at the same parallelism, the copy is
 * of that checkpoint with the checksum of the subtask's handle in it, of the subtask's key groups,
 * without union operator state (which needs every subtask's), of this backend's kind, and (LevelDB)
 * its files verify; one that does not verify is dropped.
 */
export function localCopyFor(
  store: LocalStateStore,
  jobId: string,
  restore: RestoreSpec,
  operatorId: string,
  subtaskIndex: number,
  parallelism: number,
  maxParallelism: number,
  backend: 'hashmap' | 'leveldb',
): { copy?: LocalCopy; reason?: string } {
  const handles = restore.handles[operatorId];
  const own = handles?.find((h) => h.subtaskIndex === subtaskIndex);
  if (!handles || !own) return {};
  if (restore.kind === 'savepoint') return { reason: 'a savepoint is restored from storage' };
  if ((restore.parallelism?.[operatorId] ?? handles.length) !== parallelism) return { reason: 'the parallelism changed' };
  const copy = store.find(jobId, operatorId, subtaskIndex, restore.checkpointId, own.checksum);
  if (!copy) return { reason: `no local copy of checkpoint ${restore.checkpointId} is kept in this slot` };
  const mine = computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtaskIndex);
  if (copy.keyGroupRange !== undefined && (copy.keyGroupRange[0] !== mine.startKeyGroup || copy.keyGroupRange[1] !== mine.endKeyGroup)) return { reason: 'the key groups changed' };
  const operator = copiedOperatorState(copy);
  // Union list state: each subtask restores every subtask's items, which its own copy does not hold.
  if (operator && Object.values(operator).some((st) => st.mode === 'union')) return { reason: 'union operator state needs every subtask\'s' };
  if (copy.keyed && (copy.keyed.kind === 'heap') !== (backend === 'hashmap')) return { reason: 'the state backend changed' };
  if (copy.keyed?.kind === 'leveldb') {
    const bad = verifyLevelDbCopy(copy.keyed);
    if (bad !== undefined) {
      store.discard(copy);
      return { reason: `the local copy cannot be used: ${bad}` };
    }
  }
  return { copy };
}

/** What one operator restores from its local copy. */
export function restoreFromCopy(copy: LocalCopy, subtaskIndex: number, parallelism: number): OperatorRestore {
  const operator: Array<OperatorStateData | undefined> = Array.from({ length: parallelism }, () => undefined);
  operator[subtaskIndex] = copiedOperatorState(copy);
  return { keyed: [], operator, ...(copy.keyed ? { localKeyed: copy.keyed } : {}), ...(copy.channels ? { channels: unpackValue(copy.channels) as ChannelStateData } : {}) };
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
  let channels: ChannelStateData | undefined;
  for (const h of [...handles].sort((a, b) => a.subtaskIndex - b.subtaskIndex)) {
    const overlaps = h.keyGroupRange !== undefined && h.keyGroupRange[0] <= mine.endKeyGroup && h.keyGroupRange[1] >= mine.startKeyGroup;
    if (!overlaps && h.hasOperatorState === false && !(h.inFlightBytes !== undefined && h.subtaskIndex === subtaskIndex)) continue;
    const snap = unpackValue(readState(h, restore.dir)) as OperatorSnapshot;
    // A newer format may hold state where this build would not look (version 3 added rawGroups).
    if (!(snap.version <= SNAPSHOT_FORMAT_VERSION)) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `The state of operator ${operatorId} (subtask ${h.subtaskIndex}) is in snapshot format ${String(snap.version)}, newer than this miniflink reads (${SNAPSHOT_FORMAT_VERSION}): restore it with the miniflink that wrote it, or a newer one.`);
    if (snap.keyed && overlaps) keyed.push(snap.version < SNAPSHOT_FORMAT_VERSION ? { ...snap.keyed, version: snap.version } : snap.keyed);
    if (snap.operator) operator[h.subtaskIndex] = snap.operator;
    if (snap.channels && h.subtaskIndex === subtaskIndex) channels = snap.channels;
  }
  return { keyed, operator, ...(channels ? { channels } : {}) };
}
