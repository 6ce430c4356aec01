/**
 * The operators of a stream connected with a broadcast stream (Flink's
 * CoBroadcastWithNonKeyedOperator and CoBroadcastWithKeyedOperator). Input 1 is the non-broadcast
 * side, input 2 the broadcast side. Broadcast state lives in the operator state store (mode
 * `broadcast`: each subtask snapshots its copy; on restore subtask i takes old subtask i % p's).
 */
import {
  toCallable,
  type BroadcastContext,
  type BroadcastState,
  type Collector,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedReadOnlyBroadcastContext,
  type MapStateDescriptor,
  type OutputTag,
  type ReadOnlyBroadcastContext,
  type ReadOnlyBroadcastState,
  type StateDescriptor,
  type StateKind,
  type TimerService as TimerServiceApi,
} from '../../api/index.js';
import { checkState, MiniFlinkError } from '../../core/errors.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import type { AbstractKeyedStateBackend } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore } from './stream-operator.js';
import type { InternalTimer } from '../../state/index.js';
import { TimerService, type TimeDomain } from './timer-service.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';

type Descriptors = ReadonlyArray<MapStateDescriptor<unknown, unknown>>;
type AnyStateDescriptor = StateDescriptor<unknown> & { readonly kind: StateKind };

/** What both broadcast operators share: the broadcast state and the two calls. */
abstract class BroadcastOperatorBase extends StreamOperator {
  /** The timestamp what the function emits carries: the input record's, or an event-time timer's. */
  protected timestamp: number | undefined = undefined;
  /** The input's watermark. */
  protected watermark = MIN_WATERMARK;
  protected readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.timestamp) };
  private readonly states = new Map<string, BroadcastState<unknown, unknown>>();
  private readonly readOnly = new Map<string, ReadOnlyBroadcastState<unknown, unknown>>();

  constructor(
    ctx: OperatorContext,
    protected readonly fn: unknown,
    private readonly descriptors: Descriptors,
    kind: string,
  ) {
    super(ctx);
    this.userFunction = fn;
    toCallable(fn, 'processElement', kind);
    toCallable(fn, 'processBroadcastElement', kind);
  }

  /** Registers every broadcast state the stream was broadcast with (restored ones come back filled). */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore, index, parallelism);
    for (const d of this.descriptors) {
      const s = this.stateStore.getBroadcastState(d);
      this.states.set(d.name, s);
      this.readOnly.set(d.name, { get: (k) => s.get(k), contains: (k) => s.contains(k), immutableEntries: () => s.immutableEntries() });
    }
  }

  private lookup<S>(map: Map<string, S>, d: MapStateDescriptor<unknown, unknown>): S {
    const s = map.get(d?.name);
    if (s === undefined) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_ARGUMENT',
        `The requested state '${d?.name}' does not exist. Check for typos in your state descriptor, or specify the state descriptor in the datastream.broadcast(...) call if you forgot to register it.`,
      );
    }
    return s;
  }

  /** Broadcast state as the broadcast side sees it. */
  protected broadcastState<K, V>(d: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.lookup(this.states, d as MapStateDescriptor<unknown, unknown>) as BroadcastState<K, V>;
  }

  /** Broadcast state as the other side sees it (read-only). */
  protected readOnlyState<K, V>(d: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.lookup(this.readOnly, d as MapStateDescriptor<unknown, unknown>) as ReadOnlyBroadcastState<K, V>;
  }

  /** What both sides' contexts share. */
  protected baseContext() {
    return {
      timestamp: () => this.timestamp ?? null,
      currentProcessingTime: () => this.ctx.now(),
      currentWatermark: () => this.watermark,
      output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(tag as OutputTag<unknown>, value, this.timestamp),
    };
  }

  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  override close(): void | Promise<void> {
    return closeUserFunction(this.fn);
  }
}


/** Flink's CoBroadcastWithNonKeyedOperator: a BroadcastProcessFunction. */
export class BroadcastProcessOperator extends BroadcastOperatorBase {
  private readonly call1: (v: unknown, ctx: ReadOnlyBroadcastContext, out: Collector<unknown>) => void;
  private readonly call2: (v: unknown, ctx: BroadcastContext, out: Collector<unknown>) => void;
  private readonly readOnlyContext: ReadOnlyBroadcastContext;
  private readonly context: BroadcastContext;
  constructor(ctx: OperatorContext, fn: unknown, descriptors: Descriptors) {
    super(ctx, fn, descriptors, 'BroadcastProcessFunction');
    this.call1 = toCallable(fn, 'processElement', 'BroadcastProcessFunction');
    this.call2 = toCallable(fn, 'processBroadcastElement', 'BroadcastProcessFunction');
    const base = this.baseContext();
    this.readOnlyContext = { ...base, getBroadcastState: (d) => this.readOnlyState(d) };
    this.context = { ...base, getBroadcastState: (d) => this.broadcastState(d) };
  }
  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    const r: unknown = this.call1(record, this.readOnlyContext, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processElement', 'BroadcastProcessFunction'), false);
  }
  override processElement2(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    const r: unknown = this.call2(record, this.context, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processBroadcastElement', 'BroadcastProcessFunction'), false);
  }
  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    super.processWatermark(watermark);
  }
}

