/**
 * Flink's StreamSource: runs a SourceFunction. collect() pushes the record down the chain and
 * returns a promise when the source should give the thread back: when the output is
 * backpressured (resolves once it is not), or about every millisecond (resolves on the next turn
 * of the event loop), so that credits, other tasks and cancellation are handled.
 *
 * Event time: a source added with addSource emits what it says (collectWithTimestamp,
 * emitWatermark, markAsTemporarilyIdle; a record ends idleness). A source created with
 * `env.fromSource(source, strategy, name)` runs the strategy inside, per subtask, as Flink's
 * SourceOperator does (timestamps-and-watermarks.ts): each record's timestamp comes from the
 * assigner (given the one of collectWithTimestamp, else Long.MIN_VALUE), the generator sees each
 * record and emits periodically, the source's own emitWatermark and markAsTemporarilyIdle go to
 * the same output (only advancing watermarks pass), and with watermark alignment collect() also
 * waits while the subtask is ahead of its group (timestamps-alignment.ts).
 */
import { EMIT_RANGE, NO_TIMESTAMP, Watermark, type RangeSourceContext, type SourceContext, type SourceFunction, type TimestampAssigner, type WatermarkGenerator } from '../../api/index.js';
import { StreamOperator, type OperatorContext } from './stream-operator.js';
import { closeUserFunction, openUserFunction } from './user-function.js';
import { createEventTimeParts, extractTimestamp, PeriodicAction, WatermarkEmitter } from './timestamps-and-watermarks.js';
import { SourceWatermarkAlignment } from './timestamps-alignment.js';
import { copyRecord } from '../../core/record-copy.js';

function copyHeld(record: unknown): unknown {
  try {
    return copyRecord(record);
  } catch {
    return record;
  }
}

/** Records between checks whether to yield (a power of two). */
const YIELD_EVERY = 1024;
/**
 * A voluntary yield once this many milliseconds passed since the last one (checked every
 * YIELD_EVERY records): a turn of the event loop costs a few microseconds, as much as a fast
 * chain takes for 1,024 records, and the thread's other work (credits, checkpoint barriers, timers,
 * a cancel) waits at most this long plus YIELD_EVERY records.
 */
const YIELD_AFTER_MS = 1;
/** Records between checks of output availability (a power of two). */
const CHECK_EVERY = 16;

/** What the source needs from its task. */
export interface SourceTaskHooks {
  /** Whether every output can take records. */
  isAvailable(): boolean;
  /** Resolves when every output can take records. */
  whenAvailable(): Promise<void>;
  /** Whether the task was canceled. */
  isCanceled(): boolean;
  /** Resolves when every async user call of the chain (a sink's invoke) has settled; undefined when none is pending. */
  pendingWork(): Promise<void> | undefined;
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Thrown by collect() once the task is canceled, so that a source looping without a cancel flag ends. */
export class SourceCanceledError extends Error {
  constructor() {
    super('The task was canceled: the source cannot emit any more records');
    this.name = 'SourceCanceledError';
  }
}

/** A fromSource strategy's logic in one source subtask. */
interface SourceEventTime {
  readonly assigner: TimestampAssigner<unknown>;
  readonly generator: WatermarkGenerator<unknown>;
  readonly emitter: WatermarkEmitter;
  readonly periodic: PeriodicAction;
  readonly alignment: SourceWatermarkAlignment | undefined;
}

/** Runs a source function. */
export class SourceOperator extends StreamOperator {
  private count = 0;
  private canceled = false;
  /** The stop's savepoint after whose barrier the source holds back its records. */
  private halted: number | undefined;
  /** Set while a checkpoint waits for the chain to settle: records emitted meanwhile are held. */
  private holding = false;
  /** Held records (with their timestamps) and watermarks, in order. */
  private held: Array<{ readonly record: unknown; readonly timestamp: number | undefined } | { readonly watermark: number } | { readonly idle: boolean }> = [];
  /** Whether the source declared itself idle (markAsTemporarilyIdle) and has not emitted since. */
  private idle = false;
  private unpark!: () => void;
  private parked = new Promise<void>((resolve) => (this.unpark = resolve));
  private hooks!: SourceTaskHooks;
  private readonly lock = {};
  /** The fromSource strategy's logic (undefined: addSource, the source emits what it says). */
  private eventTime: SourceEventTime | undefined;
  constructor(
    ctx: OperatorContext,
    private readonly fn: SourceFunction<unknown>,
    /** env.fromSource's WatermarkStrategy (undefined for addSource). */
    private readonly watermarkStrategy?: unknown,
    /** pipeline.auto-watermark-interval in ms, with a strategy (0: no periodic emits). */
    private readonly autoWatermarkInterval = 200,
  ) {
    super(ctx);
    this.userFunction = fn;
    // The run emitter, not enumerable: a context a source builds from this one ({...ctx, collect})
    // does not carry it, so its own collect sees every record (SequenceSource uses it only when own).
    Object.defineProperty(this.context, EMIT_RANGE, { value: (range: [number, number]) => this.emitRange(range), enumerable: false });
  }
  override open(): Promise<void> {
    if (this.watermarkStrategy !== undefined) this.eventTime = this.createEventTime();
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }

