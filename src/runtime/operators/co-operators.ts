/**
 * The operators of two connected streams (Flink's CoStreamMap, CoStreamFlatMap,
 * CoProcessOperator and KeyedCoProcessOperator). Input 1 is the first stream, input 2 the second
 * (the task calls processElement and processElement2). On keyed connected streams each input has
 * its own key selector: the operator makes the record's key current before user code runs, so
 * both sides share keyed state (and, for the process functions, timers) by key; with one side
 * keyed only, that side's records make their key current and the other's leave it (Flink's
 * setKeyContextElement with no state key selector for that input). A promise the
 * user's function returns on keyed streams fails the task, as for one-input keyed operators.
 */
import { toCallable, type Collector, type KeyedProcessContext, type OnTimerContext, type ProcessContext, type TimerService as TimerServiceApi } from '../../api/index.js';
import { checkState } from '../../core/errors.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import type { AbstractKeyedStateBackend, InternalTimer } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore } from './stream-operator.js';
import { TimerService, timeOnlyTimerService, type TimeDomain } from './timer-service.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';

/** What the operators of connected streams share: the user function, and the keys of keyed inputs. */
abstract class CoOperatorBase extends StreamOperator {
  /** The timestamp of what is being processed: the record's (an event-time timer's). */
  protected timestamp: number | undefined = undefined;
  protected readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.timestamp) };
  protected readonly backend: AbstractKeyedStateBackend | undefined;
  private readonly key1: ((v: unknown) => unknown) | undefined;
  private readonly key2: ((v: unknown) => unknown) | undefined;

  constructor(
    ctx: OperatorContext,
    protected readonly fn: unknown,
    keySelector1: unknown,
    keySelector2: unknown,
  ) {
    super(ctx);
    this.userFunction = fn;
    if (keySelector1 !== undefined || keySelector2 !== undefined) {
      checkState(ctx.keyedBackend !== undefined, 'A keyed operator needs a keyed state backend');
      this.backend = ctx.keyedBackend;
      if (keySelector1 !== undefined) this.key1 = toCallable(keySelector1, 'getKey', 'key selector');
      if (keySelector2 !== undefined) this.key2 = toCallable(keySelector2, 'getKey', 'key selector');
      this.keyedInput = true;
    }
  }

  /** Makes the record's key (by its input's key selector) current, for a keyed input. */
  protected setKey(record: unknown, input: 1 | 2): void {
    const key = input === 1 ? this.key1 : this.key2;
    if (key !== undefined) this.backend!.setCurrentKey(key(record));
  }

  /** A promise from the user's function fails the task (user functions are synchronous, as Flink's). */
  protected checkResult(r: unknown, method: string, kind: string): void {
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, method, kind), this.keyedInput);
  }

  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  override close(): void | Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Flink's CoStreamMap: map1 / map2. */
export class CoMapOperator extends CoOperatorBase {
  private readonly call1 = toCallable<(v: unknown) => unknown>(this.fn, 'map1', 'CoMapFunction');
  private readonly call2 = toCallable<(v: unknown) => unknown>(this.fn, 'map2', 'CoMapFunction');
  processElement(record: unknown, timestamp?: number): void {
    this.setKey(record, 1);
    const r = this.call1(record);
    this.checkResult(r, 'map1', 'CoMapFunction');
    this.output.collect(r, timestamp);
  }
  override processElement2(record: unknown, timestamp?: number): void {
    this.setKey(record, 2);
    const r = this.call2(record);
    this.checkResult(r, 'map2', 'CoMapFunction');
    this.output.collect(r, timestamp);
  }
}

/** Flink's CoStreamFlatMap: flatMap1 / flatMap2; what they emit carries the input record's timestamp. */
export class CoFlatMapOperator extends CoOperatorBase {
  private readonly call1 = toCallable<(v: unknown, out: Collector<unknown>) => void>(this.fn, 'flatMap1', 'CoFlatMapFunction');
  private readonly call2 = toCallable<(v: unknown, out: Collector<unknown>) => void>(this.fn, 'flatMap2', 'CoFlatMapFunction');
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 1);
    this.checkResult(this.call1(record, this.collector), 'flatMap1', 'CoFlatMapFunction');
  }
  override processElement2(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 2);
    this.checkResult(this.call2(record, this.collector), 'flatMap2', 'CoFlatMapFunction');
  }
}

