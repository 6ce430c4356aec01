/**
 * Regression tests for recovery defects found in review (each failed before its fix): records a
 * source emits while an async snapshotState runs, checkpoint failures beyond the tolerable number,
 * a FileSink restore next to another job, executeAndCollect and accumulators after a restart.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-review-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const JOB = 'test/jobs/review-recovery-job.ts';
const run = async (args: string[], timeoutMs = 60_000) => {
  const all = ['run', '-t', 'local', JOB, ...args];
  const r = await runCli(all, { timeoutMs });
  return { ...r, why: explain(all, r) };
};

describe('review recovery defects', () => {
  it('review - records a source emits while its async snapshotState runs go out after the barrier, in order, none lost', async () => {
    const r = await run(['async-snap', '20000', 'await']);
    expect(r.code, r.why).toBe(0);
    expect(resultOf(r)).toEqual({ seen: 20000, outOfOrder: 0, last: 20000, missing: 0 });
  });

  it('review - a source that returns while a checkpoint holds it loses none of its held records at the end of input', async () => {
    const r = await run(['async-snap', '20000', 'noawait']);
    expect(r.code, r.why).toBe(0);
    expect(resultOf(r)).toEqual({ seen: 20000, outOfOrder: 0, last: 20000, missing: 0 });
  });

  it('review - exceeding the tolerable checkpoint failures is a failover under the restart strategy, not a failed job', async () => {
    const r = await run(['ckpt-fail', '1']);
    expect(r.code, r.why).toBe(0);
    const results = r.stdout.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as { seen: number; attempt: number });
    expect(results.at(-1), r.why).toEqual({ seen: 3000, attempt: 1 });
  });

  it('review - checkpoint failures in every attempt fail the job once the restart strategy gives up', async () => {
    const r = await run(['ckpt-fail', '5']);
    expect(r.code, r.why).toBe(1);
    expect(r.stderr).toContain('Exceeded checkpoint tolerable failure threshold');
    expect(r.stdout).toContain('"attempt":2');
  });

  it("review - a FileSink's restore leaves another job's in-progress files in the same directory alone", async () => {
    const dir = join(root, 'share');
    const gate = join(root, 'share.gate');
    const JOB_ARGS = ['run', '-t', 'local', JOB, 'share', dir];
    // Job A writes until the gate opens; meanwhile job B, in the same directory, fails once and restores.
    const a = runCli([...JOB_ARGS, gate, '-1'], { timeoutMs: 90_000 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const b = await runCli([...JOB_ARGS, '-', '1500'], { timeoutMs: 60_000 });
      expect(b.code, explain(JOB_ARGS, b)).toBe(0);
    } finally {
      writeFileSync(gate, '');
    }
    const ra = await a;
    expect(ra.code, explain(JOB_ARGS, ra)).toBe(0);
    const lines = readdirSync(dir)
      .filter((f) => f.startsWith('part-'))
      .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean));
    for (const tag of ['A', 'B']) {
      const xs = lines.filter((l) => l.startsWith(`${tag},`)).map((l) => Number(l.slice(2)));
      const max = Math.max(...xs);
      expect(xs.length, `job ${tag}: every record once`).toBe(max);
      expect(new Set(xs).size, `job ${tag}: no duplicate`).toBe(max);
      if (tag === 'B') expect(max).toBe(3000);
    }
  });

  it('review - executeAndCollect without checkpointing returns each record once after a restart (the job reruns from scratch)', async () => {
    const r = await run(['collect', '100000']);
    expect(r.code, r.why).toBe(0);
    expect(resultOf(r)).toEqual({ n: 100000, dup: 0, missing: 0 });
  });

  it('review - accumulators count the final attempt only (a subtask that finished in an earlier attempt is not counted twice)', async () => {
    for (const ck of ['nockpt', 'ckpt']) {
      const r = await run(['acc', '400', ck]);
      expect(r.code, r.why).toBe(0);
      expect(resultOf(r), ck).toEqual({ records: 400 });
    }
  });
});
