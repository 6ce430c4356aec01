/**
 * Chaos: the exactly-once job (keyed counting into a FileSink) and a variant with an async sink
 * chained to its source run on a standalone cluster (2 TaskManagers x 2 slots) while faults of every
 * kind are injected at random moments drawn from a seeded generator: a subtask failure, a whole
 * TaskManager killed, checkpoints declined or stalled, and a user function that blocks its thread
 * (a hang the heartbeat finds), some of them during checkpoints and during recovery itself. Then:
 * every record exactly once with exact per-key counts (keyed), no record lost (the appending sink
 * is at least once), every slot free again, and the cluster stops cleanly.
 *
 * Each case runs under its own recovery settings, so that between them local recovery is on and
 * off, failover by region and full (the async-sink job is two pipelined regions), and checkpoints
 * aligned, unaligned from the start, and aligned switching to unaligned after a timeout; one
 * case hands batches within a slot thread over by reference (pipeline.local-exchange.by-reference).
 *
 * `npm test` runs one fault of each kind per job and backend with a fixed seed; MINIFLINK_SOAK=1
 * runs ten of each. MINIFLINK_CHAOS_SEED=<n> replays a seed (printed in each test's name).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const SOAK = process.env['MINIFLINK_SOAK'] === '1';
const PER_KIND = SOAK ? 10 : 1;
const SEED = Number(process.env['MINIFLINK_CHAOS_SEED'] ?? 20261205);
const N = SOAK ? 400_000 : 60_000;
const K = 7;

const root = mkdtempSync(join(tmpdir(), 'miniflink-chaos-'));
let cluster: ChildProcess | undefined;
let base = '';
beforeAll(async () => {
  ({ cluster, base } = await startCluster([
    'local.number-taskmanager=2',
    'taskmanager.numberOfTaskSlots=2',
    'cluster.taskmanager.restart-delay=200 ms',
    'heartbeat.interval=300 ms',
    'heartbeat.timeout=3 s',
    `web.upload.dir=${join(root, 'uploads')}`,
  ]));
}, 60_000);
afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

/** mulberry32: a small seeded generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, any>;
const post = (path: string, body?: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });

async function waitForState(jobId: string, states: string[], timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = (await get(`/jobs/${jobId}`))['state'] as string;
    if (states.includes(s)) return s;
    if (Date.now() > end) throw new Error(`job ${jobId} is ${s}, not ${states.join('|')}, after ${timeoutMs} ms`);
    await sleep(100);
  }
}

type Fault = 'subtask' | 'taskmanager' | 'checkpoint-fail' | 'checkpoint-stall' | 'hang';

/** Injects one fault; retries while the job is between attempts (a subtask fault needs a running task). */
async function inject(jobId: string, fault: Fault, random: () => number, hangFile: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const job = await get(`/jobs/${jobId}`);
    const vertices = job['vertices'] as Array<{ id: string; parallelism: number }>;
    if (fault === 'hang') {
      writeFileSync(hangFile, '');
      return 'hang';
    }
    if (fault === 'checkpoint-fail' || fault === 'checkpoint-stall') {
      const v = vertices[Math.floor(random() * vertices.length)]!;
      const r = await post(`/jobs/${jobId}/checkpoints/faults`, { kind: fault === 'checkpoint-fail' ? 'fail' : 'stall', count: 1, vertex: v.id, subtask: Math.floor(random() * v.parallelism) });
      if (r.status === 202) return `${fault} ${JSON.stringify(await r.json())}`;
    } else if (fault === 'subtask') {
      const v = vertices[Math.floor(random() * vertices.length)]!;
      const r = await post(`/jobs/${jobId}/vertices/${v.id}/subtasks/${Math.floor(random() * v.parallelism)}/fail`);
      if (r.status === 202) return `subtask ${JSON.stringify(await r.json())}`;
    } else {
      const v = vertices[Math.floor(random() * vertices.length)]!;
      const subtasks = ((await get(`/jobs/${jobId}/vertices/${v.id}`))['subtasks'] as Array<{ 'taskmanager-id': string }>).map((s) => s['taskmanager-id']).filter((t) => t !== '(unassigned)');
      if (subtasks.length > 0) {
        const tm = subtasks[Math.floor(random() * subtasks.length)]!;
        const r = await post(`/taskmanagers/${tm}/kill`);
        if (r.status === 202) return `taskmanager ${JSON.stringify(await r.json())}`;
      }
    }
    await sleep(100);
  }
  throw new Error(`could not inject ${fault} into job ${jobId}`);
}

function readLines(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
}

