/**
 * `npm run bench -- --quick` (bench/all.ts --quick) as a smoke test: every benchmark runs on small
 * inputs, one run each, and prints its tables; a benchmark that breaks fails here. No timing is
 * asserted (the figures of a quick run on a busy machine mean nothing), and no results are written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain, ROOT, runNode } from '../helpers/cli.js';

describe('benchmarks', () => {
  it('bench smoke - npm run bench -- --quick runs every benchmark to its tables', async () => {
    const before = readFileSync(`${ROOT}bench/results/latest.json`, 'utf8');
    const latencyFile = `${ROOT}bench/results/latency.json`;
    const latencyBefore = existsSync(latencyFile) ? readFileSync(latencyFile, 'utf8') : undefined;
    const args = [`${ROOT}node_modules/tsx/dist/cli.mjs`, 'bench/all.ts', '--quick'];
    const r = await runNode(args, { timeoutMs: 400_000 });
    const why = explain(['(bench)', ...args], r);
    expect(r.code, why).toBe(0);
    for (const script of ['run.ts', 'per-record.ts', 'checkpoints.ts', 'recovery.ts', 'failover.ts', 'nexmark.ts', 'latency.ts']) expect(r.stderr, why).toContain(`== bench/${script} took`);
    // A table of each: throughput, checkpoints, recovery, failover, Nexmark, latency.
    expect(r.stdout).toContain('| keyed job p=2 / keyed job p=1 |');
    expect(r.stdout).toMatch(/\| keyed job p=1, copying \(default\) \/ serialization floor \| [\d.]+x \| >= 0\.5x \|/);
    expect(r.stdout).toMatch(/\| CPU-bound job p=2 \/ p=1, net runtime \| [\d.]+x \| >= 1\.85x \|/);
    expect(r.stdout).toContain('### The final checkpoint of a job holding');
    expect(r.stdout).toMatch(/\| leveldb \/ hashmap, no checkpoints \| [\d.]+x \| >= 0\.25x \|/);
    expect(r.stdout).toMatch(/\| q5 \| [\d,]+ \| [\d,]+ \| [\d,]+ \|/);
    expect(r.stdout).toMatch(/\| throughput, 1 ms \/ 100 ms buffer timeout \| [\d.]+x \| >= 0\.75x \|/);
    expect(readFileSync(`${ROOT}bench/results/latest.json`, 'utf8')).toBe(before);
    expect(existsSync(latencyFile) ? readFileSync(latencyFile, 'utf8') : undefined).toBe(latencyBefore);
  }, 420_000);
});