/** Flink's CoBroadcastWithKeyedOperator: a KeyedBroadcastProcessFunction, with keyed state and timers on the keyed side. */
export class KeyedBroadcastProcessOperator extends BroadcastOperatorBase {
  private readonly backend: AbstractKeyedStateBackend;
  private readonly keyOf: (v: unknown) => unknown;
  private readonly call1: (v: unknown, ctx: KeyedReadOnlyBroadcastContext<unknown>, out: Collector<unknown>) => void;
  private readonly call2: (v: unknown, ctx: KeyedBroadcastContext, out: Collector<unknown>) => void;
  private readonly timerService: TimerService;
  private readonly readOnlyContext: KeyedReadOnlyBroadcastContext<unknown>;
  private readonly context: KeyedBroadcastContext;

  constructor(ctx: OperatorContext, fn: unknown, keySelector: unknown, descriptors: Descriptors) {
    super(ctx, fn, descriptors, 'KeyedBroadcastProcessFunction');
    checkState(ctx.keyedBackend !== undefined, 'A keyed operator needs a keyed state backend');
    const backend = ctx.keyedBackend;
    this.backend = backend;
    this.keyOf = toCallable(keySelector, 'getKey', 'key selector');
    this.call1 = toCallable(fn, 'processElement', 'KeyedBroadcastProcessFunction');
    this.call2 = toCallable(fn, 'processBroadcastElement', 'KeyedBroadcastProcessFunction');
    // Timers live in the keyed backend's timer queues: checkpointed per key group with the keyed state.
    const svc = new TimerService(ctx.now, (t, domain) => this.onTimer(t, domain), ctx.mailbox, backend);
    this.timerService = svc;
    const timers: TimerServiceApi = svc.forCurrentKey();
    const base = this.baseContext();
    this.readOnlyContext = { ...base, getBroadcastState: (d) => this.readOnlyState(d), getCurrentKey: () => backend.getCurrentKey(), timerService: () => timers };
    this.context = {
      ...base,
      getBroadcastState: (d: MapStateDescriptor<unknown, unknown>) => this.broadcastState(d),
      applyToKeyedState: (d: AnyStateDescriptor, f: (key: unknown, state: never) => void) => this.applyToKeyedState(d, f),
    } as KeyedBroadcastContext;
  }

  /**
   * Visits every key of this subtask that has a value in the state, with the state scoped to it,
   * before it returns (Flink's applyToKeyedState): processElement2 had the backend list its keys
   * before it called the function.
   */
  private applyToKeyedState(d: AnyStateDescriptor, fn: (key: unknown, state: never) => void): void {
    const rc = this.ctx.runtimeContext as unknown as Record<string, (d: unknown) => unknown>;
    const state = rc[STATE_GETTER[d.kind]]!(d);
    const done = this.backend.applyToAllKeys(d, (key: unknown) => fn(key, state as never));
    // Only outside a broadcast element's call (an async function's code after an await, which fails
    // the task anyway): the keys come later, and the next record waits for them.
    if (isPromiseLike(done)) this.ctx.track(done as Promise<void>);
  }

  /** Restored timers fire once state is back (Flink's startTimerService). */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore, index, parallelism);
    this.timerService.start();
  }

  processElement(record: unknown, timestamp?: number): void {
    this.timestamp = timestamp;
    this.backend.setCurrentKey(this.keyOf(record));
    const r: unknown = this.call1(record, this.readOnlyContext, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processElement', 'KeyedBroadcastProcessFunction'));
  }

  /**
   * A broadcast element. Its function may visit every key's state (applyToKeyedState), which
   * Flink does before that call returns: a backend that lists its keys asynchronously (LevelDB)
   * lists them first, and the function runs once they are listed; the task takes its next input
   * only then (ctx.track), so the element keeps its place among the records.
   */
  override processElement2(record: unknown, timestamp?: number): void {
    const listed = this.backend.prepareKeyIteration();
    if (listed === undefined) this.processBroadcastElement(record, timestamp);
    else {
      const end = (e: unknown) => {
        this.backend.endKeyIteration();
        throw e;
      };
      this.ctx.track(listed.then(() => this.processBroadcastElement(record, timestamp), end));
    }
  }

  private processBroadcastElement(record: unknown, timestamp: number | undefined): void {
    this.timestamp = timestamp;
    try {
      const r: unknown = this.call2(record, this.context, this.collector);
      if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'processBroadcastElement', 'KeyedBroadcastProcessFunction'));
    } finally {
      this.backend.endKeyIteration();
    }
  }

  /** Event-time timers the watermark passed fire, then the watermark goes on (Flink's order). */
  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    this.timerService.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  /** Calls the user's onTimer (the timer service made the timer's key current). */
  private onTimer(t: InternalTimer, domain: TimeDomain): void {
    const f = this.fn as { onTimer?: (ts: number, ctx: KeyedBroadcastOnTimerContext<unknown>, out: Collector<unknown>) => void };
    if (typeof f?.onTimer !== 'function') return;
    // Output of an event-time timer carries its timestamp; of a processing-time timer, none (as Flink's).
    this.timestamp = domain === 'EVENT_TIME' ? t.timestamp : undefined;
    const r: unknown = f.onTimer.call(this.fn, t.timestamp, { ...this.readOnlyContext, timestamp: () => this.timestamp ?? null, timeDomain: () => domain }, this.collector);
    if (r !== undefined && isPromiseLike(r)) throw asyncUserFunctionError(r, this.callSite(this.fn, 'onTimer', 'KeyedBroadcastProcessFunction'));
  }

  /** The final watermark of a bounded input fires every event-time timer; processing time stops. */
  override endInput(): void {
    this.timerService.endOfInput();
  }

  override close(): void | Promise<void> {
    this.timerService.quiesce();
    return super.close();
  }
}

const STATE_GETTER = {
  value: 'getState',
  list: 'getListState',
  map: 'getMapState',
  reducing: 'getReducingState',
  aggregating: 'getAggregatingState',
} as const;
