/**
 * The one-input operators without state of their own: map, flatMap, filter, and ProcessFunction.
 * On a KeyedStream their functions may use keyed state, so there a promise they return (an async
 * function) fails the task, as does a filter's anywhere (user-function.ts).
 */
import { toCallable, type Collector, type ProcessContext, type TimerService } from '../../api/index.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import { StreamOperator, type FusedElement, type OperatorContext } from './stream-operator.js';
import { timeOnlyTimerService } from './timer-service.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';

/** Base of operators that wrap one user function. */
abstract class UserFunctionOperator extends StreamOperator {
  constructor(
    ctx: OperatorContext,
    /** The user's function or object. */
    protected readonly fn: unknown,
  ) {
    super(ctx);
    this.userFunction = fn;
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Flink's StreamMap. */
export class MapOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown) => unknown>(this.fn, 'map', 'map');
  processElement(record: unknown, timestamp?: number): void {
    const r = this.call(record);
    if (isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'map', 'MapFunction'), this.keyedInput);
    this.output.collect(r, timestamp);
  }
  /** processElement, with a result that has a then() method left to thenable(). */
  override fusedElement(): FusedElement | undefined {
    if (this.processElement !== MapOperator.prototype.processElement) return undefined;
    return {
      code: 'const v = self.call(r); if (typeof v === "object" && v !== null && typeof v.then === "function") self.thenable(v, ts); else next(v, ts);',
      next: this.output.collect,
    };
  }
  /** A result with a then() method: a promise fails the task, a record of a class with then() goes on. */
  thenable(r: unknown, timestamp: number | undefined): void {
    if (isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'map', 'MapFunction'), this.keyedInput);
    this.output.collect(r, timestamp);
  }
}

/** Flink's StreamFlatMap. */
export class FlatMapOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown, out: Collector<unknown>) => void>(this.fn, 'flatMap', 'flatMap');
  /** The input record's timestamp: what it emits carries it (Flink's TimestampedCollector). */
  private timestamp: number | undefined = undefined;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.timestamp) };
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    const r: unknown = this.call(record, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'flatMap', 'FlatMapFunction'), this.keyedInput);
  }
}

/** Flink's StreamFilter. A promise (an async filter) fails the task: it is truthy, and would let every record pass. */
export class FilterOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown) => unknown>(this.fn, 'filter', 'filter');
  processElement(record: unknown, timestamp?: number): void {
    const keep = this.call(record);
    if (keep === false) return;
    if (keep !== true) this.otherResult(keep, record, timestamp);
    else this.output.collect(record, timestamp);
  }
  /** processElement, with a result other than a boolean left to otherResult(). */
  override fusedElement(): FusedElement | undefined {
    if (this.processElement !== FilterOperator.prototype.processElement) return undefined;
    return { code: 'const k = self.call(r); if (k === true) next(r, ts); else if (k !== false) self.otherResult(k, r, ts);', next: this.output.collect };
  }
  /** A result other than a boolean: a promise fails the task; any other value passes the record when truthy. */
  otherResult(keep: unknown, record: unknown, timestamp: number | undefined): void {
    if (isPromiseLike(keep)) throw asyncUserFunctionError(keep, this.callSite(this.fn, 'filter', 'FilterFunction'));
    if (keep) this.output.collect(record, timestamp);
  }
}

/** Flink's ProcessOperator (non-keyed ProcessFunction): timers only tell the time. */
export class ProcessOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown, ctx: ProcessContext, out: Collector<unknown>) => void>(this.fn, 'processElement', 'process');
  private timestamp: number | undefined = undefined;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.timestamp) };
  private watermark = MIN_WATERMARK;
  private readonly timers: TimerService = timeOnlyTimerService(() => this.ctx.now(), () => this.watermark);
  private readonly context: ProcessContext = {
    timestamp: () => this.timestamp ?? null,
    timerService: () => this.timers,
    output: (tag, value) => this.output.collectSide(tag, value, this.timestamp),
  };
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    const r: unknown = this.call(record, this.context, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processElement', 'ProcessFunction'), this.keyedInput);
  }
  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    super.processWatermark(watermark);
  }
}
