/**
 * The events of test/jobs/windows-job.ts, shared with its test (which computes the expected output,
 * test/integration/windows-oracle.ts). `partitions` partitions of `perPartition` events, read in
 * rounds: round n is event n of every partition, in partition order, then the watermark
 * `watermarkAfterRound(n)`. Event n of partition p has key `s<p>-<n % keys>`, a value in 1..10 and
 * a timestamp near n * 10 (out of order by up to 40, always a multiple of 10, so it is never late
 * for the bound of 50); with `late`, every 37th event is 400 behind (late for every window) and
 * every 23rd 120 behind (late for some windows, within allowed lateness for others).
 */

/** The settings of the events. */
export interface WindowDataSettings {
  readonly partitions: number;
  readonly perPartition: number;
  readonly keys: number;
  /** Whether some events are late. */
  readonly late: boolean;
  /** Pause this many ms after every 30 rounds (0: none), so checkpoints happen while it runs. */
  readonly pauseMs: number;
}

/** The settings of windows-job.ts. */
export const SETTINGS: WindowDataSettings = { partitions: 3, perPartition: 300, keys: 3, late: true, pauseMs: 5 };

/** One event. */
export interface WindowEvent {
  readonly key: string;
  readonly value: number;
  readonly ts: number;
}

/** Event n of partition p. */
export function eventOf(s: WindowDataSettings, p: number, n: number): WindowEvent {
  const key = `s${p}-${n % s.keys}`;
  const value = ((p * 31 + n * 7) % 10) + 1;
  const base = n * 10;
  let ts = base + (((n * 13 + p * 7) % 9) - 4) * 10;
  if (s.late && n % 37 === 36) ts = base - 400;
  else if (s.late && n % 23 === 22) ts = base - 120;
  return { key, value, ts };
}

/** The watermark the source emits once round n is complete: no later event is older (but the late ones). */
export function watermarkAfterRound(n: number): number {
  return n * 10 - 50;
}
