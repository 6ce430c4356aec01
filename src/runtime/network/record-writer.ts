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
 *
 * Barriers: an aligned barrier waits in band behind the buffers before it. An unaligned one (the
 * priority path) is sent at once, ahead of the buffers queued for credit, which it overtakes: they
 * are still sent after it, and their copies are the channel's in-flight data of the checkpoint
 * (output channel state). With an aligned checkpoint timeout, an aligned barrier still queued when
 * the timeout passes overtakes what is before it then. After the producer's input ended, a barrier
 * that may turn unaligned still goes (see barrier()); an aligned one does not.
 */
import { RecordBatchCodec } from '../../core/serde.js';
import { copyRecord } from '../../core/record-copy.js';
import type { Counter } from '../../metrics/index.js';
import type { Transport, ChannelEndpoint } from './transport.js';
import { channelTail, type DataMessage } from '../protocol.js';
import type { ChannelSelector } from './partitioners.js';
import { LocalBatch } from './local-batch.js';

/** Buffers a consumer can hold per channel before it has to return credit. */
export const INITIAL_CREDIT = 4;
/** Sealed buffers a channel may queue before the writer reports backpressure. */
const MAX_QUEUED = 2;
/** Target size of a batch in bytes (Flink's 32 KB network buffers). */
const TARGET_BYTES = 32 * 1024;
/** A batch handed over by reference is packed to measure its size (the first, then one in this many). */
const SIZE_LOCAL_EVERY = 64;
/** A batch's last record packed alone at more than this many times the measured size per record: the batch is measured now. */
const SIZE_LOCAL_GROWTH = 4;


/** One channel: this producer subtask -> one consumer subtask. */
/** A barrier queued in band: when it goes out (in band, or overtaking), `sent` gets what it overtook. */
type QueuedBarrier = { barrier: number; ts: number; dir: string | undefined; sp?: true; sent?: (overtaken: SealedBuffer[]) => void; timer?: NodeJS.Timeout };
/** What a channel sends in band besides buffers: they need no credit but wait behind buffers. */
type ChannelEvent = QueuedBarrier | { wm: number } | { idle: boolean };

/** A sealed batch: its bytes, and whether they carry timestamps. */
export interface SealedBuffer {
  readonly bytes: Uint8Array;
  readonly timestamps: boolean;
}

/** How a barrier goes out (unaligned checkpoints). */
export interface BarrierMode {
  /** A savepoint's barrier: always aligned. */
  readonly savepoint?: boolean;
  /** Overtake the queued buffers now (an unaligned checkpoint). */
  readonly unaligned?: boolean;
  /** Aligned for now, overtaking whatever is still before it at this time (Date.now() ms; an aligned checkpoint timeout). */
  readonly overtakeAt?: number;
}

/** The buffers a barrier overtook on one channel (its in-flight data), by the channel's key without `<jobId>/<attempt>/`. */
export type OvertakenBuffers = ReadonlyArray<readonly [channel: string, buffers: readonly SealedBuffer[]]>;



class ChannelWriter implements ChannelEndpoint {
  records: unknown[] = [];
  /** The records' timestamps, once a record with one was added (undefined: none has one). */
  timestamps: Array<number | null> | undefined = undefined;
  /** Records per batch; adapts so a batch is about TARGET_BYTES. */
  target = 256;
  credits = INITIAL_CREDIT;
  /** Sealed buffers and events, in order; events need no credit but wait behind buffers. */
  readonly queued: Array<SealedBuffer | ChannelEvent> = [];
  private finishing = false;
  finished = false;
  /** Batches sealed by reference so far. */
  private localSealed = 0;
  /** Bytes per record of the last batch by reference that was measured. */
  private localPerRecord = 0;

  constructor(
    readonly key: string,
    readonly targetSlot: number,
    private readonly owner: RecordWriter,
    /** The consumer runs in this thread and takes batches by reference (no serialization). */
    readonly local: boolean,
  ) {}

  seal(): void {
    if (this.records.length === 0) return;
    const batch = this.records;
    const timestamps = this.timestamps;
    if (this.local) {
      this.records = [];
      this.timestamps = undefined;
      const local = new LocalBatch(batch, timestamps, this.owner.codec);
      this.sizeLocal(local);
      this.queued.push(local);
      this.drain();
      return;
    }
    // Encoded before the records leave the channel: a batch that cannot be serialized stays, and
    // the error (which fails the task) names the operator.
    const bytes = timestamps === undefined ? this.owner.encode(batch) : this.owner.encode([batch, timestamps]);
    this.records = [];
    this.timestamps = undefined;
    this.adapt(bytes.byteLength, batch.length);
    this.owner.counters?.bytesOut.inc(bytes.byteLength);
    this.queued.push({ bytes, timestamps: timestamps !== undefined });
    this.drain();
  }

