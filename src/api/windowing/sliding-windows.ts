/**
 * Sliding windows (Flink's SlidingEventTimeWindows, SlidingProcessingTimeWindows): windows of a
 * fixed size starting every `slide`, so an element belongs to ceil(size / slide) windows (listed
 * latest first, as Flink lists them), aligned to the epoch plus an optional offset.
 */
import { checkArgument } from '../../core/errors.js';
import { toMillis, type DurationLike } from '../time.js';
import { EventTimeTrigger, ProcessingTimeTrigger } from './triggers.js';
import { requireTimestamp, WindowAssigner, type WindowAssignerContext } from './window-assigner.js';
import { TimeWindow } from './windows.js';

/**
 * The sliding windows holding a timestamp, latest start first. The windows of the last start are
 * kept (a TimeWindow is immutable): the next elements of the same slide get the same objects, and
 * with them the namespace strings the window operator's state lookups use, already made and hashed.
 * When the slide moves on, the windows it shares with the last slide are those objects again, so
 * a window keeps one namespace string while it takes elements (the contents' lookup compares the
 * strings it stored: the same string object is a match at once).
 */
class SlidingWindowsOf {
  private lastStart = NaN;
  private last: TimeWindow[] = [];
  windows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
    // The starts lastStart, lastStart - slide, ... above timestamp - size: how many depends on the timestamp too.
    const count = Math.ceil((lastStart - timestamp + size) / slide);
    if (lastStart !== this.lastStart || count !== this.last.length) {
      const last = this.last;
      const windows: TimeWindow[] = [];
      for (let start = lastStart; start > timestamp - size; start -= slide) {
        // The last slide's windows start at this.lastStart, this.lastStart - slide, ...: the one of
        // this start, if any, is at a computed place (no search: a window of size / slide in the thousands).
        const w = last[(this.lastStart - start) / slide];
        windows.push(w !== undefined && w.getStart() === start ? w : new TimeWindow(start, start + size));
      }
      this.lastStart = lastStart;
      this.last = windows;
    }
    return this.last.slice();
  }
}

function sizes(name: string, size: DurationLike, slide: DurationLike, offset: DurationLike): [number, number, number] {
  const s = toMillis(size, 'The window size');
  const sl = toMillis(slide, 'The window slide');
  const o = toMillis(offset, 'The window offset');
  checkArgument(Math.abs(o) < sl && s > 0, `${name} parameters must satisfy abs(offset) < slide and size > 0`);
  return [s, sl, o];
}

/** Sliding windows of event time. */
export class SlidingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {
    super();
  }
  private readonly cache = new SlidingWindowsOf();
  /**
   * Windows of `size` every `slide`, shifted by `offset` from the epoch.
   * @throws MF_ERR_INVALID_ARGUMENT unless abs(offset) < slide and size > 0.
   */
  static of(size: DurationLike, slide: DurationLike, offset: DurationLike = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(...sizes('SlidingEventTimeWindows', size, slide, offset));
  }
  assignWindows(_element: unknown, timestamp: number, _context?: WindowAssignerContext): TimeWindow[] {
    return this.cache.windows(requireTimestamp(timestamp), this.size, this.slide, this.offset);
  }
  /** The window size in milliseconds. */
  getSize(): number {
    return this.size;
  }
  /** The slide in milliseconds. */
  getSlide(): number {
    return this.slide;
  }
  getDefaultTrigger(): EventTimeTrigger {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}

/** Sliding windows of processing time. */
export class SlidingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly offset: number,
  ) {
    super();
  }
  private readonly cache = new SlidingWindowsOf();
  /**
   * Windows of `size` every `slide`, shifted by `offset` from the epoch.
   * @throws MF_ERR_INVALID_ARGUMENT unless abs(offset) < slide and size > 0.
   */
  static of(size: DurationLike, slide: DurationLike, offset: DurationLike = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(...sizes('SlidingProcessingTimeWindows', size, slide, offset));
  }
  assignWindows(_element: unknown, _timestamp: number, context: WindowAssignerContext): TimeWindow[] {
    return this.cache.windows(context.getCurrentProcessingTime(), this.size, this.slide, this.offset);
  }
  /** The window size in milliseconds. */
  getSize(): number {
    return this.size;
  }
  /** The slide in milliseconds. */
  getSlide(): number {
    return this.slide;
  }
  getDefaultTrigger(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}
