/**
 * Flink's WindowAssigner: puts each element into zero or more windows, names the trigger windows
 * get by default, and says whether it works in event time. A MergingWindowAssigner's windows may
 * merge (session windows). The window operator stores state under each window's namespace, so an
 * assigner returns TimeWindows or the GlobalWindow.
 */
import { MiniFlinkError } from '../../core/errors.js';
import { MIN_WATERMARK } from '../../core/watermarks.js';
import type { Trigger } from './trigger.js';
import type { Window } from './windows.js';

/** What an assigner may ask while assigning (Flink's WindowAssigner.WindowAssignerContext). */
export interface WindowAssignerContext {
  /** The current processing time. */
  getCurrentProcessingTime(): number;
}

/** Flink's WindowAssigner. */
export abstract class WindowAssigner<T = unknown, W extends Window = Window> {
  /**
   * The windows of an element. `timestamp` is the element's event timestamp, or Long.MIN_VALUE
   * when it has none.
   */
  abstract assignWindows(element: T, timestamp: number, context: WindowAssignerContext): W[];
  /** The trigger the windows get unless `trigger()` sets another. */
  abstract getDefaultTrigger(): Trigger<any, any>;
  /** Whether elements are assigned by event time (which also decides lateness and cleanup). */
  abstract isEventTime(): boolean;
  /** As Flink prints it in the operator name, e.g. `TumblingEventTimeWindows(5000)`. */
  abstract toString(): string;
}

/** Flink's MergingWindowAssigner: an assigner whose windows can merge. */
export abstract class MergingWindowAssigner<T = unknown, W extends Window = Window> extends WindowAssigner<T, W> {
  /** Calls `callback(toBeMerged, mergeResult)` for each group of the windows that merge. */
  abstract mergeWindows(windows: readonly W[], callback: (toBeMerged: W[], mergeResult: W) => void): void;
}

/** Whether an assigner merges windows (duck-typed, so that assigners of another copy of miniflink work). */
export function isMergingAssigner(a: unknown): a is MergingWindowAssigner<unknown, Window> {
  return a instanceof MergingWindowAssigner || typeof (a as { mergeWindows?: unknown } | null)?.mergeWindows === 'function';
}

/**
 * The element's timestamp for an event-time assigner.
 * @throws MF_ERR_INVALID_ARGUMENT when the element has none (Flink's message).
 */
export function requireTimestamp(timestamp: number): number {
  if (timestamp > MIN_WATERMARK) return timestamp;
  throw new MiniFlinkError(
    'MF_ERR_INVALID_ARGUMENT',
    "Record has Long.MIN_VALUE timestamp (= no timestamp marker). Is the time characteristic set to 'ProcessingTime', or did you forget to call 'DataStream.assignTimestampsAndWatermarks(...)'?",
  );
}
