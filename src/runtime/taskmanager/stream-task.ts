/**
 * One running subtask: restores and opens its chain, feeds it (a source's run(), or buffers from
 * the input gate), takes its part in checkpoints, ends it, and reports its state.
 * Single-threaded like Flink's mailbox: everything a task does runs on its slot thread's event
 * loop, and it yields between buffers so that other tasks, credits, triggers and cancellation get
 * their turn.
 *
 *   INITIALIZING -> RUNNING -> (input ended -> final checkpoint completes) -> FINISHED
 *                           -> CANCELED | FAILED
 *
 * Checkpoints: a source is triggered by the JobManager; other tasks see barriers in their input.
 * With EXACTLY_ONCE a channel that delivered barrier n is blocked until n arrived on every
 * channel that has not ended (alignment); then the task snapshots every operator (synchronous
 * part), sends barrier n on, and writes the snapshot (asynchronous part) before it acknowledges.
 *
 * Unaligned checkpoints (execution.checkpointing.unaligned.enabled): barriers take the priority
 * path, overtaking queued buffers in the input gate and the record writers. At the first barrier
 * the task snapshots at once and sends its barriers on ahead of its output queues; its in-flight
 * data is what the barriers overtook: the input buffers queued before each barrier, and those
 * processed from a channel after the snapshot and before that channel's barrier (input channel
 * state), and the output buffers queued when the barriers left (output channel state). The
 * snapshot is written once every channel's barrier came. With an aligned checkpoint timeout a
 * checkpoint starts aligned and switches once the timeout (from the checkpoint's trigger) passed.
 * A restore replays the output buffers first on their channels and processes the input buffers
 * before any live input.
 */
import type { Accumulator } from '../../api/index.js';
import { InjectedFailure, MiniFlinkError, serializeError, type SerializedError } from '../../core/errors.js';
import type { StateHandle } from '../../checkpoint/metadata.js';
import type { CheckpointFaultKind, ReportedState, RestoreSpec, TaskCheckpointing } from '../protocol.js';
import { SourceOperator } from '../operators/source-operator.js';
import type { OperatorSnapshotRef } from '../operators/stream-operator.js';
import { buildOperatorChain, channelKeysOf, type ChainSpec, type OperatorChain } from './operator-chain.js';
import type { TaskMetrics } from './task-metrics.js';
import { inFlightSize, localCopyFor, restoreFor, restoreFromCopy, storeSnapshot, type LocalBackup } from './task-state-io.js';
import type { InputGate, Polled, ReceivedBuffer } from '../network/input-gate.js';
import { LocalBatch } from '../network/local-batch.js';
import type { BarrierMode, OvertakenBuffers } from '../network/record-writer.js';
import type { ChannelStateData, InFlightBuffer } from '../../state/index.js';
import type { LocalStateStore } from '../../checkpoint/local-recovery.js';
import { join } from 'node:path';
import { NO_LOGGING } from '../../core/logging.js';
import { StatusWatermarkValve, TwoInputWatermarkValve, type InputWatermarks } from './watermark-valve.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../core/watermarks.js';

/** Buffers processed before a task yields to the event loop. */
const BUFFERS_PER_TURN = 4;
/**
 * Longest a task works through one buffer without letting the thread handle anything else: slow
 * user functions on a full buffer (thousands of small records) would otherwise keep heartbeats,
 * metric requests, cancels and processing-time timers waiting for seconds. Checked every
 * RECORDS_PER_CLOCK_CHECK records (Flink's mailbox runs mails between any two records).
 */
const MAX_TURN_MS = 50;
const RECORDS_PER_CLOCK_CHECK = 16;

/** How a task reports to the JobManager. */
export interface TaskReporter {
  state(state: ReportedState, extra?: { error?: SerializedError; accumulators?: Record<string, unknown> }): void;
  ack(checkpointId: number, handles: StateHandle[], syncMs: number, asyncMs: number, alignmentMs: number, startDelayMs: number, data: CheckpointDataStats): void;
  /** `counts`: whether the decline counts toward the tolerable failures (not for a closing task). */
  decline(checkpointId: number, error: SerializedError, counts: boolean): void;
  inputEnded(): void;
  /** The subtask restored its state: operators from the local copy, from checkpoint storage. */
  restored?(checkpointId: number, local: number, remote: number, durationMs: number): void;
}

/** What a subtask's checkpoint processed and persisted of its in-flight data (Flink's processed_data, persisted_data). */
export interface CheckpointDataStats {
  /** Bytes of input processed from the checkpoint's first barrier here until the last. */
  readonly processedBytes: number;
  /** Bytes of in-flight data stored with the checkpoint (unaligned). */
  readonly persistedBytes: number;
  /** Whether the subtask's checkpoint was unaligned (its barriers overtook buffers, or it did not align). */
  readonly unaligned: boolean;
}

/** An unaligned checkpoint at a task, until every channel's barrier came. */
interface UnalignedProgress {
  readonly id: number;
  readonly start: number;
  /** Channels whose barrier came (or that were aligned before a switch). */
  readonly seen: Set<number>;
  /** In-flight input by channel tail, in order. */
  readonly input: Map<string, { inputIndex: number; buffers: InFlightBuffer[] }>;
  persisted: number;
  /** Given up (a newer checkpoint, an abort, the task's end): its snapshot is not written. */
  abandoned: boolean;
  readonly complete: () => void;
  readonly done: Promise<void>;
}

/** A checkpoint's in-flight data at this task, once complete. */
interface InFlight {
  readonly abandoned: boolean;
  readonly channels: ChannelStateData | undefined;
  readonly unaligned: boolean;
  readonly processedBytes: number;
}

