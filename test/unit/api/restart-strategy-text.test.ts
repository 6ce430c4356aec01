/** The restart-strategy texts of `GET /jobs/:jobid/config`, as FLINK-REFERENCE 1.5 lists Flink's. */
import { describe, expect, it } from 'vitest';
import { describeRestartStrategy, RestartStrategies } from '../../../src/api/index.js';

describe('restart strategy text', () => {
  it('restart strategy text - each strategy in Flink words', () => {
    expect(describeRestartStrategy(undefined)).toBe('Cluster level default restart strategy');
    expect(describeRestartStrategy(RestartStrategies.noRestart())).toBe('Restart deactivated.');
    expect(describeRestartStrategy(RestartStrategies.fixedDelayRestart(7, 1000))).toBe('Restart with fixed delay (1000 ms). #7 restart attempts.');
    expect(describeRestartStrategy(RestartStrategies.failureRateRestart(3, 60_000, 500))).toBe('Failure rate restart with maximum of 3 failures within interval 60000 ms and fixed delay 500 ms.');
    expect(describeRestartStrategy({ type: 'exponential-delay', initialBackoffMs: 1000, maxBackoffMs: 60_000, multiplier: 1.5, resetThresholdMs: 3_600_000, jitter: 0.1 })).toBe(
      'Restart with exponential delay: starting at 1000 ms, increasing by 1.500000, with maximum 60000 ms. Delay resets after 3600000 ms with jitter 0.100000',
    );
  });
});
