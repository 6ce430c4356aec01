/**
 * MiniCluster: one JobManager (this thread) and N TaskManagers of S slots each, every slot a
 * worker thread, all slot threads joined by a mesh of MessagePorts for the data plane.
 *
 *            main thread: Dispatcher -> JobMaster(s)
 *             |  ToSlot / FromSlot (protocol.ts)
 *   TM-0: [slot 0] [slot 1]     TM-1: [slot 2] [slot 3]
 *            \________ data-plane ports, every pair ________/
 */
import { rmSync } from 'node:fs';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { SystemClock, type Clock } from '../core/clock.js';
import { parseDuration } from '../config/index.js';
import { checkArgument, MiniFlinkError, type SerializedError } from '../core/errors.js';
import { randomHexId } from '../core/ids.js';
import { ownTempDir, removeTempDir, slotTmpDir, taskManagerTmpDir } from '../core/temp-dirs.js';
import { Dispatcher, type DispatcherOptions } from './jobmanager/dispatcher.js';
import { SlotThread, type SlotThreadListener } from './taskmanager/slot-thread.js';
import type { FromSlot, ToSlot } from './protocol.js';
import type { MetricDump, MetricStore } from '../metrics/index.js';
import type { MemoryStats } from './memory-stats.js';
import type { ClusterLogs } from './cluster-logs.js';
import { NO_LOGGING, type Logger } from '../core/logging.js';

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
  /** The job store and exception history settings (jobstore.*, web.exception-history-size). */
  readonly dispatcher?: Partial<DispatcherOptions>;
  /** Delay before a lost slot thread is replaced (cluster.taskmanager.restart-delay; default 1 s). */
  readonly taskManagerRestartDelayMs?: number;
  /** How often the JobManager sends heartbeats to slot threads (heartbeat.interval; default 10 s). */
  readonly heartbeatIntervalMs?: number;
  /** A slot thread that has not answered heartbeats for this long hangs, and is replaced (heartbeat.timeout; default 50 s). */
  readonly heartbeatTimeoutMs?: number;
  /** The cluster's log files (none: nothing is logged; slot threads print to this process's stdout). The cluster closes them. */
  readonly logs?: ClusterLogs;
}

