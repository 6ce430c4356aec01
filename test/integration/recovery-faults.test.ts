/**
 * Real faults of slot threads take the restart path (issue #9, A7, A8, B1): a user function that
 * ends its thread (process.exit), an uncaught error from a timer, a thread blocked past
 * heartbeat.timeout, a TaskManager killed, and a task that does not end when canceled (the
 * cancellation watchdog terminates and replaces its thread). Every result is checked exactly once
 * through a FileSink. Each test failed before its fix (the job failed with no restart, finished
 * without one, or stayed CANCELLING for good).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explain, recordingCli, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const JOB = 'test/jobs/recovery-faults-job.ts';
const N = 2000;

/** Every committed record of a FileSink's folder, with how often it was written. */
function committed(dir: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const f of readdirSync(dir).filter((x) => x.startsWith('part-'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) counts.set(Number(line), (counts.get(Number(line)) ?? 0) + 1);
  }
  return counts;
}

/** Checks that 1..n were each committed exactly once. */
function expectExactlyOnce(dir: string, n: number): void {
  const counts = committed(dir);
  expect([...counts].filter(([, c]) => c !== 1).slice(0, 10)).toEqual([]);
  expect(counts.size).toBe(n);
  expect(Math.min(...counts.keys())).toBe(1);
  expect(Math.max(...counts.keys())).toBe(n);
}

/** The `<attempt> <subtask> <threadId>` lines the map's subtasks wrote when they opened. */
function marks(file: string): Array<{ attempt: number; subtask: number; thread: number }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').map(Number))
    .map(([attempt, subtask, thread]) => ({ attempt: attempt!, subtask: subtask!, thread: thread! }));
}

describe('recovery - faults of slot threads (local runs)', () => {
  const local = async (mode: string, settings: string[] = []) => {
    const out = join(root, mode);
    const markFile = join(root, `${mode}.marks`);
    const args = ['run', '-t', 'local', '-D', 'cluster.taskmanager.restart-delay=200ms', ...settings.flatMap((s) => ['-D', s]), JOB, mode, out, String(N), markFile];
    const r = await runCli(args, { timeoutMs: 60_000 });
    return { r, why: explain(args, r), out, marks: existsSync(markFile) ? marks(markFile) : [] };
  };

  it('recovery - a user function that calls process.exit ends its slot thread: the job restarts on a replaced thread, every record exactly once', async () => {
    const { r, why, out, marks: m } = await local('exit');
    expect(r.code, why).toBe(0);
    expectExactlyOnce(out, N);
    // Subtask 0 (the one that exited) runs attempt 1 in a new thread; subtask 1, a pipelined region
    // of its own (the job is two forward pipelines), ran on in its thread, never restarted (region failover).
    const thread = (attempt: number, subtask: number) => m.find((x) => x.attempt === attempt && x.subtask === subtask)?.thread;
    expect(thread(1, 0), why).toBeDefined();
    expect(thread(1, 0)).not.toBe(thread(0, 0));
    expect(thread(0, 1)).toBeDefined();
    expect(m.filter((x) => x.subtask === 1).map((x) => x.attempt), why).toEqual([0]);
  });

  it('recovery - an uncaught error thrown from a timer of a user function restarts the job, every record exactly once', async () => {
    const { r, why, out, marks: m } = await local('uncaught');
    expect(r.code, why).toBe(0);
    expect(m.some((x) => x.attempt === 1), `${why}\nmarks: ${JSON.stringify(m)}`).toBe(true);
    expectExactlyOnce(out, N);
  });

  it('recovery - a user function that blocks its thread longer than heartbeat.timeout is taken as a hang: restart, every record exactly once', async () => {
    const { r, why, out, marks: m } = await local('block', ['heartbeat.interval=200ms', 'heartbeat.timeout=1s']);
    expect(r.code, why).toBe(0);
    const thread = (attempt: number, subtask: number) => m.find((x) => x.attempt === attempt && x.subtask === subtask)?.thread;
    expect(thread(1, 0), `${why}\nmarks: ${JSON.stringify(m)}`).toBeDefined();
    expect(thread(1, 0)).not.toBe(thread(0, 0));
    expectExactlyOnce(out, N);
  });
});

