/**
 * The consumer side: one input channel per connected producer subtask. Buffers queue per channel;
 * the task polls them round-robin and returns one credit per buffer it took, which lets the
 * producer send another. A channel ends with the producer's end-of-input message; with unaligned
 * checkpoints, barriers may still come after it (the producer keeps its channels open for them
 * until it finishes), and the buffers still queued then are what such a barrier overtook.
 *
 * Barriers: when a channel's next item is a barrier, poll() hands it to the task. In aligned
 * (exactly-once) mode the task then blocks that channel until the barrier has arrived on every
 * channel that has not ended; blocked channels are skipped by poll(). An unaligned barrier (the
 * priority path: `u` on the message) does not queue: poll() hands it over before any queued item
 * of any channel, blocked or not, with the buffers queued before it (which stay queued: they are
 * processed after the checkpoint, and their copies are the checkpoint's input channel state).
 */
import { channelTail, type DataMessage } from '../protocol.js';
import type { ChannelEndpoint, Transport } from './transport.js';
import type { LocalBatch } from './local-batch.js';

type Item = { bytes: Uint8Array; timestamps: boolean } | LocalBatch | { barrier: number; ts: number; dir: string | undefined; sp?: true } | { wm: number } | { idle: boolean };

/**
 * A buffer of records as it arrived: its bytes, and whether timestamps travel beside the records
 * (a {@link LocalBatch} from this thread packs its bytes only when they are asked for).
 */
export interface ReceivedBuffer {
  readonly bytes: Uint8Array;
  readonly timestamps: boolean;
}

/** One input channel. */
class InputChannel implements ChannelEndpoint {
  readonly queue: Item[] = [];
  /** Unaligned barriers that arrived, with the buffers queued before each then. */
  readonly priority: Array<{ barrier: number; ts: number; dir: string | undefined; overtaken: ReceivedBuffer[] }> = [];
  ended = false;
  blocked = false;
  /** The key without `<jobId>/<attempt>/` (channelTail). */
  readonly tail: string;
  constructor(
    readonly key: string,
    readonly producerSlot: number,
    /** Which input of the operator this channel feeds (0 or 1). */
    readonly inputIndex: number,
    private readonly gate: InputGate,
  ) {
    this.tail = channelTail(key);
  }
  deliver(msg: DataMessage): void {
    // The task stopped taking input (it has consumed every channel to its end): a barrier an ended
    // producer still sends would only pile up.
    if (this.gate.closed && msg.t === 'barrier') return;
    if (msg.t === 'buf') this.queue.push({ bytes: msg.bytes, timestamps: msg.ts === true });
    else if (msg.t === 'lbuf') this.queue.push(msg.batch);
    else if (msg.t === 'barrier' && msg.u === true) {
      this.priority.push({ barrier: msg.id, ts: msg.ts, dir: msg.dir, overtaken: this.queue.filter((q): q is ReceivedBuffer => 'bytes' in q) });
      this.gate.prioritized++;
      this.gate.notifyPriority();
    }
    else if (msg.t === 'barrier') {
      this.queue.push({ barrier: msg.id, ts: msg.ts, dir: msg.dir, ...(msg.sp === true ? { sp: true as const } : {}) });
      // Announced at once (Flink's EventAnnouncement): an aligned checkpoint timeout runs from its arrival, not from its turn.
      if (msg.sp !== true) this.gate.onAnnounce?.(msg.id, msg.ts, msg.dir);
    }
    else if (msg.t === 'wm') this.queue.push({ wm: msg.wm });
    else if (msg.t === 'status') this.queue.push({ idle: msg.idle });
    else if (msg.t === 'eoi') {
      this.ended = true;
      this.gate.onEnded?.();
    }
    this.gate.notify();
  }
}

/** A polled item: a buffer of records (with timestamps beside them when `timestamps`), a barrier, a watermark or a status. */
export type Polled =
  | { readonly kind: 'buffer'; readonly buffer: ReceivedBuffer; readonly inputIndex: number; readonly channel: number; readonly release: () => void }
  | {
      readonly kind: 'barrier';
      readonly id: number;
      readonly ts: number;
      readonly dir: string | undefined;
      readonly channel: number;
      /** A savepoint's barrier (always aligned). */
      readonly savepoint: boolean;
      /** An unaligned barrier, with the buffers it overtook in this channel's queue. */
      readonly overtaken?: readonly ReceivedBuffer[];
    }
  | { readonly kind: 'watermark'; readonly watermark: number; readonly channel: number }
  | { readonly kind: 'status'; readonly idle: boolean; readonly channel: number };

/** All input channels of one task. */
export class InputGate {
  private readonly channels: InputChannel[];
  private next = 0;
  private waiter: (() => void) | undefined;
  /** A wake-up that came while no one waited: the next whenData() returns at once. */
  private pendingWake = false;
  /** Unaligned barriers waiting in the channels to be polled (so that looking for one costs nothing while there is none). */
  prioritized = 0;
  /** Who waits for an unaligned barrier (or another reason to look) while the output is backpressured. */
  private priorityWaiter: (() => void) | undefined;
  /** A reason to look that came while no one waited for one. */
  private pendingAttention = false;
  /** Told when a channel's producer ended (set by the task: an unaligned checkpoint need not wait for its barrier). */
  onEnded: (() => void) | undefined;
  /** Told of every aligned checkpoint barrier as it arrives, before it is polled (set by the task). */
  onAnnounce: ((id: number, ts: number, dir: string | undefined) => void) | undefined;
  /** Set by the task once it takes no more input (every channel ended and consumed): barriers are dropped. */
  closed = false;

