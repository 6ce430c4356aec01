/**
 * `miniflink bench` through the CLI: a Nexmark query under chaining x parallelism x slot sharing,
 * each combination's exact record count, tasks and slots, the table, the JSON and the SVG. No
 * timing is asserted (a shared machine): only that every figure is there and positive.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-bench-cmd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Combination {
  combination: string;
  records: number;
  tasks: number;
  slots: number;
  cpuPerWall: number;
  peakHeapMiB: number;
  recordsPerSecond: { median: number; min: number; max: number };
  runs: unknown[];
}

describe('miniflink bench', () => {
  it('bench command - a matrix of chaining, parallelism and slot sharing: a line each, exact records, tasks and slots, JSON and SVG', async () => {
    const json = join(root, 'q4.json');
    const args = ['bench', 'examples/nexmark/q4.ts', '20000', '--matrix', 'chaining=on,off', 'parallelism=1,2', 'slot-sharing=on,off', '--runs', '1', '--json', json];
    const r = await runCli(args, { timeoutMs: 240_000 });
    const why = explain(args, r);
    expect(r.code, why).toBe(0);
    expect(r.stderr).toContain('8/8 done');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { runs: number; combinations: Combination[] };
    expect(report.runs).toBe(1);
    const got = Object.fromEntries(report.combinations.map((c) => [c.combination, [c.tasks, c.slots]]));
    // q4: chained, 3 vertices (source chain, winning bids, averages); unchained, 13 operators.
    expect(got).toEqual({
      'chaining=on parallelism=1 slot-sharing=on': [3, 1],
      'chaining=on parallelism=1 slot-sharing=off': [3, 3],
      'chaining=on parallelism=2 slot-sharing=on': [6, 2],
      'chaining=on parallelism=2 slot-sharing=off': [6, 6],
      'chaining=off parallelism=1 slot-sharing=on': [13, 1],
      'chaining=off parallelism=1 slot-sharing=off': [13, 13],
      'chaining=off parallelism=2 slot-sharing=on': [26, 2],
      'chaining=off parallelism=2 slot-sharing=off': [26, 26],
    });
    for (const c of report.combinations) {
      expect(c.records, c.combination).toBe(20_000);
      expect(c.recordsPerSecond.median, c.combination).toBeGreaterThan(0);
      expect(c.recordsPerSecond.min).toBeLessThanOrEqual(c.recordsPerSecond.max);
      expect(c.cpuPerWall).toBeGreaterThan(0);
      expect(c.peakHeapMiB).toBeGreaterThan(0);
      expect(r.stdout).toMatch(new RegExp(`^${c.combination}\\s+[\\d,]+\\s`, 'm'));
    }
    expect(existsSync(join(root, 'q4.svg'))).toBe(true);
    expect(readFileSync(join(root, 'q4.svg'), 'utf8')).toContain('chaining=off parallelism=2 slot-sharing=off');
  }, 300_000);

  it('bench command - what a benchmark cannot measure stops it with the reason: a job that restarts, one that never ends; a choice the job overrides is a warning', async () => {
    const failing = await runCli(['bench', 'test/jobs/bench-fail-job.ts', '1000', '--runs', '1']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('Benchmark stopped: the job failed and restarted in (the job as written)');
    // A job that restarts at once and ends within one look of the watch (every 20 ms) is refused
    // too: 1 in 4 such runs passed as a benchmark before.
    for (let i = 0; i < 8; i++) {
      const quick = await runCli(['bench', 'test/jobs/bench-fail-job.ts', '100', '0', '--runs', '1']);
      expect(quick.code, explain(['bench'], quick)).toBe(1);
      expect(quick.stderr).toContain('Benchmark stopped: the job failed and restarted');
    }
    const endless = await runCli(['bench', 'test/jobs/bench-endless-job.ts', '--runs', '1', '--timeout', '2'], { timeoutMs: 60_000 });
    expect(endless.code).toBe(1);
    expect(endless.stderr).toContain('Benchmark stopped: the job did not end within 2 s');
    // A source that ignores cancel(): not waited for up to task.cancellation.timeout (180 s; found by a review).
    const t0 = Date.now();
    const deaf = await runCli(['bench', 'test/jobs/bench-deaf-job.ts', '--runs', '1', '--timeout', '2'], { timeoutMs: 60_000 });
    expect(deaf.code, explain(['bench'], deaf)).toBe(1);
    expect(deaf.stderr).toContain('Benchmark stopped: the job did not end within 2 s');
    expect(Date.now() - t0).toBeLessThan(40_000);
    // bench/jobs/keyed.ts sets its own parallelism (its second argument).
    const json = join(root, 'keyed.json');
    const own = await runCli(['bench', 'bench/jobs/keyed.ts', '3000', '1', '--matrix', 'parallelism=1,2', '--runs', '2', '--json', json]);
    expect(own.code, explain(['bench'], own)).toBe(0);
    expect(own.stderr).toContain('Warning: parallelism=2: no operator of the job runs at parallelism 2 (it sets its own: 1), so this choice changes nothing');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { warnings: string[]; combinations: Combination[] };
    expect(report.warnings).toHaveLength(1);
    // With two runs the median is the mean of both.
    for (const c of report.combinations) {
      const rates = (c.runs as Array<{ ms: number; records: number }>).map((r) => Math.round((r.records * 1000) / Math.max(r.ms, 1)));
      expect(Math.abs(c.recordsPerSecond.median - (rates[0]! + rates[1]!) / 2)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('bench command - arguments it cannot place are refused before anything runs', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bench', 'examples/nexmark/q0.ts', '--runs', '1', '3000'], /The job's arguments go before the bench options: '3000'/],
      [['bench', '--matrix', 'chaining=on,off', 'parallelism=1,2', 'examples/nexmark/q0.ts'], /'parallelism=1,2' is not a job module: before the job, give --matrix once per dimension/],
      [['bench', 'examples/nexmark/q0.ts', '--matrix'], /--matrix needs <dimension>=<values>/],
      [['bench', 'examples/nexmark/q0.ts', '--matrix', 'parallelism=1,01'], /--matrix gives a value of parallelism twice/],
      [['bench', 'examples/nexmark/q0.ts', '--runs', '0x2'], /--runs takes a positive whole number, got '0x2'/],
      [['bench', 'examples/nexmark/q0.ts', '--json', join(root, 'no-such-dir', 'out.json')], /--json .*: the directory .* does not exist/],
      [['bench', 'examples/nexmark/q0.ts', '--json', root], /--json .*: .* cannot be written \(EISDIR\)/],
      [['bench', '-t', 'local', 'examples/nexmark/q0.ts'], /"bench" runs the job on embedded clusters of its own, one per run: --target does not apply to it/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).toContain('Use the help option (-h or --help) to get help on the command.');
    }
  }, 60_000);

  it('bench command - a bad matrix is refused before anything runs', async () => {
    const r = await runCli(['bench', 'examples/nexmark/q0.ts', '--matrix', 'colour=red']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--matrix takes <dimension>=<value>/);
  });
});