  private createEventTime(): SourceEventTime {
    const parts = createEventTimeParts<unknown>(this.watermarkStrategy, this.ctx.runtimeContext.getMetricGroup(), this.ctx.now);
    let alignment: SourceWatermarkAlignment | undefined;
    if (parts.alignment.isEnabled()) {
      alignment = new SourceWatermarkAlignment(parts.alignment, this.ctx.watermarks?.alignmentGroup(parts.alignment.getWatermarkGroup()), this.ctx.mailbox);
    }
    // The generator's output: watermarks and statuses in order with the records (held with them
    // while a checkpoint settles); dropped once the source was canceled or drained.
    const emitter = new WatermarkEmitter({
      emitWatermark: (watermark) => {
        alignment?.onWatermark(watermark);
        if (!this.canceled) this.emitEvent({ watermark });
      },
      emitWatermarkStatus: (idle) => {
        alignment?.onIdle(idle);
        if (!this.canceled) this.emitEvent({ idle });
      },
    });
    const periodic = new PeriodicAction(this.autoWatermarkInterval, () => parts.generator.onPeriodicEmit(emitter), this.ctx.mailbox);
    return { assigner: parts.assigner, generator: parts.generator, emitter, periodic, alignment };
  }
  processElement(): void {
    throw new Error('A source has no input (this is a bug in miniflink)');
  }

  private readonly context: SourceContext<unknown> & RangeSourceContext = {
    collect: (record) => this.emit(record, undefined),
    collectWithTimestamp: (record, timestamp) => this.emit(record, timestamp),
    emitWatermark: (mark: Watermark) => {
      if (this.canceled) throw new SourceCanceledError();
      if (this.eventTime) this.eventTime.emitter.emitWatermark(mark);
      else this.emitEvent({ watermark: mark.getTimestamp() });
    },
    markAsTemporarilyIdle: () => {
      if (this.canceled) throw new SourceCanceledError();
      if (this.eventTime) this.eventTime.emitter.markIdle();
      else if (!this.idle) this.emitEvent({ idle: true });
    },
    getCheckpointLock: () => this.lock,
    isCanceled: () => this.hooks.isCanceled(),
  };

  /** A watermark or an idle/active status: in order with the records (held with them while a checkpoint settles). */
  private emitEvent(e: { readonly watermark: number } | { readonly idle: boolean }): void {
    if (this.canceled) throw new SourceCanceledError();
    if ('idle' in e) this.idle = e.idle;
    else if (this.idle) this.emitEvent({ idle: false });
    if (this.halted !== undefined || this.holding || this.paused) this.held.push(e);
    else if ('idle' in e) this.output.emitWatermarkStatus(e.idle);
    else this.output.emitWatermark(e.watermark);
  }

  private emit(record: unknown, timestamp: number | undefined): Promise<void> | undefined {
    if (this.canceled) throw new SourceCanceledError();
    const et = this.eventTime;
    // With a strategy, the assigner gives the timestamp (Flink's SourceOutputWithWatermarks), and
    // only a watermark makes an idle output active again; without one, a record makes an idle
    // source active again (Flink's legacy source contexts).
    if (et) timestamp = extractTimestamp(et.assigner, record, timestamp ?? NO_TIMESTAMP);
    else if (this.idle) this.emitEvent({ idle: false });
    if (this.halted !== undefined || this.holding || this.paused) {
      // Held back, not emitted: a checkpoint lets it go before its barrier; a failed stop lets it
      // go on; a finished stop drops it (a restore from the savepoint produces it again). A copy:
      // the source may reuse its output object once collect() returned, as it may when the record
      // goes through the chain at once (one that cannot be copied is kept as it is: it may never
      // have to leave the thread).
      this.held.push({ record: copyHeld(record), timestamp });
      et?.generator.onEvent(record, timestamp!, et.emitter);
      return this.parked;
    }
    this.output.collect(record, timestamp);
    et?.generator.onEvent(record, timestamp!, et.emitter);
    // An async invoke down the chain: the source waits for it, as Flink's source waits for the
    // synchronous invoke under the checkpoint lock.
    const pending = this.hooks.pendingWork();
    // Ahead of its alignment group: the source waits until the group catches up.
    const aligning = et?.alignment?.wait;
    if (aligning !== undefined) return this.thenUnheld(pending !== undefined ? pending.then(() => aligning) : aligning);
    if (pending !== undefined) return this.thenUnheld(pending);
    // Checking the outputs costs a call per writer: do it every CHECK_EVERY records. A writer may
    // then queue up to CHECK_EVERY records beyond its limit, which bounds the overshoot.
    if ((++this.count & (CHECK_EVERY - 1)) !== 0) return undefined;
    if (!this.hooks.isAvailable()) return this.thenUnheld(this.hooks.whenAvailable());
    if ((this.count & (YIELD_EVERY - 1)) === 0 && this.yieldDue()) return this.thenUnheld(yieldTurn());
    return undefined;
  }

