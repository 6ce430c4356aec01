/**
 * The README's porting example (examples/fraud-detection.ts, the TypeScript side of its Java job):
 * runs at parallelism 1 and 3 and prints exactly the minutes over their account's limit.
 */
import { describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

/** Computed from the example's data: account acc-<i % 3 + 1> spends (i * 37) % 1000 at i * 300 ms. */
function expectedAlerts(): string[] {
  const limits: Record<string, number> = { 'acc-1': 36_000, 'acc-2': 31_000 };
  const totals = new Map<string, number>();
  for (let i = 0; i < 600; i++) {
    const key = `acc-${(i % 3) + 1} ${Math.floor((i * 300) / 60_000)}`;
    totals.set(key, (totals.get(key) ?? 0) + ((i * 37) % 1000));
  }
  const out: string[] = [];
  for (const [key, total] of totals) {
    const [account, minute] = key.split(' ');
    const limit = limits[account!];
    if (limit !== undefined && total > limit) out.push(`${account} spent ${total} in minute ${minute}, over ${limit}`);
  }
  return out.sort();
}

describe('porting example', () => {
  it.each([1, 3])('porting example - the fraud detection job prints the minutes over the limit (p=%i)', async (p) => {
    const args = ['run', '-t', 'local', '-p', String(p), 'examples/fraud-detection.ts'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const got = r.stdout
      .split('\n')
      .filter((l) => / spent /.test(l))
      .map((l) => l.replace(/^\d+> /, ''))
      .sort();
    const want = expectedAlerts();
    expect(want.length).toBeGreaterThan(2);
    expect(want.length).toBeLessThan(6);
    expect(got, explain(args, r)).toEqual(want);
  }, 90_000);
});
