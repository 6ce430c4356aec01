/**
 * Flink's GlobalWindows: every element of a key goes into the one GlobalWindow, which never ends;
 * by default its trigger never fires (NeverTrigger), so a custom trigger decides, as
 * `countWindow(n)` does with a purging CountTrigger. `createWithEndOfStreamTrigger()` fires once
 * at the end of a bounded input.
 */
import { MAX_WATERMARK } from '../../core/watermarks.js';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './trigger.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';
import { GlobalWindow } from './windows.js';

/** The default trigger of GlobalWindows: it never fires. */
export class NeverTrigger extends Trigger<unknown, GlobalWindow> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
  override canMerge(): boolean {
    return true;
  }
  override onMerge(): void {}
}

/** Fires the global window once, when the final watermark of a bounded input arrives. */
export class EndOfStreamTrigger extends Trigger<unknown, GlobalWindow> {
  onElement(_element: unknown, _timestamp: number, window: GlobalWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number): TriggerResult {
    return time === MAX_WATERMARK ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: GlobalWindow, _ctx: OnMergeContext): void {}
}

/** Flink's GlobalWindows assigner. */
export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private constructor(private readonly trigger: Trigger<unknown, GlobalWindow>) {
    super();
  }
  /** The assigner, with a trigger that never fires. */
  static create(): GlobalWindows {
    return new GlobalWindows(new NeverTrigger());
  }
  /** The assigner, with a trigger that fires once at the end of a bounded input. */
  static createWithEndOfStreamTrigger(): GlobalWindows {
    return new GlobalWindows(new EndOfStreamTrigger());
  }
  assignWindows(_element?: unknown, _timestamp?: number, _context?: WindowAssignerContext): GlobalWindow[] {
    return [GlobalWindow.get()];
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return this.trigger;
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return 'GlobalWindows()';
  }
}
