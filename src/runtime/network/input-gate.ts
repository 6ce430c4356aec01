/**
 * The consumer side: one input channel per connected producer subtask. Buffers queue per channel;
 * the task polls them round-robin and returns one credit per buffer it took, which lets the
 * producer send another. A channel ends with the producer's end-of-input message.
 */
import type { DataMessage } from '../protocol.js';
import type { ChannelEndpoint, Transport } from './transport.js';

/** One input channel. */
class InputChannel implements ChannelEndpoint {
  readonly queue: Uint8Array[] = [];
  ended = false;
  constructor(
    readonly key: string,
    readonly producerSlot: number,
    /** Which input of the operator this channel feeds (0 or 1). */
    readonly inputIndex: number,
    private readonly gate: InputGate,
  ) {}
  deliver(msg: DataMessage): void {
    if (msg.t === 'buf') this.queue.push(msg.bytes);
    else if (msg.t === 'eoi') this.ended = true;
    this.gate.notify();
  }
}

/** A polled buffer. */
export interface PolledBuffer {
  /** The packed records. */
  readonly bytes: Uint8Array;
  /** Which input of the operator it feeds. */
  readonly inputIndex: number;
  /** Returns the credit for this buffer to its producer. */
  readonly release: () => void;
}

/** All input channels of one task. */
export class InputGate {
  private readonly channels: InputChannel[];
  private next = 0;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly transport: Transport,
    specs: ReadonlyArray<{ key: string; producerSlot: number; inputIndex: number }>,
  ) {
    this.channels = specs.map((s) => new InputChannel(s.key, s.producerSlot, s.inputIndex, this));
    for (const c of this.channels) transport.register(`in:${c.key}`, c);
  }

  /** Called by a channel when something arrived. */
  notify(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** The next buffer, round-robin over channels, or undefined when none is queued. */
  poll(): PolledBuffer | undefined {
    const n = this.channels.length;
    for (let k = 0; k < n; k++) {
      const c = this.channels[(this.next + k) % n]!;
      if (c.queue.length > 0) {
        this.next = (this.next + k + 1) % n;
        const bytes = c.queue.shift()!;
        return { bytes, inputIndex: c.inputIndex, release: () => this.transport.send(c.producerSlot, { t: 'credit', ch: c.key, n: 1 }) };
      }
    }
    return undefined;
  }

  /** Whether every channel ended and nothing is queued. */
  isFinished(): boolean {
    return this.channels.every((c) => c.ended && c.queue.length === 0);
  }

  /** Resolves when something arrives (or wake() is called). */
  whenData(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Wakes a waiting task (cancellation). */
  wake(): void {
    this.notify();
  }
}
