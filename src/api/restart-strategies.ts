/**
 * Flink's RestartStrategies: plain descriptors; the runtime supplies the behaviour.
 */

/** A restart strategy as data. */
export type RestartStrategyConfiguration =
  | { readonly type: 'none' }
  | { readonly type: 'fixed-delay'; readonly attempts: number; readonly delayMs: number }
  | { readonly type: 'failure-rate'; readonly maxFailures: number; readonly intervalMs: number; readonly delayMs: number }
  | {
      readonly type: 'exponential-delay';
      readonly initialBackoffMs: number;
      readonly maxBackoffMs: number;
      readonly multiplier: number;
      readonly resetThresholdMs: number;
      readonly jitter: number;
    };

/** Flink's RestartStrategies factory. */
export const RestartStrategies = {
  /** The job fails on the first failure. */
  noRestart(): RestartStrategyConfiguration {
    return { type: 'none' };
  },
  /** Restart up to `attempts` times, `delayMs` apart. */
  fixedDelayRestart(attempts: number, delayMs: number): RestartStrategyConfiguration {
    if (!Number.isInteger(attempts) || attempts < 0) throw new RangeError(`Restart attempts must be a non-negative integer, got ${attempts}`);
    if (!(delayMs >= 0)) throw new RangeError(`Restart delay must be at least 0 ms, got ${delayMs}`);
    return { type: 'fixed-delay', attempts, delayMs };
  },
  /** Restart while fewer than `maxFailures` failures happen within `intervalMs`. */
  failureRateRestart(maxFailures: number, intervalMs: number, delayMs: number): RestartStrategyConfiguration {
    if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new RangeError(`Max failures must be a positive integer, got ${maxFailures}`);
    return { type: 'failure-rate', maxFailures, intervalMs, delayMs };
  },
  /** Restart with exponentially growing delays. */
  exponentialDelayRestart(initialBackoffMs: number, maxBackoffMs: number, multiplier: number, resetThresholdMs: number, jitter: number): RestartStrategyConfiguration {
    return { type: 'exponential-delay', initialBackoffMs, maxBackoffMs, multiplier, resetThresholdMs, jitter };
  },
};
