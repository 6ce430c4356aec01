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

/**
 * The text Flink's `GET /jobs/:jobid/config` shows for a job's restart strategy
 * (`restart-strategy`): the one set in the job's code, or the cluster's default.
 */
export function describeRestartStrategy(c: RestartStrategyConfiguration | undefined): string {
  const d = (ms: number) => `${ms} ms`;
  const f = (x: number) => x.toFixed(6);
  switch (c?.type) {
    case undefined:
      return 'Cluster level default restart strategy';
    case 'none':
      return 'Restart deactivated.';
    case 'fixed-delay':
      return `Restart with fixed delay (${d(c.delayMs)}). #${c.attempts} restart attempts.`;
    case 'failure-rate':
      return `Failure rate restart with maximum of ${c.maxFailures} failures within interval ${d(c.intervalMs)} and fixed delay ${d(c.delayMs)}.`;
    case 'exponential-delay':
      return `Restart with exponential delay: starting at ${d(c.initialBackoffMs)}, increasing by ${f(c.multiplier)}, with maximum ${d(c.maxBackoffMs)}. Delay resets after ${d(c.resetThresholdMs)} with jitter ${f(c.jitter)}`;
  }
}
