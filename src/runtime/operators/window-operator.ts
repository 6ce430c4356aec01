/**
 * Flink's WindowOperator and EvictingWindowOperator in one: assigns each element of a key to
 * windows, keeps each window's contents in keyed state (a key's windows in one value, or with
 * allowed lateness one entry per window: window-state.ts), asks the trigger on every element and timer, evaluates windows that fire with
 * the window function, and drops each window's state at its cleanup time (end + allowed lateness).
 *
 *   element ──assign──► windows ──(merging: MergingWindowSet.addWindow, merge state & triggers)
 *      │                  │
 *      │ late for all?    ├─ late window: skipped
 *      ▼                  ├─ contents.add ─► trigger.onElement ─► FIRE: emit(window) / PURGE: clear
 *   late side output      └─ cleanup timer at cleanupTime(window)
 *   or dropped
 *   timer (window-timers) ──► trigger.onEventTime/onProcessingTime ─► FIRE / PURGE
 *                         └─ cleanup time: clear contents, trigger state, window function state
 *
 * Emitted records carry the window's maxTimestamp() (end - 1; Long.MAX_VALUE for the global
 * window). With an evictor the contents are every element with its timestamp; the evictor runs
 * before and after the function, and what it removed is removed from the state. Timers live in the
 * keyed backend's timer queues (`_timer_state/event_window-timers`, `..._processing_window-timers`)
 * with the window's namespace, so they are checkpointed and rescaled by key group with the
 * contents. Processing-time timers stop at the end of input, as in Flink (processing-time windows
 * still open then do not fire).
 */
import {
  EventTimeTrigger,
  GlobalWindow,
  TimeWindow,
  TimestampedValue,
  EvictableElements,
  ValueStateDescriptor,
  isMergingAssigner,
  isRichFunction,
  toCallable,
  windowOfNamespace,
  type Collector,
  type EvictorContext,
  type KeyedStateStore,
  type MergingWindowAssigner,
  type OnMergeContext,
  type OutputTag,
  type ProcessWindowContext,
  type StateDescriptor,
  type TriggerResult,
  type ValueState,
  type Window,
  type WindowAssignerContext,
  type WindowOperatorSpec,
} from '../../api/index.js';
import { checkState, MiniFlinkError } from '../../core/errors.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../core/watermarks.js';
import { upgradeWindowContents, WINDOW_CONTENTS, WINDOW_CONTENTS_MORE, type AbstractKeyedStateBackend, type InternalTimer } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore } from './stream-operator.js';
import { TimerService, type TimeDomain } from './timer-service.js';
import { asyncUserFunctionError, closeUserFunction, isPromiseLike, openUserFunction } from './user-function.js';
import { MergingWindowSet } from './window-merging-set.js';
import { NamespaceScope, windowContentsLaidOut, WindowStateStore, type WindowContents } from './window-state.js';

/** An element kept by an evicting window: the value and its timestamp (null: none). */
type Stamped = [value: unknown, timestamp: number | null];

/** The table of the merging window set of each key (merging assigners). */
const MERGING_WINDOW_SET = 'merging-window-set';

/** Calls the window function on a window's input (the reduced/aggregated value in a list, or every element). */
type Evaluate = (key: unknown, window: Window, input: unknown[]) => void;

