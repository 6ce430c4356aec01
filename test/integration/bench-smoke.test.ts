/**
 * `npm run bench -- --quick` (bench/all.ts --quick) as a smoke test: every benchmark runs on small
 * inputs, one run each, and prints its tables; a benchmark that breaks fails here. No timing is
 * asserted (the figures of a quick run on a busy machine mean nothing), and no results are written.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain, ROOT, runNode } from '../helpers/cli.js';

describe('benchmarks', () => {
  it('bench smoke - npm run bench -- --quick runs every benchmark to its tables', async () => {
    const before = readFileSync(`${ROOT}bench/results/latest.json`, 'utf8');
    const args = [`${ROOT}node_modules/tsx/dist/cli.mjs`, 'bench/all.ts', '--quick'];
    const r = await runNode(args, { timeoutMs: 400_000 });
    const why = explain(['(bench)', ...args], r);
    expect(r.code, why).toBe(0);
    for (const script of ['run.ts', 'checkpoints.ts', 'recovery.ts', 'failover.ts', 'nexmark.ts']) expect(r.stderr, why).toContain(`== bench/${script} took`);
    // A table of each: throughput, checkpoints, recovery, failover, Nexmark.
    expect(r.stdout).toContain('| keyed job p=2 / keyed job p=1 |');
    expect(r.stdout).toContain('### The final checkpoint of a job holding');
    expect(r.stdout).toMatch(/\| q5 \| [\d,]+ \| [\d,]+ \| [\d,]+ \|/);
    expect(readFileSync(`${ROOT}bench/results/latest.json`, 'utf8')).toBe(before);
  }, 420_000);
});
