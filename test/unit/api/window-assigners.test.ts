/**
 * Window assigners and TimeWindow, against values computed by hand from Flink's definitions:
 * window starts with offsets and negative timestamps, sliding windows latest first, session
 * windows merging, argument checks with Flink's messages, and the names the plan shows.
 */
import { describe, expect, it } from 'vitest';
import {
  Duration,
  DynamicEventTimeSessionWindows,
  EventTimeSessionWindows,
  GlobalWindow,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  Time,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../../src/api/index.js';
import { MIN_WATERMARK } from '../../../src/core/watermarks.js';

const ctx = (now: number) => ({ getCurrentProcessingTime: () => now });
const spans = (ws: Array<TimeWindow | GlobalWindow>) => ws.map((w) => (w instanceof TimeWindow ? [w.getStart(), w.getEnd()] : 'global'));

describe('window assigners', () => {
  it('assigners - TimeWindow.getWindowStartWithOffset: positive and negative timestamps, positive and negative offsets', () => {
    const start = TimeWindow.getWindowStartWithOffset;
    expect([start(0, 0, 5), start(4, 0, 5), start(5, 0, 5), start(7, 0, 5)]).toEqual([0, 0, 5, 5]);
    // (-1 - 0) % 5 = -1 < 0: -1 - (-1 + 5) = -5.
    expect([start(-1, 0, 5), start(-5, 0, 5), start(-6, 0, 5)]).toEqual([-5, -5, -10]);
    // Offset 2: windows [..., -3, 2, 7, ...).
    expect([start(7, 2, 5), start(6, 2, 5), start(1, 2, 5), start(-4, 2, 5)]).toEqual([7, 2, -3, -8]);
    // Offset -2 is offset 3: windows [..., -2, 3, 8, ...).
    expect([start(7, -2, 5), start(3, -2, 5), start(2, -2, 5)]).toEqual([3, 3, -2]);
  });

  it('assigners - TimeWindow: end exclusive, maxTimestamp, intersects (touching counts) and cover', () => {
    const w = new TimeWindow(0, 10);
    expect([w.getStart(), w.getEnd(), w.maxTimestamp()]).toEqual([0, 10, 9]);
    expect(w.intersects(new TimeWindow(10, 20))).toBe(true);
    expect(w.intersects(new TimeWindow(11, 20))).toBe(false);
    expect(w.intersects(new TimeWindow(-5, 0))).toBe(true);
    expect(spans([w.cover(new TimeWindow(5, 25))])).toEqual([[0, 25]]);
    expect(w.equals(new TimeWindow(0, 10))).toBe(true);
    expect(w.toString()).toBe('TimeWindow{start=0, end=10}');
    expect(GlobalWindow.get().maxTimestamp()).toBe(2 ** 63);
  });

  it('assigners - tumbling event time: sizes as Time, Duration or ms; offsets; negative timestamps', () => {
    expect(spans(TumblingEventTimeWindows.of(Time.seconds(5)).assignWindows(null, 4999, ctx(0)))).toEqual([[0, 5000]]);
    expect(spans(TumblingEventTimeWindows.of(Duration.ofSeconds(5)).assignWindows(null, 5000, ctx(0)))).toEqual([[5000, 10000]]);
    expect(spans(TumblingEventTimeWindows.of(5000).assignWindows(null, -1, ctx(0)))).toEqual([[-5000, 0]]);
    expect(spans(TumblingEventTimeWindows.of(5000, 1000).assignWindows(null, 500, ctx(0)))).toEqual([[-4000, 1000]]);
    // Daily windows of UTC-8: [08:00Z, 08:00Z next day).
    const day = TumblingEventTimeWindows.of(Time.days(1), Time.hours(-8));
    const t = Date.UTC(2026, 11, 5, 7, 0);
    expect(spans(day.assignWindows(null, t, ctx(0)))).toEqual([[Date.UTC(2026, 11, 4, 16, 0), Date.UTC(2026, 11, 5, 16, 0)]]);
    expect(TumblingEventTimeWindows.of(5000).toString()).toBe('TumblingEventTimeWindows(5000)');
    expect(TumblingEventTimeWindows.of(5000).isEventTime()).toBe(true);
    expect(TumblingEventTimeWindows.of(5000).getDefaultTrigger().constructor.name).toBe('EventTimeTrigger');
  });

  it('assigners - tumbling: abs(offset) < size, and a record without timestamp fails with Flink’s message', () => {
    expect(() => TumblingEventTimeWindows.of(5000, 5000)).toThrow('TumblingEventTimeWindows parameters must satisfy abs(offset) < size');
    expect(() => TumblingEventTimeWindows.of(0)).toThrow('abs(offset) < size');
    expect(() => TumblingProcessingTimeWindows.of(10, -10)).toThrow('TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size');
    expect(() => TumblingEventTimeWindows.of(10).assignWindows(null, MIN_WATERMARK, ctx(0))).toThrow("Record has Long.MIN_VALUE timestamp (= no timestamp marker). Is the time characteristic set to 'ProcessingTime', or did you forget to call 'DataStream.assignTimestampsAndWatermarks(...)'?");
  });

  it('assigners - tumbling processing time: the clock decides, not the timestamp', () => {
    const a = TumblingProcessingTimeWindows.of(1000);
    expect(spans(a.assignWindows(null, 5, ctx(12_345)))).toEqual([[12_000, 13_000]]);
    expect(a.isEventTime()).toBe(false);
    expect(a.toString()).toBe('TumblingProcessingTimeWindows(1000)');
    expect(a.getDefaultTrigger().constructor.name).toBe('ProcessingTimeTrigger');
  });

  it('assigners - sliding: the windows a slide shares with the last one are the same objects (one namespace string per window), back and forth', () => {
    const a = SlidingEventTimeWindows.of(30, 10);
    const first = a.assignWindows(null, 25, ctx(0));
    const next = a.assignWindows(null, 35, ctx(0));
    expect(spans(next)).toEqual([
      [30, 60],
      [20, 50],
      [10, 40],
    ]);
    expect([next[1] === first[0], next[2] === first[1]]).toEqual([true, true]);
    // Out of order, a slide back: the shared windows are the same objects again, and right.
    const back = a.assignWindows(null, 27, ctx(0));
    expect(spans(back)).toEqual(spans(first));
    expect([back[0] === next[1], back[1] === next[2]]).toEqual([true, true]);
  });

  it('assigners - sliding: ceil(size/slide) windows, latest first, with offsets and negative timestamps', () => {
    expect(spans(SlidingEventTimeWindows.of(10, 5).assignWindows(null, 7, ctx(0)))).toEqual([
      [5, 15],
      [0, 10],
    ]);
    // Starts 6, 3, 0 (> 7 - 10); -3 is not.
    expect(spans(SlidingEventTimeWindows.of(10, 3).assignWindows(null, 7, ctx(0)))).toEqual([
      [6, 16],
      [3, 13],
      [0, 10],
    ]);
    expect(spans(SlidingEventTimeWindows.of(10, 5).assignWindows(null, -3, ctx(0)))).toEqual([
      [-5, 5],
      [-10, 0],
    ]);
    expect(spans(SlidingEventTimeWindows.of(10, 5, 1).assignWindows(null, 7, ctx(0)))).toEqual([
      [6, 16],
      [1, 11],
    ]);
    // Slide larger than size: gaps between windows; 7 falls in none of [0, 2), [10, 12).
    expect(spans(SlidingEventTimeWindows.of(2, 10).assignWindows(null, 7, ctx(0)))).toEqual([]);
    expect(spans(SlidingProcessingTimeWindows.of(10, 5).assignWindows(null, 0, ctx(12)))).toEqual([
      [10, 20],
      [5, 15],
    ]);
    expect(SlidingEventTimeWindows.of(Time.hours(1), Time.minutes(15)).toString()).toBe('SlidingEventTimeWindows(3600000, 900000)');
    expect(() => SlidingEventTimeWindows.of(10, 5, 5)).toThrow('SlidingEventTimeWindows parameters must satisfy abs(offset) < slide and size > 0');
    expect(() => SlidingProcessingTimeWindows.of(0, 5)).toThrow('SlidingProcessingTimeWindows parameters must satisfy abs(offset) < slide and size > 0');
  });

  it('assigners - sliding: one assigner, timestamps of the same slide in any order, a size that is not a multiple of the slide', () => {
    // The assigner keeps the windows of the last slide: each timestamp must still get its own.
    const a = SlidingEventTimeWindows.of(5, 2);
    const naive = (ts: number) => {
      const out: Array<[number, number]> = [];
      for (let start = ts - (((ts % 2) + 2) % 2); start > ts - 5; start -= 2) out.push([start, start + 5]);
      return out;
    };
    for (const ts of [0, 1, 0, 2, 3, 3, 2, -1, -2, 7, 6, 7, 100, 101, 100]) expect(spans(a.assignWindows(null, ts, ctx(0))), `ts ${ts}`).toEqual(naive(ts));
    // The caller may change the array it gets.
    const first = a.assignWindows(null, 10, ctx(0));
    first.pop();
    expect(a.assignWindows(null, 10, ctx(0))).toHaveLength(3);
  });

  it('assigners - sessions: [t, t + gap), overlapping or touching windows merge, each distinct window once', () => {
    const a = EventTimeSessionWindows.withGap(Time.milliseconds(5));
    expect(spans(a.assignWindows(null, 10, ctx(0)))).toEqual([[10, 15]]);
    const merges: unknown[] = [];
    a.mergeWindows([new TimeWindow(20, 25), new TimeWindow(0, 5), new TimeWindow(4, 9), new TimeWindow(9, 14), new TimeWindow(30, 35), new TimeWindow(30, 35)], (ws, r) => merges.push([spans(ws), spans([r])[0]]));
    expect(merges).toEqual([
      [
        [
          [0, 5],
          [4, 9],
          [9, 14],
        ],
        [0, 14],
      ],
    ]);
    expect(a.toString()).toBe('EventTimeSessionWindows(5)');
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow('EventTimeSessionWindows parameters must satisfy 0 < size');
    const dyn = EventTimeSessionWindows.withDynamicGap((e: { gap: number }) => e.gap);
    expect(dyn).toBeInstanceOf(DynamicEventTimeSessionWindows);
    expect(spans(dyn.assignWindows({ gap: 7 }, 3, ctx(0)))).toEqual([[3, 10]]);
    expect(() => dyn.assignWindows({ gap: 0 }, 3, ctx(0))).toThrow('Dynamic session time gap must satisfy 0 < gap');
    expect(dyn.toString()).toBe('DynamicEventTimeSessionWindows()');
    expect(spans(ProcessingTimeSessionWindows.withGap(100).assignWindows(null, 3, ctx(1000)))).toEqual([[1000, 1100]]);
  });

  it('assigners - global windows: one window, a trigger that never fires, not event time', () => {
    const g = GlobalWindows.create();
    expect(spans(g.assignWindows())).toEqual(['global']);
    expect(g.isEventTime()).toBe(false);
    expect(g.toString()).toBe('GlobalWindows()');
    expect(g.getDefaultTrigger().constructor.name).toBe('NeverTrigger');
  });
});
