/**
 * Flink's built-in triggers: EventTimeTrigger (the default of event-time assigners),
 * ProcessingTimeTrigger (of processing-time assigners), CountTrigger, PurgingTrigger,
 * ContinuousEventTimeTrigger and ContinuousProcessingTimeTrigger, with Flink's semantics and
 * state names (`count`, `fire-time`).
 */
import { checkArgument } from '../../core/errors.js';
import { ReducingStateDescriptor, type ReducingState } from '../state/state.js';
import { toMillis, type DurationLike } from '../time.js';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TimeWindow, Window } from './windows.js';

/** Fires once the watermark passes the end of the window (Flink's EventTimeTrigger). */
export class EventTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor() {
    super();
  }
  /** The trigger (Flink's EventTimeTrigger.create()). */
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }
  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    // The watermark is already past the window (allowed lateness): fire at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // Only when the merged window is not late yet: a timer at or before the watermark fires at
    // once, and the window would fire twice (FLINK-7952).
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}

/** Fires once the processing-time clock passes the end of the window (Flink's ProcessingTimeTrigger). */
export class ProcessingTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor() {
    super();
  }
  /** The trigger (Flink's ProcessingTimeTrigger.create()). */
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }
  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
}

const sum = (a: number, b: number) => a + b;
const min = (a: number, b: number) => Math.min(a, b);

/** Fires when a window holds `maxCount` elements (since the last firing) (Flink's CountTrigger). */
export class CountTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('count', sum);
  private constructor(private readonly maxCount: number) {
    super();
  }
  /**
   * A trigger firing at every `maxCount`-th element of a window.
   * @throws MF_ERR_INVALID_ARGUMENT unless maxCount is a positive integer.
   */
  static of(maxCount: number): CountTrigger {
    checkArgument(Number.isInteger(maxCount) && maxCount > 0, `CountTrigger needs a positive count, got ${String(maxCount)}`);
    return new CountTrigger(maxCount);
  }
  onElement(_element: unknown, _timestamp: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
  }
  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState<ReducingState<number>>(this.stateDesc).clear();
  }
  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/** Turns every FIRE of the nested trigger into FIRE_AND_PURGE (Flink's PurgingTrigger). */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(private readonly nestedTrigger: Trigger<T, W>) {
    super();
  }
  /** Wraps a trigger. */
  static of<T, W extends Window>(nestedTrigger: Trigger<T, W>): PurgingTrigger<T, W> {
    checkArgument(nestedTrigger instanceof Trigger, 'PurgingTrigger.of needs a Trigger');
    return new PurgingTrigger(nestedTrigger);
  }
  /** The wrapped trigger. */
  getNestedTrigger(): Trigger<T, W> {
    return this.nestedTrigger;
  }
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onElement(element, timestamp, window, ctx));
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onEventTime(time, window, ctx));
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nestedTrigger.onProcessingTime(time, window, ctx));
  }
  override canMerge(): boolean {
    return this.nestedTrigger.canMerge();
  }
  override onMerge(window: W, ctx: OnMergeContext): void {
    this.nestedTrigger.onMerge(window, ctx);
  }
  clear(window: W, ctx: TriggerContext): void {
    this.nestedTrigger.clear(window, ctx);
  }
  override toString(): string {
    return `PurgingTrigger(${this.nestedTrigger.toString()})`;
  }
}

function purging(r: TriggerResult): TriggerResult {
  return r.isFire() ? TriggerResult.FIRE_AND_PURGE : r;
}

/**
 * Fires every `interval` of event time within the window, and at its end (Flink's
 * ContinuousEventTimeTrigger): the first firing is at the end of the interval holding the first
 * element's timestamp, later ones every interval after, the last at the window's end.
 */
export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  /** When windows merge, the earliest next firing wins. */
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', min);
  private constructor(private readonly interval: number) {
    super();
  }
  /**
   * A trigger firing every `interval`.
   * @throws MF_ERR_INVALID_ARGUMENT unless the interval is positive.
   */
  static of(interval: DurationLike): ContinuousEventTimeTrigger {
    const ms = toMillis(interval, 'The interval');
    checkArgument(ms > 0, `ContinuousEventTimeTrigger needs a positive interval, got ${ms}`);
    return new ContinuousEventTimeTrigger(ms);
  }
  /** The interval in milliseconds. */
  getInterval(): number {
    return this.interval;
  }
  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    // The watermark is already past the window: fire at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    if (fireTimestamp.get() === undefined) this.registerNextFireTimestamp(timestamp - (timestamp % this.interval), window, ctx, fireTimestamp);
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    if (fireTimestamp.get() === time) {
      fireTimestamp.clear();
      this.registerNextFireTimestamp(time, window, ctx, fireTimestamp);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }
  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    const ts = fireTimestamp.get();
    if (ts !== undefined) {
      ctx.deleteEventTimeTimer(ts);
      fireTimestamp.clear();
    }
  }
  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
  private registerNextFireTimestamp(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }
}

/** Fires every `interval` of processing time within the window (Flink's ContinuousProcessingTimeTrigger). */
export class ContinuousProcessingTimeTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', min);
  private constructor(private readonly interval: number) {
    super();
  }
  /**
   * A trigger firing every `interval` of processing time.
   * @throws MF_ERR_INVALID_ARGUMENT unless the interval is positive.
   */
  static of(interval: DurationLike): ContinuousProcessingTimeTrigger {
    const ms = toMillis(interval, 'The interval');
    checkArgument(ms > 0, `ContinuousProcessingTimeTrigger needs a positive interval, got ${ms}`);
    return new ContinuousProcessingTimeTrigger(ms);
  }
  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    const now = ctx.getCurrentProcessingTime();
    if (fireTimestamp.get() === undefined) this.registerNextFireTimestamp(now - (now % this.interval), window, ctx, fireTimestamp);
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    if (fireTimestamp.get() === time) {
      fireTimestamp.clear();
      this.registerNextFireTimestamp(time, window, ctx, fireTimestamp);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }
  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState<ReducingState<number>>(this.stateDesc);
    const ts = fireTimestamp.get();
    if (ts !== undefined) {
      ctx.deleteProcessingTimeTimer(ts);
      fireTimestamp.clear();
    }
  }
  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
  private registerNextFireTimestamp(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }
}
