/**
 * FileSink.forRowFormat(dir, encoder): Flink's exactly-once file sink with row encoding.
 *
 *   record -> .part-<uuid>-<subtask>-<n>.inprogress.<lineage>   (hidden: in progress)
 *   barrier n -> the in-progress file is closed and renamed .part-<uuid>-<subtask>-<n>.pending.<lineage>,
 *                pending for checkpoint n (or savepoint n)
 *   checkpoint n complete -> pending files of checkpoints <= n are renamed part-<uuid>-<subtask>-<n>
 *
 * Part files roll at every checkpoint (Flink's OnCheckpointRollingPolicy), so a restore never
 * needs to truncate a file. Pending files are union list state: on restore they are committed
 * (the checkpoint they belong to completed, only the notice may have been lost; a pending file that
 * is neither in progress nor committed is an error, as for Flink's committer), and in-progress files
 * of this subtask that no checkpoint knows are deleted, if this sink wrote them: each in-progress
 * file carries the sink's lineage (a hash of the job id, the task's name, the operator's id and the
 * base path, the same in every attempt of the job), so a failed attempt's files are found and
 * another job's files in the same directory (or another sink's of this job) are left alone (as
 * Flink leaves hidden files it does not know; so are those of the job a savepoint was taken from).
 * Only files still in progress are deleted: a pending file (closed for a checkpoint or a savepoint,
 * which a later restore may commit) never is, as Flink never deletes one. A file from a failed
 * attempt is never visible as finished. At the end of a bounded job the last files are committed by
 * the final checkpoint (or at once when the job does not checkpoint).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { basename, join } from 'node:path';
import { RichSinkFunction } from '../functions/sink-function.js';
import type { CheckpointListener, CheckpointedFunction, FunctionInitializationContext, FunctionSnapshotContext } from '../functions/checkpointed-function.js';
import { ListStateDescriptor, type ListState } from '../state/state.js';
import { formatForPrint } from './print-sink.js';

/** Flink's Encoder: writes one record to a part file. */
export interface Encoder<T> {
  /** The bytes or text of one record, with its terminator. */
  encode(element: T): string | Uint8Array;
}

/** Flink's SimpleStringEncoder: the record's text and a newline (objects as JSON, as print()). */
export class SimpleStringEncoder<T> implements Encoder<T> {
  /** Encodes one record. */
  encode(element: T): string {
    return `${formatForPrint(element)}\n`;
  }
}

/** Flink's BucketAssigner: the sub-directory a record goes to. */
export interface BucketAssigner<T> {
  /** The bucket id (a relative path; '' for the base directory). */
  getBucketId(element: T, currentTimeMs: number): string;
}

