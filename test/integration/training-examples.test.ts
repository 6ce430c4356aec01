/**
 * Flink's training exercises, as examples/ runs them through the CLI: hourly tips
 * (examples/hourly-tips.ts), long ride alerts (examples/long-ride-alerts.ts) and rides and fares
 * (examples/rides-and-fares.ts, connected streams), on the
 * training's deterministic taxi data (examples/taxi-data.ts). The expected output is worked out
 * here from the data alone, without event time: the highest per-driver sum of tips in each hour
 * (the lower driverId on a tie), and every ride that lasts more than two hours, once.
 */
import { describe, expect, it } from 'vitest';
import { driverIdOf, rideDurationMinutesOf, startTimeOf, taxiFare, tipOf } from '../../examples/taxi-data.js';
import { explain, runCli } from '../helpers/cli.js';

const RIDES = 3000;
const HOUR = 3_600_000;

/** The records a job printed (without the `N> ` prefix of a parallel print). */
const printed = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => /^(\d+> )?[[\d]/.test(l))
    .map((l) => l.replace(/^\d+> /, ''));

/** `[end of the hour, driverId, total]` for each hour, in hour order. */
function hourlyMax(rides: number): string[] {
  const sums = new Map<number, Map<number, number>>();
  for (let id = 1; id <= rides; id++) {
    const start = startTimeOf(id);
    const end = start - (start % HOUR) + HOUR;
    const byDriver = sums.get(end) ?? new Map<number, number>();
    byDriver.set(driverIdOf(id), (byDriver.get(driverIdOf(id)) ?? 0) + tipOf(id));
    sums.set(end, byDriver);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([end, byDriver]) => {
      const [driver, sum] = [...byDriver.entries()].sort(([d1, s1], [d2, s2]) => s2 - s1 || d1 - d2)[0]!;
      return JSON.stringify([end, driver, sum]);
    });
}

/** The rides longer than two hours, in id order. */
function longRides(rides: number): string[] {
  const out: string[] = [];
  for (let id = 1; id <= rides; id++) if (rideDurationMinutesOf(id) > 120) out.push(String(id));
  return out;
}

describe('training exercises', () => {
  it.concurrent.each([
    [1, 'hashmap'],
    [3, 'leveldb'],
  ])('training - rides and fares at parallelism %i on %s: every ride once, with its fare (connected keyed streams)', async (p, backend) => {
    const rides = 2000;
    const args = ['run', '-t', 'local', '-p', String(p), '-D', `state.backend.type=${backend}`, 'examples/rides-and-fares.ts', String(rides)];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const expected = Array.from({ length: rides }, (_, i) => JSON.stringify([i + 1, taxiFare(i + 1).totalFare]));
    expect(printed(r.stdout).sort(), explain(args, r)).toEqual(expected.sort());
  });

  // The paced runs (1 ms per event) emit while the source runs, as hours close; the others mostly at the end.
  it.concurrent.each([
    [2, 'hashmap', RIDES, 0],
    [3, 'leveldb', RIDES, 0],
    [2, 'hashmap', 2000, 1],
  ])('training - hourly tips at parallelism %i on %s (%i rides, %i ms per event): the top driver of every hour, once', async (p, backend, rides, sleep) => {
    const args = ['run', '-t', 'local', '-p', String(p), '-D', `state.backend.type=${backend}`, 'examples/hourly-tips.ts', String(rides), String(sleep)];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const expected = hourlyMax(rides);
    expect(expected.length).toBeGreaterThan(10);
    expect(printed(r.stdout).sort(), explain(args, r)).toEqual([...expected].sort());
  });

  it.concurrent.each([
    [2, 'hashmap', RIDES, 0],
    [3, 'leveldb', RIDES, 0],
    [2, 'hashmap', 2000, 1],
  ])('training - long ride alerts at parallelism %i on %s (%i rides, %i ms per event): every ride over two hours, once', async (p, backend, rides, sleep) => {
    const args = ['run', '-t', 'local', '-p', String(p), '-D', `state.backend.type=${backend}`, 'examples/long-ride-alerts.ts', String(rides), String(sleep)];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const expected = longRides(rides);
    expect(expected.length).toBeGreaterThan(5);
    expect(printed(r.stdout).sort(), explain(args, r)).toEqual([...expected].sort());
  });
});