  /**
   * Sizes batches by reference in bytes as serialized ones are (what backpressure and in-flight
   * data hold): one in SIZE_LOCAL_EVERY is packed to measure its records (its bytes are kept,
   * should a checkpoint need them), and the others' last record alone, so that records that grow
   * are measured at once. A record msgpackr cannot pack that the copy took (nested thousands
   * deep) leaves the size as it was: the batch goes by reference.
   */
  private sizeLocal(local: LocalBatch): void {
    const n = local.records.length;
    try {
      let measure = this.localSealed++ % SIZE_LOCAL_EVERY === 0;
      if (!measure) measure = this.owner.codec.encode(local.records.slice(n - 1)).byteLength > SIZE_LOCAL_GROWTH * this.localPerRecord + 64;
      if (!measure) return;
      const bytes = local.bytes.byteLength;
      this.localPerRecord = bytes / n;
      this.adapt(bytes, n);
    } catch {
      // Not sized: see above.
    }
  }

  /** Records per batch from the size of the last batch packed, so that a batch is about TARGET_BYTES. */
  private adapt(bytes: number, records: number): void {
    const perRecord = Math.max(1, bytes / records);
    this.target = Math.max(16, Math.min(8192, Math.floor(TARGET_BYTES / perRecord)));
  }

  drain(): void {
    while (this.queued.length > 0) {
      const head = this.queued[0]!;
      if ('bytes' in head) {
        if (this.credits === 0) break;
        this.credits--;
        this.queued.shift();
        this.owner.counters?.buffersOut.inc();
        if (head instanceof LocalBatch) this.owner.transport.send(this.targetSlot, { t: 'lbuf', ch: this.key, batch: head });
        else this.owner.transport.send(this.targetSlot, head.timestamps ? { t: 'buf', ch: this.key, bytes: head.bytes, ts: true } : { t: 'buf', ch: this.key, bytes: head.bytes });
      } else {
        this.queued.shift();
        if ('barrier' in head) {
          if (head.timer) clearTimeout(head.timer);
          this.owner.transport.send(this.targetSlot, { t: 'barrier', ch: this.key, id: head.barrier, ts: head.ts, dir: head.dir, ...(head.sp ? { sp: true as const } : {}) });
          head.sent?.([]);
        }
        else if ('wm' in head) this.owner.transport.send(this.targetSlot, { t: 'wm', ch: this.key, wm: head.wm });
        else this.owner.transport.send(this.targetSlot, { t: 'status', ch: this.key, idle: head.idle });
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

  /** Sends an event after the records before it. */
  event(e: ChannelEvent): void {
    if (this.finishing) return;
    this.seal();
    this.queued.push(e);
    this.drain();
  }

  /**
   * Sends a barrier: in band (aligned), or at once ahead of the queued buffers (unaligned), or in
   * band until `overtakeAt`. Resolves with the buffers it overtook once it is out (none in band).
   */
  barrier(id: number, ts: number, dir: string | undefined, mode: BarrierMode): Promise<SealedBuffer[]> {
    // The producer's input ended (Flink's end of data). An aligned barrier has nothing to wait
    // for: the consumer takes the channel's end as its barrier. One that may turn unaligned still
    // goes, even after the end (Flink keeps the partition open until the final checkpoint), so
    // that a consumer with a backlog from this channel can take it as in-flight data.
    if (this.finishing && (mode.savepoint === true || (mode.unaligned !== true && mode.overtakeAt === undefined))) return Promise.resolve([]);
    this.seal();
    if (mode.unaligned === true && mode.savepoint !== true) return Promise.resolve(this.overtake({ barrier: id, ts, dir }));
    return new Promise<SealedBuffer[]>((resolve) => {
      const item: QueuedBarrier = { barrier: id, ts, dir, ...(mode.savepoint === true ? { sp: true as const } : {}), sent: resolve };
      this.queued.push(item);
      this.drain();
      if (mode.overtakeAt !== undefined && mode.savepoint !== true && this.queued.includes(item)) {
        item.timer = setTimeout(() => {
          const at = this.queued.indexOf(item);
          if (at < 0) return;
          this.queued.splice(at, 1);
          item.sent = undefined;
          resolve(this.overtake(item, at));
        }, Math.max(0, mode.overtakeAt - Date.now()));
      }
    });
  }

  /**
   * Sends a barrier ahead of the buffers queued before position `before` (default: all); returns
   * copies of them (they still go, after it: to another thread their bytes are transferred, and
   * the originals then detached).
   */
  private overtake(b: QueuedBarrier, before = this.queued.length): SealedBuffer[] {
    const overtaken = this.queued
      .slice(0, before)
      .filter((q): q is SealedBuffer => 'bytes' in q)
      .map((q) => ({ bytes: q.bytes.slice(), timestamps: q.timestamps }));
    this.owner.transport.send(this.targetSlot, { t: 'barrier', ch: this.key, id: b.barrier, ts: b.ts, dir: b.dir, u: true });
    return overtaken;
  }

  /** Buffers of a restored checkpoint's in-flight data: sent first, before anything else. */
  replay(buffers: readonly SealedBuffer[]): void {
    this.queued.unshift(...buffers);
    this.drain();
  }

  /** Stops waiting barriers (cancellation): they resolve with nothing overtaken. */
  cancel(): void {
    for (const q of this.queued) {
      if (!('barrier' in q)) continue;
      if (q.timer) clearTimeout(q.timer);
      q.sent?.([]);
    }
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
    /** The task's numBytesOut and numBuffersOut (none: metrics are off). */
    readonly counters?: { readonly bytesOut: Counter; readonly buffersOut: Counter },
    /** Hand batches to consumers in this thread by reference (`pipeline.local-exchange.by-reference`). */
    localByReference = false,
  ) {
    this.codec = codec;
    this.channels = targets.map((t) => new ChannelWriter(t.key, t.slot, this, localByReference && t.slot === transport.slotIndex));
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

  /**
   * Writes one record, with its timestamp if it has one. A record waits in its batch until the
   * batch is sealed, while Flink serializes it at collect(): a function that changes its output
   * object after emitting it (a reused output object, a ReduceFunction changing its accumulator in
   * place) must not change what was sent. So the batch holds a copy, with or without object reuse
   * (primitives are not copied), made after the channel is chosen: a key that cannot be keyed is
   * reported as such before a record that cannot be copied.
   */
  emit(record: unknown, timestamp?: number): void {
    let i: number;
    try {
      i = this.selector.select(record);
    } catch (e) {
      // A key selector's failure or a key that cannot be keyed (null, no value form): name the operator.
      if (e instanceof Error) e.message = `Operator ${this.label}: ${e.message}`;
      throw e;
    }
    // Held in the batch until it is serialized: a copy (the error says where the record was going).
    const copy = copyRecord(record, this.label, 'to send it to the next task');
    if (i >= 0) this.add(this.channels[i]!, copy, timestamp);
    // Broadcast: a consumer that takes its batch by reference gets a copy of its own (the other
    // channels' batches are serialized later, after it may have changed its records).
    else for (const c of this.channels) this.add(c, c.local && this.channels.length > 1 ? copyRecord(record, this.label, 'to send it to the next task') : copy, timestamp);
  }

  private add(c: ChannelWriter, record: unknown, timestamp: number | undefined): void {
    if (timestamp !== undefined || c.timestamps !== undefined) {
      // Timestamps travel beside the records, allocated only once a record has one.
      c.timestamps ??= new Array<number | null>(c.records.length).fill(null);
      c.timestamps.push(timestamp ?? null);
    }
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

  /**
   * Sends a checkpoint barrier on every channel: after the records before it (aligned), or ahead
   * of the buffers queued for credit (unaligned, or aligned until `mode.overtakeAt`). Resolves once
   * every channel's barrier is out, with the buffers each overtook.
   */
  async broadcastBarrier(id: number, ts: number, dir: string | undefined, mode: BarrierMode = {}): Promise<OvertakenBuffers> {
    const all = await Promise.all(this.channels.map(async (c) => [channelTail(c.key), await c.barrier(id, ts, dir, mode)] as const));
    return all.filter(([, b]) => b.length > 0);
  }

  /** Replays a restored checkpoint's in-flight data of this writer's channels (by channel), before anything else. */
  replay(buffers: ReadonlyMap<string, readonly SealedBuffer[]>): void {
    for (const c of this.channels) {
      const b = buffers.get(channelTail(c.key));
      if (b && b.length > 0) c.replay(b);
    }
  }

  /** Sends a watermark on every channel, after the records before it (watermarks are broadcast, as in Flink). */
  broadcastWatermark(watermark: number): void {
    for (const c of this.channels) c.event({ wm: watermark });
  }

  /** Tells every channel that this producer became idle or active again. */
  broadcastStatus(idle: boolean): void {
    for (const c of this.channels) c.event({ idle });
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
    for (const c of this.channels) c.cancel();
    this.onCredit();
  }
}
