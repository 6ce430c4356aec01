/**
 * Flink's metric types (src/metrics/metrics.ts): SimpleCounter, MeterView (the rate over a time
 * span from the counts at each View update), TimerGauge (ms per second in a state, driven by a fake
 * clock), DescriptiveStatisticsHistogram (a window of values with Commons Math's statistics), and
 * metricKind. Views are driven by calling update() directly, as Flink's ViewUpdater does every
 * UPDATE_INTERVAL_SECONDS.
 */
import { describe, expect, it } from 'vitest';
import { DescriptiveStatisticsHistogram, MeterView, metricKind, SimpleCounter, TimerGauge, UPDATE_INTERVAL_SECONDS } from '../../../src/metrics/index.js';

/** A clock the test moves by hand (milliseconds). */
function fakeClock(start = 1_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

describe('SimpleCounter', () => {
  it('SimpleCounter - starts at 0; inc/dec by one or by n', () => {
    const c = new SimpleCounter();
    expect(c.getCount()).toBe(0);
    c.inc();
    c.inc();
    expect(c.getCount()).toBe(2);
    c.inc(10);
    expect(c.getCount()).toBe(12);
    c.dec();
    expect(c.getCount()).toBe(11);
    c.dec(4);
    expect(c.getCount()).toBe(7);
  });

  it('SimpleCounter - may go negative, and inc/dec accept negative n as Flink does', () => {
    const c = new SimpleCounter();
    c.dec(3);
    expect(c.getCount()).toBe(-3);
    c.inc(-2);
    expect(c.getCount()).toBe(-5);
    c.dec(-5);
    expect(c.getCount()).toBe(0);
  });
});

describe('MeterView', () => {
  it('MeterView - the update interval is Flink\'s 5 seconds', () => {
    expect(UPDATE_INTERVAL_SECONDS).toBe(5);
  });

  it('MeterView - rate is 0 before the first update, and markEvent counts without changing the rate', () => {
    const m = new MeterView();
    m.markEvent();
    m.markEvent(9);
    expect(m.getCount()).toBe(10);
    expect(m.getRate()).toBe(0);
  });

  it('MeterView - default 60 s span: ramps up over 12 updates, then holds the steady rate', () => {
    const m = new MeterView();
    // 10 events per 5 s interval = 2 events per second.
    for (let i = 1; i <= 12; i++) {
      m.markEvent(10);
      m.update();
      // The history has 13 slots; the oldest is still 0, so the rate is count / 60.
      expect(m.getRate()).toBeCloseTo((10 * i) / 60, 12);
    }
    expect(m.getRate()).toBe(2);
    for (let i = 0; i < 30; i++) {
      m.markEvent(10);
      m.update();
      expect(m.getRate()).toBe(2);
    }
    expect(m.getCount()).toBe(420);
  });

  it('MeterView - when events stop the rate falls by one interval\'s share per update, to 0 after 12', () => {
    const m = new MeterView();
    for (let i = 0; i < 20; i++) {
      m.markEvent(30);
      m.update();
    }
    expect(m.getRate()).toBe(6);
    for (let j = 1; j <= 12; j++) {
      m.update();
      expect(m.getRate()).toBeCloseTo((30 * (12 - j)) / 60, 12);
    }
    expect(m.getRate()).toBe(0);
    m.update();
    expect(m.getRate()).toBe(0);
  });

  it('MeterView - reads the counter it wraps: increments of the counter itself count, markEvent increments it', () => {
    const c = new SimpleCounter();
    const m = new MeterView(c);
    c.inc(50);
    m.update();
    expect(m.getCount()).toBe(50);
    expect(m.getRate()).toBeCloseTo(50 / 60, 12);
    m.markEvent(7);
    expect(c.getCount()).toBe(57);
  });

  it('MeterView - a span below the update interval becomes 5 s (two slots)', () => {
    for (const m of [new MeterView(3), new MeterView(new SimpleCounter(), 1), new MeterView(0)]) {
      m.markEvent(10);
      m.update();
      expect(m.getRate()).toBe(2); // 10 / 5
      m.update();
      expect(m.getRate()).toBe(0); // nothing new in the last 5 s
    }
  });

  it('MeterView - a span is rounded down to a multiple of the update interval (12 s -> 10 s, 7 s -> 5 s)', () => {
    const ten = new MeterView(new SimpleCounter(), 12);
    ten.markEvent(10);
    ten.update();
    expect(ten.getRate()).toBe(1); // 10 / 10
    ten.markEvent(10);
    ten.update();
    expect(ten.getRate()).toBe(2); // 20 / 10
    ten.markEvent(10);
    ten.update();
    expect(ten.getRate()).toBe(2); // (30 - 10) / 10
    const five = new MeterView(7);
    five.markEvent(10);
    five.update();
    expect(five.getRate()).toBe(2);
  });

  it('MeterView - a number as the only argument is the span, with a counter of its own', () => {
    const m = new MeterView(10);
    m.markEvent(20);
    m.update();
    expect(m.getRate()).toBe(2); // 20 / 10
    m.update();
    m.update();
    expect(m.getRate()).toBe(0);
  });
});

describe('TimerGauge', () => {
  it('TimerGauge - markStart/markEnd measure time; getValue is 0 until update(), then ms per second', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    expect(g.isMeasuring()).toBe(false);
    g.markStart();
    expect(g.isMeasuring()).toBe(true);
    clock.advance(1000);
    g.markEnd();
    expect(g.isMeasuring()).toBe(false);
    expect(g.getValue()).toBe(0);
    expect(g.getAccumulatedCount()).toBe(1000);
    clock.advance(4000);
    g.update();
    // 1000 ms in a 5 s interval = 200 ms per second.
    expect(g.getValue()).toBe(200);
  });

  it('TimerGauge - several measurements in one interval add up', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    for (let i = 0; i < 5; i++) {
      g.markStart();
      clock.advance(300);
      g.markEnd();
      clock.advance(200);
    }
    clock.advance(2500);
    g.update();
    expect(g.getValue()).toBe(300); // 1500 ms / 5 s
    expect(g.getAccumulatedCount()).toBe(1500);
  });

  it('TimerGauge - markStart while measuring keeps the first start; markEnd while not measuring does nothing', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    g.markEnd();
    expect(g.getAccumulatedCount()).toBe(0);
    g.markStart();
    clock.advance(400);
    g.markStart();
    clock.advance(600);
    g.markEnd();
    g.markEnd();
    expect(g.getAccumulatedCount()).toBe(1000);
    clock.advance(4000);
    g.update();
    expect(g.getValue()).toBe(200);
  });

  it('TimerGauge - a measurement still running at update() counts up to now and goes on from there', () => {
    const clock = fakeClock(0);
    const g = new TimerGauge(clock.now);
    // (Flink's TimerGauge uses timestamp 0 as "not measuring"; start later than that.)
    clock.set(1000);
    g.markStart();
    clock.set(5000);
    g.update();
    expect(g.getValue()).toBe(800); // 4000 ms / 5 s
    expect(g.isMeasuring()).toBe(true);
    expect(g.getAccumulatedCount()).toBe(4000);
    clock.set(7000);
    g.markEnd();
    // Only the 2000 ms after the update are added, not the 6000 ms since markStart.
    expect(g.getAccumulatedCount()).toBe(6000);
  });

  it('TimerGauge - per second of the time the window covers: a first interval lived only partly counts for its own length (found by a review: 0.7 ms/s of busy time showed as 312 in the first minute)', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    // The task starts 1 s before the registry's next update: 100 ms in the state in that second.
    g.markStart();
    clock.advance(100);
    g.markEnd();
    clock.advance(900);
    g.update();
    expect(g.getValue()).toBe(100);
    // A full interval with 500 ms more: 600 ms over 6 s.
    g.markStart();
    clock.advance(500);
    g.markEnd();
    clock.advance(4500);
    g.update();
    expect(g.getValue()).toBe(100);
  });

  it('TimerGauge - the value is capped at 1000 ms per second', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    g.markStart();
    clock.advance(8000); // an update that came late
    g.update();
    expect(g.getValue()).toBe(1000);
  });

  it('TimerGauge - accumulated count keeps growing over updates (only the per-second value is reset)', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    g.markStart();
    clock.advance(2000);
    g.markEnd();
    g.update();
    g.markStart();
    clock.advance(1000);
    g.markEnd();
    g.update();
    expect(g.getAccumulatedCount()).toBe(3000);
  });

  it('TimerGauge - the value is whole milliseconds per second, rounded down (Flink: long division)', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    g.markStart();
    clock.advance(2499);
    g.markEnd();
    clock.advance(2501);
    g.update();
    // Flink: Math.min(totalTime / (UPDATE_INTERVAL_SECONDS * n), 1000) on longs: 2499 / 5 = 499.
    expect(g.getValue()).toBe(499);
  });

  it('TimerGauge - the value averages the intervals of Flink\'s default 60 s span (FLINK-30090, Flink >= 1.17)', () => {
    const clock = fakeClock();
    const g = new TimerGauge(clock.now);
    // Interval 1: 2500 ms in the state.
    g.markStart();
    clock.advance(2500);
    g.markEnd();
    clock.advance(2500);
    g.update();
    expect(g.getValue()).toBe(500);
    // Interval 2: none. Flink 1.20: (2500 + 0) / (5 * 2) = 250.
    clock.advance(5000);
    g.update();
    expect(g.getValue()).toBe(250);
    // Fill the window (12 intervals): 10 more fully busy intervals.
    for (let i = 0; i < 10; i++) {
      g.markStart();
      clock.advance(5000);
      g.markEnd();
      g.update();
    }
    // (2500 + 0 + 10 * 5000) / 60 = 875
    expect(g.getValue()).toBe(875);
    // The 13th interval pushes the first out: (0 + 10 * 5000 + 5000) / 60 = 916 (long division).
    g.markStart();
    clock.advance(5000);
    g.markEnd();
    g.update();
    expect(g.getValue()).toBe(916);
  });
});