/** The heartbeat and replacement settings of a configuration (heartbeat.*, cluster.taskmanager.restart-delay). */
export function faultOptions(conf: Readonly<Record<string, string | undefined>>): Pick<MiniClusterOptions, 'heartbeatIntervalMs' | 'heartbeatTimeoutMs' | 'taskManagerRestartDelayMs'> {
  const ms = (key: string) => (conf[key] !== undefined ? parseDuration(conf[key], key) : undefined);
  return { heartbeatIntervalMs: ms('heartbeat.interval'), heartbeatTimeoutMs: ms('heartbeat.timeout'), taskManagerRestartDelayMs: ms('cluster.taskmanager.restart-delay') };
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
  private readonly dumpRequests = new Map<number, (d: readonly MetricDump[]) => void>();
  private lastMetricFetch = 0;
  private metricFetch: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly listener: SlotThreadListener;
  /** When each slot thread last answered a heartbeat. */
  private readonly lastHeartbeat: number[] = [];
  private heartbeats: NodeJS.Timeout | undefined;
  private nextHeartbeat = 0;
  /** Pending replacements of lost slot threads. */
  private readonly replacements = new Set<NodeJS.Timeout>();
  /** Slot threads lost and replaced so far (for tests and REST). */
  replacedSlotThreads = 0;
  /** The ResourceManager's log lines (TaskManagers and their slot threads). */
  private readonly log: Logger;

  constructor(readonly options: MiniClusterOptions) {
    checkArgument(Number.isInteger(options.numTaskManagers) && options.numTaskManagers >= 1, `local.number-taskmanager must be a positive integer, got ${options.numTaskManagers}`);
    checkArgument(Number.isInteger(options.slotsPerTaskManager) && options.slotsPerTaskManager >= 1, `taskmanager.numberOfTaskSlots must be a positive integer, got ${options.slotsPerTaskManager}`);
    const clock = options.clock ?? SystemClock;
    const loggers = options.logs?.jobManager ?? NO_LOGGING;
    this.log = loggers('org.apache.flink.runtime.resourcemanager.StandaloneResourceManager');
    this.dispatcher = new Dispatcher(
      {
        totalSlots: this.totalSlots,
        send: (slot, msg) => this.slots[slot]!.send(msg),
        isAlive: (slot) => this.slots[slot]!.alive,
        kill: (slot, reason) => this.slots[slot]!.kill(reason),
      },
      clock,
      { slotRequestTimeoutMs: options.slotRequestTimeoutMs, ...options.dispatcher, loggers },
    );
    const listener: SlotThreadListener = {
      onMessage: (slot: number, msg: FromSlot) => this.onMessage(slot, msg),
      onLost: (slot: number, error: SerializedError) => this.onLost(slot, error),
    };
    this.listener = listener;
    let index = 0;
    for (let t = 0; t < options.numTaskManagers; t++) {
      const id = randomHexId();
      const slots: number[] = [];
      for (let s = 0; s < options.slotsPerTaskManager; s++) {
        slots.push(index);
        this.slots.push(new SlotThread(index++, id, listener, options.logs?.options.settings.levels));
      }
      this.taskManagers.push({ id, slots });
      options.logs?.addTaskManager(id);
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
    const started = Date.now();
    for (const tm of this.taskManagers) this.log.info('Registering TaskManager with ResourceID {} and {} slots ({}).', tm.id, tm.slots.length, tm.slots.map((s) => `slot-${s}`).join(', '));
    for (let i = 0; i < n; i++) this.lastHeartbeat[i] = started;
    this.heartbeats = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs ?? 10_000);
    this.heartbeats.unref();
  }

  /** Sends heartbeats; a slot thread that has not answered for heartbeat.timeout hangs: it is terminated (and replaced). */
  private heartbeat(): void {
    const now = Date.now();
    const timeout = this.options.heartbeatTimeoutMs ?? 50_000;
    for (const s of this.slots) {
      if (!s.alive) continue;
      if (now - this.lastHeartbeat[s.index]! > timeout) {
        s.kill(`its heartbeat timed out after ${timeout} ms (heartbeat.timeout): a user function blocked the thread for longer, or it hangs`);
        continue;
      }
      s.send({ type: 'heartbeat', id: this.nextHeartbeat++ });
    }
  }

  /** A slot thread died (exit, error, or terminated): its jobs fail over; the thread is replaced after the restart delay. */
  private onLost(slot: number, error: SerializedError): void {
    if (!this.closing) this.log.warn('Slot thread {} of TaskManager {} is lost: {}. It is replaced after {} ms (cluster.taskmanager.restart-delay).', slot, this.slots[slot]!.taskManagerId, error.message, this.options.taskManagerRestartDelayMs ?? 1000);
    this.dispatcher.onSlotLost(slot, error);
    // What the dead thread kept on disk (its LevelDB state) goes with it.
    rmSync(slotTmpDir(this.slots[slot]!.taskManagerId, slot), { recursive: true, force: true });
    if (this.closing) return;
    const timer = setTimeout(() => {
      this.replacements.delete(timer);
      void this.replaceSlot(slot);
    }, this.options.taskManagerRestartDelayMs ?? 1000);
    this.replacements.add(timer);
  }

  /** Starts a new thread for a lost slot, joined to every live slot thread's data plane. */
  private async replaceSlot(index: number): Promise<void> {
    if (this.closing) return;
    const old = this.slots[index]!;
    const fresh = new SlotThread(index, old.taskManagerId, this.listener, this.options.logs?.options.settings.levels);
    this.slots[index] = fresh;
    const peers: [number, MessagePort][] = [];
    // Every other thread that runs or is starting (another replacement of a TaskManager killed as a whole).
    for (const other of this.slots) {
      if (other.index === index || !other.connectable) continue;
      const { port1, port2 } = new MessageChannel();
      other.send({ type: 'peer', slot: index, port: port2 }, [port2]);
      peers.push([other.index, port1]);
    }
    try {
      await fresh.start(peers);
    } catch {
      // It died while starting: its exit reports it lost, which schedules another replacement.
      return;
    }
    if (this.closing) return;
    this.lastHeartbeat[index] = Date.now();
    this.replacedSlotThreads++;
    this.log.info('Slot thread {} of TaskManager {} was replaced and registered again.', index, fresh.taskManagerId);
    this.dispatcher.onSlotRestored(index);
  }

  /** Terminates every slot thread of a TaskManager (fault injection: a TaskManager lost); each is replaced after the restart delay. */
  killTaskManager(taskManagerId: string, reason: string): void {
    const tm = this.taskManagers.find((t) => t.id === taskManagerId);
    if (!tm) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `TaskManager ${taskManagerId} not found`);
    this.log.warn('Killing TaskManager {}: {}', taskManagerId, reason);
    for (const slot of tm.slots) this.slots[slot]!.kill(reason);
  }

  private onMessage(slot: number, msg: FromSlot): void {
    if (msg.type === 'heartbeat') {
      this.lastHeartbeat[slot] = Date.now();
      return;
    }
    if (msg.type === 'stdio') {
      const thread = this.slots[slot]!;
      const written = () => thread.stdioWritten(msg.text.length);
      if (this.options.logs) this.options.logs.taskManagerStdout(thread.taskManagerId, msg.stream, msg.text, written);
      else (msg.stream === 'stdout' ? process.stdout : process.stderr).write(msg.text, written);
    } else if (msg.type === 'log') this.options.logs?.taskManagerLog(this.slots[slot]!.taskManagerId, msg.lines);
    else if (msg.type === 'memory-stats') this.statsRequests.get(msg.requestId)?.(msg.stats);
    else if (msg.type === 'metric-dump') this.dumpRequests.get(msg.requestId)?.(msg.dumps);
    else this.dispatcher.onSlotMessage(slot, msg);
  }

  /** The memory and GC counts of the given slot threads; a thread that does not answer within a second is left out. */
  async memoryStats(slots: readonly number[], options: { collectGarbage?: boolean } = {}): Promise<MemoryStats[]> {
    return this.ask(slots, this.statsRequests, (requestId) => ({ type: 'memory-stats', requestId, collectGarbage: options.collectGarbage === true }));
  }

  /** The current metric values of every task of the given slot threads; a thread that does not answer within a second is left out. */
  async metricDumps(slots: readonly number[]): Promise<MetricDump[]> {
    return (await this.ask(slots, this.dumpRequests, (requestId) => ({ type: 'metric-dump', requestId }))).flat();
  }

  /**
   * The cluster's metric store, first brought up to date from every live slot thread unless it was
   * updated less than `maxAgeMs` ago (Flink's MetricFetcher with metrics.fetcher.update-interval).
   * Concurrent callers share one fetch.
   */
  async fetchMetrics(maxAgeMs: number): Promise<MetricStore> {
    if (Date.now() - this.lastMetricFetch >= maxAgeMs) {
      this.metricFetch ??= (async () => {
        try {
          const slots = this.slots.filter((s) => s.alive).map((s) => s.index);
          this.dispatcher.metrics.add(await this.metricDumps(slots));
          this.lastMetricFetch = Date.now();
        } finally {
          this.metricFetch = undefined;
        }
      })();
      await this.metricFetch;
    }
    return this.dispatcher.metrics;
  }

  /** Sends a request to each slot thread and collects the answers that come within a second. */
  private async ask<T>(slots: readonly number[], pending: Map<number, (answer: T) => void>, request: (requestId: number) => ToSlot): Promise<T[]> {
    const answers = slots.map(
      (slot) =>
        new Promise<T | undefined>((resolve) => {
          const id = this.nextRequest++;
          const timer = setTimeout(() => {
            pending.delete(id);
            resolve(undefined);
          }, 1000);
          pending.set(id, (answer) => {
            clearTimeout(timer);
            pending.delete(id);
            resolve(answer);
          });
          this.slots[slot]!.send(request(id));
        }),
    );
    return (await Promise.all(answers)).filter((a): a is Awaited<T> => a !== undefined) as T[];
  }

  /** Suspends running jobs and stops every slot thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.heartbeats) clearInterval(this.heartbeats);
      for (const t of this.replacements) clearTimeout(t);
      this.replacements.clear();
      this.dispatcher.close();
      await Promise.all(this.slots.map((s) => s.stop()));
      for (const tm of this.taskManagers) removeTempDir(taskManagerTmpDir(tm.id));
      this.log.info('The cluster is shut down.');
      this.options.logs?.close();
    })();
    return this.closing;
  }
}