  constructor(
    private readonly transport: Transport,
    specs: ReadonlyArray<{ key: string; producerSlot: number; inputIndex: number }>,
  ) {
    this.channels = specs.map((s) => new InputChannel(s.key, s.producerSlot, s.inputIndex, this));
    for (const c of this.channels) transport.register(`in:${c.key}`, c);
  }

  /** Number of channels. */
  get size(): number {
    return this.channels.length;
  }

  /** An unaligned barrier arrived, or the task has something to do besides input (a checkpoint switching to unaligned). */
  notifyPriority(): void {
    const w = this.priorityWaiter;
    this.priorityWaiter = undefined;
    if (w) w();
    else this.pendingAttention = true;
    this.notify();
  }

  /** Whether an unaligned barrier waits to be polled. */
  hasPriority(): boolean {
    return this.prioritized > 0;
  }

  /** Resolves when an unaligned barrier arrives or notifyPriority() is called (at once if one came unseen). */
  whenPriority(): Promise<void> {
    if (this.pendingAttention || this.hasPriority()) {
      this.pendingAttention = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.priorityWaiter = resolve));
  }

  /** Called by a channel when something arrived. */
  notify(): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w();
    else this.pendingWake = true;
  }

  /** The next item, round-robin over unblocked channels, or undefined when none is ready. */
  poll(): Polled | undefined {
    const n = this.channels.length;
    for (let i = 0; i < n && this.prioritized > 0; i++) {
      const p = this.channels[i]!.priority.shift();
      if (!p) continue;
      this.prioritized--;
      return { kind: 'barrier', id: p.barrier, ts: p.ts, dir: p.dir, channel: i, savepoint: false, overtaken: p.overtaken };
    }
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const c = this.channels[i]!;
      if (c.blocked || c.queue.length === 0) continue;
      this.next = (i + 1) % n;
      const item = c.queue.shift()!;
      if ('bytes' in item) {
        return { kind: 'buffer', buffer: item, inputIndex: c.inputIndex, channel: i, release: () => this.transport.send(c.producerSlot, { t: 'credit', ch: c.key, n: 1 }) };
      }
      if ('wm' in item) return { kind: 'watermark', watermark: item.wm, channel: i };
      if ('idle' in item) return { kind: 'status', idle: item.idle, channel: i };
      return { kind: 'barrier', id: item.barrier, ts: item.ts, dir: item.dir, channel: i, savepoint: item.sp === true };
    }
    return undefined;
  }

  /**
   * An aligned barrier of checkpoint `id` already queued in a channel turns unaligned (a checkpoint
   * that switched): it leaves the queue, and the buffers before it are returned (they stay queued).
   * Undefined when no such barrier is queued there.
   */
  promoteBarrier(channel: number, id: number): ReceivedBuffer[] | undefined {
    const q = this.channels[channel]!.queue;
    const at = q.findIndex((x) => 'barrier' in x && x.barrier === id);
    if (at < 0) return undefined;
    q.splice(at, 1);
    return q.slice(0, at).filter((x): x is ReceivedBuffer => 'bytes' in x);
  }

  /**
   * The buffers still queued in a channel whose producer ended and sent no unaligned barrier of
   * checkpoint `id` before its end; undefined while it has not ended, or when such a barrier waits
   * to be polled: what that barrier overtook is the channel's in-flight data, and the buffers after
   * it are its producer's (a producer that was finishing sends its barrier ahead of its last
   * buffers, then its end).
   */
  endedWith(channel: number, id: number): ReceivedBuffer[] | undefined {
    const c = this.channels[channel]!;
    if (!c.ended || c.priority.some((p) => p.barrier === id)) return undefined;
    return c.queue.filter((x): x is ReceivedBuffer => 'bytes' in x);
  }

  /** The key of a channel without `<jobId>/<attempt>/` (`<edgeId>/<producer>/<consumer>`). */
  channelTail(channel: number): string {
    return this.channels[channel]!.tail;
  }

  /** Which input of the operator a channel feeds. */
  inputIndexOf(channel: number): number {
    return this.channels[channel]!.inputIndex;
  }

  /** Blocks a channel (aligned checkpoints). */
  block(channel: number): void {
    this.channels[channel]!.blocked = true;
  }

  /** Unblocks every channel. */
  unblockAll(): void {
    for (const c of this.channels) c.blocked = false;
    this.notify();
  }

  /** Whether the channel has ended (and holds nothing more). */
  isChannelFinished(channel: number): boolean {
    const c = this.channels[channel]!;
    return c.ended && c.queue.length === 0 && c.priority.length === 0;
  }

  /** Whether every channel ended and nothing is queued. */
  isFinished(): boolean {
    return this.channels.every((c) => c.ended && c.queue.length === 0 && c.priority.length === 0);
  }

  /** Resolves when something arrives (or wake() is called). */
  whenData(): Promise<void> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Wakes a waiting task (cancellation, a trigger). */
  wake(): void {
    this.notify();
  }
}
