/**
 * Restart strategies (Flink's RestartBackoffTimeStrategy): after a failure, may the job restart,
 * and after how long. Built from the job's RestartStrategies descriptor or the configuration.
 */
import type { RestartStrategyConfiguration } from '../../api/index.js';
import { parseDouble, parseDuration, parseInteger } from '../../config/index.js';
import { MiniFlinkError } from '../../core/errors.js';

/** Flink's RestartBackoffTimeStrategy. */
export interface RestartStrategy {
  /**
   * Records a failure at `now`: true when it is a new restart attempt, false when it joins the
   * restart still pending (exponential-delay, as Flink 1.19+ merges failures before the next
   * restart's time).
   */
  notifyFailure(now: number): boolean;
  /** Whether the job may restart after the failures so far. */
  canRestart(): boolean;
  /** Delay before the restart, ms. */
  getBackoffTime(): number;
  /** A description, for messages. */
  readonly description: string;
}

/** fixed-delay: up to `attempts` restarts, `delay` apart. */
class FixedDelay implements RestartStrategy {
  private failures = 0;
  constructor(
    private readonly attempts: number,
    private readonly delay: number,
  ) {}
  get description(): string {
    return `FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=${this.attempts}, backoffTimeMS=${this.delay})`;
  }
  notifyFailure(): boolean {
    this.failures++;
    return true;
  }
  canRestart(): boolean {
    return this.failures <= this.attempts;
  }
  getBackoffTime(): number {
    return this.delay;
  }
}

/** failure-rate: restart while at most `max` failures fall within `interval`. */
class FailureRate implements RestartStrategy {
  private readonly times: number[] = [];
  constructor(
    private readonly max: number,
    private readonly interval: number,
    private readonly delay: number,
  ) {}
  get description(): string {
    return `FailureRateRestartBackoffTimeStrategy(maxFailuresPerInterval=${this.max}, failuresIntervalMS=${this.interval}, backoffTimeMS=${this.delay})`;
  }
  notifyFailure(now: number): boolean {
    this.times.push(now);
    while (this.times.length > 0 && this.times[0]! < now - this.interval) this.times.shift();
    return true;
  }
  canRestart(): boolean {
    return this.times.length <= this.max;
  }
  getBackoffTime(): number {
    return this.delay;
  }
}

/** exponential-delay: delays grow by `multiplier` up to `max`, reset after a quiet `reset` period. */
/** Flink's default of `restart-strategy.exponential-delay.attempts-before-reset-backoff` (Integer.MAX_VALUE). */
const UNLIMITED_ATTEMPTS = 2147483647;

class ExponentialDelay implements RestartStrategy {
  private current: number;
  private last = -Infinity;
  /** Failures since the backoff was last reset (Flink's currentRestartAttempt). */
  private attempts = 0;
  /** The backoff of the last attempt (jitter applied), and when its restart is due. */
  private backoff = 0;
  private nextRestart = -Infinity;
  constructor(
    private readonly initial: number,
    private readonly max: number,
    private readonly multiplier: number,
    private readonly reset: number,
    private readonly jitter: number,
    private readonly attemptsBeforeReset = UNLIMITED_ATTEMPTS,
  ) {
    this.current = initial;
  }
  get description(): string {
    return `ExponentialDelayRestartBackoffTimeStrategy(initialBackoffMS=${this.initial}, maxBackoffMS=${this.max}, backoffMultiplier=${this.multiplier})`;
  }
  notifyFailure(now: number): boolean {
    // A failure before the pending restart's time joins that restart (Flink 1.19+): no new
    // attempt, no longer backoff.
    if (now <= this.nextRestart) return false;
    // Flink's rule: quiet for the reset threshold beyond the backoff it waited (the restart's own
    // delay does not count towards the quiet time).
    if (now - this.last >= this.reset + this.current) {
      this.current = this.initial;
      this.attempts = 0;
    } else this.current = Math.min(this.current * this.multiplier, this.max);
    this.attempts++;
    this.last = now;
    const j = this.current * this.jitter;
    this.backoff = Math.max(0, Math.round(this.current - j + Math.random() * 2 * j));
    this.nextRestart = now + this.backoff;
    return true;
  }
  /** Flink 1.19+: at most attempts-before-reset-backoff restarts until the backoff resets. */
  canRestart(): boolean {
    return this.attempts <= this.attemptsBeforeReset;
  }
  getBackoffTime(): number {
    return this.backoff;
  }
}

class NoRestart implements RestartStrategy {
  readonly description = 'NoRestartBackoffTimeStrategy';
  notifyFailure(): boolean {
    return true;
  }
  canRestart(): boolean {
    return false;
  }
  getBackoffTime(): number {
    return 0;
  }
}

/** The strategy of a job: code first, then `restart-strategy.*` keys, then Flink's default. */
export function createRestartStrategy(code: RestartStrategyConfiguration | undefined, conf: Readonly<Record<string, string>>, checkpointing: boolean): RestartStrategy {
  const d = (key: string, fallback: string) => parseDuration(conf[key] ?? fallback, key);
  // Flink's parsing: a value that is no number fails the submission, naming the key (never NaN).
  const n = (key: string, fallback: number) => (conf[key] !== undefined ? parseInteger(conf[key], key) : fallback);
  const x = (key: string, fallback: number) => (conf[key] !== undefined ? parseDouble(conf[key], key) : fallback);
  if (code) {
    switch (code.type) {
      case 'none':
        return new NoRestart();
      case 'fixed-delay':
        return new FixedDelay(code.attempts, code.delayMs);
      case 'failure-rate':
        return new FailureRate(code.maxFailures, code.intervalMs, code.delayMs);
      case 'exponential-delay':
        return new ExponentialDelay(code.initialBackoffMs, code.maxBackoffMs, code.multiplier, code.resetThresholdMs, code.jitter);
    }
  }
  const type = conf['restart-strategy.type']?.trim().toLowerCase() ?? (checkpointing ? 'exponential-delay' : 'none');
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return new NoRestart();
    case 'fixed-delay':
    case 'fixeddelay':
      return new FixedDelay(n('restart-strategy.fixed-delay.attempts', 1), d('restart-strategy.fixed-delay.delay', '1 s'));
    case 'failure-rate':
    case 'failurerate':
      return new FailureRate(n('restart-strategy.failure-rate.max-failures-per-interval', 1), d('restart-strategy.failure-rate.failure-rate-interval', '1 min'), d('restart-strategy.failure-rate.delay', '1 s'));
    case 'exponential-delay':
    case 'exponentialdelay':
      return new ExponentialDelay(
        d('restart-strategy.exponential-delay.initial-backoff', '1 s'),
        d('restart-strategy.exponential-delay.max-backoff', '1 min'),
        x('restart-strategy.exponential-delay.backoff-multiplier', 1.5),
        d('restart-strategy.exponential-delay.reset-backoff-threshold', '1 h'),
        x('restart-strategy.exponential-delay.jitter-factor', 0.1),
        n('restart-strategy.exponential-delay.attempts-before-reset-backoff', UNLIMITED_ATTEMPTS),
      );
    default:
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Unknown restart strategy '${type}' (restart-strategy.type): expected none, fixed-delay, failure-rate or exponential-delay`);
  }
}