/** A task's full specification. */
export interface TaskSpec extends Omit<ChainSpec, 'track' | 'mailbox'> {
  readonly checkpointing: TaskCheckpointing;
  readonly restore: RestoreSpec | undefined;
  /** Local recovery: the slot thread's local copies, and where its LevelDB copies go. */
  readonly localState?: { readonly store: LocalStateStore; readonly root: string };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A running subtask. */
export class StreamTask {
  private chain: OperatorChain | undefined;
  private canceled = false;
  private pendingWork: Promise<void>[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private running = false;
  private inputEnded = false;
  /** The highest checkpoint this task snapshotted. */
  private lastCheckpoint = 0;
  /** The checkpoints this task snapshotted lately (the last 16). */
  private readonly taken: number[] = [];
  /** Checkpoints aborted before this task took them: their late barriers are dropped. */
  private readonly abortedCheckpoints = new Set<number>();
  /** The input's watermark valve (tasks with input channels). */
  private valve: InputWatermarks | undefined;
  private finalDone: (() => void) | undefined;
  /** The checkpoint being aligned (`timer`: its switch to unaligned, with an aligned checkpoint timeout). */
  private aligning: { id: number; ts: number; dir: string | undefined; seen: Set<number>; start: number; savepoint: boolean; timer?: NodeJS.Timeout } | undefined;
  /** An unaligned checkpoint whose barriers have not all come: the channels done, and the input channel state so far. */
  private unaligned: UnalignedProgress | undefined;
  /** The aligned checkpoint whose timeout passed: the task loop switches it to unaligned at its next turn. */
  private switchRequested: number | undefined;
  /** Aligned barriers that arrived (not yet polled, maybe), each with the timer of its switch to unaligned. */
  private readonly announced = new Map<number, { ts: number; dir: string | undefined; timer: NodeJS.Timeout }>();
  /** Bytes of input processed since the current checkpoint's first barrier here (Flink's processed_data). */
  private processedDuringAlignment = 0;
  /** A restored unaligned checkpoint's input channel state: processed before any live input. */
  private replayInput: Array<{ readonly tail: string; readonly inputIndex: number; readonly buffers: readonly InFlightBuffer[] }> | undefined;
  /** While the restored in-flight input is processed: the next buffer not processed yet (entry, buffer). */
  private replayNext: { entry: number; buffer: number } | undefined;
  /** Asynchronous checkpoint parts in progress: state storage is disposed only after them. */
  private readonly asyncParts = new Set<Promise<void>>();
  /** Set once the task starts closing: later triggers are declined without counting. */
  private closing = false;
  /** Set when the task ends after a stop's savepoint: it reports FINISHED, not CANCELED. */
  private stoppedWithSavepoint = false;
  /** The first error raised outside the task's main loop (a timer, a flush, an async invoke): the task fails with it. */
  private failure: { error: unknown } | undefined;
  /** Set while a checkpoint's synchronous part runs: timers wait until it is done. */
  private snapshotting: Promise<void> | undefined;
  /** Injected checkpoint faults still to happen (fault injection). */
  private checkpointFaults: { kind: CheckpointFaultKind; remaining: number } | undefined;

  /** The subtask's metrics (none with `metrics.enabled: false`). */
  get metrics(): TaskMetrics | undefined {
    return this.spec.metrics;
  }

  constructor(
    private readonly spec: TaskSpec,
    private readonly report: TaskReporter,
  ) {}

  /**
   * Restores each operator's state: from the slot thread's local copy when local recovery may and
   * one serves (checkpoint/local-recovery.ts), else from checkpoint storage. Reports where it came from (a
   * metric, a log line, and the JobManager's restore statistics).
   */
  private async initializeState(chain: OperatorChain): Promise<void> {
    const { vertex, subtaskIndex, restore, localState, jobId } = this.spec;
    const t0 = performance.now();
    const fromLocal = restore !== undefined && localState !== undefined && this.spec.checkpointing.localRecovery?.fromLocal === true;
    let local = 0;
    let remote = 0;
    const fallbacks: string[] = [];
    for (let i = 0; i < chain.operators.length; i++) {
      const id = vertex.operators[i]!.operatorId;
      const found = fromLocal ? localCopyFor(localState.store, jobId, restore, id, subtaskIndex, vertex.parallelism, vertex.maxParallelism, this.spec.stateBackend) : {};
      if (found.reason !== undefined) fallbacks.push(`${vertex.operators[i]!.name}: ${found.reason}`);
      const what = found.copy ? restoreFromCopy(found.copy, subtaskIndex, vertex.parallelism) : restoreFor(restore, id, subtaskIndex, vertex.parallelism, vertex.maxParallelism);
      // Restored from storage: any state read for it (after a rescale, from other old subtasks' handles too).
      if (found.copy) local++;
      else if (what !== undefined && (what.keyed.length > 0 || what.operator.some((o) => o !== undefined) || what.channels !== undefined)) remote++;
      if (i === 0 && what?.channels) this.restoreInFlight(chain, restore!, what.channels);
      try {
        await chain.operators[i]!.initializeState(what, subtaskIndex, vertex.parallelism);
      } catch (e) {
        // A local copy that cannot be restored goes: the restart reads checkpoint storage.
        if (found.copy) localState!.store.discard(found.copy);
        throw e;
      }
    }
    if (!restore) return;
    const durationMs = performance.now() - t0;
    const source = local > 0 && remote > 0 ? 'mixed' : local > 0 ? 'local' : remote > 0 ? 'remote' : 'none';
    if (this.spec.metrics) {
      this.spec.metrics.restoreSource = source;
      this.spec.metrics.restoreDurationMs = Math.round(durationMs);
    }
    const log = (this.spec.loggers ?? NO_LOGGING)('org.apache.flink.streaming.runtime.tasks.StreamTask');
    const name = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})#${this.spec.attempt}`;
    const why = fallbacks.length > 0 ? ` (no local copy: ${fallbacks.join('; ')})` : '';
    if (local > 0) log.info('{} - restored {} operator(s) of {} {} from the local copy in its slot{} in {} ms{}.', name, local, restore.kind ?? 'checkpoint', restore.checkpointId, remote > 0 ? ` and ${remote} from checkpoint storage` : '', Math.round(durationMs), why);
    else if (remote > 0) log.info('{} - restored {} operator(s) of {} {} from checkpoint storage in {} ms{}.', name, remote, restore.kind ?? 'checkpoint', restore.checkpointId, Math.round(durationMs), why);
    this.report.restored?.(restore.checkpointId, local, remote, durationMs);
  }

