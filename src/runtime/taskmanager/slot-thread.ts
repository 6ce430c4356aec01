/**
 * The main-thread handle of one slot thread; the worker side is
 * {@link file://./slot-entry.ts}. start() resolves once the thread answered `ready`; stop() asks it
 * to end and waits for it to exit (forcing it after a grace period).
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { serializeError, type SerializedError } from '../../core/errors.js';
import type { FromSlot, ToSlot } from '../protocol.js';
import type { LogLevels } from '../../core/logging.js';
import { guardWorker, newNativeGuard, terminateGuarded } from '../../core/native-guard.js';

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
  /** Why the thread is being terminated (a hang, a cancellation timeout, an injected fault). */
  private killedFor: string | undefined;
  /** Counters shared with the thread so that it is terminated only when LevelDB does no work for it (core/native-guard.ts). */
  private readonly guard = newNativeGuard();
  /** Characters of stdio the thread posted that this thread has not written yet (shared with it: it waits beyond a limit). */
  private readonly stdioPending = new Int32Array(new SharedArrayBuffer(4));
  /** Whether the thread has started and not exited. */
  alive = false;
  private lost = false;

  constructor(
    /** Global slot index. */
    readonly index: number,
    /** The TaskManager it belongs to. */
    readonly taskManagerId: string,
    private readonly listener: SlotThreadListener,
    /** The cluster's log levels (none: the cluster keeps no logs). */
    private readonly logLevels?: LogLevels,
  ) {}

  /** `n` characters of the thread's stdio were written: a thread waiting for the JobManager may go on. */
  stdioWritten(n: number): void {
    Atomics.sub(this.stdioPending, 0, n);
    Atomics.notify(this.stdioPending, 0);
  }

  /** Starts the thread and hands it its data-plane ports. */
  start(peers: ReadonlyArray<readonly [number, MessagePort]>): Promise<void> {
    const worker = new Worker(new URL('./slot-entry.js', import.meta.url), { name: `slot-${this.index}` });
    this.worker = worker;
    guardWorker(worker, this.guard);
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    const ready = new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      // A thread that ends before it is ready (killed while starting) does not leave start() waiting.
      const onExit = (code: number) => reject(new Error(`Slot thread ${this.index} exited with code ${code} before it was ready`));
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.on('message', (msg: FromSlot) => {
        if (msg.type === 'ready') {
          worker.off('error', onError);
          worker.off('exit', onExit);
          resolve();
        }
        // A thread being killed says nothing more to the JobManager (it runs on only until LevelDB's
        // work for it is done); what it printed or logged until then still goes out.
        if (this.killedFor === undefined || msg.type === 'stdio' || msg.type === 'log') this.listener.onMessage(this.index, msg);
      });
    });
    // A thread is lost once: an 'error' event is followed by 'exit'.
    const lost = (error: SerializedError) => {
      if (this.stopping || this.lost) return;
      this.lost = true;
      this.alive = false;
      this.listener.onLost(this.index, error);
    };
    // What the JobManager's exception history shows: the slot, its TaskManager and the cause.
    const where = `Slot thread ${this.index} of TaskManager ${this.taskManagerId}`;
    worker.on('error', (e) => {
      const cause = serializeError(e);
      lost({ name: 'Error', code: 'MF_ERR_TASK_THREAD_DIED', message: `${where} died: ${cause.name}: ${cause.message}`, cause });
    });
    worker.on('exit', (code) => {
      lost({
        name: 'Error',
        code: 'MF_ERR_TASK_THREAD_DIED',
        message: this.killedFor !== undefined ? `${where} was terminated: ${this.killedFor}` : `${where} exited unexpectedly with code ${code}`,
      });
      this.alive = false;
    });
    worker.postMessage({ type: 'init', slotIndex: this.index, taskManagerId: this.taskManagerId, peers, logLevels: this.logLevels, stdioPending: this.stdioPending.buffer as SharedArrayBuffer, nativeGuard: this.guard.buffer as SharedArrayBuffer } satisfies ToSlot, peers.map(([, p]) => p));
    return ready.then(() => {
      this.alive = !this.lost;
    });
  }

  /** Whether the thread was started and has neither been lost nor asked to stop (it may still be starting). */
  get connectable(): boolean {
    return this.worker !== undefined && !this.lost && !this.stopping;
  }

  /** Terminates the thread at once (a hang, a task that does not cancel, an injected fault); the listener hears it as lost, with this reason. */
  kill(reason: string): void {
    if (!this.worker || this.stopping || this.lost || this.killedFor !== undefined) return;
    this.killedFor = reason;
    void terminateGuarded(this.worker, this.guard);
  }

  /** Sends a message to the thread (dropped once it is lost). */
  send(msg: ToSlot, transfer?: MessagePort[]): void {
    if (this.lost) return;
    this.worker?.postMessage(msg, transfer ?? []);
  }

  /** Asks the thread to end; terminates it if it has not exited after the grace period. */
  async stop(): Promise<void> {
    if (!this.worker || this.stopping) return this.exited;
    this.stopping = true;
    this.send({ type: 'shutdown' });
    const worker = this.worker;
    const timer = setTimeout(() => void terminateGuarded(worker, this.guard), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
