/**
 * Exactly-once through a failure (issue #3): a sequence through keyBy and a counting
 * KeyedProcessFunction into a FileSink; a map throws once after a checkpoint completed; the job
 * restarts from the latest checkpoint and must write every input exactly once with exact per-key
 * counts, on both state backends and with every compression, at parallelism 1 and 3.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-eo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const N = 200_000;

/** Checks the committed part files: every record once, exact per-key counts. */
function checkExactlyOnce(dir: string): void {
  const files = readdirSync(dir);
  const finished = files.filter((f) => f.startsWith('part-'));
  const lines = finished.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
  const seen = new Set<number>();
  const twice: number[] = [];
  const wrongKey: string[] = [];
  const counts = new Map<number, number[]>();
  for (const l of lines) {
    const [x, key, count] = l.split(',').map(Number) as [number, number, number];
    if (seen.has(x)) twice.push(x);
    seen.add(x);
    if (key !== x % 7) wrongKey.push(l);
    const c = counts.get(key) ?? [];
    c.push(count);
    counts.set(key, c);
  }
  expect(twice).toEqual([]);
  expect(wrongKey).toEqual([]);
  expect(lines.length).toBe(N);
  expect(seen.size).toBe(N);
  for (let k = 0; k < 7; k++) {
    const expected = Array.from({ length: Math.floor((N - k) / 7) + (k === 0 ? 0 : 1) }, (_, i) => i + 1);
    expect(counts.get(k)!.sort((a, b) => a - b)).toEqual(expected);
  }
}

const cases: Array<[string, string, number]> = [];
for (const backend of ['hashmap', 'leveldb']) for (const compression of ['none', 'lz4', 'snappy']) for (const p of [1, 3]) cases.push([backend, compression, p]);

describe('checkpoints', () => {
  it.concurrent.each(cases)('exactly once - %s backend, %s compression, parallelism %i, one failure', async (backend, compression, p) => {
    const out = join(root, `${backend}-${compression}-${p}`);
    const failAt = Math.floor(N * (0.3 + Math.random() * 0.3));
    const r = await runCli(['run', '-t', 'local', '-p', String(p), '-D', `execution.checkpointing.snapshot-compression=${compression}`, 'test/jobs/exactly-once-job.ts', out, String(N), String(failAt), backend], {
      timeoutMs: 140_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    checkExactlyOnce(out);
    // The map failed (only ever after a completed checkpoint) and the job ran a second attempt.
    expect(Number(/- attempts \(number\): (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThanOrEqual(p);
  }, 150_000);
});

describe('checkpoint storage', () => {
  it('storage - chk-<n>/_metadata under <dir>/<jobId>, one retained, kept on cancel, restorable with -s', async () => {
    const dir = join(root, 'retained');
    const r = await runCli(['run', '-t', 'local', '-D', `execution.checkpointing.dir=${dir}`, 'test/jobs/retained-job.ts', '2000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    const chks = readdirSync(join(dir, jobId)).filter((d) => d.startsWith('chk-'));
    expect(chks).toHaveLength(1);
    expect(readdirSync(join(dir, jobId, chks[0]!))).toContain('_metadata');
    const first = JSON.parse(/RESULT (.*)/.exec(r.stdout)![1]!);
    expect(first).toEqual({ first: 0, last: 1999, n: 2000 });
    const again = await runCli(['run', '-t', 'local', '-s', `file:${join(dir, jobId, chks[0]!)}`, '-D', `execution.checkpointing.dir=${dir}`, 'test/jobs/retained-job.ts', '10']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    // The source resumed from its checkpointed position, not from 0.
    expect(JSON.parse(/RESULT (.*)/.exec(again.stdout)![1]!).first).toBeGreaterThan(0);
    // NO_CLAIM (the default) left the checkpoint alone; CLAIM makes it the new job's, deleted once subsumed.
    const chk = join(dir, jobId, chks[0]!);
    expect(existsSync(join(chk, '_metadata'))).toBe(true);
    const claimed = await runCli(['run', '-t', 'local', '-s', chk, '-cm', 'claim', '-D', `execution.checkpointing.dir=${dir}`, 'test/jobs/retained-job.ts', '2000']);
    expect(claimed.stderr).toBe('');
    expect(claimed.code).toBe(0);
    expect(existsSync(chk)).toBe(false);
  });

  it('storage - AT_LEAST_ONCE (no alignment) without failures gives exact results too', async () => {
    const out = join(root, 'at-least-once');
    const r = await runCli(['run', '-t', 'local', '-p', '3', '-D', 'execution.checkpointing.mode=AT_LEAST_ONCE', 'test/jobs/exactly-once-job.ts', out, String(N), '-1', 'hashmap']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    checkExactlyOnce(out);
  });
});

describe('checkpoint pacing', () => {
  it('pacing - a minimum pause means one checkpoint at a time whatever max-concurrent says (Flink); snapshots longer than the interval no longer starve the task of records', async () => {
    // Snapshots of 150 ms, checkpoints every 50 ms, 3 concurrent allowed, a pause of 100 ms: before,
    // a checkpoint started in the pause while another ran, each snapshot followed the last, and the
    // job passed about 2 records per snapshot (20,000 records took minutes; found by a review).
    const r = await runCli(['run', '-t', 'local', 'test/jobs/min-pause-job.ts', '20000', '150', '100'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('records 20000');
    const snapshots = JSON.parse(/snapshots (\[.*\])/.exec(r.stdout)![1]!) as Array<[number, number]>;
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    // One at a time, each starting at least the pause after the one before ended.
    for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]![0] - snapshots[i - 1]![1], JSON.stringify(snapshots)).toBeGreaterThanOrEqual(100);
  }, 90_000);
});
