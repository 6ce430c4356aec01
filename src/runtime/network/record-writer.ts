/**
 * The producer side of an edge: records are gathered per channel into batches of about 32 KB,
 * packed with msgpackr, and sent when the consumer has granted credit (credit-based flow control).
 *
 *   collect(r) -> selector -> ChannelWriter.records[] --full/timeout--> bytes
 *                 bytes --credit > 0--> Transport.send    (else queued; the task stops consuming)
 *
 * A channel starts with INITIAL_CREDIT buffers of credit: the consumer can always hold that many.
 * Backpressure: while any channel has MAX_QUEUED sealed buffers waiting for credit, the writer is
 * unavailable, and the task stops taking input (or the source's collect() returns a promise).
 */
import { RecordBatchCodec } from '../../core/serde.js';
import type { Transport, ChannelEndpoint } from './transport.js';
import type { DataMessage } from '../protocol.js';
import type { ChannelSelector } from './partitioners.js';

/** Buffers a consumer can hold per channel before it has to return credit. */
export const INITIAL_CREDIT = 4;
/** Sealed buffers a channel may queue before the writer reports backpressure. */
const MAX_QUEUED = 2;
/** Target size of a batch in bytes (Flink's 32 KB network buffers). */
const TARGET_BYTES = 32 * 1024;

/** Counters of a writer, for metrics. */
export interface WriterStats {
  /** Records written. */
  records: number;
  /** Bytes sent. */
  bytes: number;
  /** Buffers sent. */
  buffers: number;
}

/** One channel: this producer subtask -> one consumer subtask. */
class ChannelWriter implements ChannelEndpoint {
  records: unknown[] = [];
  /** Records per batch; adapts so a batch is about TARGET_BYTES. */
  target = 256;
  credits = INITIAL_CREDIT;
  /** Sealed buffers and barriers, in order; barriers need no credit but wait behind buffers. */
  readonly queued: Array<Uint8Array | { barrier: number; ts: number; dir: string | undefined }> = [];
  private finishing = false;
  finished = false;

  constructor(
    readonly key: string,
    readonly targetSlot: number,
    private readonly owner: RecordWriter,
  ) {}

  seal(): void {
    if (this.records.length === 0) return;
    const batch = this.records;
    // Encoded before the records leave the channel: a batch that cannot be serialized stays, and
    // the error (which fails the task) names the operator.
    const bytes = this.owner.encode(batch);
    this.records = [];
    const perRecord = Math.max(1, bytes.byteLength / batch.length);
    this.target = Math.max(16, Math.min(8192, Math.floor(TARGET_BYTES / perRecord)));
    this.owner.stats.bytes += bytes.byteLength;
    this.queued.push(bytes);
    this.drain();
  }

  drain(): void {
    while (this.queued.length > 0) {
      const head = this.queued[0]!;
      if (head instanceof Uint8Array) {
        if (this.credits === 0) break;
        this.credits--;
        this.queued.shift();
        this.owner.stats.buffers++;
        this.owner.transport.send(this.targetSlot, { t: 'buf', ch: this.key, bytes: head });
      } else {
        this.queued.shift();
        this.owner.transport.send(this.targetSlot, { t: 'barrier', ch: this.key, id: head.barrier, ts: head.ts, dir: head.dir });
      }
    }
    if (this.finishing && !this.finished && this.queued.length === 0) {
      this.finished = true;
      this.owner.transport.send(this.targetSlot, { t: 'eoi', ch: this.key });
    }
  }

  finish(): void {
    this.seal();
    this.finishing = true;
    this.drain();
  }

  barrier(id: number, ts: number, dir: string | undefined): void {
    if (this.finishing) return;
    this.seal();
    this.queued.push({ barrier: id, ts, dir });
    this.drain();
  }

  deliver(msg: DataMessage): void {
    if (msg.t !== 'credit') return;
    this.credits += msg.n;
    this.drain();
    this.owner.onCredit();
  }
}

/** Writes the records of one operator to one job edge. */
export class RecordWriter {
  /** The codec (one per writer: encode is not reentrant across writers in flight). */
  readonly codec: RecordBatchCodec;
  /** Counters. */
  readonly stats: WriterStats = { records: 0, bytes: 0, buffers: 0 };
  private readonly channels: ChannelWriter[];
  private waiters: (() => void)[] = [];
  private canceled = false;

  constructor(
    /** The thread's transport. */
    readonly transport: Transport,
    private readonly selector: ChannelSelector,
    targets: ReadonlyArray<{ key: string; slot: number }>,
    codec: RecordBatchCodec,
    /** 0: flush every record. */
    private readonly flushEveryRecord: boolean,
    /** The producing operator and subtask, for errors. */
    private readonly label: string,
  ) {
    this.codec = codec;
    this.channels = targets.map((t) => new ChannelWriter(t.key, t.slot, this));
    for (const c of this.channels) transport.register(`out:${c.key}`, c);
  }

  /** Packs a batch; a record that cannot be serialized raises an error naming this operator. */
  encode(batch: readonly unknown[]): Uint8Array {
    try {
      return this.codec.encode(batch);
    } catch (e) {
      const error = e as Error;
      error.message = `Operator ${this.label}: ${error.message}`;
      throw error;
    }
  }

  /** Writes one record. */
  emit(record: unknown): void {
    this.stats.records++;
    const i = this.selector.select(record);
    if (i >= 0) this.add(this.channels[i]!, record);
    else for (const c of this.channels) this.add(c, record);
  }

  private add(c: ChannelWriter, record: unknown): void {
    c.records.push(record);
    if (this.flushEveryRecord || c.records.length >= c.target) c.seal();
  }

  /** Sends every partial batch (the buffer timeout, or before an event). */
  flush(): void {
    for (const c of this.channels) c.seal();
  }

  /** Whether no channel is backlogged. */
  isAvailable(): boolean {
    for (const c of this.channels) if (c.queued.length >= MAX_QUEUED) return false;
    return true;
  }

  /** Sends a checkpoint barrier on every channel, after the records before it. */
  broadcastBarrier(id: number, ts: number, dir: string | undefined): void {
    for (const c of this.channels) c.barrier(id, ts, dir);
  }

  /** Resolves when the writer is available again (or canceled). */
  async whenAvailable(): Promise<void> {
    while (!this.canceled && !this.isAvailable()) await this.nextCredit();
  }

  private nextCredit(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Flushes, then ends every channel once its buffers are out. */
  finish(): void {
    for (const c of this.channels) c.finish();
  }

  /** Whether every channel has sent its end of input. */
  isFinished(): boolean {
    return this.channels.every((c) => c.finished);
  }

  /** Resolves when every channel has sent its end of input (or canceled). */
  async whenFinished(): Promise<void> {
    while (!this.canceled && !this.isFinished()) await this.nextCredit();
  }

  /** Called when credit arrives: waiters re-check their condition. */
  onCredit(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Stops waiting (cancellation). */
  cancel(): void {
    this.canceled = true;
    this.onCredit();
  }
}
