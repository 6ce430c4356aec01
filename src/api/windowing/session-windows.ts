/**
 * Session windows (Flink's EventTimeSessionWindows, ProcessingTimeSessionWindows and their
 * dynamic-gap variants): each element opens the window [timestamp, timestamp + gap), and windows
 * of a key that overlap or touch merge, so a session ends after a gap with no elements.
 */
import { checkArgument, MiniFlinkError } from '../../core/errors.js';
import { toCallable } from '../functions/functions.js';
import { toMillis, type DurationLike } from '../time.js';
import { EventTimeTrigger, ProcessingTimeTrigger } from './triggers.js';
import { MergingWindowAssigner, requireTimestamp, type WindowAssignerContext } from './window-assigner.js';
import { TimeWindow } from './windows.js';

/** Flink's SessionWindowTimeGapExtractor: the gap of the session an element opens, in milliseconds. */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

function gapOf(name: string, gap: DurationLike): number {
  const ms = toMillis(gap, 'The session gap');
  checkArgument(ms > 0, `${name} parameters must satisfy 0 < size`);
  return ms;
}

function dynamicGap<T>(extract: (e: T) => number, element: T): number {
  const gap = extract(element);
  if (!(typeof gap === 'number' && gap > 0)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Dynamic session time gap must satisfy 0 < gap, got ${String(gap)}`);
  return gap;
}

/** Session windows of event time with a fixed gap. */
export class EventTimeSessionWindows extends MergingWindowAssigner<unknown, TimeWindow> {
  private constructor(private readonly sessionTimeout: number) {
    super();
  }
  /**
   * Sessions that end after `gap` without elements.
   * @throws MF_ERR_INVALID_ARGUMENT unless the gap is positive.
   */
  static withGap(gap: DurationLike): EventTimeSessionWindows {
    return new EventTimeSessionWindows(gapOf('EventTimeSessionWindows', gap));
  }
  /** Sessions whose gap each element decides (Flink's DynamicEventTimeSessionWindows). */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return new DynamicEventTimeSessionWindows<T>(extractor);
  }
  assignWindows(_element: unknown, timestamp: number, _context?: WindowAssignerContext): TimeWindow[] {
    const ts = requireTimestamp(timestamp);
    return [new TimeWindow(ts, ts + this.sessionTimeout)];
  }
  /** The gap in milliseconds. */
  getGap(): number {
    return this.sessionTimeout;
  }
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): EventTimeTrigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return `EventTimeSessionWindows(${this.sessionTimeout})`;
  }
}

/** Session windows of event time whose gap each element decides. */
export class DynamicEventTimeSessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  private readonly extract: (e: T) => number;
  constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    super();
    this.extract = toCallable(extractor, 'extract', 'SessionWindowTimeGapExtractor');
  }
  /** Sessions whose gap each element decides. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return new DynamicEventTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, timestamp: number, _context?: WindowAssignerContext): TimeWindow[] {
    const ts = requireTimestamp(timestamp);
    return [new TimeWindow(ts, ts + dynamicGap(this.extract, element))];
  }
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): EventTimeTrigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return 'DynamicEventTimeSessionWindows()';
  }
}

/** Session windows of processing time with a fixed gap. */
export class ProcessingTimeSessionWindows extends MergingWindowAssigner<unknown, TimeWindow> {
  private constructor(private readonly sessionTimeout: number) {
    super();
  }
  /**
   * Sessions that end after `gap` of processing time without elements.
   * @throws MF_ERR_INVALID_ARGUMENT unless the gap is positive.
   */
  static withGap(gap: DurationLike): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(gapOf('ProcessingTimeSessionWindows', gap));
  }
  /** Sessions whose gap each element decides (Flink's DynamicProcessingTimeSessionWindows). */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return new DynamicProcessingTimeSessionWindows<T>(extractor);
  }
  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.sessionTimeout)];
  }
  /** The gap in milliseconds. */
  getGap(): number {
    return this.sessionTimeout;
  }
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return `ProcessingTimeSessionWindows(${this.sessionTimeout})`;
  }
}

/** Session windows of processing time whose gap each element decides. */
export class DynamicProcessingTimeSessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  private readonly extract: (e: T) => number;
  constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    super();
    this.extract = toCallable(extractor, 'extract', 'SessionWindowTimeGapExtractor');
  }
  /** Sessions whose gap each element decides. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return new DynamicProcessingTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + dynamicGap(this.extract, element))];
  }
  mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  getDefaultTrigger(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return 'DynamicProcessingTimeSessionWindows()';
  }
}
