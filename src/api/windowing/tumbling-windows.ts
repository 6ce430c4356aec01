/**
 * Tumbling windows (Flink's TumblingEventTimeWindows, TumblingProcessingTimeWindows): windows of
 * a fixed size that do not overlap, aligned to the epoch plus an optional offset (so that, say,
 * daily windows can start at midnight of a time zone: `of(Time.days(1), Time.hours(-8))`).
 */
import { checkArgument } from '../../core/errors.js';
import { toMillis, type DurationLike } from '../time.js';
import { EventTimeTrigger, ProcessingTimeTrigger } from './triggers.js';
import { requireTimestamp, WindowAssigner, type WindowAssignerContext } from './window-assigner.js';
import { TimeWindow } from './windows.js';

/** Tumbling windows of event time. */
export class TumblingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  /** The window assigned last: consecutive elements mostly share it (its namespace is computed once). */
  private last: TimeWindow | undefined = undefined;
  private constructor(
    private readonly size: number,
    private readonly offset: number,
  ) {
    super();
  }
  /**
   * Windows of `size`, shifted by `offset` from the epoch.
   * @throws MF_ERR_INVALID_ARGUMENT unless abs(offset) < size.
   */
  static of(size: DurationLike, offset: DurationLike = 0): TumblingEventTimeWindows {
    const s = toMillis(size, 'The window size');
    const o = toMillis(offset, 'The window offset');
    checkArgument(Math.abs(o) < s, 'TumblingEventTimeWindows parameters must satisfy abs(offset) < size');
    return new TumblingEventTimeWindows(s, o);
  }
  assignWindows(_element: unknown, timestamp: number, _context?: WindowAssignerContext): TimeWindow[] {
    const start = TimeWindow.getWindowStartWithOffset(requireTimestamp(timestamp), this.offset % this.size, this.size);
    if (this.last?.getStart() !== start) this.last = new TimeWindow(start, start + this.size);
    return [this.last];
  }
  /** The window size in milliseconds. */
  getSize(): number {
    return this.size;
  }
  getDefaultTrigger(): EventTimeTrigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}

/** Tumbling windows of processing time: an element goes into the window of the clock's time. */
export class TumblingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  /** The window assigned last: consecutive elements mostly share it (its namespace is computed once). */
  private last: TimeWindow | undefined = undefined;
  private constructor(
    private readonly size: number,
    private readonly offset: number,
  ) {
    super();
  }
  /**
   * Windows of `size`, shifted by `offset` from the epoch.
   * @throws MF_ERR_INVALID_ARGUMENT unless abs(offset) < size.
   */
  static of(size: DurationLike, offset: DurationLike = 0): TumblingProcessingTimeWindows {
    const s = toMillis(size, 'The window size');
    const o = toMillis(offset, 'The window offset');
    checkArgument(Math.abs(o) < s, 'TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size');
    return new TumblingProcessingTimeWindows(s, o);
  }
  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    const start = TimeWindow.getWindowStartWithOffset(context.getCurrentProcessingTime(), this.offset % this.size, this.size);
    if (this.last?.getStart() !== start) this.last = new TimeWindow(start, start + this.size);
    return [this.last];
  }
  /** The window size in milliseconds. */
  getSize(): number {
    return this.size;
  }
  getDefaultTrigger(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}
