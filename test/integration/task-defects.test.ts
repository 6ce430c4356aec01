/**
 * Regression tests for the task-side recovery defects (each failed before its fix): async invokes
 * chained to a source, failures outside the task loop (flush timer, processing-time timers), late
 * barriers of aborted checkpoints, and an async snapshotState in a source chain.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-defects-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const JOB = 'test/jobs/task-defects-job.ts';
const run = async (args: string[], timeoutMs = 60_000) => {
  const all = ['run', '-t', 'local', JOB, ...args];
  const r = await runCli(all, { timeoutMs });
  return { ...r, why: explain(all, r) };
};

describe('task defects', () => {
  it('defects - an async sink chained to its source loses no record on failover (every record once invoked and written)', async () => {
    const file = join(root, 'async-sink.txt');
    const r = await run(['async-sink', file]);
    expect(r.code, r.why).toBe(0);
    const written = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    expect([...new Set(written)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('defects - a source chained to an async sink waits for each invoke (the sequence source emits runs of numbers, the sink\'s invoke of n finds the map at n)', async () => {
    const r = await run(['async-sink-paced']);
    expect(r.code, r.why).toBe(0);
    expect(r.stdout, r.why).toContain('paced: 3000 invoked, 0 ahead');
  });

  it('defects - a record that cannot be serialized fails the job, naming the operator and the field', async () => {
    const r = await run(['unserializable']);
    expect(r.code, r.why).toBe(1);
    expect(r.stderr).toContain("MF_ERR_SERIALIZATION");
    expect(r.stderr).toContain("Operator 'Map' (1/1)");
    expect(r.stderr).toContain('record.f is a function');
  });

  it('defects - a record that cannot be copied into executeAndCollect fails the job, naming the collect sink and the field', async () => {
    const r = await run(['uncollectable']);
    expect(r.code, r.why).toBe(1);
    expect(r.stderr).toContain('MF_ERR_SERIALIZATION');
    expect(r.stderr).toContain("Operator 'Data stream collect sink' (1/1): Could not copy record");
    expect(r.stderr).toContain('record.f is a function');
  });

  it('defects - an exception in a processing-time onTimer fails the job', async () => {
    const r = await run(['timer-throws']);
    expect(r.code, r.why).toBe(1);
    expect(r.stderr).toContain('boom in onTimer');
  });

  it('defects - late barriers of aborted checkpoints do not block a channel (a union into a slow sink, checkpoints timing out)', async () => {
    const r = await run(['late-barrier'], 50_000);
    expect(r.code, r.why).toBe(0);
    expect(r.stdout).toMatch(/Job with JobID [0-9a-f]{32} has finished\./);
  });

  it('defects - an async snapshotState in a source chain lets no record slip between snapshot and barrier (exactly once after a failure)', async () => {
    const dir = join(root, 'async-snapshot');
    const N = 50_000;
    const r = await run(['async-snapshot', dir, String(N)], 90_000);
    expect(r.code, r.why).toBe(0);
    const lines = readdirSync(dir)
      .filter((f) => f.startsWith('part-'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
      .map(Number);
    const counts = new Map<number, number>();
    for (const x of lines) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts].filter(([, c]) => c > 1).slice(0, 10)).toEqual([]);
    expect(counts.size).toBe(N);
  });

  it('defects - a user function that leaves a timer running does not hold execute() back once the job ended', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/keep-alive-job.ts'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    // The slot threads' start and stop only; before the fix the cluster waited its 5 s grace for the thread.
    expect((JSON.parse(/RESULT (.*)/.exec(r.stdout)![1]!) as { waitedMs: number }).waitedMs).toBeLessThan(4000);
  }, 60_000);
});
