/**
 * Checkpoint and savepoint metadata (`_metadata`) and state handles.
 *
 *   <dir>/<jobId>/chk-<n>/_metadata       written last, atomically (tmp file + rename)
 *   <dir>/<jobId>/chk-<n>/<op>-<i>-<uuid>  one state file per operator subtask (small ones inline)
 *   <savepoint dir>/savepoint-<jobid6>-<12 hex>/...   the same, self-contained
 *
 * `_metadata` is "MFCK" + a version byte + msgpack; a checkpoint counts as complete once it exists.
 * Versions:
 *   1  handles name their key groups (keyGroupRange) but not whether they hold operator state:
 *      a restore reads every handle of an operator.
 *   2  handles also say whether they hold operator state (hasOperatorState): a restoring subtask
 *      reads only the handles whose key groups overlap its own, plus those with operator state.
 * This miniflink writes version 2 and reads both.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniFlinkError } from '../core/errors.js';
import { packValue, unpackValue } from '../core/serde.js';
import { compress, decompress, type Compression } from './compression.js';

/** Where one operator subtask's state is. */
export interface StateHandle {
  readonly operatorId: string;
  readonly subtaskIndex: number;
  /** Key groups of keyed state in it, if any. */
  readonly keyGroupRange?: readonly [number, number];
  /**
   * Whether it holds operator (non-keyed) state with items, which every new subtask reads.
   * Undefined in version 1 metadata (unknown: the handle is read).
   */
  readonly hasOperatorState?: boolean;
  /** Bytes of in-flight data (an unaligned checkpoint's channel state) in it; absent: none. */
  readonly inFlightBytes?: number;
  /** File name inside the checkpoint directory, or undefined when inline. */
  readonly file?: string;
  /** The stored bytes, when small (or in JobManager memory). */
  readonly inline?: Uint8Array;
  /** Stored (compressed) size. */
  readonly size: number;
  /** Size before compression. */
  readonly rawSize: number;
  readonly compression: Compression;
  /** md5 of the stored bytes. */
  readonly checksum: string;
}

/** One operator in a checkpoint. */
export interface OperatorEntry {
  readonly operatorId: string;
  readonly uid: string | undefined;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly handles: StateHandle[];
}

/** The content of `_metadata`. */
export interface CheckpointMetadata {
  readonly version: number;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly operators: OperatorEntry[];
}

const MAGIC = Buffer.from('MFCK');
/** The `_metadata` version written (see the file's header). */
export const METADATA_VERSION = 2;
/** The `_metadata` versions read. */
const READABLE_VERSIONS: readonly number[] = [1, 2];
/** State smaller than this is inlined into _metadata (Flink's data-inline-threshold, 20 KB). */
export const INLINE_THRESHOLD = 20 * 1024;

/** Writes one operator subtask's serialized state; returns its handle. */
export function writeState(
  raw: Uint8Array,
  meta: { operatorId: string; subtaskIndex: number; keyGroupRange?: readonly [number, number]; hasOperatorState?: boolean; inFlightBytes?: number },
  compression: Compression,
  dir: string | undefined,
): StateHandle {
  const stored = compress(raw, compression);
  const checksum = createHash('md5').update(stored).digest('hex');
  const base = { ...meta, size: stored.byteLength, rawSize: raw.byteLength, compression, checksum };
  if (dir === undefined || stored.byteLength < INLINE_THRESHOLD) return { ...base, inline: stored };
  const file = `${meta.operatorId.slice(0, 8)}-${meta.subtaskIndex}-${randomBytes(8).toString('hex')}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), stored);
  return { ...base, file };
}

/** Reads a handle's state back; checks its checksum; errors name the file. */
export function readState(handle: StateHandle, dir: string | undefined): Uint8Array {
  let stored: Uint8Array;
  let where = 'inline state in _metadata';
  if (handle.inline !== undefined) stored = handle.inline;
  else {
    if (dir === undefined) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `State file ${handle.file} has no checkpoint directory to be read from`);
    where = join(dir, handle.file!);
    if (!existsSync(where)) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: the state file ${where} is missing`);
    stored = readFileSync(where);
  }
  if (createHash('md5').update(stored).digest('hex') !== handle.checksum) {
    throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: the checksum of ${where} does not match (the file is corrupt)`);
  }
  try {
    return decompress(stored, handle.compression);
  } catch (e) {
    throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: ${where} could not be decompressed (${handle.compression}): ${(e as Error).message}`);
  }
}

/** Writes `_metadata` atomically: a temporary file renamed into place. */
export function writeMetadata(dir: string, metadata: CheckpointMetadata): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `._metadata.inprogress.${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, Buffer.concat([MAGIC, Buffer.from([METADATA_VERSION]), packValue({ ...metadata, version: METADATA_VERSION })]));
  renameSync(tmp, join(dir, '_metadata'));
}

/** A path as Flink prints it: `file:/abs/path`. */
export function qualify(path: string): string {
  return `file:${resolve(path)}`;
}

/** Strips `file:` / `file://` and resolves a user's path. */
export function unqualify(path: string): string {
  if (path.startsWith('file://')) return fileURLToPath(path);
  if (path.startsWith('file:')) return resolve(path.slice('file:'.length));
  return isAbsolute(path) ? path : resolve(path);
}

/** Reads the `_metadata` of a checkpoint or savepoint given as its directory or the file itself. */
export function readMetadata(pathText: string): { metadata: CheckpointMetadata; dir: string } {
  let path = unqualify(pathText);
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, '_metadata');
  if (!existsSync(path)) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore from ${pathText}: ${path} does not exist (a checkpoint or savepoint directory holds a _metadata file)`);
  const bytes = readFileSync(path);
  if (bytes.byteLength < 5 || !bytes.subarray(0, 4).equals(MAGIC)) throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: ${path} is not a miniflink _metadata file (corrupt or foreign)`);
  if (!READABLE_VERSIONS.includes(bytes[4]!)) {
    throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: ${path} has metadata version ${bytes[4]}, this miniflink reads versions ${READABLE_VERSIONS.join(' and ')}`);
  }
  const version = bytes[4]!;
  let metadata: CheckpointMetadata;
  try {
    metadata = unpackValue(bytes.subarray(5)) as CheckpointMetadata;
  } catch (e) {
    throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: ${path} is corrupt: ${(e as Error).message}`);
  }
  if (!metadata || !Array.isArray(metadata.operators) || typeof metadata.checkpointId !== 'number') {
    throw new MiniFlinkError('MF_ERR_RESTORE_FAILED', `Cannot restore: ${path} is corrupt (no operators or checkpoint id)`);
  }
  return { metadata: version === 1 ? withoutOperatorStateFlags(metadata) : metadata, dir: dirname(path) };
}

/** Version 1 handles do not know whether they hold operator state: none may claim it does not. */
function withoutOperatorStateFlags(m: CheckpointMetadata): CheckpointMetadata {
  const operators = m.operators.map((op) => ({ ...op, handles: op.handles.map(({ hasOperatorState: _, ...h }) => h) }));
  return { ...m, version: 1, operators };
}

/** A savepoint directory name: savepoint-<first 6 of the job id>-<12 hex>. */
export function savepointDirName(jobId: string): string {
  return `savepoint-${jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`;
}
