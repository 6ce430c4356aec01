/**
 * Region failover on a standalone cluster (issue #14): a job of two disconnected keyed pipelines
 * (two pipelined regions) with a failure injected into one. With `region` (Flink's default) only
 * that pipeline restarts, as attempt 1 from the latest checkpoint, while the other runs on as
 * attempt 0; with `full` both restart. Either way every record reaches each FileSink exactly once
 * with exact per-key counts, and numRestarts counts the one restart.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';
import { expectExactCounts, until } from '../helpers/exactly-once.js';

const N = 8_000;
const K = 5;
const root = mkdtempSync(join(tmpdir(), 'miniflink-regions-'));
let cluster: ChildProcess | undefined;
let base = '';
beforeAll(async () => {
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', `web.upload.dir=${join(root, 'uploads')}`]));
}, 60_000);
afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, any>;


/** Every subtask's attempt and state, by vertex name. */
async function subtasks(jobId: string): Promise<Map<string, Array<{ attempt: number; status: string }>>> {
  const job = await get(`/jobs/${jobId}`);
  const out = new Map<string, Array<{ attempt: number; status: string }>>();
  for (const v of job['vertices'] as Array<{ id: string; name: string }>) {
    const d = await get(`/jobs/${jobId}/vertices/${v.id}`);
    out.set(v.name, (d['subtasks'] as Array<{ attempt: number; status: string }>).map((s) => ({ attempt: s.attempt, status: s.status })));
  }
  return out;
}


async function runWithFailure(name: string, strategy: 'region' | 'full'): Promise<{ before: Map<string, Array<{ attempt: number }>>; after: Map<string, Array<{ attempt: number; status: string }>>; jobId: string; out: string }> {
  const out = join(root, name);
  const gate = join(root, `${name}.gate`);
  const args = ['run', '-m', base.replace('http://', ''), '-d', '-D', `jobmanager.execution.failover-strategy=${strategy}`, 'test/jobs/regions-job.ts', out, String(N), gate];
  const run = await runCli(args);
  expect(run.code, explain(args, run)).toBe(0);
  const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
  await until('a completed checkpoint', async () => ((await get(`/jobs/${jobId}/checkpoints`))['counts']?.['completed'] >= 1 ? true : undefined));
  const before = await subtasks(jobId);
  const job = await get(`/jobs/${jobId}`);
  const leftCount = (job['vertices'] as Array<{ id: string; name: string }>).find((v) => v.name.startsWith('left count'))!;
  const r = await fetch(`${base}/jobs/${jobId}/vertices/${leftCount.id}/subtasks/0/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(r.status).toBe(202);
  const after = await until('the restarted subtasks running', async () => {
    const now = await subtasks(jobId);
    const left = [...now].filter(([n]) => n.startsWith('left') || n.includes('left numbers')).flatMap(([, s]) => s);
    return left.every((s) => s.attempt >= 1 && s.status === 'RUNNING') && (await get(`/jobs/${jobId}`))['state'] === 'RUNNING' ? now : undefined;
  });
  writeFileSync(gate, '');
  await until('the job to finish', async () => {
    const s = (await get(`/jobs/${jobId}`))['state'] as string;
    if (s === 'FAILED' || s === 'CANCELED') throw new Error(`job ${s}: ${JSON.stringify(await get(`/jobs/${jobId}/exceptions`)).slice(0, 2000)}`);
    return s === 'FINISHED' ? true : undefined;
  }, 60_000);
  return { before, after, jobId, out };
}

describe('region failover', () => {
  it('regions - a failure restarts only its pipelined region; the other pipeline runs on as attempt 0; exactly once', async () => {
    const { before, after, jobId, out } = await runWithFailure('region', 'region');
    expect([...before.values()].flat().every((s) => s.attempt === 0)).toBe(true);
    for (const [name, subs] of after) {
      const left = name.includes('left');
      expect(subs.map((s) => s.attempt), name).toEqual(subs.map(() => (left ? 1 : 0)));
    }
    const metrics = (await get(`/jobs/${jobId}/metrics?get=numRestarts`)) as unknown as Array<{ id: string; value: string }>;
    expect(metrics).toEqual([{ id: 'numRestarts', value: '1' }]);
    const exceptions = await get(`/jobs/${jobId}/exceptions`);
    expect(exceptions['exceptionHistory']['entries']).toHaveLength(1);
    expect(exceptions['exceptionHistory']['entries'][0]['exceptionName']).toBe('InjectedFailure');
    expectExactCounts(join(out, 'left'), N, K);
    expectExactCounts(join(out, 'right'), N, K);
  }, 120_000);

  it.each(['off', '300'])('regions - executeAndCollect keeps what the regions that did not fail collected (checkpointing: %s)', async (cp) => {
    const args = ['run', '-t', 'local', 'test/jobs/collect-regions-job.ts', join(root, `collect-marker-${cp}`), '8000', cp];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const result = JSON.parse(/RESULT (.*)/.exec(r.stdout)![1]!) as { total: number; missing: number; dups: number };
    expect(result).toMatchObject({ total: 8000, missing: 0, dups: 0 });
  }, 120_000);

  it('regions - with the full strategy both pipelines restart; exactly once', async () => {
    const { after, out } = await runWithFailure('full', 'full');
    for (const [name, subs] of after) expect(subs.map((s) => s.attempt), name).toEqual(subs.map(() => 1));
    expectExactCounts(join(out, 'left'), N, K);
    expectExactCounts(join(out, 'right'), N, K);
  }, 120_000);
});