/** The window operator of `keyedStream.window(...)` and `windowAll(...)`. */
export class WindowOperator extends StreamOperator {
  private readonly backend: AbstractKeyedStateBackend;
  private readonly spec: WindowOperatorSpec;
  private readonly merging: boolean;
  private readonly eventTime: boolean;
  private readonly lateness: number;
  /**
   * Whether the cleanup timer of a window is always the timer the trigger set at its end (the
   * default EventTimeTrigger without lateness registers it for every element of a window that is
   * not late), so registering it again can be skipped.
   */
  private readonly cleanupIsTriggerTimer: boolean;
  /** Whether the contents are kept one entry per window (allowed lateness: window-state.ts's contentsCell). */
  private readonly perWindowContents: boolean;
  private readonly timers: TimerService;
  private readonly scope: NamespaceScope;
  private readonly store: WindowStateStore;
  /** The windows' contents (tables `_window-contents` and `_window-contents/more`), set in open(). */
  private contents!: WindowContents;
  /** The merging window set of each key (merging assigners only), set in open(). */
  private mergingState: ValueState<Array<[number, number, number, number]>> | undefined;
  private readonly evaluate: Evaluate;
  /** The user's window function object (for open/close/clear), if any. */
  private readonly windowFn: unknown;
  /** How two contents combine when windows merge. */
  private readonly combine: (a: unknown, b: unknown) => unknown;

  // ---- what the contexts refer to while the trigger or the function runs ----
  /** The key of the element or timer being processed. */
  private key: unknown = undefined;
  /** The trigger's window. */
  private window: Window = undefined as unknown as Window;
  /** The windows being merged into `window` (during onMerge). */
  private mergedWindows: readonly Window[] | undefined = undefined;
  /** The window the function evaluates. */
  private procWindow: Window = undefined as unknown as Window;
  /** The namespace of the last timer, and its window (windowOfTimer). */
  private timerNs: string | undefined = undefined;
  private timerWindow: Window | undefined = undefined;
  /** The timestamp of what the function emits: the window's max timestamp. */
  private outTimestamp: number | undefined = undefined;