/** Flink's DateTimeBucketAssigner with its default format `yyyy-MM-dd--HH` (UTC here). */
export class DateTimeBucketAssigner<T> implements BucketAssigner<T> {
  /** The bucket of the current hour. */
  getBucketId(_element: T, now: number): string {
    const d = new Date(now);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}--${p(d.getUTCHours())}`;
  }
}

/** Flink's BasePathBucketAssigner: every file in the base directory. */
export class BasePathBucketAssigner<T> implements BucketAssigner<T> {
  /** Always the base directory. */
  getBucketId(): string {
    return '';
  }
}

/** Flink's OutputFileConfig: part file prefix and suffix. */
export interface OutputFileConfig {
  /** Prefix of part files (default `part`). */
  readonly partPrefix?: string;
  /** Suffix of part files (default none). */
  readonly partSuffix?: string;
}

/** A file waiting for its checkpoint to complete (`inProgress`: its hidden name meanwhile). */
type Pending = { inProgress: string; final: string; checkpointId: number };
/** An open in-progress file and what is still to be written to it (encoded records: text or bytes). */
type OpenFile = { fd: number; inProgress: string; final: string; buffered: Array<string | Uint8Array>; bytes: number };

const FLUSH_BYTES = 64 * 1024;
/** A part file's uuid (randomUUID). */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The checkpoint id of files closed at the end of input, until a checkpoint takes them. */
const END_OF_INPUT = Number.MAX_SAFE_INTEGER;

/** The sink function behind FileSink. */
export class FileSinkFunction<T> extends RichSinkFunction<T> implements CheckpointedFunction, CheckpointListener {
  private readonly uuid = randomUUID();
  private counter = 0;
  /** Open in-progress files by bucket. */
  private readonly openFiles = new Map<string, OpenFile>();
  /** Closed files waiting for a checkpoint to complete (checkpointId -1: closed at end of input). */
  private pending: Pending[] = [];
  private state!: ListState<Pending>;
  private checkpointing = false;
  private lineageId: string | undefined;

  constructor(
    private readonly basePath: string,
    private readonly encoder: Encoder<T>,
    private readonly bucketAssigner: BucketAssigner<T>,
    private readonly fileConfig: Required<OutputFileConfig>,
  ) {
    super();
  }

  /** Restores pending files (committing them) and removes the stray in-progress files this sink wrote. */
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<Pending>('file-sink-pending'));
    const rc = this.getRuntimeContext();
    // Without checkpoints, nothing would ever commit the files: finish() does (Flink's committer at the end of input).
    this.checkpointing = rc.isCheckpointingEnabled();
    const me = rc.getIndexOfThisSubtask();
    const parallelism = rc.getNumberOfParallelSubtasks();
    const known = new Set<string>();
    if (ctx.isRestored()) {
      for (const p of this.state.get()) {
        known.add(p.inProgress);
        commit(p);
      }
    } else if (rc.getAttemptNumber() === 0) {
      return;
    }
    // In-progress files of this sink that no completed checkpoint knows: a failed attempt's. Each
    // subtask removes its own index's; subtask 0 also those of indexes beyond the parallelism.
    const marker = new RegExp(`^\\.${escape(this.fileConfig.partPrefix)}-${UUID}-(\\d+)-\\d+.*\\.inprogress\\.${this.lineage()}$`);
    for (const file of walk(this.basePath)) {
      const m = marker.exec(basename(file));
      if (!m || known.has(file)) continue;
      const index = Number(m[1]);
      if (index === me || (me === 0 && index >= parallelism)) rmSync(file, { force: true });
    }
  }

  /** What this sink's in-progress files end with, the same in every attempt of the job (see the file's comment). */
  private lineage(): string {
    if (this.lineageId === undefined) {
      const rc = this.getRuntimeContext();
      this.lineageId = createHash('sha256').update(`${rc.getJobId()}\0${rc.getTaskName()}\0${rc.getOperatorUniqueID()}\0${this.basePath}`).digest('hex').slice(0, 32);
    }
    return this.lineageId;
  }

  /** Writes one record to its bucket's in-progress file. */
  invoke(value: T): void {
    const bucket = this.bucketAssigner.getBucketId(value, Date.now());
    let f = this.openFiles.get(bucket);
    if (!f) {
      const dir = join(this.basePath, bucket);
      mkdirSync(dir, { recursive: true });
      const part = `${this.fileConfig.partPrefix}-${this.uuid}-${this.getRuntimeContext().getIndexOfThisSubtask()}-${this.counter++}${this.fileConfig.partSuffix}`;
      const inProgress = join(dir, `.${part}.inprogress.${this.lineage()}`);
      f = { fd: openSync(inProgress, 'a'), inProgress, final: join(dir, part), buffered: [], bytes: 0 };
      this.openFiles.set(bucket, f);
    }
    const enc = this.encoder.encode(value);
    f.buffered.push(enc);
    f.bytes += typeof enc === 'string' ? enc.length : enc.byteLength;
    if (f.bytes >= FLUSH_BYTES) flush(f);
  }

  private closeAll(checkpointId: number): void {
    for (const f of this.openFiles.values()) {
      flush(f);
      closeSync(f.fd);
      // Pending from now on: a restore's clean-up of in-progress files leaves it alone.
      const pending = f.inProgress.replace(/\.inprogress\.([0-9a-f]+)$/, '.pending.$1');
      renameSync(f.inProgress, pending);
      this.pending.push({ inProgress: pending, final: f.final, checkpointId });
    }
    this.openFiles.clear();
  }

  /** At the barrier: roll every in-progress file to pending for this checkpoint. */
  snapshotState(ctx: FunctionSnapshotContext): void {
    const id = ctx.getCheckpointId();
    this.closeAll(id);
    // Files closed at the end of input belong to the first checkpoint after it (the final one).
    for (const p of this.pending) if (p.checkpointId === END_OF_INPUT) p.checkpointId = id;
    this.state.update(this.pending);
  }

  /** Commits the files of every checkpoint up to the completed one. */
  notifyCheckpointComplete(checkpointId: number): void {
    const done = this.pending.filter((p) => p.checkpointId <= checkpointId);
    for (const p of done) commit(p);
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
  }

  /** End of input: the last files become pending (committed by the final checkpoint, or now without checkpointing). */
  override finish(): void {
    this.closeAll(END_OF_INPUT);
    if (!this.checkpointing) {
      for (const p of this.pending) commit(p);
      this.pending = [];
    }
  }

  /** Closes open files (their content stays in progress: never visible as finished). */
  override close(): void {
    for (const f of this.openFiles.values()) {
      try {
        flush(f);
        closeSync(f.fd);
      } catch {
        // Closing after a failure: the file stays hidden and is removed on restore.
      }
    }
    this.openFiles.clear();
  }
}

function flush(f: OpenFile): void {
  if (f.buffered.length === 0) return;
  // Text as UTF-8, bytes as they are (an Encoder may return either).
  if (f.buffered.every((b) => typeof b === 'string')) writeSync(f.fd, f.buffered.join(''), null, 'utf8');
  else writeSync(f.fd, Buffer.concat(f.buffered.map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b))));
  f.buffered = [];
  f.bytes = 0;
}

/**
 * Renames a pending file to its final name. One already committed is skipped (every subtask
 * commits the union of pending files on restore: another may have been first); one that is
 * neither there nor committed is an error, as Flink's committer's (its data would be lost).
 */
function commit(p: Pending): void {
  try {
    renameSync(p.inProgress, p.final);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (existsSync(p.final)) return;
    throw new Error(`FileSink: the pending file ${p.inProgress} of checkpoint ${p.checkpointId} is missing and was not committed to ${p.final} (was it deleted?)`);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Builds a FileSink (Flink's FileSink.forRowFormat(...).withX(...).build()). */
export class RowFormatBuilder<T> {
  private bucketAssigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  private fileConfig: Required<OutputFileConfig> = { partPrefix: 'part', partSuffix: '' };
  constructor(
    private readonly basePath: string,
    private readonly encoder: Encoder<T>,
  ) {}
  /** Sets the bucket assigner. */
  withBucketAssigner(assigner: BucketAssigner<T>): this {
    this.bucketAssigner = assigner;
    return this;
  }
  /** Sets the part file prefix and suffix. */
  withOutputFileConfig(config: OutputFileConfig): this {
    this.fileConfig = { partPrefix: config.partPrefix ?? 'part', partSuffix: config.partSuffix ?? '' };
    return this;
  }
  /** The sink, for `stream.sinkTo(...)`. */
  build(): FileSinkFunction<T> {
    return new FileSinkFunction<T>(this.basePath, this.encoder, this.bucketAssigner, this.fileConfig);
  }
}

/** Flink's FileSink. */
export const FileSink = {
  /** A row-encoded file sink writing below `basePath`. */
  forRowFormat<T>(basePath: string, encoder: Encoder<T>): RowFormatBuilder<T> {
    if (typeof basePath !== 'string' || basePath.length === 0) throw new TypeError('FileSink.forRowFormat needs a base directory');
    return new RowFormatBuilder<T>(basePath, encoder);
  },
};

