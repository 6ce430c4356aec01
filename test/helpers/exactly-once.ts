/**
 * Checks of the exactly-once jobs' output and a poll helper, shared by the recovery tests: the jobs
 * (test/jobs/regions-job.ts, unaligned-job.ts, chaos-job.ts) write `<x>,<key>,<count>` lines into
 * FileSink part files; every x in 1..N must be there once, and each key's counts must be 1..n.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Every line of the part files in `dir`. */
export function partLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
}

/** Every x in 1..n once in `dir`'s part files, and for each key k < keys (x % keys) the counts 1..(its number of x). */
export function expectExactCounts(dir: string, n: number, keys: number): void {
  const seen = new Map<number, number>();
  const counts = new Map<number, number[]>();
  for (const l of partLines(dir)) {
    const [x, key, c] = l.split(',').map(Number) as [number, number, number];
    seen.set(x, (seen.get(x) ?? 0) + 1);
    counts.set(key, [...(counts.get(key) ?? []), c]);
  }
  expect([...seen].filter(([, c]) => c > 1).slice(0, 5), dir).toEqual([]);
  expect(seen.size, dir).toBe(n);
  for (let k = 0; k < keys; k++) {
    const m = Math.floor((n - k) / keys) + (k === 0 ? 0 : 1);
    expect(counts.get(k)!.sort((a, b) => a - b), `${dir} key ${k}`).toEqual(Array.from({ length: m }, (_, i) => i + 1));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 100 ms until it returns something other than undefined; fails after `timeoutMs` naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
