/**
 * `miniflink bench` through the CLI: a Nexmark query under chaining x parallelism x slot sharing,
 * each combination's exact record count, tasks and slots, the table, the JSON and the SVG. No
 * timing is asserted (a shared machine): only that every figure is there and positive.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

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
    // More slot threads than cores: a warning says the figure measures contention too.
    for (const c of report.combinations) {
      const warning = `Warning: ${c.combination}: ${c.slots} slot threads on a machine of ${availableParallelism()} cores take turns on them`;
      if (c.slots > availableParallelism()) expect(r.stderr).toContain(warning);
      else expect(r.stderr).not.toContain(warning);
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
    expect(own.stderr).toContain('Warning: parallelism=2: the job sets its own default parallelism (1, with env.setParallelism), so this choice changes nothing');
    const report = JSON.parse(readFileSync(json, 'utf8')) as { warnings: string[]; combinations: Combination[] };
    expect(report.warnings).toHaveLength(1);
    // With two runs the median is the mean of both.
    for (const c of report.combinations) {
      const rates = (c.runs as Array<{ ms: number; records: number }>).map((r) => Math.round((r.records * 1000) / Math.max(r.ms, 1)));
      expect(Math.abs(c.recordsPerSecond.median - (rates[0]! + rates[1]!) / 2)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('bench command - the exchange within a slot thread as a choice (local-exchange=serialized,by-reference): a line each, exact records', async () => {
    const json = join(root, 'local-exchange.json');
    const local = await runCli(['bench', 'bench/jobs/keyed.ts', '3000', '1', '--matrix', 'local-exchange=serialized,by-reference', '--runs', '1', '--json', json]);
    expect(local.code, explain(['bench'], local)).toBe(0);
    const exchange = JSON.parse(readFileSync(json, 'utf8')) as { combinations: Combination[] };
    expect(exchange.combinations.map((c) => [c.combination, c.records, c.tasks, c.slots])).toEqual([
      ['local-exchange=serialized', 3000, 2, 1],
      ['local-exchange=by-reference', 3000, 2, 1],
    ]);
    expect(local.stdout).toMatch(/^local-exchange=by-reference\s+[\d,]+\s/m);
  }, 120_000);

  it('bench command - arguments it cannot place are refused before anything runs', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bench', 'examples/nexmark/q0.ts', '--runs', '1', '3000'], /The job's arguments go before the bench options: '3000'/],
      [['bench', '--matrix', 'chaining=on,off', 'parallelism=1,2', 'examples/nexmark/q0.ts'], /'parallelism=1,2' is not a job module: before the job, give --matrix once per dimension/],
      [['bench', 'examples/nexmark/q0.ts', '--matrix'], /--matrix needs <dimension>=<values>/],
      [['bench', 'examples/nexmark/q0.ts', '--matrix', 'parallelism=1,01'], /--matrix gives a value of parallelism twice/],
      [['bench', 'examples/nexmark/q0.ts', '--runs', '0x2'], /--runs takes a positive whole number up to 9007199254740991, got '0x2'/],
      [['bench', 'examples/nexmark/q0.ts', '--json', join(root, 'no-such-dir', 'out.json')], /--json .*: the directory .* does not exist/],
      [['bench', 'examples/nexmark/q0.ts', '--json', root], /--json .*: .* cannot be written \(EISDIR\)/],
      [['bench', '-t', 'local', 'examples/nexmark/q0.ts'], /"bench" runs the job on embedded clusters of its own, one per run: --target does not apply to it/],
      // Found by a review: the results replaced the job's own module, and 1e20 records passed as a whole number.
      [['bench', 'examples/nexmark/q0.ts', '--json', 'examples/nexmark/q0.ts'], /--json examples\/nexmark\/q0.ts: .* is the job module itself; the results would overwrite it/],
      [['bench', 'examples/nexmark/q0.ts', '--records', '99999999999999999999'], /--records takes a positive whole number up to 9007199254740991, got '99999999999999999999'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).toContain('Use the help option (-h or --help) to get help on the command.');
    }
  }, 60_000);

  it('bench command - a job that fails shows its own error; metrics off without --records is refused (records/s would be 0)', async () => {
    const failed = await runCli(['bench', 'test/jobs/bench-fail-job.ts', '1000', '10', 'norestart', '--runs', '1']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/The job failed in \(the job as written\): .*\(Error: injected failure\)/);
    const off = await runCli(['bench', '-D', 'metrics.enabled=false', 'examples/nexmark/q0.ts', '1000', '--runs', '1']);
    expect(off.code).toBe(1);
    expect(off.stderr).toContain('With metrics.enabled=false the sources count no records, so records/s would be 0');
  }, 60_000);

  it('bench command - -c runs the module\'s exported entry function, as run -c does (found by a review: bench had no -c)', async () => {
    const json = join(root, 'entry.json');
    const r = await runCli(['bench', '-c', 'main', 'test/jobs/sink-job.ts', join(root, 'entry-out.txt'), '--runs', '1', '--json', json]);
    expect(r.code, explain(['bench', '-c', 'main'], r)).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { combinations: Combination[] };
    // fromSequence(1, 6): the source's 6 records in the (only) combination.
    expect(report.combinations.map((c) => c.records)).toEqual([6]);
  }, 60_000);

  it('bench command - over REST: a failed job\'s error in the failure cause, the timeout, a cancel, strict numbers', async () => {
    const { cluster, base } = await startCluster([]);
    try {
      const upload = async (name: string, text: string) => {
        const form = new FormData();
        form.append('jarfile', new Blob([text]), name);
        const up = await fetch(`${base}/jars/upload`, { method: 'POST', body: form });
        expect(up.status).toBe(200);
        const files = ((await (await fetch(`${base}/jars`)).json()) as { files: Array<{ id: string; name: string }> }).files;
        return files.find((f) => f.name === name)!.id;
      };
      const bench = (jar: string, body: unknown) => fetch(`${base}/jars/${jar}/bench`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const completed = async (jar: string, trigger: string) => {
        for (;;) {
          const st = (await (await fetch(`${base}/jars/${jar}/bench/${trigger}`)).json()) as { status: { id: string }; operation: { 'failure-cause'?: { 'stack-trace': string } } };
          if (st.status.id === 'COMPLETED') return st.operation;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      };
      const fail = await upload('bench-fail-job.ts', readFileSync('test/jobs/bench-fail-job.ts', 'utf8'));
      const f = await bench(fail, { programArgs: '1000 10 norestart', runs: 1 });
      expect(f.status).toBe(202);
      // Before: only "Job execution failed." and three internal frames.
      const failure = (await completed(fail, ((await f.json()) as { 'request-id': string })['request-id']))['failure-cause']!['stack-trace'];
      expect(failure).toMatch(/^MiniFlinkError \[MF_ERR_INVALID_PROGRAM\]: The job failed in \(the job as written\): .*\(Error: injected failure\)/);
      expect(failure).toMatch(/\nCaused by: Error: injected failure/);
      for (const body of [{ runs: true }, { records: 1e300 }, { records: '1e3' }, { timeout: 0 }]) {
        const bad = await bench(fail, body);
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(((await bad.json()) as { errors: string[] }).errors[0]).toMatch(/must be a positive whole number/);
      }
      // A job that never ends: the request's timeout (seconds) stops it; a cancel (DELETE) too.
      const endless = await upload('endless.ts', `import { DiscardingSink, RichSourceFunction, StreamExecutionEnvironment } from 'miniflink';
class Endless extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: { collect(x: number): unknown }): Promise<void> {
    for (let i = 0; this.running; i++) { ctx.collect(i); await new Promise((r) => setTimeout(r, 5)); }
  }
  cancel(): void { this.running = false; }
}
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.addSource(new Endless()).addSink(new DiscardingSink());
await env.execute('endless');
`);
      const t0 = Date.now();
      const timed = await bench(endless, { runs: 1, timeout: 2 });
      expect(timed.status).toBe(202);
      expect((await completed(endless, ((await timed.json()) as { 'request-id': string })['request-id']))['failure-cause']!['stack-trace']).toContain('the job did not end within 2 s');
      expect(Date.now() - t0).toBeLessThan(30_000);
      const started = await bench(endless, { runs: 1 });
      const trigger = ((await started.json()) as { 'request-id': string })['request-id'];
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await bench(endless, { runs: 1 })).status).toBe(409);
      expect((await fetch(`${base}/jars/${endless}/bench/${trigger}`, { method: 'DELETE' })).status).toBe(202);
      expect((await completed(endless, trigger))['failure-cause']!['stack-trace']).toMatch(/^MiniFlinkError \[MF_ERR_JOB_CANCELED\]: The benchmark was canceled\./);
      const again = await fetch(`${base}/jars/${endless}/bench/${trigger}`, { method: 'DELETE' });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { errors: string[] }).errors[0]).toContain('has completed already');
      expect((await fetch(`${base}/jars/${endless}/bench/0123`, { method: 'DELETE' })).status).toBe(404);
    } finally {
      await stopCluster(cluster);
    }
  }, 120_000);

  it('bench command - a bad matrix is refused before anything runs', async () => {
    const r = await runCli(['bench', 'examples/nexmark/q0.ts', '--matrix', 'colour=red']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--matrix takes <dimension>=<value>/);
  });
});
