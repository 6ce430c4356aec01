/**
 * A function may change its output object after emitting it (a reused output object, a reduce that
 * adds into its accumulator in place): Flink serializes records at collect() on network edges and
 * in the collect sink, so what was sent never changes. Failed before (every record of a batch was
 * the last value: [12, 12, ...]), with object reuse on and off: records waited in their batch by
 * reference, and the collect sink held them by reference. The built-in sum, which adds into its
 * running record in place without object reuse, must never change a record a function holds.
 */
import { describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const JOB = 'test/jobs/output-reuse-job.ts';

/** Every running total of each key (v % 3) of 1..12, as `k:total`. */
function totals(): string[] {
  const sum = new Map<number, number>();
  const out: string[] = [];
  for (let v = 1; v <= 12; v++) {
    const k = v % 3;
    sum.set(k, (sum.get(k) ?? 0) + v);
    out.push(`${k}:${sum.get(k)!}`);
  }
  return out.sort();
}

describe('output objects changed after collect()', () => {
  for (const reuse of [false, true]) {
    it(`output reuse - a reused output object, an in-place reduce and the collect sink keep every record as emitted (object reuse ${reuse ? 'on' : 'off'})`, async () => {
      const args = ['run', '-t', 'local', JOB, ...(reuse ? ['reuse'] : [])];
      const r = await runCli(args, { timeoutMs: 90_000 });
      expect(r.code, explain(args, r)).toBe(0);
      const all = Array.from({ length: 12 }, (_, i) => i + 1);
      expect(resultOf(r)).toEqual({ reused: all, reduced: totals(), collected: all, summed: totals() });
    });
  }

  it('output reuse - a source reusing its output object while a checkpoint holds its records back: each keeps the value it was emitted with', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/held-reuse-job.ts', '5000'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(resultOf(r)).toEqual({ records: 5000, distinct: 5000 });
  }, 90_000);
});
