/**
 * Soak (only with MINIFLINK_SOAK=1): an unbounded job checkpointing every 100 ms runs on a cluster
 * in this process for 2 minutes while a fault (a subtask failure, a TaskManager killed, a declined
 * checkpoint) is injected every few seconds. The heap after a forced garbage collection at the end
 * is at most 1.2x the heap at minute 1, for the cluster (this process's main thread) and for every
 * slot thread; both are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const SOAK = process.env['MINIFLINK_SOAK'] === '1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!SOAK)('soak (MINIFLINK_SOAK=1)', () => {
  for (const backend of ['hashmap', 'leveldb']) {
    it(`soak - 2 minutes of faults on an unbounded ${backend} job: the heap does not grow`, async () => {
      // The cluster runs in this process (from dist/, as the CLI runs it) so its heap can be measured after a forced GC.
      const { StandaloneCluster } = await import('../../dist/runtime/index.js');
      const { buildRestServer } = await import('../../dist/rest/server.js');
      const { collectGarbage, memoryStats } = await import('../../dist/runtime/memory-stats.js');
      const root = mkdtempSync(join(tmpdir(), 'miniflink-soak-'));
      const cluster = new StandaloneCluster({ 'local.number-taskmanager': '2', 'taskmanager.numberOfTaskSlots': '2', 'cluster.taskmanager.restart-delay': '200 ms' });
      await cluster.start();
      const app = await buildRestServer(cluster, { uploadDir: join(root, 'uploads'), maxUploadBytes: 64 * 1024 * 1024, onShutdown: () => {} });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address() as { port: number };
      const base = `http://127.0.0.1:${address.port}`;
      const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, any>;
      const post = (path: string, body?: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      const slots = cluster.mini.taskManagers.flatMap((t) => t.slots);
      const measure = async () => {
        collectGarbage();
        const main = memoryStats().heapUsed;
        const threads = await cluster.mini.memoryStats(slots, { collectGarbage: true });
        return { main, threads: threads.map((t) => t.heapUsed) };
      };
      try {
        const args = ['run', '-m', `127.0.0.1:${address.port}`, '-d', 'test/jobs/soak-job.ts', backend];
        const r = await runCli(args);
        expect(r.code, explain(args, r)).toBe(0);
        const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
        const start = Date.now();
        let minute1: Awaited<ReturnType<typeof measure>> | undefined;
        let faults = 0;
        while (Date.now() - start < 120_000) {
          await sleep(2000 + Math.random() * 2000);
          if (!minute1 && Date.now() - start >= 60_000) minute1 = await measure();
          const job = await get(`/jobs/${jobId}`);
          if (job['state'] !== 'RUNNING') continue;
          const v = (job['vertices'] as Array<{ id: string; parallelism: number }>)[faults % 2]!;
          const kind = faults % 3;
          const res =
            kind === 0
              ? await post(`/jobs/${jobId}/vertices/${v.id}/subtasks/${faults % v.parallelism}/fail`)
              : kind === 1
                ? await post(`/taskmanagers/${cluster.mini.taskManagers[faults % 2]!.id}/kill`)
                : await post(`/jobs/${jobId}/checkpoints/faults`, { kind: 'fail', count: 1 });
          if (res.status === 202) faults++;
        }
        // Let the last restart settle before the final measurement.
        for (let i = 0; i < 100 && (await get(`/jobs/${jobId}`))['state'] !== 'RUNNING'; i++) await sleep(100);
        await sleep(2000);
        const end = await measure();
        const report = `faults: ${faults}; heap at minute 1: main ${minute1!.main}, slots ${minute1!.threads.join(', ')}; at the end: main ${end.main}, slots ${end.threads.join(', ')}`;
        console.log(`soak ${backend}: ${report}`);
        expect((await get(`/jobs/${jobId}`))['state'], report).toBe('RUNNING');
        expect(faults).toBeGreaterThan(20);
        expect(end.main, report).toBeLessThanOrEqual(minute1!.main * 1.2);
        expect(end.threads.length, report).toBe(slots.length);
        end.threads.forEach((h, i) => expect(h, `slot ${i}: ${report}`).toBeLessThanOrEqual(Math.max(minute1!.threads[i] ?? 0, 1) * 1.2));
        await fetch(`${base}/jobs/${jobId}`, { method: 'PATCH' });
      } finally {
        await app.close();
        await cluster.close();
        rmSync(root, { recursive: true, force: true });
      }
    }, 200_000);
  }
});
