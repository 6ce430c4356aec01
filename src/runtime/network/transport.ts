/**
 * A slot thread's data plane: routes DataMessages between channels. Each peer slot thread has
 * one MessagePort; tasks in this thread are reached through a local loop-back that still carries
 * serialized bytes (as Flink's local channels do), but skips the thread hop; with
 * `pipeline.local-exchange.by-reference` it carries the batches' records themselves (LocalBatch).
 *
 * A message may arrive before the task that owns its channel registered (slot threads deploy at
 * their own pace): it waits in `pending` until the channel is registered, or is dropped when its
 * job attempt is released. A message of a released attempt that arrives later (still in flight
 * from a peer at the release) is dropped at once: its channel will never be registered. A region
 * restart releases only the channels of the region's tasks in an attempt that other regions still
 * run: late messages of those channels are dropped likewise.
 */
import type { MessagePort } from 'node:worker_threads';
import type { DataMessage } from '../protocol.js';

/** The receiving end of a channel (an input channel or a writer waiting for credits). */
export interface ChannelEndpoint {
  /** A message for this channel. */
  deliver(msg: DataMessage): void;
}

/** How many jobs' released attempts a transport remembers (the oldest job is forgotten first). */
const RELEASED_JOBS_REMEMBERED = 1024;

/** The job id and attempt of a channel key `<jobId>/<attempt>/...` (`in:`/`out:` prefix allowed). */
function attemptOf(key: string): { jobId: string; attempt: number } {
  const parts = key.slice(key.indexOf(':') + 1).split('/');
  return { jobId: parts[0]!, attempt: Number(parts[1]) };
}

/** Routes data messages for one slot thread. */
export class Transport {
  private readonly endpoints = new Map<string, ChannelEndpoint>();
  private readonly pending = new Map<string, DataMessage[]>();
  /**
   * Per job, the attempts released here (`set`), and those ended before the newest deployment here
   * (below `below`, except the `live` ones that other regions still ran): their messages are dropped.
   */
  private readonly released = new Map<string, { set: Set<number>; below: number; live: Set<number> }>();
  /** Channels released one by one (a region's, in an attempt other regions still run): their messages are dropped. */
  private readonly releasedChannels = new Set<string>();

  constructor(
    /** This thread's slot index. */
    readonly slotIndex: number,
    private readonly peers: Map<number, MessagePort>,
  ) {
    for (const port of peers.values()) port.on('message', (msg: DataMessage) => this.route(msg));
  }

  /** A peer slot thread was replaced: its new port replaces the old one (closed). */
  replacePeer(slot: number, port: MessagePort): void {
    this.peers.get(slot)?.close();
    this.peers.set(slot, port);
    port.on('message', (msg: DataMessage) => this.route(msg));
  }

  /** Registers the endpoint of a channel (`in:` or `out:` prefixed key) and delivers what waited. */
  register(key: string, endpoint: ChannelEndpoint): void {
    // A job id used again (a resubmitted job): its attempts start over.
    if (this.isReleased(key)) {
      this.released.delete(attemptOf(key).jobId);
      this.releasedChannels.delete(key.slice(key.indexOf(':') + 1));
    }
    this.endpoints.set(key, endpoint);
    const waiting = this.pending.get(key);
    if (waiting) {
      this.pending.delete(key);
      for (const m of waiting) endpoint.deliver(m);
    }
  }

  /**
   * Forgets every channel of a job attempt (prefix `<jobId>/<attempt>/`) and the messages waiting
   * for them; later messages of that attempt (or an earlier one) are dropped as they arrive.
   */
  release(prefix: string): void {
    for (const k of [...this.endpoints.keys()]) if (k.slice(k.indexOf(':') + 1).startsWith(prefix)) this.endpoints.delete(k);
    for (const k of [...this.releasedChannels]) if (k.startsWith(prefix)) this.releasedChannels.delete(k);
    const { jobId, attempt } = attemptOf(prefix);
    const r = this.releasedOf(jobId);
    r.set.add(attempt);
    r.live.delete(attempt);
    this.forgetPending();
  }

  /**
   * Attempt `attempt` of a job deploys here while `live` (other attempts) still run: every earlier
   * attempt not live has ended, so its late messages are dropped (this thread may have missed its
   * release: a replaced thread, or one that never ran it).
   */
  deployed(jobId: string, attempt: number, live: readonly number[]): void {
    const r = this.releasedOf(jobId);
    if (attempt <= r.below) return;
    r.below = attempt;
    r.live = new Set(live.filter((a) => a < attempt && !r.set.has(a)));
    this.forgetPending();
  }

  /** What is released of a job, made most recent (the oldest job is forgotten beyond RELEASED_JOBS_REMEMBERED). */
  private releasedOf(jobId: string): { set: Set<number>; below: number; live: Set<number> } {
    const r = this.released.get(jobId) ?? { set: new Set<number>(), below: 0, live: new Set<number>() };
    this.released.delete(jobId);
    this.released.set(jobId, r);
    if (this.released.size > RELEASED_JOBS_REMEMBERED) this.released.delete(this.released.keys().next().value!);
    return r;
  }

  private forgetPending(): void {
    for (const k of [...this.pending.keys()]) if (this.isReleased(k)) this.pending.delete(k);
  }

  /**
   * Forgets the channels given (keys without `in:`/`out:`: a restarted region's, in an attempt that
   * other regions still run) and the messages waiting for them; later messages of them are dropped.
   */
  releaseChannels(keys: readonly string[]): void {
    for (const k of keys) {
      for (const end of [`in:${k}`, `out:${k}`]) {
        this.endpoints.delete(end);
        this.pending.delete(end);
      }
      this.releasedChannels.add(k);
    }
  }

  /** Whether a channel (key with or without its `in:`/`out:` prefix) belongs to a released attempt, or was released itself. */
  private isReleased(key: string): boolean {
    const bare = key.slice(key.indexOf(':') + 1);
    if (this.releasedChannels.has(bare)) return true;
    const { jobId, attempt } = attemptOf(bare);
    const r = this.released.get(jobId);
    return r !== undefined && (r.set.has(attempt) || (attempt < r.below && !r.live.has(attempt)));
  }

  /** Messages waiting for a channel to be registered (memory diagnostics and tests). */
  get parkedMessages(): number {
    let n = 0;
    for (const q of this.pending.values()) n += q.length;
    return n;
  }

  /** Sends a message to the slot thread that owns the other end of the channel. */
  send(targetSlot: number, msg: DataMessage): void {
    if (targetSlot === this.slotIndex) {
      this.route(msg);
      return;
    }
    if (msg.t === 'lbuf') throw new Error(`A batch by reference cannot go from slot ${this.slotIndex} to slot ${targetSlot} (this is a bug in miniflink)`);
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
    else if (!this.isReleased(msg.ch)) {
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