describe('recovery - faults on a standalone cluster', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  let m: string[] = [];
  let output = '';
  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['local.number-taskmanager=2', 'taskmanager.numberOfTaskSlots=2', 'cluster.taskmanager.restart-delay=300ms', 'task.cancellation.interval=500ms', 'task.cancellation.timeout=2s']));
    cluster.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    cluster.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    m = ['-m', base.replace('http://', '')];
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  const cli = recordingCli(afterEach, async () => {
    const { jobs } = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: Array<{ jid: string; name: string; state: string }> };
    const lines = await Promise.all(jobs.map(async (j) => `${j.jid} ${j.name} ${j.state} exceptions: ${JSON.stringify(((await (await fetch(`${base}/jobs/${j.jid}/exceptions`)).json()) as { exceptionHistory: unknown }).exceptionHistory)}`));
    return `Jobs on the cluster:\n${lines.join('\n')}\nCluster output:\n${output.slice(-4000)}`;
  });
  const get = async <T>(path: string): Promise<T> => {
    try {
      return (await (await fetch(`${base}${path}`)).json()) as T;
    } catch (e) {
      // The cluster is gone (or did not answer): say how it ended, with its last output.
      throw new Error(`GET ${path} failed: ${String(e)}; cluster exit: ${cluster?.exitCode ?? '-'} signal ${cluster?.signalCode ?? '-'}\nCluster output:\n${output.slice(-6000)}`, { cause: e });
    }
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitFor = async (what: string, test: () => Promise<boolean>, timeoutMs = 30_000) => {
    for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (await test()) return;
    throw new Error(`timed out waiting for ${what}`);
  };
  const state = async (id: string) => (await get<{ state: string }>(`/jobs/${id}`)).state;
  const submit = async (args: string[], options: string[] = []) => {
    const r = await cli(['run', '-d', ...m, ...options, JOB, ...args]);
    const id = /JobID ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    expect(id, explain(['run', '-d', ...m, ...options, JOB, ...args], r)).toBeDefined();
    return id!;
  };
  const exceptions = async (id: string) => (await get<{ exceptionHistory: { entries: Array<{ exceptionName: string; stacktrace: string; taskManagerId?: string }> } }>(`/jobs/${id}/exceptions`)).exceptionHistory.entries;
  const allRunning = async (id: string) => {
    const j = await get<{ vertices: Array<{ status: string }> }>(`/jobs/${id}`);
    return j.vertices.length > 0 && j.vertices.every((v) => v.status === 'RUNNING');
  };

  it('recovery - a task that does not end when canceled: after task.cancellation.timeout its slot thread is replaced, the job ends CANCELED, and the slot runs the next job', async () => {
    const hung = await submit(['hang-sink']);
    await waitFor('the hanging job to run', () => allRunning(hung));
    await sleep(300);
    const canceled = await cli(['cancel', ...m, hung]);
    expect(canceled.code).toBe(0);
    await waitFor('the job to end CANCELED', async () => (await state(hung)) === 'CANCELED', 15_000);
    // The watchdog sent cancel again every interval, then terminated the slot thread.
    expect(output).toMatch(/did not react to cancelling/);
    expect((await exceptions(hung)).map((e) => e.stacktrace).join('\n')).toMatch(/task\.cancellation\.timeout/);
    // The replaced slot (the first free one) runs the next job: every record exactly once.
    const out = join(root, 'after-cancel');
    const gate = join(root, 'after-cancel.gate');
    writeFileSync(gate, '');
    const next = await submit(['gated', out, String(N), gate]);
    await waitFor('the next job to finish', async () => (await state(next)) === 'FINISHED', 30_000);
    expectExactlyOnce(out, N);
  });

  it('recovery - a TaskManager killed while the job runs (both its slot threads): the job restarts once they are back, the exception names the TaskManager, every record exactly once', async () => {
    const out = join(root, 'tm-kill');
    const gate = join(root, 'tm-kill.gate');
    const id = await submit(['gated', out, String(N), gate], ['-D', 'state.backend.type=leveldb']);
    await waitFor('a completed checkpoint', async () => (await get<{ counts?: { completed: number } }>(`/jobs/${id}/checkpoints`)).counts!.completed > 0);
    // The job runs in slots 0 and 1: both threads of the first TaskManager.
    const vertex = (await get<{ vertices: Array<{ id: string }> }>(`/jobs/${id}`)).vertices[0]!.id;
    const victim = (await get<{ subtasks: Array<{ 'taskmanager-id': string }> }>(`/jobs/${id}/vertices/${vertex}`)).subtasks[0]!['taskmanager-id'];
    const killed = await fetch(`${base}/taskmanagers/${victim}/kill`, { method: 'POST' });
    expect(killed.status).toBe(202);
    await waitFor('the failure in the exception history', async () => (await exceptions(id)).length > 0);
    await waitFor('the job running again', async () => (await state(id)) === 'RUNNING' && (await allRunning(id)));
    // The killed threads could not close their LevelDB state: the cluster removed it with them,
    // while the new attempt's state is there.
    const leveldbDirs = (attempt: number) => readdirSync(join(tmpdir(), `miniflink-tm-${victim}`), { recursive: true }).filter((p) => basename(String(p)).startsWith(`leveldb-${id}-${attempt}-`));
    expect(leveldbDirs(0)).toEqual([]);
    expect(leveldbDirs(1).length).toBeGreaterThan(0);
    writeFileSync(gate, '');
    await waitFor('the job to finish', async () => (await state(id)) === 'FINISHED', 30_000);
    const entries = await exceptions(id);
    expect(entries[entries.length - 1]!.stacktrace).toContain(`TaskManager ${victim}`);
    expect(entries[entries.length - 1]!.taskManagerId).toBe(victim);
    expectExactlyOnce(out, N);
  });

  it('recovery - an injected subtask failure restarts the job and shows as InjectedFailure', async () => {
    const out = join(root, 'inject');
    const gate = join(root, 'inject.gate');
    const id = await submit(['gated', out, String(N), gate], ['-D', 'state.backend.type=leveldb']);
    await waitFor('a completed checkpoint', async () => (await get<{ counts?: { completed: number } }>(`/jobs/${id}/checkpoints`)).counts!.completed > 0);
    const vertex = (await get<{ vertices: Array<{ id: string }> }>(`/jobs/${id}`)).vertices[0]!.id;
    const res = await fetch(`${base}/jobs/${id}/vertices/${vertex}/subtasks/1/fail`, { method: 'POST' });
    expect(res.status).toBe(202);
    await waitFor('the failure in the exception history', async () => (await exceptions(id)).length > 0);
    writeFileSync(gate, '');
    await waitFor('the job to finish', async () => (await state(id)) === 'FINISHED', 30_000);
    const [entry] = await exceptions(id);
    expect(entry!.exceptionName).toBe('InjectedFailure');
    expect(entry!.stacktrace).toMatch(/fault injection/);
    expectExactlyOnce(out, N);
  });
});
