/**
 * What every windowed stream (keyed or not) configures before its function: trigger, evictor,
 * allowed lateness and the late-data side output (Flink's WindowedStream / AllWindowedStream
 * setters, with their checks and messages).
 */
import { checkArgument, MiniFlinkError } from '../../core/errors.js';
import { OutputTag } from '../functions/process-function.js';
import { toMillis, type DurationLike } from '../time.js';
import type { Evictor } from './evictors.js';
import { Trigger } from './trigger.js';
import { isMergingAssigner, type WindowAssigner } from './window-assigner.js';
import type { WindowContentsSpec, WindowFunctionSpec, WindowOperatorSpec } from './window-spec.js';
import type { Window } from './windows.js';

/** The settings every windowed stream shares (keyed or not). */
export abstract class WindowSettings<T, W extends Window> {
  protected windowTrigger: Trigger<any, any>;
  protected windowEvictor: Evictor<any, any> | undefined = undefined;
  protected lateness = 0;
  protected lateDataTag: OutputTag<unknown> | undefined = undefined;

  constructor(
    /** The assigner. */
    readonly windowAssigner: WindowAssigner<T, W>,
  ) {
    checkArgument(typeof windowAssigner?.assignWindows === 'function', 'window() needs a WindowAssigner (e.g. TumblingEventTimeWindows.of(Time.seconds(5)))');
    this.windowTrigger = windowAssigner.getDefaultTrigger();
  }

  /**
   * Sets the trigger.
   * @throws MF_ERR_INVALID_ARGUMENT for a trigger that cannot merge on a merging assigner.
   */
  trigger(trigger: Trigger<any, any>): this {
    checkArgument(trigger instanceof Trigger || typeof (trigger as { onElement?: unknown })?.onElement === 'function', 'Window triggers cannot be null');
    if (isMergingAssigner(this.windowAssigner) && !trigger.canMerge()) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'A merging window assigner cannot be used with a trigger that does not support merging.');
    }
    this.windowTrigger = trigger;
    return this;
  }

  /** Sets the evictor: the window then keeps every element, and the evictor removes some before and/or after evaluation. */
  evictor(evictor: Evictor<any, any>): this {
    checkArgument(typeof evictor?.evictBefore === 'function' && typeof evictor.evictAfter === 'function', 'Evictor cannot be null');
    this.windowEvictor = evictor;
    return this;
  }

  /**
   * Keeps windows `lateness` after their end (event time): late elements within it update the
   * window and fire it again. 0 by default.
   * @throws MF_ERR_INVALID_ARGUMENT for a negative lateness.
   */
  allowedLateness(lateness: DurationLike): this {
    const ms = toMillis(lateness, 'The allowed lateness');
    checkArgument(ms >= 0, 'The allowed lateness cannot be negative.');
    this.lateness = ms;
    return this;
  }

  /** Sends elements that arrive too late for every window they belong to to this side output instead of dropping them. */
  sideOutputLateData(outputTag: OutputTag<T>): this {
    checkArgument(outputTag instanceof OutputTag, 'Side output tag must not be null.');
    this.lateDataTag = outputTag as OutputTag<unknown>;
    return this;
  }

  /** The spec of the operator about to be appended. */
  protected spec(contents: WindowContentsSpec, windowFunction: WindowFunctionSpec): WindowOperatorSpec {
    return {
      assigner: this.windowAssigner,
      trigger: this.windowTrigger,
      evictor: this.windowEvictor,
      allowedLateness: this.lateness,
      lateDataTag: this.lateDataTag,
      contents,
      windowFunction,
    };
  }
}
