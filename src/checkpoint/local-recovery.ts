/**
 * Local recovery's copies in one slot thread (Flink's TaskLocalStateStore): for each subtask that
 * ran here, its state of recent checkpoints, kept by the thread itself so that a restart of the
 * subtask in this slot restores without reading and decoding checkpoint storage.
 *
 *   heap backend   the snapshot's frozen maps (copy-on-write: the live backend, and a backend
 *                  restored from the copy, copy a group before changing it), in memory
 *   LevelDB        a database of the snapshot, written from its raw entries into
 *                  <root>/localState/<tm>-slot<n>/jid_<job>/op_<op>_sti_<i>/chk_<id>, with the md5 of
 *                  each file; a restore links its immutable tables and copies the rest, then opens it
 *   operator state a structured copy (small)
 *
 * A copy names the checkpoint and the checksum of the subtask's handle in it: it serves a restore
 * of exactly that state. Copies older than a completed checkpoint, and those of aborted ones, are
 * dropped; all of a job's go when the job ends.
 *
 *   checkpoint n acknowledged -> put(copy n) -> n completes: drop < n | n aborted: drop n
 *   restore of n -> find(n, checksum) -> verify (LevelDB files) -> restore | fall back to storage
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StateKind } from '../api/index.js';
import { packValue, unpackValue } from '../core/serde.js';
import type { HeapSnapshotRef } from '../state/heap-keyed-state-backend.js';
import type { KeyedTimersData, OperatorStateData } from '../state/index.js';

/** A heap backend's snapshot, kept frozen until released. */
export interface LocalHeapCopy {
  readonly kind: 'heap';
  readonly ref: HeapSnapshotRef;
  /** Ends the copy's hold on the backend's frozen maps. */
  readonly release: () => void;
}

/** A LevelDB database of a snapshot. */
export interface LocalLevelDbCopy {
  readonly kind: 'leveldb';
  readonly dir: string;
  /** md5 of each file of the database, by name. */
  readonly digests: Readonly<Record<string, string>>;
  /** The backend's state names by state id, and their kinds. */
  readonly names: readonly string[];
  readonly kinds: ReadonlyArray<readonly [string, StateKind]>;
  /** Whether each state's values have time-to-live cells. */
  readonly ttl: ReadonlyArray<readonly [string, boolean]>;
  readonly timers: readonly KeyedTimersData[] | undefined;
}

/** One operator subtask's state of one checkpoint. */
export interface LocalCopy {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly operatorId: string;
  readonly subtaskIndex: number;
  /** The checksum of the subtask's handle in the checkpoint. */
  readonly checksum: string;
  readonly keyGroupRange: readonly [number, number] | undefined;
  readonly keyed: LocalHeapCopy | LocalLevelDbCopy | undefined;
  /** Operator state, packed (unpacked for each restore, so no restore changes the copy). */
  readonly operator: Uint8Array | undefined;
  /** In-flight data of an unaligned checkpoint, packed (its head operator's copy only). */
  readonly channels?: Uint8Array | undefined;
}

/** The operator state a copy holds. */
export function copiedOperatorState(copy: LocalCopy): OperatorStateData | undefined {
  return copy.operator ? (unpackValue(copy.operator) as OperatorStateData) : undefined;
}

/** Packs operator state for a copy. */
export function packOperatorState(data: OperatorStateData | undefined): Uint8Array | undefined {
  return data ? packValue(data) : undefined;
}

/** md5 of every file of a directory, by name. */
export function digestFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f !== 'LOCK') out[f] = createHash('md5').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

/** Why a LevelDB copy cannot be used (missing or changed files), or undefined when it verifies. */
export function verifyLevelDbCopy(copy: LocalLevelDbCopy): string | undefined {
  if (!existsSync(copy.dir)) return `its directory ${copy.dir} is missing`;
  const now = digestFiles(copy.dir);
  for (const [f, md5] of Object.entries(copy.digests)) {
    if (now[f] === undefined) return `its file ${join(copy.dir, f)} is missing`;
    if (now[f] !== md5) return `the checksum of ${join(copy.dir, f)} does not match (the file is corrupt)`;
  }
  return undefined;
}

/** The local copies of one slot thread. */
export class LocalStateStore {
  /** Copies by `<jobId>/<operatorId>/<subtaskIndex>`, oldest first. */
  private readonly copies = new Map<string, LocalCopy[]>();

  /** Keeps a copy (one per checkpoint: a second one of the same checkpoint replaces the first). */
  put(copy: LocalCopy): void {
    const key = `${copy.jobId}/${copy.operatorId}/${copy.subtaskIndex}`;
    const list = this.copies.get(key) ?? [];
    for (const old of list.filter((c) => c.checkpointId === copy.checkpointId)) drop(old);
    const kept = list.filter((c) => c.checkpointId !== copy.checkpointId);
    kept.push(copy);
    kept.sort((a, b) => a.checkpointId - b.checkpointId);
    this.copies.set(key, kept);
  }

  /** Checkpoint `checkpointId` of a job completed: older copies go (it is the one a restart restores now). */
  confirm(jobId: string, checkpointId: number): void {
    this.prune(jobId, (c) => c.checkpointId < checkpointId);
  }

  /** Checkpoint `checkpointId` of a job was aborted: its copies go. */
  abort(jobId: string, checkpointId: number): void {
    this.prune(jobId, (c) => c.checkpointId === checkpointId);
  }

  /** The job ended: all its copies go. */
  discardJob(jobId: string): void {
    this.prune(jobId, () => true);
  }

  /** Every copy goes (the thread shuts down). */
  discardAll(): void {
    for (const list of this.copies.values()) for (const c of list) drop(c);
    this.copies.clear();
  }

  /** The copy of an operator subtask's state of a checkpoint whose handle has `checksum`, if kept. */
  find(jobId: string, operatorId: string, subtaskIndex: number, checkpointId: number, checksum: string): LocalCopy | undefined {
    return this.copies.get(`${jobId}/${operatorId}/${subtaskIndex}`)?.find((c) => c.checkpointId === checkpointId && c.checksum === checksum);
  }

  /** Drops one copy (it failed verification). */
  discard(copy: LocalCopy): void {
    const key = `${copy.jobId}/${copy.operatorId}/${copy.subtaskIndex}`;
    const list = this.copies.get(key);
    if (!list) return;
    drop(copy);
    const kept = list.filter((c) => c !== copy);
    if (kept.length === 0) this.copies.delete(key);
    else this.copies.set(key, kept);
  }

  /** Whether any copy of a job is kept. */
  hasJob(jobId: string): boolean {
    for (const key of this.copies.keys()) if (key.startsWith(`${jobId}/`)) return true;
    return false;
  }

  /** Copies kept (tests and memory diagnostics). */
  get size(): number {
    let n = 0;
    for (const l of this.copies.values()) n += l.length;
    return n;
  }

  private prune(jobId: string, test: (c: LocalCopy) => boolean): void {
    for (const [key, list] of this.copies) {
      if (!key.startsWith(`${jobId}/`)) continue;
      const kept = list.filter((c) => {
        if (!test(c)) return true;
        drop(c);
        return false;
      });
      if (kept.length === 0) this.copies.delete(key);
      else this.copies.set(key, kept);
    }
  }
}

function drop(c: LocalCopy): void {
  if (c.keyed?.kind === 'heap') c.keyed.release();
  else if (c.keyed?.kind === 'leveldb') rmSync(c.keyed.dir, { recursive: true, force: true });
}
