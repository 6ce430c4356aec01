/**
 * Keyed one-input operators: rolling reduce (and the built-in aggregations) and
 * KeyedProcessFunction. Each sets the record's key on the keyed backend before user code runs; a
 * promise the user's function returns fails the task (user-function.ts), since the key would
 * change under an async function.
 * KeyedProcessFunction's timers are a TimerService over the keyed backend's timer queues: they are
 * checkpointed with the keyed state, per key group.
 */
import { IN_PLACE, toCallable, ValueStateDescriptor, type AggregationReducer, type Collector, type KeyedProcessContext, type OnTimerContext, type TimerService as TimerServiceApi, type ValueState } from '../../api/index.js';
import { assignToKeyGroup } from '../../core/key-groups.js';
import { TimerService, type TimeDomain } from './timer-service.js';
import { checkState } from '../../core/errors.js';
import { LEGACY_TIMERS_STATE, type AbstractKeyedStateBackend, type InternalTimer, type OperatorStateData } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore } from './stream-operator.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';

abstract class KeyedOperator extends StreamOperator {
  protected readonly backend: AbstractKeyedStateBackend;
  protected readonly keyOf: (v: unknown) => unknown;
  constructor(ctx: OperatorContext, keySelector: unknown) {
    super(ctx);
    checkState(ctx.keyedBackend !== undefined, 'A keyed operator needs a keyed state backend');
    this.backend = ctx.keyedBackend;
    this.keyOf = toCallable(keySelector, 'getKey', 'key selector');
    this.keyedInput = true;
  }
}

/** Flink's StreamGroupedReduceOperator: emits the new reduced value after every record. */
export class ReduceOperator extends KeyedOperator {
  private readonly call: (a: unknown, b: unknown) => unknown;
  private state!: ValueState<unknown>;
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
    keySelector: unknown,
  ) {
    super(ctx, keySelector);
    this.userFunction = fn;
    // A built-in aggregation (sum, min, max) changes the running aggregate in place where no one
    // can see it change: without object reuse, what this operator emits is copied before any
    // function holds it, and the aggregate in state is this operator's own (a copy or a
    // deserialized record, read back as a value safe to change). Flink copies it per record.
    const inPlace = (fn as AggregationReducer)[IN_PLACE];
    this.call = ctx.objectReuse === false && typeof fn === 'function' && inPlace !== undefined ? inPlace : toCallable(fn, 'reduce', 'reduce');
  }
  override async open(): Promise<void> {
    this.state = this.backend.getValueState(new ValueStateDescriptor<unknown>('_op_state'));
    await openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(record: unknown, timestamp?: number): void {
    this.backend.setCurrentKey(this.keyOf(record));
    const current = this.state.value();
    // Empty state is null (Flink's); a reduce result of null or undefined clears it, so the next record starts afresh.
    const next = current === null ? record : this.call(current, record);
    if (isPromiseLike(next)) throw asyncUserFunctionError(next, this.callSite(this.fn, 'reduce', 'ReduceFunction'));
    this.state.update(next);
    // The result keeps the record's timestamp (Flink's element.replace(value)).
    this.output.collect(next, timestamp);
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Flink's KeyedProcessOperator. */
export class KeyedProcessOperator extends KeyedOperator {
  private readonly call: (v: unknown, ctx: KeyedProcessContext<unknown>, out: Collector<unknown>) => void;
  /** The timestamp of what is being processed: the record's, an event-time timer's, none for processing time. */
  private timestamp: number | undefined = undefined;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.timestamp) };
  private readonly timers: TimerServiceApi;
  private readonly timerService: TimerService;
  private readonly context: KeyedProcessContext<unknown>;
  /** onTimer's context, made once: it reads the timer being fired. */
  private readonly timerContext: OnTimerContext<unknown>;
  private firing: InternalTimer | undefined;
  private firingDomain: TimeDomain = 'EVENT_TIME';
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
    keySelector: unknown,
  ) {
    super(ctx, keySelector);
    this.userFunction = fn;
    this.call = toCallable(fn, 'processElement', 'KeyedProcessFunction');
    this.timerService = new TimerService(ctx.now, (t, domain) => this.onTimer(t, domain), ctx.mailbox, this.backend);
    this.timers = this.timerService.forCurrentKey();
    this.context = {
      timestamp: () => this.timestamp ?? null,
      timerService: () => this.timers,
      output: (tag, value) => this.output.collectSide(tag, value, this.timestamp),
      getCurrentKey: () => this.backend.getCurrentKey(),
    };
    this.timerContext = { ...this.context, timestamp: () => this.firing!.timestamp, timeDomain: () => this.firingDomain };
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.backend.setCurrentKey(this.keyOf(record));
    const r: unknown = this.call(record, this.context, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processElement', 'KeyedProcessFunction'));
  }

  /** Event-time timers the watermark passed fire, then the watermark goes on (Flink's order). */
  override processWatermark(watermark: number): void {
    this.timerService.advanceWatermark(watermark);
    super.processWatermark(watermark);
  }

  /**
   * Calls the user's onTimer (the timer service made the timer's key current). As in Flink, what
   * it emits carries the timer's timestamp for an event-time timer and no timestamp for a
   * processing-time one; ctx.timestamp() is the timer's timestamp in both.
   */
  private onTimer(t: InternalTimer, domain: TimeDomain): void {
    const f = this.fn as { onTimer?: (ts: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>) => void };
    if (typeof f?.onTimer !== 'function') return;
    this.timestamp = domain === 'EVENT_TIME' ? t.timestamp : undefined;
    this.firing = t;
    this.firingDomain = domain;
    const r: unknown = f.onTimer.call(this.fn, t.timestamp, this.timerContext, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'onTimer', 'KeyedProcessFunction'));
  }

  /**
   * The keyed backend restores the timers with the keyed state. A snapshot of format version 1
   * kept them as union operator state instead: those of this subtask's key groups move into the
   * timer queues, and that operator state is dropped.
   */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    const legacy = restore ? takeLegacyTimers(restore) : undefined;
    await super.initializeState(legacy ? legacy.restore : restore, index, parallelism);
    if (legacy) {
      const range = this.backend.keyGroupRange;
      for (const [domain, key, timestamp] of legacy.timers) {
        if (range.contains(assignToKeyGroup(key, this.backend.maxParallelism))) this.timerService.register(domain, key, timestamp);
      }
    }
    this.timerService.start();
  }

  /**
   * The end of input: processing time stops, and the final watermark (Flink's Long.MAX_VALUE)
   * fires every event-time timer left, should it not have come through processWatermark.
   */
  override endInput(): void {
    this.timerService.endOfInput();
  }

  override close(): Promise<void> {
    this.timerService.quiesce();
    return closeUserFunction(this.fn);
  }
}

/** A version-1 restore without its `__timers` union state, and those timers (undefined: none). */
function takeLegacyTimers(restore: OperatorRestore): { restore: OperatorRestore; timers: Array<[TimeDomain, unknown, number]> } | undefined {
  if (!restore.operator.some((d) => d?.[LEGACY_TIMERS_STATE] !== undefined)) return undefined;
  const timers: Array<[TimeDomain, unknown, number]> = [];
  const operator = restore.operator.map((d): OperatorStateData | undefined => {
    const legacy = d?.[LEGACY_TIMERS_STATE];
    if (!d || !legacy) return d;
    timers.push(...(legacy.items as Array<[TimeDomain, unknown, number]>));
    const { [LEGACY_TIMERS_STATE]: _dropped, ...rest } = d;
    return Object.keys(rest).length > 0 ? rest : undefined;
  });
  return { restore: { ...restore, operator }, timers };
}
