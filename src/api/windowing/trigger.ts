/**
 * Flink's Trigger: decides when a window (a pane: one key's elements of one window) is evaluated
 * and when it is purged. The window operator asks the trigger on every element and when a timer
 * the trigger registered fires; the answer is a TriggerResult. A trigger keeps what it needs in
 * per-window state (`ctx.getPartitionedState`), never in its own fields: one trigger object
 * serves every key and window of the operator.
 */
import type { MetricGroup } from '../functions/runtime-context.js';
import type { StateDescriptor } from '../state/state.js';
import type { Window } from './windows.js';

/** Flink's TriggerResult: whether to evaluate the window, and whether to purge its contents. */
export class TriggerResult {
  /** Nothing happens. */
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  /** The window is evaluated and its contents purged. */
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);
  /** The window is evaluated; its contents stay. */
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  /** The window's contents are purged without evaluating it (the window and its metadata stay). */
  static readonly PURGE = new TriggerResult('PURGE', false, true);

  private constructor(
    /** The constant's name. */
    readonly name: 'CONTINUE' | 'FIRE_AND_PURGE' | 'FIRE' | 'PURGE',
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}

  /** Whether the window is evaluated. */
  isFire(): boolean {
    return this.fire;
  }

  /** Whether the window's contents are purged. */
  isPurge(): boolean {
    return this.purge;
  }

  /** The constant's name. */
  toString(): string {
    return this.name;
  }
}

/** What a trigger may do while it runs (Flink's Trigger.TriggerContext), for its key and window. */
export interface TriggerContext {
  /** The current processing time. */
  getCurrentProcessingTime(): number;
  /** The operator's metric group. */
  getMetricGroup(): MetricGroup;
  /** The current watermark (Long.MIN_VALUE before the first). */
  getCurrentWatermark(): number;
  /** Registers a processing-time timer: onProcessingTime is called when the clock passes it. */
  registerProcessingTimeTimer(time: number): void;
  /** Registers an event-time timer: onEventTime is called when the watermark passes it. */
  registerEventTimeTimer(time: number): void;
  /** Deletes a processing-time timer of this key and window. */
  deleteProcessingTimeTimer(time: number): void;
  /** Deletes an event-time timer of this key and window. */
  deleteEventTimeTimer(time: number): void;
  /** State scoped to this key and window (the descriptor's kind of state). */
  getPartitionedState<S>(stateDescriptor: StateDescriptor<any>): S;
}

/** The context of Trigger.onMerge: it may also merge per-window state into the merged window. */
export interface OnMergeContext extends TriggerContext {
  /**
   * Merges the state of the merged windows into the state of the new window (ReducingState,
   * AggregatingState and ListState merge; others cannot).
   * @throws MF_ERR_INVALID_ARGUMENT for a descriptor of state that cannot be merged.
   */
  mergePartitionedState(stateDescriptor: StateDescriptor<any>): void;
}

/** Flink's Trigger. Subclass it for a custom trigger. */
export abstract class Trigger<T = unknown, W extends Window = Window> {
  /** Called for every element added to a window. */
  abstract onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer of this trigger fires. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer of this trigger fires. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Whether the trigger can merge its state when windows merge (needed with session windows). */
  canMerge(): boolean {
    return false;
  }
  /**
   * Called when windows merged into `window`; the trigger's state of the merged windows can be
   * merged through the context, and its timers must be set again for the merged window.
   * @throws when the trigger cannot merge (canMerge() is false).
   */
  onMerge(_window: W, _ctx: OnMergeContext): void {
    throw new Error('This trigger does not support merging.');
  }
  /** Removes whatever the trigger keeps for the window (timers, state): the window is purged for good. */
  abstract clear(window: W, ctx: TriggerContext): void;
  /** The trigger's class name (what the operator name shows). */
  toString(): string {
    return `${this.constructor.name}()`;
  }
}
