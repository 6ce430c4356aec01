/**
 * The same job at parallelism 1..8, with and without chaining, slot sharing groups and object
 * reuse, through the real CLI on real slot threads: the results must be exact every time.
 */
import { describe, expect, it } from 'vitest';
import { resultOf, runCli } from '../helpers/cli.js';

const N = 20000;

function expected(p: number): { count: number; finalByKey: Record<string, number> } {
  const sums: Record<string, number> = {};
  let count = 0;
  const add = (k: number, v: number) => {
    sums[k] = (sums[k] ?? 0) + v;
    count++;
  };
  for (let x = 1; x <= N; x++) if (x % 3 !== 0) add(x % 97, x);
  for (let x = 0; x < 500; x++) add(x % 97, 1);
  for (let x = 1; x <= 1000; x++) add(x % 97, 2);
  for (let x = 1; x <= 300; x++) add(x % 97, 3);
  for (let x = 1; x <= 200; x++) add(x % 97, 5);
  for (let i = 0; i < p; i++) add(7, 1000); // broadcast reaches every map subtask
  for (let x = 1; x <= 100; x++) add(x % 97, 7);
  return { count, finalByKey: sums };
}

const cases: Array<[number, string[]]> = [];
for (const p of [1, 2, 3, 5, 8]) {
  cases.push([p, []], [p, ['nochain']], [p, ['groups']], [p, ['nochain', 'groups', 'reuse']]);
}

describe('matrix', () => {
  it.concurrent.each(cases)('matrix - parallelism %i with %j gives exact results', async (p, flags) => {
    const r = await runCli(['run', '-t', 'local', '-p', String(p), 'test/jobs/matrix-job.ts', `n=${N}`, ...flags], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(resultOf(r)).toEqual(expected(p));
  });
});