  /**
   * A restored unaligned checkpoint's in-flight data: the output buffers go first on their
   * channels, the input buffers are processed before any live input. Its channels are those of the
   * same parallelism only: at another one the restore fails (Flink 1.13+ would re-route the records).
   */
  private restoreInFlight(chain: OperatorChain, restore: RestoreSpec, channels: ChannelStateData): void {
    const { job } = this.spec;
    const changed = job.vertices.flatMap((v) => v.operators.filter((o) => restore.parallelism?.[o.operatorId] !== undefined && restore.parallelism[o.operatorId] !== v.parallelism).map((o) => `${o.name} (${restore.parallelism![o.operatorId]} -> ${v.parallelism})`));
    if (changed.length > 0) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Cannot restore ${restore.kind ?? 'checkpoint'} ${restore.checkpointId}: it holds in-flight data of an unaligned checkpoint, which miniflink restores only at the parallelism it was taken at, and the parallelism changed: ${changed.join(', ')}. Restore it at the same parallelism, or take a savepoint (always aligned) to rescale.`,
      );
    }
    const moved = (channels.edges ?? []).filter(([e, source, target]) => job.edges[e]?.sourceVertex !== source || job.edges[e]?.targetVertex !== target);
    if (moved.length > 0) {
      throw new MiniFlinkError(
        'MF_ERR_RESTORE_FAILED',
        `Cannot restore ${restore.kind ?? 'checkpoint'} ${restore.checkpointId}: it holds in-flight data of an unaligned checkpoint on exchanges the job no longer has as they were (${moved.map(([e, s, t]) => `edge ${e}: ${s} -> ${t}`).join(', ')}): the job's topology changed. Restore it into the same job, or take a savepoint (always aligned) to change the job.`,
      );
    }
    const output = new Map(channels.output.map(([ch, buffers]) => [ch, buffers.map(([bytes, timestamps]) => ({ bytes, timestamps }))] as const));
    if (output.size > 0) for (const w of chain.writers) w.replay(output);
    if (channels.input.length > 0) this.replayInput = channels.input.map(([tail, inputIndex, buffers]) => ({ tail, inputIndex, buffers }));
  }

  /** The keys of the task's channels (in and out), whether or not it built them yet. */
  channelKeys(): string[] {
    const { job, vertex, jobId, attempt, subtaskIndex } = this.spec;
    return channelKeysOf(job, vertex, jobId, attempt, subtaskIndex);
  }

  /** Runs the task to its end; never rejects (failures are reported). */
  async run(): Promise<void> {
    this.report.state('INITIALIZING');
    let opened: OperatorChain['operators'] = [];
    try {
      const chain = buildOperatorChain({
        ...this.spec,
        track: (w) => {
          this.pendingWork.push(w);
          w.catch((e: unknown) => this.fail(e));
        },
        mailbox: (action) => this.mailbox(action),
      });
      this.chain = chain;
      await this.initializeState(chain);
      this.lastCheckpoint = this.spec.restore?.checkpointId ?? 0;
      // Open tail first, as Flink does, so an operator never emits into an unopened one.
      for (const op of [...chain.operators].reverse()) {
        await op.open();
        opened = [op, ...opened];
      }
      if (this.canceled) throw new CanceledSignal();
      this.running = true;
      this.report.state('RUNNING');
      this.startFlushTimer();
      if (chain.head instanceof SourceOperator) {
        const writers = chain.writers;
        await chain.head.run({
          isAvailable: () => writers.every((w) => w.isAvailable()),
          whenAvailable: () => this.whenWritersAvailable(writers),
          isCanceled: () => this.canceled,
          // A notification pauses the source while it runs (records are held), so a record waits
          // only for an async call in flight, and then for the notifications queued by then too
          // (else a record per call could keep them from starting). Waiting for every queued
          // notification after every record let one record through per notification.
          pendingWork: () => (this.pendingWork.length > 0 && this.snapshotWork().length > 0 ? this.awaitTurn() : undefined),
        });
      } else {
        await this.consumeInput(chain);
      }
      if (this.canceled) throw new CanceledSignal();
      // After each wait, checked in this frame: a notification may start between awaitTurn()'s end
      // and this code going on (see awaitTurn).
      do await this.awaitTurn();
      while (this.runningNotify);
      // The end of a bounded input (or a drain) is the final watermark: every event-time timer and
      // window fires (a source emits it; a task whose channels ended without it does too).
      if ((this.valve?.watermark ?? MIN_WATERMARK) < MAX_WATERMARK) chain.head.processWatermark(MAX_WATERMARK);
      do await this.awaitTurn();
      while (this.runningNotify);
      // An async finish() is work a notification or a snapshot waits for (Flink runs it in the mailbox).
      for (const op of chain.operators) {
        const ended = op.endInput();
        if (ended instanceof Promise) {
          this.pendingWork.push(ended);
          await ended;
          this.forgetWork([ended]);
        }
      }
      for (const w of chain.writers) w.finish();
      await this.whenOutputFinished(chain);
      this.stopFlushTimer();
      if (this.canceled) throw new CanceledSignal();
      this.inputEnded = true;
      if (this.spec.checkpointing.enabled) {
        // Wait for the job's final checkpoint (taken once every task's input ended) to complete,
        // so that two-phase-commit sinks commit everything and no task finishes before the job's
        // state is complete (a restart then restores every task).
        const done = new Promise<void>((resolve) => (this.finalDone = resolve));
        this.report.inputEnded();
        await done;
        if (this.canceled) throw new CanceledSignal();
      }
      this.closing = true;
      // No notification starts now; one running ends before close() (Flink's mailbox runs close after it).
      while (this.runningNotify) await this.runningNotify;
      this.forgetAnnounced();
      // Each operator is closed once: a close() that throws is not called again by the catch below.
      const toClose = opened;
      opened = [];
      await closeAll(toClose);
      await Promise.allSettled([...this.asyncParts]);
      await disposeAll(chain.operators);
      this.report.state('FINISHED', { accumulators: localValues(chain.accumulators) });
    } catch (e) {
      this.stopFlushTimer();
      this.abandonUnaligned();
      this.forgetAnnounced();
      for (const w of this.chain?.writers ?? []) w.cancel();
      // A stop's savepoint: the notifications that came before the stop (the savepoint's own among
      // them) run to their end before close(), as Flink's synchronous savepoint has them.
      if (this.stoppedWithSavepoint && this.failure === undefined) await this.notifying;
      this.closing = true;
      // A cancel or a failure during a notification: close() after its user code returned, not beside it.
      while (this.runningNotify) await this.runningNotify;
      // A stopped task ends as a finished one: its close() failing fails it (Flink then fails the stop).
      let closeFailure: { error: unknown } | undefined;
      await closeAll(opened).catch((c: unknown) => (closeFailure = { error: c }));
      await Promise.allSettled([...this.asyncParts]);
      if (this.chain) await disposeAll(this.chain.operators).catch(() => {});
      const stopped = (e instanceof CanceledSignal || this.canceled) && this.stoppedWithSavepoint;
      if (this.failure !== undefined) this.report.state('FAILED', { error: serializeError(this.failure.error) });
      else if (stopped && closeFailure) this.report.state('FAILED', { error: serializeError(closeFailure.error) });
      else if (stopped) this.report.state('FINISHED', { accumulators: this.chain ? localValues(this.chain.accumulators) : {} });
      else if (e instanceof CanceledSignal || this.canceled) this.report.state('CANCELED');
      else this.report.state('FAILED', { error: serializeError(e) });
    }
  }

  /**
   * Waits until the writers sent everything they hold (the input ended). With unaligned
   * checkpoints a task with input meanwhile takes the barriers that its ended producers still send
   * (they come after the end of their data): its own backlog of output goes into such a checkpoint
   * as in-flight data instead of delaying it (Flink's end of data before the end of partition).
   */
  private async whenOutputFinished(chain: OperatorChain): Promise<void> {
    const finished = Promise.all(chain.writers.map((w) => w.whenFinished()));
    const gate = chain.gate;
    if (!gate || this.unalignedTimeout(false) === undefined) {
      await finished;
      if (gate) gate.closed = true;
      return;
    }
    let done = false;
    void finished.then(() => {
      done = true;
      gate.wake();
    });
    while (!done && !this.canceled) {
      if (this.needsAttention(gate)) await this.attend(chain);
      // Every channel ended and was consumed: what comes now are barriers only (in band with an aligned checkpoint timeout).
      let item: Polled | undefined;
      while (!this.canceled && (item = gate.poll()) !== undefined) {
        if (item.kind === 'barrier') await this.onBarrier(chain, item);
        else if (item.kind === 'buffer') item.release();
      }
      if (!done && !this.canceled) await gate.whenData();
    }
    await finished;
    gate.closed = true;
  }

  private async consumeInput(chain: OperatorChain): Promise<void> {
    const gate = chain.gate!;
    const head = chain.head;
    const gauge = this.spec.watermarks;
    const valveOutput = {
      emitWatermark: (wm: number) => {
        gauge?.setInputWatermark(wm); // Flink's currentInputWatermark gauge (REST .../watermarks)
        if (metrics) metrics.operators[0]!.inputWatermark = wm;
        head.processWatermark(wm);
      },
      emitWatermarkStatus: (idle: boolean) => head.processWatermarkStatus(idle),
    };
    // A two-input operator: a valve per input, then the minimum over the active inputs (Flink's CombinedWatermarkStatus).
    const inputOf = Array.from({ length: gate.size }, (_, c) => gate.inputIndexOf(c));
    const valve: InputWatermarks = inputOf.includes(1) ? new TwoInputWatermarkValve(inputOf, valveOutput) : new StatusWatermarkValve(gate.size, valveOutput);
    this.valve = valve;
    const metrics = this.spec.metrics;
    const timeoutMs = this.unalignedTimeout(false);
    if (timeoutMs !== undefined && timeoutMs > 0) gate.onAnnounce = (id, ts, dir) => this.announce(gate, id, ts, dir, timeoutMs);
    if (timeoutMs !== undefined) {
      // A producer that ended sends no barrier: what it left queued is in-flight data of an unaligned checkpoint in progress.
      gate.onEnded = () => {
        if (!this.unaligned) return;
        this.promoteRequested = true;
        gate.notifyPriority();
      };
    }
    let turn = 0;
    this.turnStart = performance.now();
    // The restored in-flight input first; a checkpoint may start meanwhile (what is not processed yet is its in-flight data).
    const replay = this.replayInput ?? [];
    for (let e = 0; e < replay.length; e++) {
      const { tail, inputIndex, buffers } = replay[e]!;
      for (let b = 0; b < buffers.length; b++) {
        this.replayNext = { entry: e, buffer: b };
        if (this.needsAttention(gate)) await this.attend(chain);
        if (this.canceled) return;
        this.replayNext = { entry: e, buffer: b + 1 };
        const [bytes, timestamps] = buffers[b]!;
        await this.processBuffer(chain, { bytes, timestamps }, inputIndex, { tail });
        if (this.canceled) return;
      }
    }
    this.replayInput = undefined;
    this.replayNext = undefined;
    // Whether the task waited for its turn since it last took an item (see below).
    let waited = false;
    for (;;) {
      if (this.canceled) return;
      // A switch to unaligned, and unaligned barriers, go first, even while the output is backpressured.
      if (this.needsAttention(gate)) {
        await this.attend(chain);
        continue;
      }
      if (!chain.writers.every((w) => w.isAvailable())) {
        await this.whenWritersAvailable(chain.writers, gate);
        continue;
      }
      if (this.canceled) return;
      // An async call or a notification's user code still running: no record or watermark before it
      // ends. Notifications queued but not started are waited for once, then the task takes an item
      // (Flink's mailbox: the mails there, then a step of the default action): else, with
      // notifications back to back (unaligned barriers taken in between), no record went through.
      if (this.runningNotify || (this.pendingWork.length > 0 && (!waited || this.snapshotWork().length > 0))) {
        await this.awaitTurn();
        waited = true;
        continue;
      }
      waited = false;
      const item = gate.poll();
      if (!item) {
        if (this.aligning) await this.checkAlignment(chain);
        if (this.unaligned) this.checkUnaligned(gate);
        if (gate.isFinished() || this.canceled) return;
        metrics?.idle.markStart();
        await gate.whenData();
        metrics?.idle.markEnd();
        continue;
      }
      if (item.kind === 'barrier') {
        await this.onBarrier(chain, item);
        continue;
      }
      if (item.kind === 'watermark') {
        valve.inputWatermark(item.watermark, item.channel);
        if (this.pendingWork.length > 0) await this.awaitTurn();
        continue;
      }
      if (item.kind === 'status') {
        valve.inputWatermarkStatus(item.idle, item.channel);
        continue;
      }
      // (A batch from this thread, taken by reference, is packed for these two only.)
      if (this.aligning || this.unaligned) this.processedDuringAlignment += item.buffer.bytes.byteLength;
      // Processed after an unaligned snapshot, before this channel's barrier: in-flight data of the checkpoint.
      if (this.unaligned && !this.unaligned.seen.has(item.channel)) this.recordInFlight(gate, item.channel, item.buffer);
      await this.processBuffer(chain, item.buffer, item.inputIndex, { channel: item.channel });
      if (this.canceled) return;
      item.release();
      if (this.unaligned) this.checkUnaligned(gate);
      if (++turn % BUFFERS_PER_TURN === 0) {
        await nextTurn();
        this.turnStart = performance.now();
      }
    }
  }

  /** When the task last let the thread do something else (MAX_TURN_MS). */
  private turnStart = 0;

  /**
   * Decodes a buffer and feeds its records to the head operator (input 2 for `inputIndex` 1). A
   * live buffer (from `channel`) lets an unaligned barrier, or a switch to unaligned, in between
   * its records at each turn: the records not processed yet then are in-flight data.
   */
  private async processBuffer(chain: OperatorChain, buffer: ReceivedBuffer, inputIndex: number, from: { channel: number } | { tail: string }): Promise<void> {
    const head = chain.head;
    const metrics = this.spec.metrics;
    let records: unknown[];
    let timestamps: Array<number | null> | undefined;
    if (buffer instanceof LocalBatch) {
      // Taken by reference from a task of this thread: no bytes (numBytesIn counts serialized buffers).
      records = buffer.records;
      timestamps = buffer.stamps;
      metrics?.buffersIn.inc();
    } else {
      const bytes = buffer.bytes;
      if (buffer.timestamps) [records, timestamps] = chain.codec.decode(bytes) as [unknown[], Array<number | null>];
      else records = chain.codec.decode(bytes);
      if (metrics) {
        metrics.bytesIn.inc(bytes.byteLength);
        metrics.buffersIn.inc();
      }
    }
    // Records in are counted one by one as the head operator takes them (Flink's), not per buffer ahead of them.
    const recordsIn = metrics?.recordsIn;
    const second = inputIndex === 1;
    for (let i = 0; i < records.length; i++) {
      recordsIn?.inc();
      const ts = timestamps?.[i] ?? undefined;
      if (second) head.processElement2(records[i], ts);
      else head.processElement(records[i], ts);
      // An async invoke: the next record waits until it settled (Flink's invoke is synchronous).
      if (this.pendingWork.length > 0) {
        do await this.awaitTurn();
        while (this.runningNotify);
        if (this.canceled) return;
      }
      if (i % RECORDS_PER_CLOCK_CHECK === RECORDS_PER_CLOCK_CHECK - 1 && performance.now() - this.turnStart > MAX_TURN_MS) {
        await nextTurn();
        this.turnStart = performance.now();
        if (this.canceled) return;
        // A notification that came meanwhile runs before the next record.
        if (this.pendingWork.length > 0 || this.runningNotify) {
          do await this.awaitTurn();
          while (this.runningNotify);
          if (this.canceled) return;
        }
        if (chain.gate && this.needsAttention(chain.gate)) {
          this.current = { ...from, inputIndex, records, timestamps, next: i + 1 };
          try {
            await this.attend(chain);
          } finally {
            this.current = undefined;
          }
          if (this.canceled) return;
          // A notification that waited for that snapshot may have started.
          if (this.runningNotify) {
            do await this.awaitTurn();
            while (this.runningNotify);
            if (this.canceled) return;
          }
        }
      }
    }
  }

  /**
   * The buffer being processed (from a live channel, or restored in-flight input: no channel) when
   * a checkpoint went unaligned in its middle: its records from `next` on are not processed yet.
   */
  private current: ({ channel: number } | { tail: string }) & { inputIndex: number; records: unknown[]; timestamps: Array<number | null> | undefined; next: number } | undefined;

  /**
   * An aligned barrier arrived (aligned checkpoint timeout > 0): once the timeout from its
   * checkpoint's trigger passes, the checkpoint switches to unaligned here, whether or not the
   * barrier was polled (it may wait behind a full queue).
   */
  private announce(gate: InputGate, id: number, ts: number, dir: string | undefined, timeoutMs: number): void {
    if (this.unaligned?.id === id) {
      // A barrier of the unaligned checkpoint in progress, queued in band: it is taken at once.
      this.promoteRequested = true;
      gate.notifyPriority();
      return;
    }
    if (id <= this.lastCheckpoint || this.abortedCheckpoints.has(id) || this.unaligned?.id === id || this.announced.has(id)) return;
    const timer = setTimeout(() => {
      if (this.canceled || id <= this.lastCheckpoint || this.abortedCheckpoints.has(id) || this.unaligned?.id === id) return;
      this.switchRequested = id;
      gate.notifyPriority();
    }, Math.max(0, ts + timeoutMs - Date.now()));
    this.announced.set(id, { ts, dir, timer });
  }

  /** Announced barriers of checkpoints up to `id` need no switch any more (all of them: none). */
  private forgetAnnounced(id = Infinity): void {
    for (const [a, x] of this.announced) {
      if (a > id) continue;
      clearTimeout(x.timer);
      this.announced.delete(a);
    }
  }

  /** Whether a barrier of the unaligned checkpoint in progress arrived in band (to be taken out of its queue). */
  private promoteRequested = false;

  /**
   * The barriers of the unaligned checkpoint in progress that wait in band in their channels'
   * queues turn unaligned: the buffers before each are in-flight data, the channel is done.
   */
  private promoteQueued(gate: InputGate): void {
    const u = this.unaligned;
    if (!u) return;
    for (let c = 0; c < gate.size; c++) {
      if (u.seen.has(c)) continue;
      // Its barrier queued in band, or its producer ended (no barrier comes): what is before is in-flight data.
      const before = gate.promoteBarrier(c, u.id) ?? gate.endedWith(c, u.id);
      if (!before) continue;
      for (const buf of before) this.recordInFlight(gate, c, buf);
      u.seen.add(c);
    }
    this.checkUnaligned(gate);
  }

  /** Whether an unaligned barrier waits, or a checkpoint must switch to unaligned or take a queued barrier (attend). */
  private needsAttention(gate: InputGate): boolean {
    return this.switchRequested !== undefined || this.promoteRequested || gate.hasPriority();
  }

  /** Handles a switch to unaligned and the unaligned barriers that wait (between buffers, or between records of one). */
  private async attend(chain: OperatorChain): Promise<void> {
    const gate = chain.gate!;
    if (this.promoteRequested) {
      this.promoteRequested = false;
      this.promoteQueued(gate);
    }
    if (this.switchRequested !== undefined) {
      const id = this.switchRequested;
      this.switchRequested = undefined;
      const announced = this.announced.get(id);
      if (this.aligning?.id === id) await this.startUnaligned(chain, id, this.aligning.ts, this.aligning.dir);
      else if (announced && id > this.lastCheckpoint && !this.abortedCheckpoints.has(id) && this.unaligned?.id !== id) {
        // Its barriers are still queued here: it goes unaligned now, newer than any alignment in progress.
        if (this.aligning && this.aligning.id < id) {
          this.report.decline(this.aligning.id, { name: 'Error', message: `Checkpoint ${this.aligning.id} was overtaken by ${id} during alignment` }, false);
          this.stopAligning(gate);
        }
        if (this.unaligned && this.unaligned.id < id) this.abandonUnaligned(`Checkpoint ${this.unaligned.id} was overtaken by ${id} before all its barriers arrived`);
        if (!this.aligning) await this.startUnaligned(chain, id, announced.ts, announced.dir);
      }
    }
    while (gate.hasPriority() && !this.canceled) {
      const b = gate.poll();
      if (b?.kind === 'barrier') await this.onBarrier(chain, b);
    }
  }

  /**
   * Waits until every writer has a buffer (credit) downstream; the wait is backpressured time.
   * With a gate, an unaligned barrier (or a switch to one) ends the wait too.
   */
  private async whenWritersAvailable(writers: OperatorChain['writers'], gate?: InputGate): Promise<void> {
    const m = this.spec.metrics;
    m?.backPressured.markStart();
    const available = (async () => {
      for (const w of writers) await w.whenAvailable();
    })();
    await (gate ? Promise.race([available, gate.whenPriority()]) : available);
    m?.backPressured.markEnd();
  }

  /** From each checkpoint's trigger to its first barrier here (Flink's checkpointStartDelay), ms; kept until the acknowledgement. */
  private readonly startDelays = new Map<number, number>();

  private noteStartDelay(id: number, triggerTimestamp: number): void {
    const ms = Math.max(0, Date.now() - triggerTimestamp);
    if (this.spec.metrics) this.spec.metrics.startDelayNanos = ms * 1e6;
    for (const old of this.startDelays.keys()) if (old < id - 16) this.startDelays.delete(old);
    this.startDelays.set(id, ms);
  }

  private async onBarrier(chain: OperatorChain, b: Extract<Polled, { kind: 'barrier' }>): Promise<void> {
    const { id, ts, dir, channel } = b;
    const gate = chain.gate!;
    const u = this.unaligned;
    if (u && id === u.id) {
      // A channel already done: its producer ended and what it left queued was taken then
      // (promoteQueued, which leaves a channel whose barrier came before its end to that barrier);
      // this barrier came after the end and overtook the same buffers.
      if (u.seen.has(channel)) return;
      // Another barrier of the unaligned checkpoint in progress: what it overtook is in-flight data.
      for (const buf of b.overtaken ?? []) this.recordInFlight(gate, channel, buf);
      u.seen.add(channel);
      this.checkUnaligned(gate);
      return;
    }
    // A late barrier of a checkpoint already taken, or of one aborted meanwhile. A savepoint's
    // barrier that a newer checkpoint overtook cannot be taken any more: it is declined at once.
    if (id <= this.lastCheckpoint || this.abortedCheckpoints.has(id)) {
      if (b.savepoint && id < this.lastCheckpoint && !this.taken.includes(id) && !this.abortedCheckpoints.has(id)) {
        this.report.decline(id, { name: 'Error', message: `Savepoint ${id} was overtaken by checkpoint ${this.lastCheckpoint} at ${this.spec.vertex.name} (${this.spec.subtaskIndex + 1}/${this.spec.vertex.parallelism})` }, false);
      }
      return;
    }
    if (u && id > u.id) this.abandonUnaligned(`Checkpoint ${u.id} was overtaken by ${id} before all its barriers arrived`);
    if (this.aligning && id > this.aligning.id) {
      // A newer checkpoint overtook the one being aligned: give the older one up (Flink does too).
      this.report.decline(this.aligning.id, { name: 'Error', message: `Checkpoint ${this.aligning.id} was overtaken by ${id} during alignment` }, false);
      this.stopAligning(gate);
    }
    if (this.aligning && id < this.aligning.id) return;
    const timeoutMs = this.unalignedTimeout(b.savepoint);
    // An unaligned barrier, or a checkpoint whose aligned time is up: unaligned at once.
    if (timeoutMs !== undefined && (b.overtaken !== undefined || timeoutMs === 0 || Date.now() >= ts + timeoutMs)) {
      await this.startUnaligned(chain, id, ts, dir, channel, b.overtaken ?? []);
      return;
    }
    if (!this.aligning) {
      this.noteStartDelay(id, ts);
      this.processedDuringAlignment = 0;
    }
    this.aligning ??= { id, ts, dir, seen: new Set(), start: Date.now(), savepoint: b.savepoint };
    this.aligning.seen.add(channel);
    if (this.spec.checkpointing.mode === 'EXACTLY_ONCE') gate.block(channel);
    if (timeoutMs !== undefined && this.aligning.timer === undefined) {
      // The switch runs in the task loop, between buffers (asked here, and the loop woken).
      this.aligning.timer = setTimeout(() => {
        if (this.aligning?.id !== id || this.canceled) return;
        this.switchRequested = id;
        gate.notifyPriority();
      }, Math.max(0, ts + timeoutMs - Date.now()));
    }
    await this.checkAlignment(chain);
  }

  /** The aligned checkpoint timeout when checkpoint barriers may turn unaligned (never for a savepoint), else undefined. */
  private unalignedTimeout(savepoint: boolean): number | undefined {
    const u = this.spec.checkpointing.unaligned;
    return u !== undefined && this.spec.checkpointing.mode === 'EXACTLY_ONCE' && !savepoint ? u.timeoutMs : undefined;
  }

  /** Ends an alignment: its timer stops, every channel is unblocked. */
  private stopAligning(gate: InputGate): void {
    if (this.aligning?.timer) clearTimeout(this.aligning.timer);
    this.aligning = undefined;
    gate.unblockAll();
  }

  /**
   * Checkpoint `id` goes unaligned here (its first barrier, or its alignment switching): the
   * channels whose barrier came (with what it overtook in `channel`) are done; the others' barriers
   * already queued in band turn unaligned (the buffers before them are in-flight data); the others
   * record what they deliver until their barrier comes. The snapshot is taken now and the barriers
   * sent on ahead of the output queues; it is written once every channel is done.
   */
  private async startUnaligned(chain: OperatorChain, id: number, ts: number, dir: string | undefined, channel?: number, overtaken: readonly ReceivedBuffer[] = []): Promise<void> {
    const gate = chain.gate!;
    const a = this.aligning?.id === id ? this.aligning : undefined;
    if (!a) {
      this.noteStartDelay(id, ts);
      this.processedDuringAlignment = 0;
    }
    let complete!: () => void;
    const done = new Promise<void>((resolve) => (complete = resolve));
    const u: UnalignedProgress = { id, start: a?.start ?? Date.now(), seen: new Set(a?.seen ?? []), input: new Map(), persisted: 0, abandoned: false, complete, done };
    this.stopAligning(gate);
    this.unaligned = u;
    // The rest of the buffer being processed came before its channel's barrier: in-flight data, first.
    const cur = this.current;
    if (cur && (!('channel' in cur) || !u.seen.has(cur.channel)) && cur.next < cur.records.length) {
      const rest = cur.records.slice(cur.next);
      const bytes = cur.timestamps ? chain.codec.encode([rest, cur.timestamps.slice(cur.next)]) : chain.codec.encode(rest);
      const buf = { bytes, timestamps: cur.timestamps !== undefined };
      if ('channel' in cur) this.recordInFlight(gate, cur.channel, buf);
      else this.recordTail(cur.tail, cur.inputIndex, buf);
    }
    // Restored in-flight input not processed yet comes before anything live of its channel.
    if (this.replayInput && this.replayNext) {
      const { entry, buffer } = this.replayNext;
      this.replayInput.forEach((r, e) => {
        if (e < entry) return;
        for (const [bytes, timestamps] of r.buffers.slice(e === entry ? buffer : 0)) this.recordTail(r.tail, r.inputIndex, { bytes, timestamps });
      });
    }
    if (channel !== undefined) {
      for (const buf of overtaken) this.recordInFlight(gate, channel, buf);
      u.seen.add(channel);
    }
    this.promoteQueued(gate);
    await this.checkpoint(id, ts, dir, Date.now() - u.start, false, { unaligned: u });
    this.checkUnaligned(gate);
  }

  /** A buffer of channel `c` that belongs to the unaligned checkpoint in progress (in-flight data). */
  private recordInFlight(gate: InputGate, c: number, buf: ReceivedBuffer): void {
    this.recordTail(gate.channelTail(c), gate.inputIndexOf(c), buf);
  }

  /** A buffer of the channel `tail` (input `inputIndex`) that belongs to the unaligned checkpoint in progress. */
  private recordTail(tail: string, inputIndex: number, buf: ReceivedBuffer): void {
    const u = this.unaligned!;
    let entry = u.input.get(tail);
    if (!entry) u.input.set(tail, (entry = { inputIndex, buffers: [] }));
    entry.buffers.push([buf.bytes, buf.timestamps]);
    u.persisted += buf.bytes.byteLength;
  }

  /** The unaligned checkpoint in progress is done once every channel's barrier came (or the channel ended). */
  private checkUnaligned(gate: InputGate): void {
    const u = this.unaligned;
    if (!u) return;
    for (let c = 0; c < gate.size; c++) if (!u.seen.has(c) && !gate.isChannelFinished(c)) return;
    this.unaligned = undefined;
    if (this.spec.metrics) this.spec.metrics.alignmentNanos = (Date.now() - u.start) * 1e6;
    u.complete();
  }

  /** Gives up the unaligned checkpoint in progress (a newer one came, it was aborted, or the task ends). */
  private abandonUnaligned(reason?: string): void {
    const u = this.unaligned;
    if (!u) return;
    this.unaligned = undefined;
    u.abandoned = true;
    u.complete();
    if (reason !== undefined && !this.canceled) this.report.decline(u.id, { name: 'Error', message: reason }, false);
  }

  private async checkAlignment(chain: OperatorChain): Promise<void> {
    const a = this.aligning;
    const gate = chain.gate!;
    if (!a) return;
    for (let c = 0; c < gate.size; c++) if (!a.seen.has(c) && !gate.isChannelFinished(c)) return;
    this.stopAligning(gate);
    if (this.spec.metrics) this.spec.metrics.alignmentNanos = (Date.now() - a.start) * 1e6;
    await this.checkpoint(a.id, a.ts, a.dir, Date.now() - a.start, false, { savepoint: a.savepoint });
  }

  /**
   * The JobManager asks this task to checkpoint: a running source, or a task whose input ended.
   * Other running tasks checkpoint when barriers align.
   */
  trigger(checkpointId: number, timestamp: number, targetDir: string | undefined, stop = false, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): void {
    if (checkpointId <= this.lastCheckpoint || this.abortedCheckpoints.has(checkpointId)) return;
    if (!this.running || this.closing) {
      if (!this.canceled) this.report.decline(checkpointId, { name: 'Error', message: `Task ${this.spec.vertex.name} (${this.spec.subtaskIndex + 1}) is not running` }, false);
      return;
    }
    const isSource = this.chain?.head instanceof SourceOperator;
    if (!isSource && !this.inputEnded) return; // Barriers will come through the input.
    this.noteStartDelay(checkpointId, timestamp);
    this.processedDuringAlignment = 0;
    void this.checkpoint(checkpointId, timestamp, targetDir, 0, stop && isSource, { savepoint: kind === 'savepoint' });
  }

  /**
   * Takes checkpoint `id`: the synchronous part (resolves once the barrier is out), then the
   * asynchronous part in the background, while the task goes on with its input.
   */
  private async checkpoint(id: number, ts: number, targetDir: string | undefined, alignmentMs: number, haltSource = false, opts: { savepoint?: boolean; unaligned?: UnalignedProgress } = {}): Promise<void> {
    if (id <= this.lastCheckpoint) return;
    if (this.closing) {
      this.report.decline(id, { name: 'Error', message: `Task ${this.spec.vertex.name} (${this.spec.subtaskIndex + 1}) is closing` }, false);
      return;
    }
    this.lastCheckpoint = id;
    this.forgetAnnounced(id);
    this.taken.push(id);
    if (this.taken.length > 16) this.taken.shift();
    for (const a of this.abortedCheckpoints) if (a <= id) this.abortedCheckpoints.delete(a);
    let done!: () => void;
    const part = new Promise<void>((resolve) => (done = resolve));
    this.asyncParts.add(part);
    const finished = () => {
      this.asyncParts.delete(part);
      done();
    };
    const timeoutMs = this.unalignedTimeout(opts.savepoint === true);
    const mode: BarrierMode = opts.savepoint === true ? { savepoint: true } : timeoutMs === undefined ? {} : opts.unaligned !== undefined || timeoutMs === 0 ? { unaligned: true } : { overtakeAt: ts + timeoutMs };
    let sync;
    try {
      // One snapshot at a time (a task whose input ended is triggered directly, maybe while one
      // runs), and none while a notification's user code runs (one queued waits for the snapshot).
      for (;;) {
        if (this.snapshotting) await this.snapshotting;
        else if (this.notifyRunning) await this.notifying;
        else break;
      }
      sync = await this.synchronousPart(id, ts, targetDir, haltSource, mode);
    } catch (e) {
      finished();
      opts.unaligned?.complete();
      if (!this.canceled) this.report.decline(id, serializeError(e), true);
      return;
    }
    if (sync === undefined) {
      opts.unaligned?.complete();
      return finished();
    }
    // With unaligned checkpoints the snapshot waits for its in-flight data: the output buffers its
    // barriers overtook (once each is out), and the input recorded until every barrier came.
    const outputs = sync.outputs;
    const channelState =
      timeoutMs === undefined
        ? undefined
        : (async (): Promise<InFlight> => {
            const out = (await Promise.all(outputs)).flat();
            if (opts.unaligned) await opts.unaligned.done;
            const input = opts.unaligned ? [...opts.unaligned.input].map(([ch, e]) => [ch, e.inputIndex, e.buffers] as const) : [];
            const output = out.map(([ch, buffers]) => [ch, buffers.map((b) => [b.bytes, b.timestamps] as const)] as const);
            const edgeIds = new Set([...input.map(([ch]) => Number(ch.split('/')[0])), ...output.map(([ch]) => Number(ch.split('/')[0]))]);
            const edges = [...edgeIds].map((e) => [e, this.spec.job.edges[e]!.sourceVertex, this.spec.job.edges[e]!.targetVertex] as const);
            const channels = input.length + output.length > 0 ? { input, output, edges } : undefined;
            return { abandoned: opts.unaligned?.abandoned === true, channels, unaligned: opts.unaligned !== undefined || mode.unaligned === true || output.length > 0, processedBytes: this.processedDuringAlignment };
          })();
    void this.asynchronousPart(id, targetDir, sync.refs, sync.syncMs, alignmentMs, channelState).finally(finished);
  }

  /**
   * Every record before the barrier has been processed and its async invoke settled; then each
   * operator snapshots and the barrier goes out, with no record in between. A source is held
   * meanwhile (what it emits waits for after the barrier, or goes out before the snapshot), so an
   * async snapshotState cannot let records slip between the snapshot and the barrier; timers wait.
   */
  private async synchronousPart(id: number, ts: number, targetDir: string | undefined, haltSource: boolean, mode: BarrierMode): Promise<{ refs: OperatorSnapshotRef[]; syncMs: number; outputs: Array<Promise<OvertakenBuffers>> } | undefined> {
    const chain = this.chain!;
    const source = chain.head instanceof SourceOperator ? chain.head : undefined;
    let release!: () => void;
    this.snapshotting = new Promise<void>((resolve) => (release = resolve));
    source?.hold();
    const refs: OperatorSnapshotRef[] = [];
    try {
      const t0 = performance.now();
      for (;;) {
        if (this.snapshotWork().length > 0) await this.awaitSnapshotWork();
        if (this.canceled) return undefined;
        if (!source?.releaseHeld() && this.snapshotWork().length === 0) break;
      }
      try {
        for (const op of chain.operators) {
          const r = op.snapshotState(id, ts);
          refs.push(r instanceof Promise ? await r : r);
          // What the source's state counts as emitted goes through the chain before the other
          // operators snapshot (and before the barrier).
          if (op === source && source.releaseCovered() && this.snapshotWork().length > 0) await this.awaitSnapshotWork();
        }
      } catch (e) {
        releaseSnapshots(refs);
        throw e;
      }
      if (this.canceled) {
        releaseSnapshots(refs);
        return undefined;
      }
      // After the input ended, only a barrier that may turn unaligned still goes (record-writer.ts).
      const outputs = chain.writers.map((w) => w.broadcastBarrier(id, ts, targetDir, mode));
      // A stop's savepoint (Flink's synchronous savepoint): the source emits nothing after its barrier.
      if (haltSource && source) source.halt(id);
      return { refs, syncMs: performance.now() - t0, outputs };
    } finally {
      this.snapshotting = undefined;
      release();
      source?.unhold();
    }
  }

  /** Serializes, compresses and writes each operator's snapshot, then acknowledges. */
  private async asynchronousPart(id: number, targetDir: string | undefined, refs: OperatorSnapshotRef[], syncMs: number, alignmentMs: number, channelState: Promise<InFlight> | undefined): Promise<void> {
    const t1 = performance.now();
    const handles: StateHandle[] = [];
    let i = 0;
    try {
      const inFlight = channelState ? await channelState : undefined;
      if (inFlight?.abandoned === true || this.canceled) {
        releaseSnapshots(refs);
        return;
      }
      for (; i < refs.length; i++) {
        await nextTurn();
        const ref = refs[i]!;
        const operatorId = this.spec.vertex.operators[i]!.operatorId;
        const h = await storeSnapshot(ref, { operatorId, subtaskIndex: this.spec.subtaskIndex }, this.spec.checkpointing.compression, targetDir, this.localBackup(id, operatorId), i === 0 ? inFlight?.channels : undefined);
        if (h) handles.push(h);
      }
      if (this.canceled) return;
      const fault = this.takeCheckpointFault();
      if (fault === 'fail') throw new InjectedFailure(`Checkpoint ${id} declined by fault injection in the asynchronous part of ${this.spec.vertex.name} (${this.spec.subtaskIndex + 1}/${this.spec.vertex.parallelism})`);
      // A stalled acknowledgement: the checkpoint times out at the coordinator.
      if (fault === 'stall') return;
      const startDelay = this.startDelays.get(id) ?? 0;
      this.startDelays.delete(id);
      const processedBytes = inFlight?.processedBytes ?? this.processedDuringAlignment;
      this.report.ack(id, handles, syncMs, performance.now() - t1, alignmentMs, startDelay, { processedBytes, persistedBytes: inFlight?.channels ? inFlightSize(inFlight.channels) : 0, unaligned: inFlight?.unaligned === true });
    } catch (e) {
      // storeSnapshot released the one that failed; release the ones after it.
      releaseSnapshots(refs.slice(i + 1));
      if (!this.canceled) this.report.decline(id, serializeError(e), true);
    }
  }

  /** Where a checkpoint's local copy of an operator's state goes (undefined: no local backup). A savepoint's copy is never restored from, and goes with the next completed checkpoint. */
  private localBackup(checkpointId: number, operatorId: string): LocalBackup | undefined {
    const { localState, jobId, subtaskIndex } = this.spec;
    if (!localState || this.spec.checkpointing.localRecovery?.backup !== true) return undefined;
    const log = (this.spec.loggers ?? NO_LOGGING)('org.apache.flink.runtime.state.TaskLocalStateStoreImpl');
    return {
      store: localState.store,
      jobId,
      checkpointId,
      dir: join(localState.root, `jid_${jobId}`, `op_${operatorId.slice(0, 8)}_sti_${subtaskIndex}`, `chk_${checkpointId}`),
      warn: (message, error) => log.warn('{}', message, error instanceof Error ? error : new Error(String(error))),
    };
  }

  /** The JobManager says a checkpoint completed or was aborted. */
  async notify(checkpointId: number, outcome: 'complete' | 'aborted', final: boolean): Promise<void> {
    const chain = this.chain;
    // A stopped task (stop with a savepoint) still takes the notifications that come before it closes.
    if (!chain || (this.canceled && !this.stoppedWithSavepoint) || this.closing || this.failure !== undefined) return;
    // A stop's savepoint failed: the source goes on.
    if (outcome === 'aborted' && chain.head instanceof SourceOperator) chain.head.resume(checkpointId);
    if (outcome === 'aborted' && this.aligning?.id === checkpointId) {
      // The checkpoint being aligned was aborted: release the blocked channels.
      this.stopAligning(chain.gate!);
    }
    if (outcome === 'aborted' && this.unaligned?.id === checkpointId) this.abandonUnaligned();
    // Barriers of an aborted checkpoint that arrive later are dropped (Flink's barrier handler),
    // so they cannot start an alignment that no one completes; those of an earlier checkpoint
    // still in flight are not (it may still complete).
    if (outcome === 'aborted' && checkpointId > this.lastCheckpoint) this.abortedCheckpoints.add(checkpointId);
    // As Flink's mailbox runs a notification: one at a time, after the async calls in flight
    // settled, and with no record, snapshot or other notification while it runs (it is pending
    // work the task waits for), also when a user's notifyCheckpointComplete returns a promise.
    const before = [...this.pendingWork];
    const run = this.notifying.then(async () => {
      await Promise.allSettled(before);
      // The task's turn first (Flink's mailbox gives its default action a step between mails):
      // else notifications that come back to back (checkpoints completing faster than a slow
      // commit) left a source only the microtasks between them, a record or two per notification.
      await nextTurn();
      // Not during a snapshot (an async snapshotState), nor beside an async call (an invoke of a
      // record the source released after the previous notification): after them.
      let stepped = false;
      for (;;) {
        const w = this.snapshotWork();
        if (this.snapshotting) {
          await this.snapshotting;
          // The task's input gets a step after the snapshot, before the notification (else, with
          // unaligned barriers taken between notifications, no record went through). Once only:
          // with snapshots back to back (async ones, several checkpoints at once), a turn after
          // each let the next snapshot start first every time, and no notification ever ran.
          if (!stepped) {
            stepped = true;
            await nextTurn();
          }
        } else if (w.length > 0) {
          // Settled calls leave the list here too (a failure fails the task where it was tracked).
          await Promise.allSettled(w);
          this.forgetWork(w);
        } else break;
      }
      if ((this.canceled && !this.stoppedWithSavepoint) || this.closing || this.failure !== undefined) return;
      const source = chain.head instanceof SourceOperator ? chain.head : undefined;
      source?.pause();
      let ended!: () => void;
      this.runningNotify = new Promise<void>((resolve) => (ended = resolve));
      try {
        for (const op of chain.operators) {
          if (outcome === 'complete') await op.notifyCheckpointComplete(checkpointId);
          else await op.notifyCheckpointAborted(checkpointId);
        }
      } catch (e) {
        // Fails the task (its end reports it, once); no later notification runs.
        this.fail(e);
        return;
      } finally {
        this.runningNotify = undefined;
        ended();
        // The records the source emitted meanwhile go through the chain now: a user function failing on one fails the task.
        try {
          source?.unpause();
        } catch (e) {
          this.fail(e);
        }
      }
      // The job's final checkpoint (taken after every task's input ended) completed: finish.
      if (outcome === 'complete' && final && this.inputEnded) this.finalDone?.();
    });
    this.notifying = run;
    this.pendingWork.push(run);
    this.notifyRuns.add(run);
    void run.finally(() => this.notifyRuns.delete(run));
    await run;
  }

  /** The notification running (or the last one): the next waits for it. */
  private notifying: Promise<void> = Promise.resolve();
  /** Resolves when the notification's user code running now has returned (never rejects). */
  private runningNotify: Promise<void> | undefined;
  /** Whether a notification's user code runs now (timers and snapshots wait for it). */
  private get notifyRunning(): boolean {
    return this.runningNotify !== undefined;
  }

  /** Checkpoint notifications queued or running (part of pendingWork; a snapshot does not wait for them, see checkpoint()). */
  private readonly notifyRuns = new Set<Promise<void>>();

  /** The pending work a snapshot waits for: every async call but the notifications (which wait for the snapshot instead). */
  private snapshotWork(): Promise<void>[] {
    return this.notifyRuns.size === 0 ? this.pendingWork : this.pendingWork.filter((p) => !this.notifyRuns.has(p));
  }

  /**
   * The task's turn for its next record (Flink's mailbox: the mails queued now, then a step of the
   * default action): every async call in flight (and any it leads to) and the notifications queued
   * now have settled; rejects with the first failure. Notifications queued meanwhile wait for the
   * next turn, so that records go on while checkpoints keep completing. A notification queued
   * later can start in the microtasks between this function's end and its caller going on: a
   * caller that runs records next checks `runningNotify` in its own frame after the await.
   */
  private async awaitTurn(): Promise<void> {
    const queued = new Set(this.notifyRuns);
    for (;;) {
      const w = this.pendingWork.filter((p) => !this.notifyRuns.has(p) || queued.has(p));
      if (w.length > 0) {
        await Promise.all(w);
        this.forgetWork(w);
      } else if (this.runningNotify) {
        // One queued later that started when the calls waited for settled: no record beside it.
        await this.runningNotify;
      } else return;
    }
  }

  /**
   * Resolves once every async user call tracked so far (and any it led to) has settled, the
   * notifications aside (they wait for the snapshot instead); rejects with the first failure.
   */
  private async awaitSnapshotWork(): Promise<void> {
    for (;;) {
      const w = this.snapshotWork();
      if (w.length === 0) return;
      await Promise.all(w);
      this.forgetWork(w);
    }
  }

  /** Takes settled work off the pending list. */
  private forgetWork(settled: readonly Promise<void>[]): void {
    this.pendingWork = this.pendingWork.filter((p) => !settled.includes(p));
  }

  /**
   * Runs an action that comes from outside the task's loop (a timer) as Flink's mailbox would:
   * never in the middle of a checkpoint's synchronous part, and a failure fails the task.
   */
  private mailbox(action: () => void): void {
    if (this.canceled) return;
    if (this.snapshotting) {
      void this.snapshotting.then(() => this.mailbox(action));
      return;
    }
    // Nor while a checkpoint notification runs (a user's async notifyCheckpointComplete).
    if (this.notifyRunning) {
      void this.notifying.then(() => this.mailbox(action));
      return;
    }
    try {
      action();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Fault injection: the next `count` checkpoints decline in their asynchronous part, or never acknowledge. */
  injectCheckpointFaults(kind: CheckpointFaultKind, count: number): void {
    this.checkpointFaults = count > 0 ? { kind, remaining: count } : undefined;
  }

  private takeCheckpointFault(): CheckpointFaultKind | undefined {
    const f = this.checkpointFaults;
    if (!f) return undefined;
    if (--f.remaining <= 0) this.checkpointFaults = undefined;
    return f.kind;
  }

  /** Fails the task with an error raised outside its main loop. The first one wins. */
  fail(error: unknown): void {
    // A stopped task (stop with a savepoint) can still fail: in a notification it runs before close().
    if (this.failure !== undefined || (this.canceled && !this.stoppedWithSavepoint)) return;
    this.failure = { error };
    this.cancel();
  }

  private startFlushTimer(): void {
    const timeout = this.spec.bufferTimeout;
    if (timeout <= 0 || !this.chain || this.chain.writers.length === 0) return;
    const writers = this.chain.writers;
    this.flushTimer = setInterval(() => {
      // A batch that cannot be serialized fails the task (it is not dropped).
      this.mailbox(() => {
        for (const w of writers) w.flush();
      });
    }, timeout);
  }

  private stopFlushTimer(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }

  /**
   * stop --drain: a source stops reading as if its input ended, so the task ends normally (end of
   * input, the final watermark fires event-time timers, the final checkpoint). Other tasks follow
   * through their inputs.
   */
  drain(): void {
    const chain = this.chain;
    if (!chain || this.canceled || !(chain.head instanceof SourceOperator)) return;
    try {
      chain.head.cancel();
    } catch {
      // A failing cancel() of the user's source: the cancel that follows will stop the task.
    }
  }

  /**
   * The stop's savepoint completed (stop without --drain): the task ends FINISHED without ending
   * its input, so no final watermark and no endInput(), as Flink's stop-with-savepoint.
   */
  finishStopped(): void {
    this.stoppedWithSavepoint = true;
    this.cancel();
  }

  /** Asks the task to stop: the source is canceled, waits are woken. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    this.finalDone?.();
    this.abandonUnaligned();
    this.forgetAnnounced();
    const chain = this.chain;
    if (!chain) return;
    if (chain.head instanceof SourceOperator) {
      try {
        chain.head.cancel();
      } catch {
        // A failing cancel() must not keep the task alive.
      }
    }
    for (const w of chain.writers) w.cancel();
    chain.gate?.wake();
  }
}

class CanceledSignal extends Error {}

async function closeAll(ops: OperatorChain['operators']): Promise<void> {
  let first: unknown;
  for (const op of ops) {
    try {
      await op.close();
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}

async function disposeAll(ops: OperatorChain['operators']): Promise<void> {
  for (const op of ops) await op.disposeState();
}

/** Releases copy-on-write snapshots that will not be written. */
function releaseSnapshots(refs: readonly OperatorSnapshotRef[]): void {
  for (const r of refs) if (r.keyed) r.keyed.backend.releaseSnapshot(r.keyed.ref);
}

function localValues(accs: Map<string, Accumulator<unknown, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of accs) out[k] = a.getLocalValue();
  return out;
}
