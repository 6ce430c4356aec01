/**
 * Savepoints (issue #3): a job stopped with a savepoint and restored at another parallelism ends
 * with exact results; a corrupt `_metadata`, a missing state file, a different max parallelism and
 * unmapped state each give a clear error.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-sp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const N = 1_000_000;
const K = 20_000;
const JOB = 'test/jobs/savepoint-job.ts';
const out = join(root, 'out');
let savepoint = '';

beforeAll(async () => {
  const r = await runCli(['run', '-t', 'local', '-p', '2', JOB, out, String(N), String(K), 'stop', join(root, 'savepoints')], { timeoutMs: 120_000 });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  savepoint = /SAVEPOINT (\S+)/.exec(r.stdout)![1]!;
}, 120_000);

/** A copy of the savepoint to break. */
function copyOfSavepoint(name: string): string {
  const dir = join(root, name);
  cpSync(savepoint.replace(/^file:/, ''), dir, { recursive: true });
  return dir;
}

describe('savepoints', () => {
  it('savepoint - the directory is savepoint-<jobid6>-<12 hex> with _metadata and state files', () => {
    expect(savepoint).toMatch(/^file:\/.*\/savepoints\/savepoint-[0-9a-f]{6}-[0-9a-f]{12}$/);
    const files = readdirSync(savepoint.replace(/^file:/, ''));
    expect(files).toContain('_metadata');
    expect(files.length).toBeGreaterThan(1);
  });

  it('savepoint - a corrupt _metadata gives an error naming the file', async () => {
    const dir = copyOfSavepoint('corrupt');
    writeFileSync(join(dir, '_metadata'), 'this is not a checkpoint');
    const r = await runCli(['run', '-t', 'local', '-s', dir, JOB, join(root, 'x'), String(N), String(K), 'run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, '_metadata')} is not a miniflink _metadata file`);
  });

  it('savepoint - a missing state file gives an error naming the file', async () => {
    const dir = copyOfSavepoint('missing');
    const victim = readdirSync(dir).find((f) => f !== '_metadata')!;
    rmSync(join(dir, victim));
    const r = await runCli(['run', '-t', 'local', '-s', join(dir, '_metadata'), JOB, join(root, 'y'), String(N), String(K), 'run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the state file ${join(dir, victim)} is missing`);
  });

  it('savepoint - a different max parallelism is refused', async () => {
    const r = await runCli(['run', '-t', 'local', '-s', savepoint, '-D', 'pipeline.max-parallelism=256', JOB, join(root, 'z'), String(N), String(K), 'run']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The maximum parallelism (256) of the restored job is not identical to the maximum parallelism (128)');
  });

  it('savepoint - state of a missing operator needs --allowNonRestoredState', async () => {
    const r = await runCli(['run', '-t', 'local', '-s', savepoint, JOB, join(root, 'w'), '10', String(K), 'run', 'rename']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot map checkpoint/savepoint state for operator');
    expect(r.stderr).toContain('--allowNonRestoredState');
    const ok = await runCli(['run', '-t', 'local', '-n', '-s', savepoint, JOB, join(root, 'w'), '10', String(K), 'run', 'rename']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('savepoint - stop with drain ends the input and the final watermark fires event-time timers; without drain nothing fires', async () => {
    const drained = await runCli(['run', '-t', 'local', '-p', '2', 'test/jobs/drain-job.ts', join(root, 'drain'), 'drain']);
    expect(drained.stderr).toBe('');
    expect(drained.stdout.split('\n').filter((l) => / fired /.test(l)).map((l) => l.slice(3)).sort()).toEqual(['fired 0 1000', 'fired 1 1001', 'fired 2 1002']);
    expect(drained.stdout).toMatch(/SAVEPOINT file:\/.*savepoint-/);
    const stopped = await runCli(['run', '-t', 'local', '-p', '2', 'test/jobs/drain-job.ts', join(root, 'nodrain'), 'nodrain']);
    expect(stopped.stderr).toBe('');
    expect(stopped.stdout).not.toContain('fired');
    expect(stopped.stdout).toMatch(/SAVEPOINT file:\/.*savepoint-/);
  });

  // Last: it consumes the savepoint's output directory.
  it('savepoint - restored at another parallelism, the job ends with every record once and exact counts', async () => {
    const before = readdirSync(out).filter((f) => f.startsWith('part-')).length;
    expect(before).toBeGreaterThan(0);
    const r = await runCli(['run', '-t', 'local', '-p', '3', '-s', savepoint, JOB, out, String(N), String(K), 'run'], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const counts = new Map<number, number[]>();
    const seen = new Uint8Array(N + 1);
    let twice = 0;
    let total = 0;
    for (const f of readdirSync(out).filter((x) => x.startsWith('part-'))) {
      for (const l of readFileSync(join(out, f), 'utf8').split('\n')) {
        if (!l) continue;
        const [x, k, c] = l.split(',').map(Number) as [number, number, number];
        if (seen[x]) twice++;
        seen[x] = 1;
        total++;
        let a = counts.get(k);
        if (!a) counts.set(k, (a = []));
        a.push(c);
      }
    }
    expect(twice).toBe(0);
    expect(total).toBe(N);
    let wrong = 0;
    for (const [k, a] of counts) {
      const expectedCount = Math.floor((N - k) / K) + (k === 0 ? 0 : 1);
      a.sort((p, q) => p - q);
      if (a.length !== expectedCount || a.some((c, i) => c !== i + 1)) wrong++;
    }
    expect(counts.size).toBe(K);
    expect(wrong).toBe(0);
  });
  it('savepoint - stop without drain is synchronous: a plain sink sees no record after the savepoint, the restored job goes on exactly there', async () => {
    const files = [join(root, 'append-1.txt'), join(root, 'append-2.txt')];
    const first = await runCli(['run', '-t', 'local', 'test/jobs/append-job.ts', files[0]!, join(root, 'append-sp')]);
    expect(first.stderr).toBe('');
    const sp = /SAVEPOINT (\S+)/.exec(first.stdout)![1]!;
    const second = await runCli(['run', '-t', 'local', '-s', sp, 'test/jobs/append-job.ts', files[1]!, join(root, 'append-sp2')]);
    expect(second.stderr).toBe('');
    const [a, b] = files.map((f) => readFileSync(f, 'utf8').trim().split('\n').map(Number));
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    // Each file is a contiguous run, and the second starts right after the first.
    expect(a!.every((x, i) => x === i + 1)).toBe(true);
    expect(b!.every((x, i) => x === a!.length + i + 1)).toBe(true);
  }, 120_000);
});
