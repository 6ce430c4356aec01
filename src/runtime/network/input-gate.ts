/**
 * The consumer side: one input channel per connected producer subtask. Buffers queue per channel;
 * the task polls them round-robin and returns one credit per buffer it took, which lets the
 * producer send another. A channel ends with the producer's end-of-input message.
 *
 * Barriers: when a channel's next item is a barrier, poll() hands it to the task. In aligned
 * (exactly-once) mode the task then blocks that channel until the barrier has arrived on every
 * channel that has not ended; blocked channels are skipped by poll().
 */
import type { DataMessage } from '../protocol.js';
import type { ChannelEndpoint, Transport } from './transport.js';

type Item = { bytes: Uint8Array; timestamps: boolean } | { barrier: number; ts: number; dir: string | undefined } | { wm: number } | { idle: boolean };

/** One input channel. */
class InputChannel implements ChannelEndpoint {
  readonly queue: Item[] = [];
  ended = false;
  blocked = false;
  constructor(
    readonly key: string,
    readonly producerSlot: number,
    /** Which input of the operator this channel feeds (0 or 1). */
    readonly inputIndex: number,
    private readonly gate: InputGate,
  ) {}
  deliver(msg: DataMessage): void {
    if (msg.t === 'buf') this.queue.push({ bytes: msg.bytes, timestamps: msg.ts === true });
    else if (msg.t === 'barrier') this.queue.push({ barrier: msg.id, ts: msg.ts, dir: msg.dir });
    else if (msg.t === 'wm') this.queue.push({ wm: msg.wm });
    else if (msg.t === 'status') this.queue.push({ idle: msg.idle });
    else if (msg.t === 'eoi') this.ended = true;
    this.gate.notify();
  }
}

/** A polled item: a buffer of records (with timestamps beside them when `timestamps`), a barrier, a watermark or a status. */
export type Polled =
  | { readonly kind: 'buffer'; readonly bytes: Uint8Array; readonly timestamps: boolean; readonly inputIndex: number; readonly release: () => void }
  | { readonly kind: 'barrier'; readonly id: number; readonly ts: number; readonly dir: string | undefined; readonly channel: number }
  | { readonly kind: 'watermark'; readonly watermark: number; readonly channel: number }
  | { readonly kind: 'status'; readonly idle: boolean; readonly channel: number };

/** All input channels of one task. */
export class InputGate {
  private readonly channels: InputChannel[];
  private next = 0;
  private waiter: (() => void) | undefined;
  /** A wake-up that came while no one waited: the next whenData() returns at once. */
  private pendingWake = false;

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
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const c = this.channels[i]!;
      if (c.blocked || c.queue.length === 0) continue;
      this.next = (i + 1) % n;
      const item = c.queue.shift()!;
      if ('bytes' in item) {
        return { kind: 'buffer', bytes: item.bytes, timestamps: item.timestamps, inputIndex: c.inputIndex, release: () => this.transport.send(c.producerSlot, { t: 'credit', ch: c.key, n: 1 }) };
      }
      if ('wm' in item) return { kind: 'watermark', watermark: item.wm, channel: i };
      if ('idle' in item) return { kind: 'status', idle: item.idle, channel: i };
      return { kind: 'barrier', id: item.barrier, ts: item.ts, dir: item.dir, channel: i };
    }
    return undefined;
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
    return c.ended && c.queue.length === 0;
  }

  /** Whether every channel ended and nothing is queued. */
  isFinished(): boolean {
    return this.channels.every((c) => c.ended && c.queue.length === 0);
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
