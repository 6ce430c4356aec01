/**
 * Sinks: user SinkFunctions (function or object with invoke, sync or async) and the collect sink
 * of executeAndCollect, which ships batches to the JobManager.
 */
import { toCallable, type SinkContext } from '../../api/index.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import { copyRecord } from '../../core/record-copy.js';
import { StreamOperator, type FusedElement, type OperatorContext, type OperatorSnapshotRef } from './stream-operator.js';
import { closeUserFunction, openUserFunction } from './user-function.js';

/** Flink's StreamSink. Async invoke() calls run one after another, in record order. */
export class SinkOperator extends StreamOperator {
  private readonly call: (v: unknown, c: SinkContext) => void | Promise<void>;
  private readonly context: SinkContext;
  private tail: Promise<void> | undefined;
  /** The timestamp of the record being written (Flink's SinkFunction.Context.timestamp()). */
  private timestamp: number | undefined = undefined;
  /** The sink's current watermark (Long.MIN_VALUE before any). */
  private watermark = MIN_WATERMARK;
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
  ) {
    super(ctx);
    this.userFunction = fn;
    this.call = toCallable(fn, 'invoke', 'sink');
    this.context = { timestamp: () => this.timestamp ?? null, currentProcessingTime: () => this.ctx.now(), currentWatermark: () => this.watermark };
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(record: unknown, timestamp?: number): void {
    // The task waits for a pending invoke before it passes the next record, so `tail` is set here
    // only when a source emits without awaiting collect(): then invokes queue up, in order, each
    // with a context of its own record.
    let r;
    if (this.tail) {
      const ctx: SinkContext = { ...this.context, timestamp: () => timestamp ?? null };
      r = this.tail.then(() => this.call(record, ctx));
    } else {
      this.timestamp = timestamp;
      r = this.call(record, this.context);
    }
    if (r && typeof (r as Promise<void>).then === 'function') this.invoked(r);
  }
  /** processElement, with an invoke that returned a thenable left to invoked(). */
  override fusedElement(): FusedElement | undefined {
    if (this.processElement !== SinkOperator.prototype.processElement) return undefined;
    return {
      code: 'if (self.tail === undefined) { self.timestamp = ts; const v = self.call(r, aux); if (v && typeof v.then === "function") self.invoked(v); } else self.processElement(r, ts);',
      aux: this.context,
    };
  }
  /** An async invoke: later invokes wait for it, and so does the task (track). */
  invoked(r: PromiseLike<void>): void {
    const t: Promise<void> = (r as Promise<void>).then(() => {
      if (this.tail === t) this.tail = undefined;
    });
    this.tail = t;
    this.ctx.track(t);
  }
  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    super.processWatermark(watermark);
  }
  override async endInput(): Promise<void> {
    await this.tail;
    const f = this.fn as { finish?: () => void | Promise<void> };
    if (typeof f === 'object' && f !== null && typeof f.finish === 'function') await f.finish();
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Batch size of the collect sink, in records. */
const COLLECT_BATCH = 1024;
/** Longest a collected record waits in the sink's batch (ms): a source that slows down or idles still delivers what it emitted. */
const COLLECT_FLUSH_MS = 100;

/** The sink of executeAndCollect: records go to the JobManager, which hands them to the caller. */
export class CollectSinkOperator extends StreamOperator {
  private batch: unknown[] = [];
  /** The last checkpoint whose barrier passed: records collected now come after it. */
  private epoch = 0;
  /**
   * Sends a batch that waited COLLECT_FLUSH_MS (found by a review: a source that emitted 10 records
   * and then idled never delivered them, so executeAndCollect(limit) never returned).
   */
  private flushTimer: NodeJS.Timeout | undefined;
  /** The sink as a copy error names it: `'Data stream collect sink' (1/1)`. */
  private readonly label: string;
  constructor(
    ctx: OperatorContext,
    private readonly collectId: string,
  ) {
    super(ctx);
    const rc = ctx.runtimeContext;
    this.label = `'${ctx.operatorName ?? 'Data stream collect sink'}' (${rc.getIndexOfThisSubtask() + 1}/${rc.getNumberOfParallelSubtasks()})`;
  }
  override open(): void {
    // Through the mailbox: never in the middle of a snapshot or a notification.
    this.flushTimer = setInterval(() => this.ctx.mailbox(() => this.flush()), COLLECT_FLUSH_MS);
    this.flushTimer.unref();
  }
  override close(): void {
    clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }
  processElement(record: unknown): void {
    // Held until the batch goes (Flink's collect sink serializes at once): a copy, so that a
    // function that changes its output object after emitting it does not change what is collected.
    this.batch.push(copyRecord(record, this.label));
    if (this.batch.length >= COLLECT_BATCH) this.flush();
  }
  /** Sends what is buffered. */
  flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    this.ctx.sendCollected(this.collectId, b, this.epoch);
  }
  override endInput(): void {
    this.flush();
  }
  /** Ships buffered records before the checkpoint's acknowledgement, so they count as before it. */
  override snapshotState(checkpointId: number, timestamp: number): OperatorSnapshotRef | Promise<OperatorSnapshotRef> {
    this.flush();
    this.epoch = checkpointId;
    return super.snapshotState(checkpointId, timestamp);
  }
}
