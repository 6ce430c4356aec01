/**
 * MiniCluster: one JobManager (this thread) and N TaskManagers of S slots each, every slot a
 * worker thread, all slot threads joined by a mesh of MessagePorts for the data plane.
 *
 *            main thread: Dispatcher -> JobMaster(s)
 *             |  ToSlot / FromSlot (protocol.ts)
 *   TM-0: [slot 0] [slot 1]     TM-1: [slot 2] [slot 3]
 *            \________ data-plane ports, every pair ________/
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { SystemClock, type Clock } from '../core/clock.js';
import { checkArgument } from '../core/errors.js';
import { randomHexId } from '../core/ids.js';
import { ownTempDir, removeTempDir, taskManagerTmpDir } from '../core/temp-dirs.js';
import { Dispatcher } from './jobmanager/dispatcher.js';
import { SlotThread } from './taskmanager/slot-thread.js';
import type { FromSlot } from './protocol.js';
import type { MemoryStats } from './memory-stats.js';

/** MiniCluster settings. */
export interface MiniClusterOptions {
  /** Number of TaskManagers (`local.number-taskmanager`). */
  readonly numTaskManagers: number;
  /** Slots per TaskManager (`taskmanager.numberOfTaskSlots`). */
  readonly slotsPerTaskManager: number;
  /** Clock for timestamps. */
  readonly clock?: Clock;
  /** How long a job waits for slots other jobs hold (slot.request.timeout; default 5 min). */
  readonly slotRequestTimeoutMs?: number;
}

/** A TaskManager: a group of slots with an id. */
export interface TaskManagerInfo {
  /** The TaskManager's id. */
  readonly id: string;
  /** Its slot indexes. */
  readonly slots: readonly number[];
}

/** An in-process Flink cluster. */
export class MiniCluster {
  /** The dispatcher (the door for jobs). */
  readonly dispatcher: Dispatcher;
  /** The TaskManagers. */
  readonly taskManagers: TaskManagerInfo[] = [];
  private readonly slots: SlotThread[] = [];
  private started = false;
  private nextRequest = 0;
  private readonly statsRequests = new Map<number, (s: MemoryStats) => void>();
  private closing: Promise<void> | undefined;

  constructor(readonly options: MiniClusterOptions) {
    checkArgument(Number.isInteger(options.numTaskManagers) && options.numTaskManagers >= 1, `local.number-taskmanager must be a positive integer, got ${options.numTaskManagers}`);
    checkArgument(Number.isInteger(options.slotsPerTaskManager) && options.slotsPerTaskManager >= 1, `taskmanager.numberOfTaskSlots must be a positive integer, got ${options.slotsPerTaskManager}`);
    const clock = options.clock ?? SystemClock;
    this.dispatcher = new Dispatcher({ totalSlots: this.totalSlots, send: (slot, msg) => this.slots[slot]!.send(msg) }, clock, options.slotRequestTimeoutMs);
    const listener = {
      onMessage: (slot: number, msg: FromSlot) => this.onMessage(slot, msg),
      onLost: (slot: number, error: Parameters<Dispatcher['onSlotLost']>[1]) => this.dispatcher.onSlotLost(slot, error),
    };
    let index = 0;
    for (let t = 0; t < options.numTaskManagers; t++) {
      const id = randomHexId();
      const slots: number[] = [];
      for (let s = 0; s < options.slotsPerTaskManager; s++) {
        slots.push(index);
        this.slots.push(new SlotThread(index++, id, listener));
      }
      this.taskManagers.push({ id, slots });
      ownTempDir(taskManagerTmpDir(id));
    }
  }

  /** Total number of slots. */
  get totalSlots(): number {
    return this.options.numTaskManagers * this.options.slotsPerTaskManager;
  }

  /** Starts every slot thread and connects them. */
  async start(): Promise<void> {
    checkArgument(!this.started, 'The MiniCluster was already started');
    this.started = true;
    const n = this.slots.length;
    const peers: [number, MessagePort][][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const { port1, port2 } = new MessageChannel();
        peers[i]!.push([j, port1]);
        peers[j]!.push([i, port2]);
      }
    }
    try {
      await Promise.all(this.slots.map((s, i) => s.start(peers[i]!)));
    } catch (e) {
      await this.close();
      throw e;
    }
  }

  private onMessage(slot: number, msg: FromSlot): void {
    if (msg.type === 'stdio') (msg.stream === 'stdout' ? process.stdout : process.stderr).write(msg.text);
    else if (msg.type === 'memory-stats') this.statsRequests.get(msg.requestId)?.(msg.stats);
    else this.dispatcher.onSlotMessage(slot, msg);
  }

  /** The memory and GC counts of the given slot threads; a thread that does not answer within a second is left out. */
  async memoryStats(slots: readonly number[]): Promise<MemoryStats[]> {
    const answers = slots.map(
      (slot) =>
        new Promise<MemoryStats | undefined>((resolve) => {
          const id = this.nextRequest++;
          const timer = setTimeout(() => {
            this.statsRequests.delete(id);
            resolve(undefined);
          }, 1000);
          this.statsRequests.set(id, (s) => {
            clearTimeout(timer);
            this.statsRequests.delete(id);
            resolve(s);
          });
          this.slots[slot]!.send({ type: 'memory-stats', requestId: id });
        }),
    );
    return (await Promise.all(answers)).filter((s): s is MemoryStats => s !== undefined);
  }

  /** Suspends running jobs and stops every slot thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.dispatcher.close();
      await Promise.all(this.slots.map((s) => s.stop()));
      for (const tm of this.taskManagers) removeTempDir(taskManagerTmpDir(tm.id));
    })();
    return this.closing;
  }
}
