/**
 * Defects found by the recovery review (issue 9), each with the small job that showed it
 * (test/jobs/review9-job.ts): an async source snapshot that writes its position after an await,
 * close() called twice, a stop whose savepoint is declined while a source still snapshots, and a
 * failure after a drain's savepoint completed.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-review9-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const explain = (args: readonly string[], r: CliResult) => `miniflink ${args.join(' ')} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Committed lines of a FileSink folder (hidden in-progress files left out). */
const committed = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => !f.startsWith('.'))
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
        .filter((l) => l !== '')
    : [];

describe('recovery review (issue 9), local runs', () => {
  it('review 9 - an async snapshotState that writes the source position after an await loses no record across two failures', async () => {
    const out = join(root, 'async-snapshot');
    const n = 20_000;
    const args = ['run', '-t', 'local', 'test/jobs/review9-job.ts', 'async-snapshot', out, String(n)];
    const r = await runCli(args, { timeoutMs: 120_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const xs = committed(out).map((l) => Number(l.split(',')[0]));
    expect(xs.length).toBe(n);
    expect(new Set(xs).size).toBe(n);
    // Per key, the counts run 1..k: the state saw each record once.
    const byKey = new Map<string, number[]>();
    for (const l of committed(out)) {
      const [, k, c] = l.split(',');
      byKey.set(k!, [...(byKey.get(k!) ?? []), Number(c)]);
    }
    for (const [k, cs] of byKey) expect(cs.sort((a, b) => a - b), `key ${k}`).toEqual(cs.map((_, i) => i + 1));
  }, 150_000);

  it('review 9 - a close() that throws at the end of a task is called once', async () => {
    const log = join(root, 'close.log');
    const args = ['run', '-t', 'local', 'test/jobs/review9-job.ts', 'close-twice', log];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).not.toBe(0);
    expect(r.stderr).toContain('close failed');
    expect(readFileSync(log, 'utf8')).toBe('close attempt 0\n');
  });
});

describe('recovery review (issue 9), on a cluster', () => {
  let cluster: ChildProcess | undefined;
  let m = '';
  beforeAll(async () => {
    let base: string;
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', `execution.checkpointing.savepoint-dir=${join(root, 'savepoints')}`]));
    m = base.replace('http://', '');
  }, 60_000);
  afterAll(() => stopCluster(cluster));
  const state = async (jobId: string) => ((await (await fetch(`http://${m}/jobs/${jobId}`)).json()) as { state: string }).state;

  it('review 9 - a stop whose savepoint is declined while a source still snapshots fails, and every source goes on to the end', async () => {
    const marker = join(root, 'marker-stop');
    const log = join(root, 'stop.log');
    writeFileSync(marker, '');
    // Long enough that the sources are still running once the stop returned and the marker is gone:
    // their final checkpoint, taken with the marker still there, would be declined (a failover).
    const args = ['run', '-m', m, '-d', 'test/jobs/review9-job.ts', 'stop-abort', marker, log, '8000'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    try {
      await sleep(500);
      const stop = await runCli(['stop', '-m', m, jobId]);
      expect(stop.code, stop.stdout).not.toBe(0);
      rmSync(marker);
      // 8000 records per source at 20 per 10 ms: both reach the end in a few seconds.
      for (let i = 0; i < 100 && (await state(jobId)) === 'RUNNING'; i++) await sleep(200);
      expect(await state(jobId)).toBe('FINISHED');
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      for (const s of ['0', '1']) expect(lines.filter((l) => l.startsWith(`${s} `)).map((l) => Number(l.split(' ')[1])).sort((a, b) => a - b).at(-1), `source ${s}`).toBe(7900);
    } finally {
      if ((await state(jobId)) === 'RUNNING') await runCli(['cancel', '-m', m, jobId]);
    }
  }, 60_000);

  it('review 9 - a failure after the drain savepoint completed fails the stop; the job recovers from that savepoint and commits no record twice', async () => {
    const out = join(root, 'drain-out');
    const marker = join(root, 'marker-drain');
    const args = ['run', '-m', m, '-d', 'test/jobs/review9-job.ts', 'drain-close', out, marker];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    try {
      await sleep(2500);
      writeFileSync(marker, '');
      const first = await runCli(['stop', '--drain', '-m', m, jobId], { timeoutMs: 60_000 });
      expect(first.code, first.stdout).not.toBe(0);
      expect(first.stderr).toContain('Inconsistent execution state after stopping with savepoint');
      rmSync(marker);
      for (let i = 0; i < 100 && (await state(jobId)) !== 'RUNNING'; i++) await sleep(100);
      await sleep(1500);
      const second = await runCli(['stop', '--drain', '-m', m, jobId], { timeoutMs: 60_000 });
      expect(second.code, explain(['stop', '--drain'], second)).toBe(0);
      expect(await state(jobId)).toBe('FINISHED');
      const xs = committed(out).map(Number);
      expect(new Set(xs).size, 'no record committed twice').toBe(xs.length);
      const max = Math.max(...xs);
      expect(xs.length, 'no record missing').toBe(max + 1);
    } finally {
      if ((await state(jobId)) === 'RUNNING') await runCli(['cancel', '-m', m, jobId]);
    }
  }, 120_000);

  it('review 9 - stop --drain of a job whose final checkpoint waits out a minimum pause takes the savepoint at once (it waited for the pause; found by a review)', async () => {
    const args = ['run', '-m', m, '-d', 'test/jobs/drain-pause-job.ts', '60000'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    try {
      // The input ends after about 1 s; the final checkpoint then waits 60 s after the first one.
      await sleep(2500);
      expect(await state(jobId)).toBe('RUNNING');
      const t0 = Date.now();
      const stop = await runCli(['stop', '--drain', '-m', m, jobId], { timeoutMs: 60_000 });
      expect(stop.code, explain(['stop', '--drain'], stop)).toBe(0);
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(await state(jobId)).toBe('FINISHED');
    } finally {
      if ((await state(jobId)) === 'RUNNING') await runCli(['cancel', '-m', m, jobId]);
    }
  }, 90_000);
});