  private readonly triggerContext: OnMergeContext;
  private readonly processContext: ProcessWindowContext<Window>;
  private readonly assignerContext: WindowAssignerContext;
  private readonly evictorContext: EvictorContext;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r, this.outTimestamp) };
  private readonly lateDropped: { inc(n?: number): void };

  constructor(ctx: OperatorContext, spec: WindowOperatorSpec) {
    super(ctx);
    checkState(ctx.keyedBackend !== undefined, 'A window operator needs a keyed state backend');
    this.backend = ctx.keyedBackend;
    this.spec = spec;
    this.merging = isMergingAssigner(spec.assigner);
    this.eventTime = spec.assigner.isEventTime();
    this.lateness = spec.allowedLateness;
    this.cleanupIsTriggerTimer = this.eventTime && this.lateness === 0 && spec.trigger.constructor === EventTimeTrigger; // Not a subclass: it may do more on an element.
    this.perWindowContents = this.eventTime && this.lateness > 0;
    this.timers = new TimerService(ctx.now, (t, domain) => this.onTimer(t, domain), ctx.mailbox, this.backend, 'window-timers');
    this.scope = new NamespaceScope(this.backend);
    // The window function's globalState() is this backend: its states must not take the operator's tables.
    this.backend.reserveStateNames('the window operator', [WINDOW_CONTENTS, WINDOW_CONTENTS_MORE, ...(this.merging ? [MERGING_WINDOW_SET] : [])]);
    this.store = new WindowStateStore(this.scope);
    const wf = spec.windowFunction;
    this.windowFn = wf.kind === 'passThrough' ? undefined : wf.fn;
    if (isRichFunction(this.windowFn)) this.userFunction = this.windowFn;
    this.evaluate = this.evaluator();
    this.combine = this.combiner();
    const rc = ctx.runtimeContext;
    const metrics = rc.getMetricGroup();
    this.lateDropped = metrics.counter('numLateRecordsDropped');
    this.assignerContext = { getCurrentProcessingTime: () => ctx.now() };
    this.evictorContext = { getCurrentProcessingTime: () => ctx.now(), getMetricGroup: () => metrics, getCurrentWatermark: () => this.timers.watermark };
    const timers = this.timers;
    this.triggerContext = {
      getCurrentProcessingTime: () => ctx.now(),
      getMetricGroup: () => metrics,
      getCurrentWatermark: () => timers.watermark,
      registerProcessingTimeTimer: (time) => timers.register('PROCESSING_TIME', this.key, time, this.window.namespace()),
      registerEventTimeTimer: (time) => timers.register('EVENT_TIME', this.key, time, this.window.namespace()),
      deleteProcessingTimeTimer: (time) => timers.delete('PROCESSING_TIME', this.key, time, this.window.namespace()),
      deleteEventTimeTimer: (time) => timers.delete('EVENT_TIME', this.key, time, this.window.namespace()),
      getPartitionedState: <S>(d: StateDescriptor<any>): S => {
        this.store.ns = this.window.namespace();
        return this.store.getPartitionedState<S>(d);
      },
      mergePartitionedState: (d) => {
        const merged = this.mergedWindows;
        if (merged && merged.length > 0) {
          this.store.mergeNamespaces(
            d,
            this.window.namespace(),
            merged.map((w) => w.namespace()),
          );
        }
      },
    };
    const windowStore = this.store;
    this.processContext = {
      window: () => this.procWindow,
      currentProcessingTime: () => ctx.now(),
      currentWatermark: () => timers.watermark,
      windowState: () => {
        // As Flink's MergingWindowStateStore: a merging window's state would not follow its merges.
        if (this.merging) return MERGING_WINDOW_STATE;
        windowStore.ns = this.procWindow.namespace();
        return windowStore;
      },
      globalState: () => rc,
      output: <X>(tag: OutputTag<X>, value: X) => this.output.collectSide(tag as OutputTag<unknown>, value, this.procWindow.maxTimestamp()),
    };
  }

  /** The window function as one call over the window's input. */
  private evaluator(): Evaluate {
    const wf = this.spec.windowFunction;
    const out = this.collector;
    // A promise (an async window function) fails the task: the window, its state and key belong to the call.
    const sync = (r: unknown, method: string, kind: string): void => {
      if (r === undefined || !isPromiseLike(r)) return;
      const fn = wf.kind === 'passThrough' ? undefined : wf.fn;
      // A window join's or coGroup's function (wrapped by CoGroupWindowFunction) is named as the user wrote it.
      const w = fn as { wrappedFunction?: unknown; wrappedMethod?: string; wrappedKind?: string } | undefined;
      if (w?.wrappedKind !== undefined) throw asyncUserFunctionError(r, this.callSite(w.wrappedFunction, w.wrappedMethod!, w.wrappedKind));
      throw asyncUserFunctionError(r, this.callSite(fn, method, kind));
    };
    switch (wf.kind) {
      case 'passThrough':
        return (_key, _window, input) => {
          for (const v of input) out.collect(v);
        };
      case 'window': {
        const apply = toCallable<(k: unknown, w: Window, input: unknown[], out: Collector<unknown>) => unknown>(wf.fn, 'apply', 'WindowFunction');
        return (key, window, input) => sync(apply(key, window, input, out), 'apply', 'WindowFunction');
      }
      case 'process': {
        const process = toCallable<(k: unknown, ctx: ProcessWindowContext<Window>, input: unknown[], out: Collector<unknown>) => unknown>(wf.fn, 'process', 'ProcessWindowFunction');
        return (key, _window, input) => sync(process(key, this.processContext, input, out), 'process', 'ProcessWindowFunction');
      }
      case 'allWindow': {
        const apply = toCallable<(w: Window, input: unknown[], out: Collector<unknown>) => unknown>(wf.fn, 'apply', 'AllWindowFunction');
        return (_key, window, input) => sync(apply(window, input, out), 'apply', 'AllWindowFunction');
      }
      case 'processAll': {
        const process = toCallable<(ctx: ProcessWindowContext<Window>, input: unknown[], out: Collector<unknown>) => unknown>(wf.fn, 'process', 'ProcessAllWindowFunction');
        return (_key, _window, input) => sync(process(this.processContext, input, out), 'process', 'ProcessAllWindowFunction');
      }
    }
  }

  /** How the contents of merged windows combine (Flink's MergingState#mergeNamespaces). */
  private combiner(): (a: unknown, b: unknown) => unknown {
    const c = this.spec.contents;
    if (this.spec.evictor !== undefined || c.kind === 'list') return (a, b) => (a as unknown[]).concat(b as unknown[]);
    if (c.kind === 'reduce') return c.fn;
    const f = c.fn;
    return (a, b) => f.merge(a, b);
  }

  // ---- lifecycle ----

  /**
   * Restores contents and timers (keyed state; contents of snapshot format 4 or older converted,
   * and laid out for this operator's allowed lateness), then arms restored processing-time timers.
   */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore && { ...restore, keyed: restore.keyed.map((k) => windowContentsLaidOut(upgradeWindowContents(k), this.perWindowContents)) }, index, parallelism);
    this.timers.start();
  }

  override open(): Promise<void> {
    this.contents = this.scope.contentsCell(this.perWindowContents);
    if (this.merging) this.mergingState = this.backend.getValueState(new ValueStateDescriptor<Array<[number, number, number, number]>>(MERGING_WINDOW_SET));
    return openUserFunction(this.windowFn, this.ctx.runtimeContext);
  }

  /** Event-time timers (window ends, cleanups, triggers' timers) fire, then the watermark goes on. */
  override processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  /** The final watermark fired every event-time window; processing time stops (as in Flink). */
  override endInput(): void {
    this.timers.endOfInput();
  }

  override close(): Promise<void> {
    this.timers.quiesce();
    return closeUserFunction(this.windowFn);
  }

  // ---- elements ----

  /** Assigns the element to its windows (its key is current: the chain set it). */
  processElement(record: unknown, timestamp?: number): void {
    const ts = timestamp ?? MIN_WATERMARK;
    const windows = this.spec.assigner.assignWindows(record, ts, this.assignerContext) as Window[];
    const key = this.backend.getCurrentKey();
    let skipped = true;
    // One key throughout: its value of contents is read once for all the element's windows.
    this.contents.startElement();
    try {
      skipped = this.addToWindows(windows, key, record, timestamp, ts);
    } finally {
      this.contents.endElement();
    }
    if (skipped && this.isElementLate(ts)) {
      if (this.spec.lateDataTag !== undefined) this.output.collectSide(this.spec.lateDataTag, record, timestamp);
      else this.lateDropped.inc();
    }
  }

  /** Adds an element to its windows; returns whether every window was late (the element skipped). */
  private addToWindows(windows: Window[], key: unknown, record: unknown, timestamp: number | undefined, ts: number): boolean {
    let skipped = true;
    if (this.merging) {
      const set = this.mergingSet();
      for (const window of windows) {
        const actual = set.addWindow(checkTimeWindow(window), (result, merged, stateResult, mergedStates) => this.mergeWindows(key, result, merged, stateResult, mergedStates));
        if (this.isWindowLate(actual)) {
          set.retireWindow(actual);
          continue;
        }
        skipped = false;
        const stateWindow = set.getStateWindow(actual);
        if (stateWindow === undefined) throw new MiniFlinkError('MF_ERR_INTERNAL', `Window ${window.toString()} is not in in-flight window set.`);
        this.onElementInWindow(key, actual, stateWindow.namespace(), record, timestamp, ts);
      }
      set.persist();
    } else {
      for (const window of windows) {
        checkWindow(window);
        if (this.isWindowLate(window)) continue;
        skipped = false;
        this.onElementInWindow(key, window, window.namespace(), record, timestamp, ts);
      }
    }
    return skipped;
  }

  /** Adds the element to a window (contents under `stateNs`) and does what the trigger says. */
  private onElementInWindow(key: unknown, window: Window, stateNs: string, record: unknown, timestamp: number | undefined, ts: number): void {
    const existed = this.addToContents(stateNs, record, timestamp);
    // EventTimeTrigger without lateness: for a window that had contents, its timer is set and the
    // answer is CONTINUE (the window is not late), so the call and the timer lookups are skipped.
    if (existed && this.cleanupIsTriggerTimer) return;
    this.key = key;
    this.window = window;
    const result: TriggerResult = this.spec.trigger.onElement(record, ts, window, this.triggerContext);
    if (result.isFire()) {
      const contents = this.contents.get(stateNs);
      if (contents === undefined) return;
      this.emitWindowContents(window, stateNs, contents);
    }
    if (result.isPurge()) this.contents.clear(stateNs);
    this.registerCleanupTimer(window);
  }

  /** Folds the element into a window's contents; returns whether the window had contents before. */
  private addToContents(ns: string, record: unknown, timestamp: number | undefined): boolean {
    const c = this.spec.contents;
    const cur = this.contents.begin(ns);
    let next: unknown;
    try {
      if (this.spec.evictor !== undefined) next = appendTo(cur as Stamped[] | undefined, [record, timestamp ?? null] as Stamped);
      else if (c.kind === 'reduce') next = cur === undefined ? record : c.fn(cur, record);
      else if (c.kind === 'aggregate') next = c.fn.add(record, cur === undefined ? c.fn.createAccumulator() : cur);
      else next = appendTo(cur as unknown[] | undefined, record);
      // An async reduce or aggregate's add: its promise would be the window's contents.
      if (isPromiseLike(next)) {
        const [method, kind] = c.kind === 'reduce' ? ['reduce', 'ReduceFunction'] : ['add', 'AggregateFunction'];
        throw asyncUserFunctionError(next, this.callSite((c as { fn: unknown }).fn, method, kind));
      }
    } catch (e) {
      this.contents.abort();
      throw e;
    }
    this.contents.commit(next);
    return cur !== undefined;
  }

  /**
   * Windows merged (MergingWindowSet's merge function): the trigger merges its state and timers
   * into the new window, the merged windows' trigger state and cleanup timers go, their contents
   * merge into the new window's state window.
   * @throws MF_ERR_INVALID_ARGUMENT when the merge would end a window before the watermark (or the clock).
   */
  private mergeWindows(key: unknown, mergeResult: TimeWindow, merged: TimeWindow[], stateResult: TimeWindow, mergedStates: TimeWindow[]): void {
    if (this.eventTime && mergeResult.maxTimestamp() + this.lateness <= this.timers.watermark) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_ARGUMENT',
        `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${this.timers.watermark} window: ${mergeResult.toString()}`,
      );
    }
    if (!this.eventTime && mergeResult.maxTimestamp() <= this.ctx.now()) {
      throw new MiniFlinkError(
        'MF_ERR_INVALID_ARGUMENT',
        `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${this.ctx.now()} window: ${mergeResult.toString()}`,
      );
    }
    this.key = key;
    this.window = mergeResult;
    this.mergedWindows = merged;
    try {
      this.spec.trigger.onMerge(mergeResult, this.triggerContext);
    } finally {
      this.mergedWindows = undefined;
    }
    for (const m of merged) {
      this.window = m;
      this.spec.trigger.clear(m, this.triggerContext);
      this.deleteCleanupTimer(m);
    }
    this.contents.merge(
      stateResult.namespace(),
      mergedStates.map((w) => w.namespace()),
      this.combine,
    );
  }

  // ---- timers ----

  /** A timer of a window fired (its key is current). */
  private onTimer(t: InternalTimer, domain: TimeDomain): void {
    const window = this.windowOfTimer(t.namespace as string);
    this.key = t.key;
    this.window = window;
    let set: MergingWindowSet | undefined;
    let stateNs: string;
    if (this.merging) {
      set = this.mergingSet();
      const stateWindow = set.getStateWindow(window as TimeWindow);
      // A timer of a window already purged (a trigger that did not delete it): nothing to do.
      if (stateWindow === undefined) return;
      stateNs = stateWindow.namespace();
    } else {
      stateNs = window.namespace();
    }
    const trigger = this.spec.trigger;
    const result: TriggerResult = domain === 'EVENT_TIME' ? trigger.onEventTime(t.timestamp, window, this.triggerContext) : trigger.onProcessingTime(t.timestamp, window, this.triggerContext);
    const cleanup = this.eventTime === (domain === 'EVENT_TIME') && this.cleanupTime(window) === t.timestamp;
    // The window's state goes right after it fires: its contents are taken (read and removed in
    // one visit). Not with an evictor, which writes back what it kept.
    const take = cleanup && this.spec.evictor === undefined;
    if (result.isFire()) {
      const contents = take ? this.contents.take(stateNs) : this.contents.get(stateNs);
      if (contents !== undefined) this.emitWindowContents(window, stateNs, contents);
    }
    if (result.isPurge() && !take) this.contents.clear(stateNs);
    if (cleanup) {
      // EventTimeTrigger's clear() deletes the timer at the window's end, which is this one: already polled.
      const triggerTimerFired = this.cleanupIsTriggerTimer && t.timestamp === window.maxTimestamp();
      this.clearAllState(window, stateNs, set, result.isFire() && take, triggerTimerFired);
    }
    set?.persist();
  }

  /**
   * The window a timer's namespace names. The timers of one window fire one after the other (one
   * per key), so the window of the last namespace is kept: windows are immutable, and its
   * namespace string is then made once rather than for every timer.
   */
  private windowOfTimer(ns: string): Window {
    if (ns !== this.timerNs) {
      this.timerWindow = windowOfNamespace(ns);
      this.timerNs = ns;
    }
    return this.timerWindow!;
  }

  /**
   * The window's time is up: its contents, trigger state and function state go. `taken`: the
   * contents are gone already; `triggerTimerFired`: the trigger is EventTimeTrigger, whose clear()
   * would only delete the timer that is firing.
   */
  private clearAllState(window: Window, stateNs: string, set: MergingWindowSet | undefined, taken = false, triggerTimerFired = false): void {
    if (!taken) this.contents.clear(stateNs);
    this.window = window;
    if (!triggerTimerFired) this.spec.trigger.clear(window, this.triggerContext);
    const clear = (this.windowFn as { clear?: (ctx: ProcessWindowContext<Window>) => void } | undefined)?.clear;
    const kind = this.spec.windowFunction.kind;
    if ((kind === 'process' || kind === 'processAll') && typeof clear === 'function') {
      this.procWindow = window;
      clear.call(this.windowFn, this.processContext);
    }
    set?.retireWindow(window as TimeWindow);
    this.scope.forget(stateNs);
  }

  // ---- evaluation ----

  /** Evaluates a window: its result carries the window's max timestamp. */
  private emitWindowContents(window: Window, stateNs: string, contents: unknown): void {
    this.outTimestamp = window.maxTimestamp();
    this.procWindow = window;
    if (this.spec.evictor === undefined) {
      const c = this.spec.contents;
      const input = c.kind === 'list' ? (contents as unknown[]) : c.kind === 'aggregate' ? [c.fn.getResult(contents)] : [contents];
      this.evaluate(this.key, window, input);
      return;
    }
    // Evicting: the evictor sees every element with its timestamp before and after the function.
    const items = (contents as Stamped[]).map(([v, ts]) => new TimestampedValue(v, ts ?? undefined));
    const elements = new EvictableElements(items);
    const evictor = this.spec.evictor;
    evictor.evictBefore(elements, items.length, window, this.evictorContext);
    const values = items.map((i) => i.getValue());
    this.evaluate(this.key, window, this.incrementalInput(values));
    evictor.evictAfter(elements, items.length, window, this.evictorContext);
    // What the evictor removed is removed from the state too (Flink's FLINK-4369 fix).
    this.contents.set(stateNs, items.length > 0 ? items.map((i): Stamped => [i.getValue(), i.hasTimestamp() ? i.getTimestamp() : null]) : undefined);
  }

  /** With an evictor, the reduce or aggregate function runs over the elements left (Flink's ReduceApply/AggregateApply functions). */
  private incrementalInput(values: unknown[]): unknown[] {
    const c = this.spec.contents;
    if (c.kind === 'list') return values;
    if (c.kind === 'reduce') {
      if (values.length === 0) return [];
      let acc = values[0];
      for (let i = 1; i < values.length; i++) acc = c.fn(acc, values[i]);
      return [acc];
    }
    let acc = c.fn.createAccumulator();
    for (const v of values) acc = c.fn.add(v, acc);
    return [c.fn.getResult(acc)];
  }

  // ---- lateness and cleanup ----

  /** When a window's state goes: end + allowed lateness in event time, the end in processing time (capped at Long.MAX_VALUE). */
  private cleanupTime(window: Window): number {
    if (!this.eventTime) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.lateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  }

  private isWindowLate(window: Window): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.timers.watermark;
  }

  private isElementLate(timestamp: number): boolean {
    return this.eventTime && timestamp + this.lateness <= this.timers.watermark;
  }

  private registerCleanupTimer(window: Window): void {
    // EventTimeTrigger registered this very timer (the window's end) in onElement: skip the lookup.
    if (this.cleanupIsTriggerTimer) return;
    const time = this.cleanupTime(window);
    // No cleanup at the end of time (the global window).
    if (time === MAX_WATERMARK) return;
    this.timers.register(this.eventTime ? 'EVENT_TIME' : 'PROCESSING_TIME', this.key, time, window.namespace());
  }

  private deleteCleanupTimer(window: Window): void {
    // The trigger's clear() deleted it (it is the trigger's timer at the window's end).
    if (this.cleanupIsTriggerTimer) return;
    const time = this.cleanupTime(window);
    if (time === MAX_WATERMARK) return;
    this.timers.delete(this.eventTime ? 'EVENT_TIME' : 'PROCESSING_TIME', this.key, time, window.namespace());
  }

  /** The current key's merging window set, read from its state. */
  private mergingSet(): MergingWindowSet {
    return new MergingWindowSet(this.spec.assigner as MergingWindowAssigner<unknown, TimeWindow>, this.mergingState!);
  }

  /** For tests and the bench: the number of window timers. */
  numTimers(): { eventTime: number; processingTime: number } {
    return { eventTime: this.timers.numEventTimeTimers(), processingTime: this.timers.numProcessingTimeTimers() };
  }
}