  /** When the source last yielded (performance.now()). */
  private lastYield = 0;

  /** Whether YIELD_AFTER_MS passed since the last voluntary yield (then it yields now). */
  private yieldDue(): boolean {
    const now = performance.now();
    if (now - this.lastYield < YIELD_AFTER_MS) return false;
    this.lastYield = now;
    return true;
  }

  /**
   * The sequence source's run of numbers (RangeSourceContext): emit() for each, with the checks
   * that cannot change within a run made once for it. A run is synchronous, so nothing else on the
   * thread (a checkpoint's hold, a notification's pause, a stop's halt, a cancel) can come between
   * its records; what the chain itself starts (an async invoke) is checked after every record, and
   * the outputs' availability and the voluntary yield every CHECK_EVERY and YIELD_EVERY records, as
   * emit() does. With a fromSource strategy, while idle or while anything holds the source, each
   * number takes emit()'s path.
   */
  private emitRange(range: [number, number]): Promise<void> | undefined {
    if (this.eventTime !== undefined || this.idle || this.halted !== undefined || this.holding || this.paused || this.canceled) return this.emit(range[0]++, undefined);
    const output = this.output;
    const hooks = this.hooks;
    const last = range[1];
    let n = range[0];
    let count = this.count;
    let wait: Promise<void> | undefined;
    // No try/finally to advance range[0] past a record whose processing threw: V8 optimizes the
    // chain inlined into this loop worse inside a try block (a CPU-bound map ran 4x slower), and
    // such a record fails the task, whose next attempt restores the position from a checkpoint.
    while (n <= last) {
      output.collect(n++, undefined);
      const pending = hooks.pendingWork();
      if (pending !== undefined) {
        wait = this.thenUnheld(pending);
        break;
      }
      if ((++count & (CHECK_EVERY - 1)) === 0) {
        if (!hooks.isAvailable()) {
          wait = this.thenUnheld(hooks.whenAvailable());
          break;
        }
        if ((count & (YIELD_EVERY - 1)) === 0 && this.yieldDue()) {
          wait = this.thenUnheld(yieldTurn());
          break;
        }
      }
    }
    range[0] = n;
    this.count = count;
    return wait;
  }

  /**
   * A wait of the source's (a turn, a buffer, an invoke, its alignment group) that ends during a
   * checkpoint's snapshot lasts until the barrier is out (or, halted by a stop, until the task
   * ends): a source awaiting collect() makes no progress while the snapshot runs, so an
   * asynchronous snapshotState reads the position of the records before the barrier (what Flink's
   * checkpoint lock guarantees). Only a source's own waits (timers, I/O) can still let it run.
   */
  private thenUnheld(wait: Promise<void>): Promise<void> {
    return wait.then(() => ((this.holding || this.paused || this.halted !== undefined) && !this.canceled ? this.parked : undefined));
  }

  /** Runs the source until it returns (bounded) or is canceled. */
  async run(hooks: SourceTaskHooks): Promise<void> {
    this.hooks = hooks;
    this.eventTime?.periodic.start();
    this.eventTime?.alignment?.start();
    try {
      await this.fn.run(this.context);
      // A source that did not await collect() may return while a checkpoint holds it (or a stop's
      // savepoint halted it): its held records go out at unhold() (or resume()) after the barrier,
      // so the input does not end before them (the writers would drop them once finished). A
      // cancel or a drain wakes it; a finished stop drops them (the savepoint produces them again).
      while ((this.holding || this.paused || this.halted !== undefined) && !this.canceled) await this.parked;
    } catch (e) {
      // The source was canceled (or drained) while it looped on collect(): it has ended.
      if (e instanceof SourceCanceledError && this.canceled) return;
      throw e;
    } finally {
      this.stopEventTime();
    }
  }

  /** Periodic emits stop (Flink's stopPeriodicWatermarkEmits) and the subtask leaves its alignment group. */
  private stopEventTime(): void {
    this.eventTime?.periodic.stop();
    this.eventTime?.alignment?.finish();
  }

