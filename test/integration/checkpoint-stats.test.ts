/**
 * Checkpoint statistics over a job's whole life (found by a review): the summary covers every
 * completed checkpoint, not the history's last 10, and the latest savepoint stays shown once ten
 * checkpoints came after it (Flink's CheckpointStatsTracker keeps both).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-ckstats-'));
let cluster: ChildProcess | undefined;
let base = '';
beforeAll(async () => {
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', `execution.checkpointing.savepoint-dir=${join(root, 'sp')}`]));
}, 60_000);
afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Stats = { counts: { completed: number }; summary: { state_size: { min: number; max: number } }; latest: { savepoint: { id: number } | null }; history: Array<{ id: number; status: string; state_size: number }> };

describe('checkpoint statistics', () => {
  it('checkpoint stats - the summary covers every completed checkpoint and the latest savepoint stays after 10 more', async () => {
    const r = await runCli(['run', '-m', base.replace('http://', ''), '-d', 'test/jobs/growing-state-job.ts']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    const stats = async () => (await (await fetch(`${base}/jobs/${jobId}/checkpoints`)).json()) as Stats;
    try {
      for (let i = 0; i < 100 && (await stats()).counts.completed < 2; i++) await sleep(100);
      const trigger = (await (await fetch(`${base}/jobs/${jobId}/savepoints`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).json()) as { 'request-id': string };
      let savepointId = -1;
      for (let i = 0; i < 100 && savepointId < 0; i++) {
        await sleep(100);
        const op = (await (await fetch(`${base}/jobs/${jobId}/savepoints/${trigger['request-id']}`)).json()) as { status: { id: string } };
        if (op.status.id === 'COMPLETED') savepointId = (await stats()).latest.savepoint!.id;
      }
      expect(savepointId).toBeGreaterThan(0);
      let s = await stats();
      for (let i = 0; i < 200 && s.history.filter((h) => h.status === 'COMPLETED' && h.id > savepointId).length < 10; i++) {
        await sleep(100);
        s = await stats();
      }
      // The savepoint left the history of the last 10, and is still the latest savepoint.
      expect(s.history.some((h) => h.id === savepointId)).toBe(false);
      expect(s.latest.savepoint?.id).toBe(savepointId);
      // Each checkpoint holds more keys than the one before: the smallest is older than the history.
      const recent = s.history.filter((h) => h.status === 'COMPLETED').map((h) => h.state_size);
      expect(s.summary.state_size.min).toBeLessThan(Math.min(...recent));
    } finally {
      await runCli(['cancel', '-m', base.replace('http://', ''), jobId]);
    }
  }, 90_000);

  it('checkpoint stats - a checkpoint in progress shows the state its acknowledged subtasks stored (it showed 0; found by a review)', async () => {
    const r = await runCli(['run', '-m', base.replace('http://', ''), '-d', 'test/jobs/stuck-checkpoint-job.ts']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    type Item = { id: number; status: string; state_size: number; checkpointed_size: number; num_acknowledged_subtasks: number };
    try {
      let pending: Item | undefined;
      for (let i = 0; i < 200 && pending === undefined; i++) {
        await sleep(100);
        const s = (await (await fetch(`${base}/jobs/${jobId}/checkpoints`)).json()) as { history: Item[] };
        pending = s.history.find((h) => h.status === 'IN_PROGRESS' && h.num_acknowledged_subtasks >= 2);
      }
      expect(pending).toBeDefined();
      // Both sources acknowledged with their position in operator state.
      expect(pending!.state_size).toBeGreaterThan(0);
      expect(pending!.checkpointed_size).toBe(pending!.state_size);
    } finally {
      await runCli(['cancel', '-m', base.replace('http://', ''), jobId]);
    }
  }, 90_000);
});
