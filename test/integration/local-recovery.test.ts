/**
 * Local recovery on a standalone cluster (issue #14): the two-pipeline job with
 * `state.backend.local-recovery: true` (Flink 1.x's switch, which sets the backup and the restore
 * from it) and a failure injected into one pipeline. Its restarted subtasks restore from their
 * slot thread's copy of the latest checkpoint (the restore statistics, the stateRestoreSource
 * metric and the TaskManager's log say so); a LevelDB copy whose files are corrupt or missing falls
 * back to checkpoint storage. Every time, every record reaches each FileSink exactly once with
 * exact per-key counts.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';
import { expectExactCounts, until } from '../helpers/exactly-once.js';

// Enough records that the source still emits (before it holds at 90%) when the failure comes, also
// under load: the checkpoint restored then holds the FileSink's pending files (union list state).
const N = 40_000;
const K = 5;
const root = mkdtempSync(join(tmpdir(), 'miniflink-local-recovery-'));
let cluster: ChildProcess | undefined;
let base = '';
let logDir = '';
beforeAll(async () => {
  ({ cluster, base, logDir } = await startCluster(['taskmanager.numberOfTaskSlots=2', 'metrics.fetcher.update-interval=0', `rest.savepoint-dirs.allowed=${root}`, `web.upload.dir=${join(root, 'uploads')}`]));
}, 60_000);
afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, any>;
const post = (path: string, body: unknown = {}) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });



/** Every file under a directory. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
}

/**
 * Runs the job with local recovery, lets a checkpoint complete, then (with `damage`) stalls further
 * checkpoints and damages the local copies, injects a failure into the left pipeline, and waits
 * for the end. Returns the restore statistics after the restart.
 */
async function run(name: string, backend: 'hashmap' | 'leveldb', damage?: (localDir: string) => void): Promise<{ restored: Record<string, any>; jobId: string; vertices: Array<{ id: string; name: string }> }> {
  const out = join(root, name);
  const gate = join(root, `${name}.gate`);
  const localDir = join(root, `${name}-local`);
  const args = ['run', '-m', base.replace('http://', ''), '-d', '-D', 'state.backend.local-recovery=true', '-D', `execution.checkpointing.local-backup.dirs=${localDir}`, 'test/jobs/regions-job.ts', out, String(N), gate, backend];
  const r = await runCli(args);
  expect(r.code, explain(args, r)).toBe(0);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  await until('a completed checkpoint', async () => ((await get(`/jobs/${jobId}/checkpoints`))['counts']?.['completed'] >= 2 ? true : undefined));
  const vertices = (await get(`/jobs/${jobId}`))['vertices'] as Array<{ id: string; name: string }>;
  const leftCount = vertices.find((v) => v.name.startsWith('left count'))!;
  if (damage) {
    // No checkpoint completes after this one: the copies damaged are those of the checkpoint restored.
    expect((await post(`/jobs/${jobId}/checkpoints/faults`, { kind: 'stall', count: 1000, vertex: leftCount.id, subtask: 1 })).status).toBe(202);
    await sleep(300);
    damage(localDir);
  }
  expect((await post(`/jobs/${jobId}/vertices/${leftCount.id}/subtasks/0/fail`)).status).toBe(202);
  await until('the left pipeline restarted', async () => {
    const d = await get(`/jobs/${jobId}/vertices/${leftCount.id}`);
    return (d['subtasks'] as Array<{ attempt: number; status: string }>).every((s) => s.attempt >= 1 && s.status === 'RUNNING') ? true : undefined;
  });
  const restored = await until('the restore statistics', async () => {
    const r = (await get(`/jobs/${jobId}/checkpoints`))['latest']?.['restored'];
    return r && r['subtasks'].length >= 4 ? (r as Record<string, any>) : undefined;
  });
  // The metric of a restarted subtask.
  const metric = (await get(`/jobs/${jobId}/vertices/${leftCount.id}/subtasks/0/metrics?get=stateRestoreSource`)) as unknown as Array<{ value: string }>;
  restored['metric'] = metric[0]?.value;
  writeFileSync(gate, '');
  await until('the job to finish', async () => {
    const s = (await get(`/jobs/${jobId}`))['state'] as string;
    if (s === 'FAILED' || s === 'CANCELED') throw new Error(`job ${s}`);
    return s === 'FINISHED' ? true : undefined;
  }, 60_000);
  expectExactCounts(join(out, 'left'), N, K);
  expectExactCounts(join(out, 'right'), N, K);
  // The job's local copies went with it.
  expect(filesUnder(localDir)).toEqual([]);
  return { restored, jobId, vertices };
}