/**
 * A window the operator can keep state under.
 * @throws MF_ERR_INVALID_ARGUMENT for a window that is neither a TimeWindow nor the GlobalWindow.
 */
function checkWindow(w: Window): void {
  if (w instanceof TimeWindow || w instanceof GlobalWindow) return;
  const ns = typeof w?.namespace === 'function' ? w.namespace() : undefined;
  if (ns === undefined || !w.equals(windowOfNamespace(ns))) {
    throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `A window assigner must assign TimeWindows or the GlobalWindow, got ${String(w)}`);
  }
}

/** Per-window state of merging windows: every state access fails, as in Flink. */
const MERGING_WINDOW_STATE: KeyedStateStore = (() => {
  const refuse = (): never => {
    throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'Per-window state is not allowed when using merging windows.');
  };
  return { getState: refuse, getListState: refuse, getMapState: refuse, getReducingState: refuse, getAggregatingState: refuse };
})();

/** A merging assigner's window, which must be a TimeWindow. */
function checkTimeWindow(w: Window): TimeWindow {
  if (!(w instanceof TimeWindow)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `A merging window assigner must assign TimeWindows, got ${String(w)}`);
  return w;
}

function appendTo<T>(cur: T[] | undefined, item: T): T[] {
  if (cur === undefined) return [item];
  cur.push(item);
  return cur;
}
