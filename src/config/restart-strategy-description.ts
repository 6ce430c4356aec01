/**
 * Flink's text for a restart strategy set by configuration (`restart-strategy.*` keys), as
 * `GET /jobs/:jobid/config` reports it in `execution-config.restart-strategy` (the texts of
 * Flink's RestartStrategyDescriptionUtils, durations in milliseconds as miniflink writes those of
 * a strategy set in code).
 */
import { parseDuration } from './duration.js';
import { parseDouble, parseInteger } from './option-values.js';
import { DEPRECATED_KEYS } from './options.js';

/** The text for the strategy `conf` sets, or undefined when it sets none (`restart-strategy.type` unset). */
export function describeConfiguredRestartStrategy(conf: Readonly<Record<string, string>>): string | undefined {
  const value = (key: string): string | undefined => {
    if (conf[key] !== undefined) return conf[key];
    for (const [old, canonical] of DEPRECATED_KEYS) if (canonical === key && conf[old] !== undefined) return conf[old];
    return undefined;
  };
  const type = value('restart-strategy.type')?.trim().toLowerCase();
  if (type === undefined) return undefined;
  const ms = (key: string, fallback: string) => `${parseDuration(value(key) ?? fallback, key)} ms`;
  const int = (key: string, fallback: number) => (value(key) !== undefined ? parseInteger(value(key)!, key) : fallback);
  const dbl = (key: string, fallback: number) => (value(key) !== undefined ? parseDouble(value(key)!, key) : fallback).toFixed(6);
  switch (type) {
    case 'none':
    case 'off':
    case 'disable':
      return 'Restart deactivated.';
    case 'fixed-delay':
    case 'fixeddelay':
      return `Restart with fixed delay (${ms('restart-strategy.fixed-delay.delay', '1 s')}). #${int('restart-strategy.fixed-delay.attempts', 1)} restart attempts.`;
    case 'failure-rate':
    case 'failurerate':
      return `Failure rate restart with maximum of ${int('restart-strategy.failure-rate.max-failures-per-interval', 1)} failures within interval ${ms('restart-strategy.failure-rate.failure-rate-interval', '1 min')} and fixed delay ${ms('restart-strategy.failure-rate.delay', '1 s')}.`;
    case 'exponential-delay':
    case 'exponentialdelay':
      return `Restart with exponential delay: starting at ${ms('restart-strategy.exponential-delay.initial-backoff', '1 s')}, increasing by ${dbl('restart-strategy.exponential-delay.backoff-multiplier', 1.5)}, with maximum ${ms('restart-strategy.exponential-delay.max-backoff', '1 min')}. Delay resets after ${ms('restart-strategy.exponential-delay.reset-backoff-threshold', '1 h')} with jitter ${dbl('restart-strategy.exponential-delay.jitter-factor', 0.1)}`;
    default:
      return undefined;
  }
}
