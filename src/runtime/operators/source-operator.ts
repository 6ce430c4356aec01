/**
 * Flink's StreamSource: runs a SourceFunction. collect() pushes the record down the chain and
 * returns a promise when the source should give the thread back: when the output is
 * backpressured (resolves once it is not), or every YIELD_EVERY records (resolves on the next
 * turn of the event loop), so that credits, other tasks and cancellation are handled.
 */
import { Watermark, type SourceContext, type SourceFunction } from '../../api/index.js';
import { StreamOperator, type OperatorContext } from './stream-operator.js';
import { closeUserFunction, openUserFunction } from './user-function.js';

/** Records between voluntary yields (a power of two). */
const YIELD_EVERY = 1024;
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

/** Runs a source function. */
export class SourceOperator extends StreamOperator {
  private count = 0;
  private canceled = false;
  /** The stop's savepoint after whose barrier the source holds back its records. */
  private halted: number | undefined;
  /** Set while a checkpoint waits for the chain to settle: records emitted meanwhile are held. */
  private holding = false;
  private held: unknown[] = [];
  private unpark!: () => void;
  private parked = new Promise<void>((resolve) => (this.unpark = resolve));
  private hooks!: SourceTaskHooks;
  private readonly lock = {};
  constructor(
    ctx: OperatorContext,
    private readonly fn: SourceFunction<unknown>,
  ) {
    super(ctx);
    this.userFunction = fn;
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(): void {
    throw new Error('A source has no input (this is a bug in miniflink)');
  }

  private readonly context: SourceContext<unknown> = {
    collect: (record) => this.emit(record),
    collectWithTimestamp: (record) => this.emit(record),
    emitWatermark: (_mark: Watermark) => {},
    getCheckpointLock: () => this.lock,
    isCanceled: () => this.hooks.isCanceled(),
  };

  private emit(record: unknown): Promise<void> | undefined {
    if (this.canceled) throw new SourceCanceledError();
    if (this.halted !== undefined || this.holding) {
      // Held back, not emitted: a checkpoint lets it go before its barrier; a failed stop lets it
      // go on; a finished stop drops it (a restore from the savepoint produces it again).
      this.held.push(record);
      return this.parked;
    }
    this.output.collect(record);
    // An async invoke down the chain: the source waits for it, as Flink's source waits for the
    // synchronous invoke under the checkpoint lock.
    const pending = this.hooks.pendingWork();
    if (pending !== undefined) return pending;
    // Checking the outputs costs a call per writer: do it every CHECK_EVERY records. A writer may
    // then queue up to CHECK_EVERY records beyond its limit, which bounds the overshoot.
    if ((++this.count & (CHECK_EVERY - 1)) !== 0) return undefined;
    if (!this.hooks.isAvailable()) return this.hooks.whenAvailable();
    if ((this.count & (YIELD_EVERY - 1)) === 0) return yieldTurn();
    return undefined;
  }

  /** Runs the source until it returns (bounded) or is canceled. */
  async run(hooks: SourceTaskHooks): Promise<void> {
    this.hooks = hooks;
    try {
      await this.fn.run(this.context);
    } catch (e) {
      // The source was canceled (or drained) while it looped on collect(): it has ended.
      if (e instanceof SourceCanceledError && this.canceled) return;
      throw e;
    }
  }

  /**
   * After a stop's savepoint barrier: the source emits nothing more; collect() returns a promise
   * that waits until the task ends (the record is not emitted: a restore from the savepoint
   * produces it again).
   */
  halt(checkpointId: number): void {
    this.halted = checkpointId;
  }

  /** The stop's savepoint `checkpointId` failed: the held records go out and the source goes on. */
  resume(checkpointId: number): void {
    if (this.halted !== checkpointId) return;
    this.halted = undefined;
    this.releaseHeld();
    if (!this.holding) this.wake();
  }

  /**
   * A checkpoint is about to snapshot this chain: from now on collect() holds records back and
   * parks the source, so that the source's state, the records before the barrier and every invoke
   * they cause agree. The checkpoint lets the held records through (releaseHeld) until the chain
   * has settled, snapshots, sends the barrier, then calls unhold().
   */
  hold(): void {
    this.holding = true;
  }

  /** Emits the records held so far (before the barrier); returns whether there were any. */
  releaseHeld(): boolean {
    if (this.held.length === 0) return false;
    const held = this.held;
    this.held = [];
    for (const r of held) this.output.collect(r);
    return true;
  }

  /** The checkpoint's barrier is out: the source goes on (unless a stop's savepoint halted it). */
  unhold(): void {
    this.holding = false;
    if (this.halted === undefined) this.wake();
  }

  private wake(): void {
    const unpark = this.unpark;
    this.parked = new Promise<void>((resolve) => (this.unpark = resolve));
    unpark();
  }

  /** Asks the source to stop: collect() throws from now on, so a source that loops on it ends. */
  cancel(): void {
    this.canceled = true;
    this.unpark();
    this.fn.cancel();
  }

  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}