describe('DescriptiveStatisticsHistogram', () => {
  const stddev1to100 = Math.sqrt(83325 / 99); // sample standard deviation of 1..100

  it('DescriptiveStatisticsHistogram - 1..100: count, size, min, max, mean, sample stddev', () => {
    const h = new DescriptiveStatisticsHistogram(100);
    for (let i = 1; i <= 100; i++) h.update(i);
    expect(h.getCount()).toBe(100);
    const s = h.getStatistics();
    expect(s.size()).toBe(100);
    expect(s.getMin()).toBe(1);
    expect(s.getMax()).toBe(100);
    expect(s.getMean()).toBe(50.5);
    expect(s.getStdDev()).toBeCloseTo(stddev1to100, 10);
    expect(s.getStdDev()).toBeCloseTo(29.011491975882016, 10);
  });

  it('DescriptiveStatisticsHistogram - quantiles of 1..100 as Commons Math Percentile (LEGACY: position p(n+1))', () => {
    const h = new DescriptiveStatisticsHistogram(1000);
    for (let i = 1; i <= 100; i++) h.update(i);
    const s = h.getStatistics();
    expect(s.getQuantile(0.5)).toBeCloseTo(50.5, 10);
    expect(s.getQuantile(0.75)).toBeCloseTo(75.75, 10);
    expect(s.getQuantile(0.9)).toBeCloseTo(90.9, 10);
    expect(s.getQuantile(0.95)).toBeCloseTo(95.95, 10);
    expect(s.getQuantile(0.98)).toBeCloseTo(98.98, 10);
    expect(s.getQuantile(0.99)).toBeCloseTo(99.99, 10);
    // pos = 0.999 * 101 = 100.899 >= n: the largest value.
    expect(s.getQuantile(0.999)).toBe(100);
    expect(s.getQuantile(1)).toBe(100);
    // pos < 1: the smallest value.
    expect(s.getQuantile(0.005)).toBe(1);
    expect(s.getQuantile(0)).toBe(1);
    // pos = 0.25 * 101 = 25.25: 25 + 0.25 * (26 - 25)
    expect(s.getQuantile(0.25)).toBeCloseTo(25.25, 10);
  });

  it('DescriptiveStatisticsHistogram - quantiles do not depend on the order values arrive in', () => {
    const a = new DescriptiveStatisticsHistogram(100);
    const b = new DescriptiveStatisticsHistogram(100);
    for (let i = 1; i <= 100; i++) a.update(i);
    for (let i = 100; i >= 1; i--) b.update(i);
    // A shuffled order, too.
    const c = new DescriptiveStatisticsHistogram(100);
    for (let i = 0; i < 100; i++) c.update(((i * 37) % 100) + 1);
    for (const q of [0.1, 0.5, 0.75, 0.9, 0.99]) {
      expect(b.getStatistics().getQuantile(q)).toBe(a.getStatistics().getQuantile(q));
      expect(c.getStatistics().getQuantile(q)).toBe(a.getStatistics().getQuantile(q));
    }
    expect(c.getStatistics().getMean()).toBe(50.5);
  });

  it('DescriptiveStatisticsHistogram - keeps only the last windowSize values; getCount counts every update', () => {
    const h = new DescriptiveStatisticsHistogram(10);
    for (let i = 1; i <= 25; i++) h.update(i);
    expect(h.getCount()).toBe(25);
    const s = h.getStatistics();
    expect(s.size()).toBe(10);
    expect(s.getValues().sort((x, y) => x - y)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(s.getMin()).toBe(16);
    expect(s.getMax()).toBe(25);
    expect(s.getMean()).toBe(20.5);
    // pos = 0.5 * 11 = 5.5: 20 + 0.5 * (21 - 20)
    expect(s.getQuantile(0.5)).toBe(20.5);
  });

  it('DescriptiveStatisticsHistogram - statistics are a snapshot: later updates do not change them', () => {
    const h = new DescriptiveStatisticsHistogram(5);
    h.update(1);
    h.update(2);
    const s = h.getStatistics();
    h.update(100);
    expect(s.size()).toBe(2);
    expect(s.getMax()).toBe(2);
    expect(h.getStatistics().getMax()).toBe(100);
  });

  it('DescriptiveStatisticsHistogram - one value: stddev 0, every quantile the value', () => {
    const h = new DescriptiveStatisticsHistogram(3);
    h.update(42);
    const s = h.getStatistics();
    expect(s.getStdDev()).toBe(0);
    expect(s.getMean()).toBe(42);
    expect(s.getQuantile(0.01)).toBe(42);
    expect(s.getQuantile(0.5)).toBe(42);
    expect(s.getQuantile(0.999)).toBe(42);
  });

  it('DescriptiveStatisticsHistogram - empty: count 0, size 0, NaN mean, stddev and quantiles (as Commons Math)', () => {
    const h = new DescriptiveStatisticsHistogram(3);
    expect(h.getCount()).toBe(0);
    const s = h.getStatistics();
    expect(s.size()).toBe(0);
    expect(s.getValues()).toEqual([]);
    expect(s.getMean()).toBeNaN();
    expect(s.getStdDev()).toBeNaN();
    expect(s.getQuantile(0.5)).toBeNaN();
  });

  it('DescriptiveStatisticsHistogram - a window size that is not positive is refused', () => {
    expect(() => new DescriptiveStatisticsHistogram(0)).toThrow(RangeError);
    expect(() => new DescriptiveStatisticsHistogram(-1)).toThrow(RangeError);
    expect(() => new DescriptiveStatisticsHistogram(Number.NaN)).toThrow(RangeError);
  });
});

describe('metricKind', () => {
  it('metricKind - tells the four kinds apart, MeterView before Counter and TimerGauge as a gauge', () => {
    expect(metricKind(new SimpleCounter())).toBe('counter');
    expect(metricKind(new MeterView())).toBe('meter');
    expect(metricKind(new DescriptiveStatisticsHistogram(2))).toBe('histogram');
    expect(metricKind(new TimerGauge())).toBe('gauge');
    expect(metricKind({ getValue: () => 1 })).toBe('gauge');
    expect(metricKind({ inc: () => undefined, dec: () => undefined, getCount: () => 0 })).toBe('counter');
  });

  it('metricKind - anything else is not a metric', () => {
    expect(metricKind(undefined)).toBeUndefined();
    expect(metricKind(null)).toBeUndefined();
    expect(metricKind(5)).toBeUndefined();
    expect(metricKind('counter')).toBeUndefined();
    expect(metricKind({})).toBeUndefined();
    expect(metricKind({ getValue: 1 })).toBeUndefined();
  });
});
