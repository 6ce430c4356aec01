/**
 * Defects a Flink engineer's review of issue 12 found on a real cluster, each a test that failed
 * before its fix: a prior attempt of a subtask is served from the execution history (Flink keeps
 * 16); a restart's log line says where the job restarts from. And of issue 13's review: the
 * details of a checkpoint in progress show the subtasks that acknowledged so far.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

let cluster: ChildProcess | undefined;
afterAll(() => stopCluster(cluster));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('review of issue 12', () => {
  it('review 12 - after a restart, attempt 0 of a subtask is still served with its end state and metrics; an attempt never made answers 404', async () => {
    const started = await startCluster(['metrics.fetcher.update-interval=0']);
    cluster = started.cluster;
    const { base } = started;
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`);
      return { status: r.status, body: (await r.json()) as any };
    };
    const run = await runCli(['run', '-d', '-m', base.replace('http://', ''), 'test/jobs/logging-job.ts']);
    expect(run.code, run.stderr).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    for (let i = 0; i < 100 && ((await get(`/jobs/${jobId}/checkpoints`)).body.counts?.completed ?? 0) < 1; i++) await sleep(100);
    const v = (await get(`/jobs/${jobId}`)).body.vertices[0].id as string;
    await sleep(500);
    const before = (await get(`/jobs/${jobId}/vertices/${v}/subtasks/0`)).body;
    expect(before.attempt).toBe(0);
    expect((await fetch(`${base}/jobs/${jobId}/vertices/${v}/subtasks/0/fail`, { method: 'POST' })).status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const cur = (await get(`/jobs/${jobId}/vertices/${v}/subtasks/0`)).body;
      if (cur.attempt === 1 && cur.status === 'RUNNING') break;
      await sleep(100);
    }
    const prior = await get(`/jobs/${jobId}/vertices/${v}/subtasks/0/attempts/0`);
    expect(prior.status).toBe(200);
    expect(prior.body).toMatchObject({ subtask: 0, attempt: 0, status: 'FAILED' });
    expect(prior.body['end-time']).toBeGreaterThan(prior.body['start-time']);
    // The attempt's own numbers: what it had counted when it failed, not the current attempt's.
    expect(prior.body.metrics['accumulated-busy-time']).toBeGreaterThanOrEqual(0);
    expect(prior.body.metrics['write-records-complete']).toBe(true);
    const current = await get(`/jobs/${jobId}/vertices/${v}/subtasks/0/attempts/1`);
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ attempt: 1, status: 'RUNNING' });
    const acc = await get(`/jobs/${jobId}/vertices/${v}/subtasks/0/attempts/0/accumulators`);
    expect(acc.status).toBe(200);
    expect(acc.body.attempt).toBe(0);
    const never = await get(`/jobs/${jobId}/vertices/${v}/subtasks/0/attempts/5`);
    expect(never.status).toBe(404);
    expect(never.body.errors[0]).toContain('Attempt 5 of this subtask is not kept');

    const log = await (await fetch(`${base}/jobmanager/log`)).text();
    expect(log).toMatch(new RegExp(`Restarting job logging-job \\(${jobId}\\) as attempt #1 from checkpoint \\d+\\.`));
  }, 90_000);

  it('review 13 - a checkpoint in progress: its details count the subtasks that acknowledged so far, each with its numbers', async () => {
    const started = await startCluster(['taskmanager.numberOfTaskSlots=2']);
    const c2 = started.cluster;
    try {
      const { base } = started;
      const run = await runCli(['run', '-d', '-m', base.replace('http://', ''), '-p', '2', 'test/jobs/slow-barrier-job.ts']);
      expect(run.code, run.stderr).toBe(0);
      const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
      const vertices = ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { vertices: Array<{ id: string; name: string }> }).vertices;
      const source = vertices.find((v) => v.name.startsWith('Source'))!;
      // A checkpoint in progress whose sources acknowledged while the slow sink's barrier is queued.
      let seen: any;
      for (let i = 0; i < 300 && !seen; i++) {
        const stats = (await (await fetch(`${base}/jobs/${jobId}/checkpoints`)).json()) as { history: Array<{ id: number; status: string; num_acknowledged_subtasks: number }> };
        const pending = stats.history.find((h) => h.status === 'IN_PROGRESS' && h.num_acknowledged_subtasks > 0);
        if (pending) {
          const d = (await (await fetch(`${base}/jobs/${jobId}/checkpoints/details/${pending.id}/subtasks/${source.id}`)).json()) as any;
          if (d.num_acknowledged_subtasks > 0) seen = d;
        }
        if (!seen) await sleep(100);
      }
      expect(seen, 'details of a checkpoint in progress with acknowledged sources').toBeDefined();
      expect(seen.status).toBe('IN_PROGRESS');
      const acked = (seen.subtasks as any[]).filter((x) => x.status === 'completed');
      expect(acked.length).toBe(seen.num_acknowledged_subtasks);
      for (const a of acked) expect(a.ack_timestamp).toBeGreaterThan(0);
    } finally {
      await stopCluster(c2);
    }
  }, 90_000);
});
