/**
 * The main-thread handle of one slot thread; the worker side is
 * {@link file://./slot-entry.ts}. start() resolves once the thread answered `ready`; stop() asks it
 * to end and waits for it to exit (forcing it after a grace period).
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { serializeError, type SerializedError } from '../../core/errors.js';
import type { FromSlot, ToSlot } from '../protocol.js';

/** Grace period for a slot thread to exit after shutdown. */
const STOP_GRACE_MS = 5000;

/** Callbacks of a slot thread. */
export interface SlotThreadListener {
  /** A message from the thread. */
  onMessage(slot: number, msg: FromSlot): void;
  /** The thread died without being asked to stop. */
  onLost(slot: number, error: SerializedError): void;
}

/** One task slot: one worker thread. */
export class SlotThread {
  private worker: Worker | undefined;
  private stopping = false;
  private exited: Promise<void> | undefined;

  constructor(
    /** Global slot index. */
    readonly index: number,
    /** The TaskManager it belongs to. */
    readonly taskManagerId: string,
    private readonly listener: SlotThreadListener,
  ) {}

  /** Starts the thread and hands it its data-plane ports. */
  start(peers: ReadonlyArray<readonly [number, MessagePort]>): Promise<void> {
    const worker = new Worker(new URL('./slot-entry.js', import.meta.url), { name: `slot-${this.index}` });
    this.worker = worker;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once('error', onError);
      worker.on('message', (msg: FromSlot) => {
        if (msg.type === 'ready') {
          worker.off('error', onError);
          resolve();
        }
        this.listener.onMessage(this.index, msg);
      });
    });
    worker.on('error', (e) => {
      if (!this.stopping) this.listener.onLost(this.index, serializeError(e));
    });
    worker.on('exit', (code) => {
      if (!this.stopping) this.listener.onLost(this.index, { name: 'Error', code: 'MF_ERR_TASK_THREAD_DIED', message: `Slot thread ${this.index} exited unexpectedly with code ${code}` });
    });
    worker.postMessage({ type: 'init', slotIndex: this.index, taskManagerId: this.taskManagerId, peers } satisfies ToSlot, peers.map(([, p]) => p));
    return ready;
  }

  /** Sends a message to the thread. */
  send(msg: ToSlot): void {
    this.worker?.postMessage(msg);
  }

  /** Asks the thread to end; terminates it if it has not exited after the grace period. */
  async stop(): Promise<void> {
    if (!this.worker || this.stopping) return this.exited;
    this.stopping = true;
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => void this.worker?.terminate(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
