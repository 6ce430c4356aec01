/**
 * Durations as Flink's API takes them: `Duration.ofMillis/ofSeconds/ofMinutes/ofHours/ofDays`
 * (java.time.Duration, Flink 1.12+ and 2.0) and the older `Time.milliseconds/seconds/minutes/
 * hours/days` (Flink 1.x windows). Wherever a duration is taken, a number of milliseconds works too.
 */

/** java.time.Duration, reduced to milliseconds. */
export class Duration {
  private constructor(private readonly millis: number) {
    if (!Number.isFinite(millis)) throw new RangeError(`A duration must be a finite number of milliseconds, got ${millis}`);
  }
  /** A duration of n milliseconds. */
  static ofMillis(n: number): Duration {
    return new Duration(n);
  }
  /** A duration of n seconds. */
  static ofSeconds(n: number): Duration {
    return new Duration(n * 1000);
  }
  /** A duration of n minutes. */
  static ofMinutes(n: number): Duration {
    return new Duration(n * 60_000);
  }
  /** A duration of n hours. */
  static ofHours(n: number): Duration {
    return new Duration(n * 3_600_000);
  }
  /** A duration of n days. */
  static ofDays(n: number): Duration {
    return new Duration(n * 86_400_000);
  }
  /** Zero. */
  static readonly ZERO = new Duration(0);
  /** The duration in milliseconds. */
  toMillis(): number {
    return this.millis;
  }
  /** As Java prints it (ISO-8601, e.g. PT5S). */
  toString(): string {
    return `PT${this.millis / 1000}S`;
  }
}

/** Flink 1.x's Time (windows, allowed lateness): a duration in milliseconds. */
export class Time {
  private constructor(private readonly millis: number) {
    if (!Number.isFinite(millis)) throw new RangeError(`A time must be a finite number of milliseconds, got ${millis}`);
  }
  /** n milliseconds. */
  static milliseconds(n: number): Time {
    return new Time(n);
  }
  /** n seconds. */
  static seconds(n: number): Time {
    return new Time(n * 1000);
  }
  /** n minutes. */
  static minutes(n: number): Time {
    return new Time(n * 60_000);
  }
  /** n hours. */
  static hours(n: number): Time {
    return new Time(n * 3_600_000);
  }
  /** n days. */
  static days(n: number): Time {
    return new Time(n * 86_400_000);
  }
  /** Flink's Time.of(n, unit) with a unit name (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS). */
  static of(n: number, unit: 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS'): Time {
    const factor = { MILLISECONDS: 1, SECONDS: 1000, MINUTES: 60_000, HOURS: 3_600_000, DAYS: 86_400_000 }[unit];
    if (factor === undefined) throw new RangeError(`Unknown time unit '${unit}'`);
    return new Time(n * factor);
  }
  /** The time in milliseconds. */
  toMilliseconds(): number {
    return this.millis;
  }
  /** As a Duration. */
  toDuration(): Duration {
    return Duration.ofMillis(this.millis);
  }
}

/** Anything the API takes as a duration. */
export type DurationLike = Duration | Time | number;

/** Milliseconds of a duration given as a Duration, a Time or a number of milliseconds. */
export function toMillis(d: DurationLike, what = 'duration'): number {
  const ms = typeof d === 'number' ? d : d instanceof Duration ? d.toMillis() : d instanceof Time ? d.toMilliseconds() : NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${what} must be a Duration, a Time or a number of milliseconds, got ${String(d)}`);
  return ms;
}
