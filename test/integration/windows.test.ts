/**
 * Windows through the real CLI (test/jobs/windows-job.ts): every assigner, trigger and evictor
 * kind over in-order, out-of-order and late events, compared line for line with the output
 * computed from the events (windows-oracle.ts): at parallelism 1..4 on both backends, each run
 * across a failure restored from a checkpoint; with a parallel source; across a savepoint
 * restored at another parallelism (also from a savepoint in the format of older miniflinks); and
 * windows firing while an endless source runs.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';
import { savepointToFormat4 } from '../helpers/window-format-4.js';
import { SETTINGS } from '../jobs/windows-data.js';
import { expectedLines } from './windows-oracle.js';

const JOB = 'test/jobs/windows-job.ts';
const root = mkdtempSync(join(tmpdir(), 'miniflink-windows-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const expected = {
  windows: expectedLines(SETTINGS, true),
  parallel: expectedLines({ ...SETTINGS, late: false }, false),
};

function readParts(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
}

/** The output, exactly: every expected line as often as expected, nothing else (a short diff on failure). */
function check(mode: 'windows' | 'parallel', dir: string, why: string): void {
  const got = readParts(dir).sort();
  const want = expected[mode];
  if (got.length !== want.length || got.some((l, i) => l !== want[i])) {
    const missing = want.filter((l) => !got.includes(l)).slice(0, 10);
    const extra = got.filter((l) => !want.includes(l)).slice(0, 10);
    expect({ count: got.length, missing, extra }, why).toEqual({ count: want.length, missing: [], extra: [] });
  }
}

describe('windows through the CLI', () => {
  it('windows - the expected output has every kind of result, late elements included', () => {
    const kinds = (lines: string[]) => [...new Set(lines.map((l) => l[0]))].sort().join('');
    expect(kinds(expected.windows)).toBe('ACEGLSTUV');
    expect(kinds(expected.parallel)).toBe('ACEGSTV');
    // Allowed lateness fires some windows twice.
    const t = expected.windows.filter((l) => l.startsWith('T,')).map((l) => l.split(',').slice(0, 3).join(','));
    expect(new Set(t).size).toBeLessThan(t.length);
  });

  const cases: Array<[string, string, number]> = [];
  for (const backend of ['hashmap', 'leveldb']) for (const p of [1, 2, 3, 4]) cases.push(['windows', backend, p]);
  for (const [backend, p] of [['hashmap', 1], ['hashmap', 3], ['leveldb', 2], ['leveldb', 4]] as const) cases.push(['parallel', backend, p]);
  it.concurrent.each(cases)('windows - %s job on %s at parallelism %i, across a failure restored from a checkpoint: the exact output', async (mode, backend, p) => {
    const dir = join(root, `${mode}-${backend}-${p}`);
    const args = ['run', '-t', 'local', '-p', String(p), JOB, mode, dir, backend, '1'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    const why = explain(args, r);
    expect(r.code, why).toBe(0);
    expect(existsSync(join(dir, 'failed.txt')), `the job did not fail\n${why}`).toBe(true);
    check(mode as 'windows' | 'parallel', dir, why);
  });

  it.concurrent.each(['event', 'processing'])('windows - %s-time windows fire while an endless source runs', async (mode) => {
    const args = ['run', '-t', 'local', '-p', '2', 'test/jobs/windows-unbounded-job.ts', mode, '6'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const results = resultOf(r) as Array<[string, number, number]>;
    expect(results.length).toBe(6);
    for (const [key, start, x] of results) {
      if (mode === 'event') {
        // Event n (key k<n % 3>, value n) has timestamp 10n: window [start, start + 100) holds n = start/10 .. start/10 + 9.
        let sum = 0;
        for (let n = start / 10; n < start / 10 + 10; n++) if (`k${n % 3}` === key) sum += n;
        expect(x, `${key} ${start}`).toBe(sum);
      } else {
        expect(start % 200).toBe(0);
        expect(x).toBeGreaterThan(0);
      }
    }
  });
});

describe('windows across a savepoint restored at another parallelism', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', `web.upload.dir=${join(root, 'uploads')}`, `execution.checkpointing.savepoint-dir=${join(root, 'savepoints')}`]));
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  for (const [mode, backend, from, to, format4] of [
    ['windows', 'hashmap', 2, 3, false],
    ['windows', 'leveldb', 4, 1, false],
    ['parallel', 'leveldb', 3, 2, false],
    ['windows', 'leveldb', 2, 3, true],
  ] as const) {
    const as = format4 ? ' written as snapshot format 4 (window contents per key and window),' : '';
    it(`windows - ${mode} on ${backend}: savepoint at parallelism ${from},${as} restored at ${to}: the exact output`, async () => {
      const m = base.replace('http://', '');
      const dir = join(root, `savepoint-${mode}-${backend}${format4 ? '-4' : ''}`);
      const gate = join(root, `gate-${mode}-${backend}${format4 ? '-4' : ''}`);
      const start = ['run', '-m', m, '-d', '-p', String(from), JOB, mode, dir, backend, '0', gate];
      const r = await runCli(start);
      expect(r.code, explain(start, r)).toBe(0);
      const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
      const stop = ['stop', '-m', m, jobId];
      // The source holds at half until the gate exists: stop-with-savepoint acts on a running job.
      let s = await runCli(stop);
      for (let i = 0; i < 20 && s.code !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        s = await runCli(stop);
      }
      expect(s.code, explain(stop, s)).toBe(0);
      const savepoint = /Savepoint completed\. Path: (\S+)/.exec(s.stdout)![1]!;
      if (format4) expect(savepointToFormat4(savepoint.replace(/^file:/, ''))).toBeGreaterThan(10);
      writeFileSync(gate, '');
      const resume = ['run', '-m', m, '-p', String(to), '-s', savepoint, JOB, mode, dir, backend, '0', gate];
      const r2 = await runCli(resume, { timeoutMs: 90_000 });
      expect(r2.code, explain(resume, r2)).toBe(0);
      check(mode, dir, explain(resume, r2));
    }, 120_000);
  }
});
