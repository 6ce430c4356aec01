/**
 * Flink's metric types (org.apache.flink.metrics): Counter, Gauge, Meter, Histogram, and the
 * implementations Flink ships (SimpleCounter, MeterView, DescriptiveStatisticsHistogram), plus
 * TimerGauge, which Flink's runtime uses for busy, idle and backpressured time.
 *
 * A View is updated by its registry every UPDATE_INTERVAL_SECONDS (Flink's ViewUpdater), which is
 * how a MeterView and a TimerGauge turn counts into rates without work per event.
 */

/** How often Views are updated, in seconds (Flink's View.UPDATE_INTERVAL_SECONDS). */
export const UPDATE_INTERVAL_SECONDS = 5;

/** A metric that its registry updates every UPDATE_INTERVAL_SECONDS. */
export interface View {
  update(): void;
}

/** A count (Flink's Counter). */
export interface Counter {
  inc(n?: number): void;
  dec(n?: number): void;
  getCount(): number;
}

/** A value read when reported (Flink's Gauge). */
export interface Gauge<T> {
  getValue(): T;
}

/** A rate of events (Flink's Meter). */
export interface Meter {
  markEvent(n?: number): void;
  /** Events per second. */
  getRate(): number;
  getCount(): number;
}

/** Statistics of a histogram's values (Flink's HistogramStatistics). */
export interface HistogramStatistics {
  getQuantile(quantile: number): number;
  getValues(): number[];
  size(): number;
  getMean(): number;
  getStdDev(): number;
  getMax(): number;
  getMin(): number;
}

/** A distribution of values (Flink's Histogram). */
export interface Histogram {
  update(value: number): void;
  getCount(): number;
  getStatistics(): HistogramStatistics;
}

/** Any metric. */
export type Metric = Counter | Gauge<unknown> | Meter | Histogram;

/** Flink's SimpleCounter: a plain number, cheap enough to count every record. */
export class SimpleCounter implements Counter {
  private count = 0;
  inc(n = 1): void {
    this.count += n;
  }
  dec(n = 1): void {
    this.count -= n;
  }
  getCount(): number {
    return this.count;
  }
}

/**
 * Flink's MeterView: the rate of a counter over the last `timeSpanInSeconds` (default 60),
 * computed from the counter's values at each update.
 */
export class MeterView implements Meter, View {
  private readonly counter: Counter;
  private readonly timeSpanInSeconds: number;
  private readonly values: number[];
  private time = 0;
  private currentRate = 0;

  constructor(counterOrTimeSpan?: Counter | number, timeSpanInSeconds = 60) {
    this.counter = typeof counterOrTimeSpan === 'object' ? counterOrTimeSpan : new SimpleCounter();
    const span = typeof counterOrTimeSpan === 'number' ? counterOrTimeSpan : timeSpanInSeconds;
    // As Flink: at least one update interval, and a multiple of it.
    this.timeSpanInSeconds = Math.max(span - (span % UPDATE_INTERVAL_SECONDS), UPDATE_INTERVAL_SECONDS);
    this.values = new Array<number>(this.timeSpanInSeconds / UPDATE_INTERVAL_SECONDS + 1).fill(0);
  }
  markEvent(n = 1): void {
    this.counter.inc(n);
  }
  getCount(): number {
    return this.counter.getCount();
  }
  getRate(): number {
    return this.currentRate;
  }
  update(): void {
    this.time = (this.time + 1) % this.values.length;
    this.values[this.time] = this.counter.getCount();
    this.currentRate = (this.values[this.time]! - this.values[(this.time + 1) % this.values.length]!) / this.timeSpanInSeconds;
  }
}

/**
 * Flink's TimerGauge (Flink >= 1.17, FLINK-30090): time spent in a state (between markStart and
 * markEnd), reported as whole milliseconds per second over the last `timeSpanInSeconds` (default
 * 60 s, i.e. 12 update intervals; fewer until that many updates happened); also the total and
 * whether the state is on right now.
 */
