/**
 * Flink's built-in WatermarkGenerators, with Flink's arithmetic: bounded out-of-orderness,
 * ascending timestamps, none, and the idleness wrapper with its IdlenessTimer.
 *
 *   records:      ts 1000   ts 3000   ts 2000 (late by 1 s)
 *   bounded 2 s:  max 1000  max 3000  max 3000    periodic emit -> max - 2000 - 1 = 999
 *   ascending:    max 1000  max 3000  max 3000    periodic emit -> max - 1        = 2999
 */
import { Watermark } from './functions/source-function.js';
import type { RelativeClock, WatermarkGenerator, WatermarkOutput } from './watermark-strategy.js';

/** Flink's Long.MIN_VALUE, the lowest timestamp (as a number: -2^63). */
const LONG_MIN = -9223372036854775808;

/**
 * Flink's BoundedOutOfOrdernessWatermarks: periodically emits the highest timestamp seen minus the
 * bound minus 1 (a record at the watermark's timestamp would be late, so the watermark stays one
 * below what may still come). Before any record it emits Long.MIN_VALUE, which the output drops.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  /** The highest timestamp seen (starts so that the first watermark is Long.MIN_VALUE). */
  private maxTimestamp: number;
  constructor(
    /** The bound in ms (not negative). */
    private readonly outOfOrdernessMillis: number,
  ) {
    if (!(outOfOrdernessMillis >= 0)) throw new RangeError('maxOutOfOrderness cannot be negative');
    this.maxTimestamp = LONG_MIN + outOfOrdernessMillis + 1;
  }
  /** Remembers the highest timestamp. */
  onEvent(_event: T, eventTimestamp: number, _output: WatermarkOutput): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }
  /** Emits the highest timestamp minus the bound minus 1. */
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(new Watermark(this.maxTimestamp - this.outOfOrdernessMillis - 1));
  }
}

/** Flink's AscendingTimestampsWatermarks: bounded out-of-orderness with a bound of 0. */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}

/** Flink's NoWatermarksGenerator: emits nothing. */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  /** Nothing. */
  onEvent(_event: T, _eventTimestamp: number, _output: WatermarkOutput): void {}
  /** Nothing. */
  onPeriodicEmit(_output: WatermarkOutput): void {}
}

/**
 * Flink's WatermarksWithIdleness.IdlenessTimer. Idleness is only checked at periodic emits: the
 * first check that saw no record since the previous one starts the countdown, and a later check
 * finds the output idle once strictly more than the timeout has passed since then. So an output
 * goes idle no earlier than the timeout after its last record, and at most the timeout plus three
 * auto-watermark intervals after it.
 */
export class IdlenessTimer {
  /** Records seen (a change counter). */
  private counter = 0;
  /** The counter at the last check. */
  private lastCounter = 0;
  /** When a check first found no activity since the previous one; undefined: no countdown. */
  private startOfInactivity: number | undefined = undefined;
  constructor(
    private readonly clock: RelativeClock,
    /** The timeout in ms. */
    private readonly maxIdleTimeMillis: number,
  ) {}
  /** A record arrived. */
  activity(): void {
    this.counter++;
  }
  /** Whether the output has been idle for longer than the timeout (see the class comment). */
  checkIfIdle(): boolean {
    if (this.counter !== this.lastCounter) {
      // Activity since the last check: the countdown starts over.
      this.lastCounter = this.counter;
      this.startOfInactivity = undefined;
      return false;
    }
    if (this.startOfInactivity === undefined) {
      // The first check without activity: the countdown starts.
      this.startOfInactivity = this.clock.relativeTimeMillis();
      return false;
    }
    return this.clock.relativeTimeMillis() - this.startOfInactivity > this.maxIdleTimeMillis;
  }
}

/**
 * Flink's WatermarksWithIdleness: wraps a generator; when no record came for the timeout (checked
 * at periodic emits, see IdlenessTimer) the output is marked idle instead of emitting, until a
 * record comes and the wrapped generator emits a watermark that advances.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly idlenessTimer: IdlenessTimer;
  private isIdleNow = false;
  constructor(
    private readonly watermarks: WatermarkGenerator<T>,
    idleTimeoutMillis: number,
    clock: RelativeClock,
  ) {
    if (!(idleTimeoutMillis > 0)) throw new RangeError('idleTimeout must be greater than zero');
    this.idlenessTimer = new IdlenessTimer(clock, idleTimeoutMillis);
  }
  /** Passes the record on and notes the activity. */
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, eventTimestamp, output);
    this.idlenessTimer.activity();
    this.isIdleNow = false;
  }
  /** Marks the output idle after the timeout, else lets the wrapped generator emit. */
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.idlenessTimer.checkIfIdle()) {
      if (!this.isIdleNow) {
        output.markIdle();
        this.isIdleNow = true;
      }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }
}