/** Flink's CoProcessOperator (connected streams not keyed): timers only tell the time. */
export class CoProcessOperator extends CoOperatorBase {
  private readonly call1 = toCallable<(v: unknown, ctx: ProcessContext, out: Collector<unknown>) => void>(this.fn, 'processElement1', 'CoProcessFunction');
  private readonly call2 = toCallable<(v: unknown, ctx: ProcessContext, out: Collector<unknown>) => void>(this.fn, 'processElement2', 'CoProcessFunction');
  private watermark = MIN_WATERMARK;
  private readonly timers: TimerServiceApi = timeOnlyTimerService(() => this.ctx.now(), () => this.watermark);
  private readonly context: ProcessContext = {
    timestamp: () => this.timestamp ?? null,
    timerService: () => this.timers,
    output: (tag, value) => this.output.collectSide(tag, value, this.timestamp),
  };
  /** Key selectors: of the one keyed input of connected streams keyed on one side only (keyed state on that side). */
  constructor(ctx: OperatorContext, fn: unknown, keySelector1?: unknown, keySelector2?: unknown) {
    super(ctx, fn, keySelector1, keySelector2);
  }
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 1);
    this.checkResult(this.call1(record, this.context, this.collector), 'processElement1', 'CoProcessFunction');
  }
  override processElement2(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 2);
    this.checkResult(this.call2(record, this.context, this.collector), 'processElement2', 'CoProcessFunction');
  }
  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    super.processWatermark(watermark);
  }
}

/** Flink's KeyedCoProcessOperator: both inputs keyed; keyed state and timers shared by key. */
export class KeyedCoProcessOperator extends CoOperatorBase {
  private readonly call1 = toCallable<(v: unknown, ctx: KeyedProcessContext<unknown>, out: Collector<unknown>) => void>(this.fn, 'processElement1', 'KeyedCoProcessFunction');
  private readonly call2 = toCallable<(v: unknown, ctx: KeyedProcessContext<unknown>, out: Collector<unknown>) => void>(this.fn, 'processElement2', 'KeyedCoProcessFunction');
  private readonly timerService: TimerService;
  private readonly context: KeyedProcessContext<unknown>;
  private readonly timerContext: OnTimerContext<unknown>;
  private firing: InternalTimer | undefined;
  private firingDomain: TimeDomain = 'EVENT_TIME';
  constructor(ctx: OperatorContext, fn: unknown, keySelector1: unknown, keySelector2: unknown) {
    super(ctx, fn, keySelector1, keySelector2);
    const backend = this.backend!;
    // Timers live in the keyed backend's timer queues: checkpointed per key group with the keyed state.
    this.timerService = new TimerService(ctx.now, (t, domain) => this.onTimer(t, domain), ctx.mailbox, backend);
    const timers = this.timerService.forCurrentKey();
    this.context = {
      timestamp: () => this.timestamp ?? null,
      timerService: () => timers,
      output: (tag, value) => this.output.collectSide(tag, value, this.timestamp),
      getCurrentKey: () => backend.getCurrentKey(),
    };
    this.timerContext = { ...this.context, timestamp: () => this.firing!.timestamp, timeDomain: () => this.firingDomain };
  }

  /** Restored timers fire once state is back (Flink's startTimerService). */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore, index, parallelism);
    this.timerService.start();
  }

  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 1);
    this.checkResult(this.call1(record, this.context, this.collector), 'processElement1', 'KeyedCoProcessFunction');
  }
  override processElement2(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.setKey(record, 2);
    this.checkResult(this.call2(record, this.context, this.collector), 'processElement2', 'KeyedCoProcessFunction');
  }

  /** Event-time timers the watermark (the minimum of both inputs) passed fire, then the watermark goes on. */
  override processWatermark(watermark: number): void {
    this.timerService.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }

  /** Calls the user's onTimer (the timer service made the timer's key current). */
  private onTimer(t: InternalTimer, domain: TimeDomain): void {
    const f = this.fn as { onTimer?: (ts: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>) => void };
    if (typeof f?.onTimer !== 'function') return;
    this.timestamp = domain === 'EVENT_TIME' ? t.timestamp : undefined;
    this.firing = t;
    this.firingDomain = domain;
    this.checkResult(f.onTimer.call(this.fn, t.timestamp, this.timerContext, this.collector), 'onTimer', 'KeyedCoProcessFunction');
  }

  /** The end of input: processing time stops, and the final watermark fires every event-time timer left. */
  override endInput(): void {
    this.timerService.endOfInput();
  }

  override close(): void | Promise<void> {
    this.timerService.quiesce();
    return super.close();
  }
}
