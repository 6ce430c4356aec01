/**
 * Keys compared by value, end to end through the CLI on slot threads: keyBy a Date, a tuple with a
 * bigint, a Map, a nested object with a Set; exact sums per key at parallelism 1 and 3 on both
 * backends, across a failure and a restore, and a key with no value form failing the job clearly.
 */
import { describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const run = (...args: string[]) => runCli(['run', '-t', 'local', ...args], { timeoutMs: 90_000 });

/** Expected final sum and number of outputs per key of 1..n grouped by `key`. */
function sums(n: number, key: (x: number) => string): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (let x = 1; x <= n; x++) {
    const cur = (out[key(x)] ??= [0, 0]);
    cur[0] += x;
    cur[1]++;
  }
  return out;
}

const N = 3000;

describe('keys by value', () => {
  describe.each(['hashmap', 'leveldb'])('%s backend', (backend) => {
    it.each(['1', '3'])('keys - keyBy a Date, a bigint tuple, a Map and a nested Set sums exactly per key at parallelism %s', async (p) => {
      const args = ['-p', p, 'test/jobs/keys-by-value-job.ts', backend, String(N)];
      const r = await run(...args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r)).toEqual({
        date: sums(N, (x) => String(x % 2)),
        bigint: sums(N, (x) => `${x % 3}/${x % 2 === 0}`),
        map: sums(N, (x) => `${x % 2}/${x % 3}`),
        nested: sums(N, (x) => `${x % 2}/${x % 5}`),
        types: ['Date:0', 'Date:1'],
      });
    });

    it('keys - Date and composite keys keep their state and type across a failure and a restore (parallelism 3)', async () => {
      const n = 2000;
      const args = ['-p', '3', 'test/jobs/keys-restore-job.ts', backend, String(n)];
      const r = await run(...args);
      expect(r.code, explain(args, r)).toBe(0);
      const total = (key: (x: number) => string) => Object.fromEntries(Object.entries(sums(n, key)).map(([k, [s]]) => [k, s]));
      const dates = total((x) => String(x % 2));
      const composites = total((x) => `g,${x % 3}n,${JSON.stringify([['parity', x % 2]])}`);
      const res = resultOf(r) as { sums: Record<string, number>; keyTypes: string[]; timers: unknown[] };
      // Restored state found by value: each key's running sum ends at its exact total.
      expect(res.sums, explain(args, r)).toEqual({
        ...Object.fromEntries(Object.entries(dates).map(([k, s]) => [`date ${k}`, s])),
        ...Object.fromEntries(Object.entries(composites).map(([k, s]) => [`composite ${k}`, s])),
      });
      expect(res.keyTypes).toEqual(['composite [string,bigint,Map]', 'date Date']);
      // Timers restored from the checkpoint fire once per key in the attempt after the failure, with
      // ctx.getCurrentKey() the restored key, of its type, and the restored state complete.
      const expected = [
        ...Object.entries(composites).map(([key, sum]) => ({ tag: 'composite', type: '[string,bigint,Map]', key, sum, attempt: 1, timer: true })),
        ...Object.entries(dates).map(([key, sum]) => ({ tag: 'date', type: 'Date', key, sum, attempt: 1, timer: true })),
      ];
      expect(res.timers, explain(args, r)).toEqual(expected.sort((a, b) => (a.tag + a.key < b.tag + b.key ? -1 : 1)));
    });
  });

  it('keys - a key with no value form fails the job with MF_ERR_INVALID_KEY naming the operator, the key and the part', async () => {
    const args = ['test/jobs/bad-key-job.ts'];
    const r = await run(...args);
    expect(r.code, explain(args, r)).toBe(1);
    expect(r.stderr).toContain('Job execution failed.');
    expect(r.stderr).toContain('MF_ERR_INVALID_KEY');
    expect(r.stderr).toContain("Operator 'Map' (1/1): Cannot use { id: 'a', score: [Function: score] } as a key: key.score is a function.");
    // Not retried: the same key fails the same way every time.
    expect(r.stderr.match(/Cannot use/g)).toHaveLength(1);
  });
});