const LOCAL = ['state.backend.local-recovery=true'];
const REGION = ['jobmanager.execution.failover-strategy=region'];
const FULL = ['jobmanager.execution.failover-strategy=full'];
const UNALIGNED = ['execution.checkpointing.unaligned.enabled=true'];
const SWITCHING = [...UNALIGNED, 'execution.checkpointing.aligned-checkpoint-timeout=100ms'];
/** [job, backend, what the settings are, -D settings]. */
const cases: Array<[string, string, string, string[]]> = [
  ['keyed', 'hashmap', 'local recovery, unaligned', [...LOCAL, ...REGION, ...UNALIGNED]],
  ['keyed', 'leveldb', 'local recovery, full failover, aligned', [...LOCAL, ...FULL]],
  ['keyed', 'leveldb', 'no local recovery, aligned switching to unaligned', [...FULL, ...SWITCHING]],
  ['async-sink', 'hashmap', 'no local recovery, full failover, unaligned', [...FULL, ...UNALIGNED]],
  ['async-sink', 'leveldb', 'local recovery, region failover, aligned', [...LOCAL, ...REGION]],
  ['keyed', 'hashmap', 'local exchange by reference, region failover, aligned switching to unaligned', [...REGION, ...SWITCHING, 'pipeline.local-exchange.by-reference=true']],
];

describe('chaos', () => {
  it.each(cases)(`chaos - %s job on %s (%s) under random faults (seed ${SEED})`, async (mode, backend, what, settings) => {
    const index = cases.findIndex((c) => c[0] === mode && c[1] === backend && c[2] === what);
    const random = generator(SEED + index);
    const name = `${mode}-${backend}-${index}`;
    const out = join(root, name);
    const gate = join(root, `${name}.gate`);
    const hang = join(root, `${name}.hang`);
    const args = ['run', '-m', base.replace('http://', ''), '-d', ...settings.flatMap((x) => ['-D', x]), 'test/jobs/chaos-job.ts', mode, out, String(N), backend, gate, hang];
    const run = await runCli(args);
    expect(run.code, explain(args, run)).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING'], 30_000);
    const kinds: Fault[] = mode === 'keyed' ? ['subtask', 'taskmanager', 'checkpoint-fail', 'checkpoint-stall', 'hang'] : ['subtask', 'taskmanager', 'checkpoint-fail', 'checkpoint-stall'];
    const plan = kinds.flatMap((k) => Array.from({ length: PER_KIND }, () => k));
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
    const injected: string[] = [];
    for (const fault of plan) {
      // Some faults follow the previous one closely: during its recovery, or during a checkpoint.
      await sleep(random() < 0.3 ? random() * 150 : 300 + random() * 1200);
      if (fault === 'hang') {
        // One hang at a time: the previous one must have been found.
        for (let i = 0; existsSync(hang) && i < 200; i++) await sleep(100);
      }
      injected.push(await inject(jobId, fault, random, hang));
    }
    writeFileSync(gate, '');
    const state = await waitForState(jobId, ['FINISHED', 'FAILED', 'CANCELED'], SOAK ? 600_000 : 180_000);
    const exceptions = JSON.stringify((await get(`/jobs/${jobId}/exceptions`))['exceptionHistory']).slice(0, 3000);
    const why = `seed ${SEED}; injected:\n${injected.join('\n')}\nexceptions: ${exceptions}`;
    expect(state, why).toBe('FINISHED');
    if (mode === 'keyed') {
      const lines = readLines(out, 'part-');
      const seen = new Map<number, number>();
      const counts = new Map<number, number[]>();
      for (const l of lines) {
        const [x, key, c] = l.split(',').map(Number) as [number, number, number];
        seen.set(x, (seen.get(x) ?? 0) + 1);
        counts.set(key, [...(counts.get(key) ?? []), c]);
      }
      expect([...seen].filter(([, c]) => c > 1).slice(0, 10), why).toEqual([]);
      expect(seen.size, why).toBe(N);
      for (let k = 0; k < K; k++) {
        const expected = Array.from({ length: Math.floor((N - k) / K) + (k === 0 ? 0 : 1) }, (_, i) => i + 1);
        expect(counts.get(k)!.sort((a, b) => a - b), `${why}\nkey ${k}`).toEqual(expected);
      }
    } else {
      const seen = new Set(readLines(out, 'sink-').map(Number));
      const missing: number[] = [];
      for (let x = 1; x <= N && missing.length < 10; x++) if (!seen.has(x)) missing.push(x);
      expect(missing, why).toEqual([]);
    }
    // Every slot free again: no subtask, and no slot thread, left behind.
    for (let i = 0; i < 100 && (await get('/overview'))['slots-available'] !== 4; i++) await sleep(100);
    expect(await get('/overview'), why).toMatchObject({ 'slots-total': 4, 'slots-available': 4, taskmanagers: 2 });
  }, SOAK ? 900_000 : 240_000);

  it('chaos - the cluster stops cleanly after the faults', async () => {
    const c = cluster!;
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    c.kill('SIGTERM');
    expect(await Promise.race([exited, sleep(15_000).then(() => 'still running')])).toBe(0);
    cluster = undefined;
  });
});
