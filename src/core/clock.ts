/**
 * Time, injected (STYLE.md 3.11): logic asks a Clock, tests advance a ManualClock.
 */

/** Wall-clock and monotonic time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Monotonic milliseconds, for durations. */
  relative(): number;
}

/** The system's clocks. */
export const SystemClock: Clock = {
  now: () => Date.now(),
  relative: () => performance.now(),
};

/** A clock that moves only when told, for tests. */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  /** Current time. */
  now(): number {
    return this.time;
  }
  /** Current time (the same value: a manual clock has one timeline). */
  relative(): number {
    return this.time;
  }
  /** Move time forward. */
  advance(ms: number): void {
    this.time += ms;
  }
}
