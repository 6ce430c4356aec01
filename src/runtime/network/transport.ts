/**
 * A slot thread's data plane: routes DataMessages between channels. Each peer slot thread has
 * one MessagePort; tasks in this thread are reached through a local loop-back that still carries
 * serialized bytes (as Flink's local channels do), but skips the thread hop.
 *
 * A message may arrive before the task that owns its channel registered (slot threads deploy at
 * their own pace): it waits in `pending` until the channel is registered, or is dropped when its
 * job attempt is released.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DataMessage } from '../protocol.js';

/** The receiving end of a channel (an input channel or a writer waiting for credits). */
export interface ChannelEndpoint {
  /** A message for this channel. */
  deliver(msg: DataMessage): void;
}

/** Routes data messages for one slot thread. */
export class Transport {
  private readonly endpoints = new Map<string, ChannelEndpoint>();
  private readonly pending = new Map<string, DataMessage[]>();

  constructor(
    /** This thread's slot index. */
    readonly slotIndex: number,
    private readonly peers: ReadonlyMap<number, MessagePort>,
  ) {
    for (const port of peers.values()) port.on('message', (msg: DataMessage) => this.route(msg));
  }

  /** Registers the endpoint of a channel (`in:` or `out:` prefixed key) and delivers what waited. */
  register(key: string, endpoint: ChannelEndpoint): void {
    this.endpoints.set(key, endpoint);
    const waiting = this.pending.get(key);
    if (waiting) {
      this.pending.delete(key);
      for (const m of waiting) endpoint.deliver(m);
    }
  }

  /** Forgets every channel of a job attempt (prefix `<jobId>/<attempt>/`). */
  release(prefix: string): void {
    for (const k of [...this.endpoints.keys()]) if (k.slice(k.indexOf(':') + 1).startsWith(prefix)) this.endpoints.delete(k);
    for (const k of [...this.pending.keys()]) if (k.slice(k.indexOf(':') + 1).startsWith(prefix)) this.pending.delete(k);
  }

  /** Sends a message to the slot thread that owns the other end of the channel. */
  send(targetSlot: number, msg: DataMessage): void {
    if (targetSlot === this.slotIndex) {
      this.route(msg);
      return;
    }
    const port = this.peers.get(targetSlot);
    if (!port) throw new Error(`No data-plane port to slot ${targetSlot} from slot ${this.slotIndex} (this is a bug in miniflink)`);
    if (msg.t === 'buf') port.postMessage(msg, [msg.bytes.buffer as ArrayBuffer]);
    else port.postMessage(msg);
  }

  private route(msg: DataMessage): void {
    // Buffers, barriers and end-of-input go to the consumer's input channel; credits to the producer's writer.
    const key = msg.t === 'credit' ? `out:${msg.ch}` : `in:${msg.ch}`;
    const ep = this.endpoints.get(key);
    if (ep) ep.deliver(msg);
    else {
      let q = this.pending.get(key);
      if (!q) this.pending.set(key, (q = []));
      q.push(msg);
    }
  }

  /** Closes the ports. */
  close(): void {
    for (const port of this.peers.values()) port.close();
  }
}