function taskManagerLog(): string {
  return readdirSync(logDir)
    .filter((f) => f.includes('taskexecutor') && f.endsWith('.log'))
    .map((f) => readFileSync(join(logDir, f), 'utf8'))
    .join('\n');
}

describe('local recovery', () => {
  it.each(['hashmap', 'leveldb'] as const)('local - on %s the restarted pipeline restores from its slots\' local copies; exactly once', async (backend) => {
    const { restored, vertices } = await run(`local-${backend}`, backend);
    const left = new Set(vertices.filter((v) => v.name.includes('left')).map((v) => v.id));
    const subs = restored['subtasks'] as Array<{ vertex_id: string; subtask: number; source: string; local_operators: number; remote_operators: number }>;
    // Only the left region restarted: its sources' offsets and its counts restored from the local
    // copies; the FileSink chained to the count keeps its pending files in union list state, which
    // needs every subtask's, so it read checkpoint storage.
    expect(subs.every((s) => left.has(s.vertex_id))).toBe(true);
    expect(subs).toHaveLength(4);
    const count = vertices.find((v) => v.name.startsWith('left count'))!.id;
    for (const s of subs) {
      if (s.vertex_id === count) expect(s, JSON.stringify(subs)).toMatchObject({ source: 'mixed', local_operators: 1, remote_operators: 1 });
      else expect(s, JSON.stringify(subs)).toMatchObject({ source: 'local', local_operators: 1, remote_operators: 0 });
    }
    expect(restored['restored_locally']).toBe(2);
    expect(restored['metric']).toBe('mixed');
    expect(taskManagerLog()).toMatch(/left count -> .*\(1\/2\)#\d+ - restored 1 operator\(s\) of checkpoint \d+ from the local copy in its slot and 1 from checkpoint storage/);
  }, 120_000);

  it('local - corrupt LevelDB copies fall back to checkpoint storage; exactly once', async () => {
    const { restored } = await run('corrupt', 'leveldb', (dir) => {
      const tables = filesUnder(dir).filter((f) => /\.(ldb|sst|log)$/.test(f) && statSync(f).size > 0);
      expect(tables.length).toBeGreaterThan(0);
      for (const f of tables) writeFileSync(f, Buffer.alloc(statSync(f).size, 7));
    });
    const counts = (restored['subtasks'] as Array<{ vertex_id: string; source: string }>).filter((s) => s.source !== 'local');
    expect(counts.length).toBeGreaterThan(0);
    const log = taskManagerLog();
    expect(log, log.split('\n').filter((l) => l.includes('restored')).join('\n')).toMatch(/left count -> .* - restored .*from checkpoint storage.* in \d+ ms \(no local copy: .*does not match \(the file is corrupt\)/);
  }, 120_000);

  it('local - a job submitted over REST may keep its copies only in directories the cluster allows', async () => {
    const args = ['run', '-m', base.replace('http://', ''), '-d', '-D', 'state.backend.local-recovery=true', '-D', `execution.checkpointing.local-backup.dirs=${join(root, 'ok')};/etc/miniflink-local`, 'test/jobs/regions-job.ts', join(root, 'never'), '10', join(root, 'never.gate')];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(1);
    expect(r.stderr).toContain('The execution.checkpointing.local-backup.dirs /etc/miniflink-local is not inside a configured savepoint or checkpoint directory');
  });

  it('local - missing copies fall back to checkpoint storage; exactly once', async () => {
    const { restored } = await run('missing', 'leveldb', (dir) => rmSync(dir, { recursive: true, force: true }));
    expect((restored['subtasks'] as Array<{ source: string }>).some((s) => s.source === 'remote')).toBe(true);
    expect(taskManagerLog()).toMatch(/no local copy: .*is missing/);
  }, 120_000);
});