export class TimerGauge implements Gauge<number>, View {
  private startedAt: number | undefined;
  private accumulated = 0;
  private total = 0;
  private value = 0;
  /** The time in the state of each of the last intervals (a ring). */
  private readonly intervals: number[];
  /** How long each of those intervals lasted, ms (the first one since the gauge was made is partial). */
  private readonly lengths: number[];
  private next = 0;
  private lastUpdate: number;
  constructor(
    private readonly now: () => number = () => performance.now(),
    timeSpanInSeconds = 60,
  ) {
    // As Flink's: at least one update interval, and a multiple of it.
    const span = Math.max(timeSpanInSeconds - (timeSpanInSeconds % UPDATE_INTERVAL_SECONDS), UPDATE_INTERVAL_SECONDS);
    this.intervals = new Array<number>(span / UPDATE_INTERVAL_SECONDS).fill(0);
    this.lengths = new Array<number>(span / UPDATE_INTERVAL_SECONDS).fill(0);
    this.lastUpdate = this.now();
  }
  markStart(): void {
    if (this.startedAt === undefined) this.startedAt = this.now();
  }
  markEnd(): void {
    if (this.startedAt === undefined) return;
    const d = this.now() - this.startedAt;
    this.accumulated += d;
    this.total += d;
    this.startedAt = undefined;
  }
  /** Whether the state is on now. */
  isMeasuring(): boolean {
    return this.startedAt !== undefined;
  }
  getValue(): number {
    return this.value;
  }
  /** Milliseconds spent in the state in all, up to now. */
  getAccumulatedCount(): number {
    return this.total + (this.startedAt !== undefined ? this.now() - this.startedAt : 0);
  }
  update(): void {
    const now = this.now();
    // A measurement still running counts up to now, and goes on from now.
    if (this.startedAt !== undefined) {
      this.accumulated += now - this.startedAt;
      this.total += now - this.startedAt;
      this.startedAt = now;
    }
    this.intervals[this.next] = this.accumulated;
    this.lengths[this.next] = now - this.lastUpdate;
    this.lastUpdate = now;
    this.next = (this.next + 1) % this.intervals.length;
    this.accumulated = 0;
    const sum = this.intervals.reduce((a, b) => a + b, 0);
    const covered = this.lengths.reduce((a, b) => a + b, 0);
    // Milliseconds per second over the time the window covers: Flink divides by the full window
    // (60 s) from the start, and by the updates so far it was still wrong in the first minute, as
    // the first interval is only partly lived (a task starts between two updates; found by a
    // review: a map busy 0.7 ms/s showed 312). At most 1000, whole milliseconds as Flink's.
    this.value = covered > 0 ? Math.min(1000, Math.floor((sum * 1000) / covered)) : 0;
  }
}

/** Flink's DescriptiveStatisticsHistogram: statistics of the last `windowSize` values. */
export class DescriptiveStatisticsHistogram implements Histogram {
  private readonly window: number[] = [];
  private next = 0;
  private count = 0;
  constructor(private readonly windowSize: number) {
    if (!(windowSize > 0)) throw new RangeError(`The window size must be positive, got ${windowSize}`);
  }
  update(value: number): void {
    if (this.window.length < this.windowSize) this.window.push(value);
    else this.window[this.next] = value;
    this.next = (this.next + 1) % this.windowSize;
    this.count++;
  }
  getCount(): number {
    return this.count;
  }
  getStatistics(): HistogramStatistics {
    return new WindowStatistics([...this.window]);
  }
}

/** Statistics of a snapshot of values (quantiles as Apache Commons Math's default estimator). */
class WindowStatistics implements HistogramStatistics {
  private readonly sorted: number[];
  constructor(values: number[]) {
    this.sorted = values.sort((a, b) => a - b);
  }
  getQuantile(quantile: number): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    // Commons Math Percentile (LEGACY estimation): position p(n+1).
    const pos = quantile * (n + 1);
    if (pos < 1) return this.sorted[0]!;
    if (pos >= n) return this.sorted[n - 1]!;
    const lower = this.sorted[Math.floor(pos) - 1]!;
    const upper = this.sorted[Math.floor(pos)]!;
    return lower + (pos - Math.floor(pos)) * (upper - lower);
  }
  getValues(): number[] {
    return [...this.sorted];
  }
  size(): number {
    return this.sorted.length;
  }
  getMean(): number {
    return this.sorted.length === 0 ? Number.NaN : this.sorted.reduce((a, b) => a + b, 0) / this.sorted.length;
  }
  getStdDev(): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    if (n === 1) return 0;
    const mean = this.getMean();
    // The sample standard deviation, as Commons Math's.
    return Math.sqrt(this.sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  }
  getMax(): number {
    return this.sorted.length === 0 ? Number.NaN : this.sorted[this.sorted.length - 1]!;
  }
  getMin(): number {
    return this.sorted.length === 0 ? Number.NaN : this.sorted[0]!;
  }
}

/** Which of Flink's four kinds a metric is. */
export function metricKind(m: unknown): 'counter' | 'gauge' | 'meter' | 'histogram' | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  if (typeof o['getStatistics'] === 'function' && typeof o['update'] === 'function') return 'histogram';
  if (typeof o['getRate'] === 'function' && typeof o['markEvent'] === 'function') return 'meter';
  if (typeof o['getCount'] === 'function' && typeof o['inc'] === 'function') return 'counter';
  if (typeof o['getValue'] === 'function') return 'gauge';
  return undefined;
}