  /**
   * The final watermark, which the task passes once run() returned (the end of a bounded input, or
   * a drain): it goes out even when the source was canceled by the drain, and an idle source
   * becomes active first, so that downstream takes it (Flink's advanceToEndOfEventTime).
   */
  override processWatermark(watermark: number): void {
    const et = this.eventTime;
    if (et) {
      et.emitter.idle = false;
      if (watermark > et.emitter.currentWatermark) et.emitter.currentWatermark = watermark;
    }
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    }
    this.output.emitWatermark(watermark);
  }

  /**
   * After a stop's savepoint barrier: the source emits nothing more; collect() returns a promise
   * that waits until the task ends (the record is not emitted: a restore from the savepoint
   * produces it again).
   */
  halt(checkpointId: number): void {
    // Aborted while its snapshot ran (before the halt): the source goes on.
    if (this.abortedBeforeHalt !== undefined && this.abortedBeforeHalt >= checkpointId) return;
    this.halted = checkpointId;
  }

  /** The newest checkpoint aborted while the source was not halted for it (a halt for it comes too late). */
  private abortedBeforeHalt: number | undefined;

  /** The stop's savepoint `checkpointId` failed: the held records go out and the source goes on. */
  resume(checkpointId: number): void {
    if (this.halted !== checkpointId) {
      if (checkpointId > (this.abortedBeforeHalt ?? -1)) this.abortedBeforeHalt = checkpointId;
      return;
    }
    this.halted = undefined;
    this.releaseHeld();
    if (!this.holding && !this.paused) this.wake();
  }

  /** Set while a checkpoint notification runs: records emitted meanwhile wait (held), as Flink's source waits for the checkpoint lock. */
  private paused = false;

  /** A checkpoint notification starts: what the source emits is held until resume. */
  pause(): void {
    this.paused = true;
  }

  /** The notification ended: the held records go on (unless a checkpoint or a stop holds the source). */
  unpause(): void {
    this.paused = false;
    if (!this.holding && this.halted === undefined) {
      if (!this.hooks?.isCanceled()) this.releaseHeld();
      this.wake();
    }
  }

  /**
   * A checkpoint is about to snapshot this chain: from now on collect() holds records back and
   * parks the source, so that the source's state, the records before the barrier and every invoke
   * they cause agree. The checkpoint lets the held records through (releaseHeld) until the chain
   * has settled, snapshots, sends the barrier, then calls unhold().
   */
  hold(): void {
    this.holding = true;
    this.writeMark = 0;
  }

  /**
   * How many of the held records (and events) the source's operator state covers: the number held
   * when the user's code last wrote its list state while the checkpoint held the source. A source
   * that ran on during an asynchronous snapshotState (its own timer or I/O ended meanwhile) and
   * then wrote its position counted those records as emitted: they go out before the barrier.
   */
  private writeMark = 0;

  protected override onOperatorStateWrite(): () => void {
    return () => {
      if (this.holding) this.writeMark = this.held.length;
    };
  }

  /** After the source's snapshot, before any other operator's: emits the held records its state covers. */
  releaseCovered(): boolean {
    const n = this.writeMark;
    this.writeMark = 0;
    if (n === 0) return false;
    this.emitHeld(this.held.splice(0, n));
    return true;
  }

  /** Emits the records held so far (before the barrier); returns whether there were any. */
  releaseHeld(): boolean {
    if (this.held.length === 0) return false;
    const held = this.held;
    this.held = [];
    this.emitHeld(held);
    return true;
  }

  /** Emits held records, watermarks and statuses, in order. */
  private emitHeld(items: SourceOperator['held']): void {
    for (const h of items) {
      if ('record' in h) this.output.collect(h.record, h.timestamp);
      else if ('watermark' in h) this.output.emitWatermark(h.watermark);
      else this.output.emitWatermarkStatus(h.idle);
    }
  }

  /**
   * The checkpoint's barrier is out: the source goes on (unless a stop's savepoint halted it).
   * What it emitted while an async snapshotState ran was held: it goes out now, after the barrier
   * and before anything the source emits next.
   */
  unhold(): void {
    this.holding = false;
    if (this.halted === undefined && !this.paused) {
      if (!this.hooks?.isCanceled()) this.releaseHeld();
      this.wake();
    }
  }

  private wake(): void {
    const unpark = this.unpark;
    this.parked = new Promise<void>((resolve) => (this.unpark = resolve));
    unpark();
  }

  /** Asks the source to stop: collect() throws from now on, so a source that loops on it ends. */
  cancel(): void {
    this.canceled = true;
    this.stopEventTime();
    this.unpark();
    this.fn.cancel();
  }

  override close(): Promise<void> {
    this.stopEventTime();
    return closeUserFunction(this.fn);
  }
}
