/** The restart strategies' arithmetic (Flink's RestartBackoffTimeStrategy implementations), with explicit clock values. */
import { describe, expect, it } from 'vitest';
import { createRestartStrategy } from '../../../src/runtime/jobmanager/restart-strategy.js';

const exponential = (resetMs: number) =>
  createRestartStrategy({ type: 'exponential-delay', initialBackoffMs: 100, maxBackoffMs: 1000, multiplier: 2, resetThresholdMs: resetMs, jitter: 0 }, {}, true);

describe('restart strategies', () => {
  it('exponential-delay - grows by the multiplier up to the maximum', () => {
    const s = exponential(10_000);
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 6; i++) {
      expect(s.notifyFailure(t)).toBe(true);
      delays.push(s.getBackoffTime());
      // The next failure after this restart's time (an earlier one would join it).
      t += s.getBackoffTime() + 1;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(s.canRestart()).toBe(true);
  });

  it('exponential-delay - a failure before the pending restart\'s time joins it: no new attempt, the backoff stays (Flink 1.19+)', () => {
    const s = createRestartStrategy(undefined, { 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.initial-backoff': '100 ms', 'restart-strategy.exponential-delay.jitter-factor': '0', 'restart-strategy.exponential-delay.attempts-before-reset-backoff': '1' }, true);
    expect(s.notifyFailure(0)).toBe(true);
    expect(s.notifyFailure(25)).toBe(false);
    expect(s.notifyFailure(100)).toBe(false);
    expect(s.canRestart()).toBe(true);
    expect(s.getBackoffTime()).toBe(100);
    // After the restart's time: a new attempt, beyond the one allowed before a reset.
    expect(s.notifyFailure(101)).toBe(true);
    expect(s.canRestart()).toBe(false);
  });

  it('exponential-delay - resets only after the threshold plus the current backoff (Flink: now - lastFailure >= threshold + currentBackoff)', () => {
    const s = exponential(1000);
    s.notifyFailure(0); // 100, restart due at 100
    s.notifyFailure(101); // 200, due at 301
    s.notifyFailure(302); // 400
    expect(s.getBackoffTime()).toBe(400);
    // Quiet for the threshold (1000 ms) but not for threshold + backoff (1400 ms): it grows.
    s.notifyFailure(302 + 1000);
    expect(s.getBackoffTime()).toBe(800);
    // Quiet for exactly threshold + current backoff (1000 + 800): back to the initial backoff.
    s.notifyFailure(1302 + 1800);
    expect(s.getBackoffTime()).toBe(100);
  });

  it('exponential-delay - attempts-before-reset-backoff bounds the restarts until the backoff resets (Flink 1.19+)', () => {
    const s = createRestartStrategy(undefined, { 'restart-strategy.type': 'exponential-delay', 'restart-strategy.exponential-delay.initial-backoff': '100 ms', 'restart-strategy.exponential-delay.reset-backoff-threshold': '1 s', 'restart-strategy.exponential-delay.attempts-before-reset-backoff': '2' }, true);
    s.notifyFailure(0);
    expect(s.canRestart()).toBe(true);
    s.notifyFailure(200);
    expect(s.canRestart()).toBe(true);
    // Jitter (default 0.1) keeps the second restart due by 420 at the latest.
    s.notifyFailure(500);
    expect(s.canRestart()).toBe(false);
    // Quiet for the threshold plus the current backoff (at most 440 with jitter): the count starts again.
    s.notifyFailure(500 + 1000 + 500);
    expect(s.canRestart()).toBe(true);
    // Unset: no bound.
    const u = createRestartStrategy(undefined, { 'restart-strategy.type': 'exponential-delay' }, true);
    for (let i = 0; i < 100; i++) u.notifyFailure(i);
    expect(u.canRestart()).toBe(true);
  });

  it('fixed-delay - the given attempts, then no more', () => {
    const s = createRestartStrategy({ type: 'fixed-delay', attempts: 2, delayMs: 50 }, {}, true);
    s.notifyFailure(0);
    expect([s.canRestart(), s.getBackoffTime()]).toEqual([true, 50]);
    s.notifyFailure(1);
    expect(s.canRestart()).toBe(true);
    s.notifyFailure(2);
    expect(s.canRestart()).toBe(false);
  });

  it('failure-rate - at most the given failures within the interval', () => {
    const s = createRestartStrategy({ type: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 }, {}, true);
    s.notifyFailure(0);
    s.notifyFailure(500);
    expect(s.canRestart()).toBe(true);
    s.notifyFailure(900);
    expect(s.canRestart()).toBe(false);
    const t = createRestartStrategy({ type: 'failure-rate', maxFailures: 2, intervalMs: 1000, delayMs: 10 }, {}, true);
    t.notifyFailure(0);
    t.notifyFailure(500);
    t.notifyFailure(1600); // the first two are older than the interval
    expect(t.canRestart()).toBe(true);
  });
});
