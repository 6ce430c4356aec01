/**
 * Fault injection (issue 9 B3, a miniflink extension) on a real cluster: each endpoint's 202 body,
 * its 400s, 404s and 409s in Flink's `{"errors": [...]}` shape; an injected subtask failure named in
 * /jobs/:id/exceptions and survived by a restart with exact results; checkpoint faults (fail, stall)
 * counted as failed checkpoints; a TaskManager killed, its threads replaced and the job running
 * again to exact results; and the `fail` CLI action wrapping all three.
 *
 * The jobs are test/jobs/savepoint-job.ts with `gate=<file>`: its source holds at the middle until
 * the file exists, so each job is still running while faults are injected, however busy the machine.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-faults-'));
let cluster: ChildProcess | undefined;
let base = '';
let m: string[] = [];

const N = 200_000;
const K = 100;
const JOB = 'test/jobs/savepoint-job.ts';
const UNKNOWN_JOB = '0123456789abcdef0123456789abcdef';
/** Restarts 100 ms apart, checkpoint failures tolerated (so checkpoint faults show as failed checkpoints, not restarts), a 3 s checkpoint timeout (a stalled checkpoint expires soon). */
const JOB_SETTINGS = [
  'restart-strategy.type=fixed-delay',
  'restart-strategy.fixed-delay.attempts=20',
  'restart-strategy.fixed-delay.delay=100 ms',
  'execution.checkpointing.tolerable-failed-checkpoints=1000',
  'execution.checkpointing.timeout=3 s',
].flatMap((s) => ['-D', s]);

beforeAll(async () => {
  ({ cluster, base } = await startCluster(['local.number-taskmanager=2', 'taskmanager.numberOfTaskSlots=2', 'cluster.taskmanager.restart-delay=200 ms', `web.upload.dir=${join(root, 'uploads')}`, `rest.savepoint-dirs.allowed=${root}`]));
  m = ['-m', base.replace('http://', '')];
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

type Json = Record<string, any>;
const get = async (path: string): Promise<Json> => (await (await fetch(`${base}${path}`)).json()) as Json;
/** A POST; the body as JSON unless it is a string (sent as is). */
const post = async (path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; body: Json }> => {
  const res = await fetch(`${base}${path}`, { method: 'POST', ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': type } } : {}) });
  return { status: res.status, body: (await res.json()) as Json };
};

/** The CLI; a failed test prints every command it ran and the cluster's jobs with their exceptions. */
const runCli = recordingCli(afterEach, async () => {
  const { jobs } = await get('/jobs/overview');
  const lines = await Promise.all((jobs as Json[]).map(async (j) => `${j.jid} ${j.name} ${j.state} exceptions: ${JSON.stringify((await get(`/jobs/${j.jid}/exceptions`)).exceptionHistory)}`));
  return `Jobs on the cluster:\n${lines.join('\n')}`;
});

/** Polls until `check` returns a value (not undefined); fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The job's details once it is RUNNING with every subtask RUNNING. */
const allRunning = (jobId: string) =>
  until(`job ${jobId} running with every subtask running`, async () => {
    const d = await get(`/jobs/${jobId}`);
    // Every subtask, not every vertex: a vertex is RUNNING once one of its subtasks is (Flink's aggregate state).
    return d.state === 'RUNNING' && (d.vertices as Json[]).every((v) => (v.tasks as Record<string, number>).RUNNING === v.parallelism) ? d : undefined;
  });

const restarts = async (jobId: string) => Number(((await get(`/jobs/${jobId}/metrics?get=numRestarts`)) as unknown as Array<{ value: string }>)[0]!.value);

/** Submits a gated savepoint-job (-p 2) detached; resolves with its id, out dir and gate file once every subtask runs. */
async function gatedJob(name: string, ...options: string[]): Promise<{ jobId: string; out: string; gate: string; details: Json }> {
  const out = join(root, `out-${name}`);
  const gate = join(root, `gate-${name}`);
  const r = await runCli(['run', ...m, '-d', '-p', '2', ...JOB_SETTINGS, JOB, out, String(N), String(K), 'run', `gate=${gate}`, ...options]);
  expect(r.code, r.stderr).toBe(0);
  const jobId = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const details = await allRunning(jobId);
  return { jobId, out, gate, details };
}

/** Opens the gate and checks the finished job's output: every record once, every key's count exact. */
async function expectExactResults(job: { jobId: string; out: string; gate: string }): Promise<void> {
  writeFileSync(job.gate, '');
  const state = await until(`job ${job.jobId} to end`, async () => {
    const s = (await get(`/jobs/${job.jobId}`)).state as string;
    return ['FINISHED', 'FAILED', 'CANCELED'].includes(s) ? s : undefined;
  }, 120_000);
  expect(state).toBe('FINISHED');
  const seen = new Uint8Array(N + 1);
  let total = 0;
  let twice = 0;
  const maxCount = new Map<number, number>();
  for (const f of readdirSync(job.out).filter((x) => x.startsWith('part-'))) {
    for (const l of readFileSync(join(job.out, f), 'utf8').split('\n')) {
      if (!l) continue;
      const [x, k, c] = l.split(',').map(Number) as [number, number, number];
      if (seen[x]) twice++;
      seen[x] = 1;
      total++;
      maxCount.set(k, Math.max(maxCount.get(k) ?? 0, c));
    }
  }
  expect(twice).toBe(0);
  expect(total).toBe(N);
  expect(maxCount.size).toBe(K);
  expect([...maxCount.values()].every((c) => c === N / K)).toBe(true);
}

/** A failed checkpoint count that has grown past `than`. */
const failedCheckpoints = (jobId: string, than: number, what: string) =>
  until(what, async () => {
    const s = await get(`/jobs/${jobId}/checkpoints`);
    return (s.counts.failed as number) > than ? s : undefined;
  });

describe('fault injection (REST)', () => {
  let a: Awaited<ReturnType<typeof gatedJob>>;
  beforeAll(async () => {
    a = await gatedJob('a');
  }, 120_000);

  it('faults - a subtask failure answers 202 with what was injected; the exceptions name InjectedFailure; the job restarts', async () => {
    const count = a.details.vertices[1] as Json;
    const before = await restarts(a.jobId);
    const r = await post(`/jobs/${a.jobId}/vertices/${count.id}/subtasks/1/fail`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      injected: 'subtask-failure',
      exceptionName: 'InjectedFailure',
      jobId: a.jobId,
      vertexId: count.id,
      subtaskIndex: 1,
      attempt: before,
      taskName: `${count.name} (2/2)#${before}`,
    });
    const entry = await until('an InjectedFailure in the exception history', async () => {
      const { exceptionHistory } = await get(`/jobs/${a.jobId}/exceptions`);
      return (exceptionHistory.entries as Json[]).find((e) => e.exceptionName === 'InjectedFailure');
    });
    expect(entry.taskName).toBe(r.body.taskName);
    expect(entry.stacktrace).toContain('InjectedFailure');
    await until('a restart', async () => ((await restarts(a.jobId)) > before ? true : undefined));
    const d = await allRunning(a.jobId);
    expect(d.timestamps.RESTARTING).toBeGreaterThan(0);
    // Under /v1 too, as every route.
    const v1 = await post(`/v1/jobs/${a.jobId}/vertices/${count.id}/subtasks/0/fail`);
    expect([v1.status, v1.body.subtaskIndex]).toEqual([202, 0]);
    await until('a second restart', async () => ((await restarts(a.jobId)) > before + 1 ? true : undefined));
    await allRunning(a.jobId);
  }, 120_000);

  it('faults - checkpoint faults: fail declines (failed count up, the fault named), stall withholds the acknowledgement until the checkpoint expires', async () => {
    await allRunning(a.jobId);
    const restartsBefore = await restarts(a.jobId);
    const source = a.details.vertices[0] as Json;
    const before = (await get(`/jobs/${a.jobId}/checkpoints`)).counts.failed as number;
    const r = await post(`/jobs/${a.jobId}/checkpoints/faults`, { kind: 'fail', count: 2 });
    expect(r.status).toBe(202);
    // Default: subtask 0 of the first vertex.
    expect(r.body).toEqual({ injected: 'checkpoint-faults', jobId: a.jobId, kind: 'fail', count: 2, vertexId: source.id, subtaskIndex: 0 });
    // Two checkpoints failed, each declined by the fault (a checkpoint that timed out on a busy machine is not one of them).
    const failed = await until('two checkpoints declined by the fault', async () => {
      const st = await get(`/jobs/${a.jobId}/checkpoints`);
      const declined = (st.history as Json[]).filter((h) => h.status === 'FAILED' && String(h.failure_message).includes('declined by fault injection'));
      return declined.length >= 2 ? st : undefined;
    });
    expect(failed.counts.failed).toBeGreaterThanOrEqual(before + 2);
    // Checkpoints complete again after the two.
    const completed = failed.counts.completed as number;
    await until('a completed checkpoint after the faults', async () => ((await get(`/jobs/${a.jobId}/checkpoints`)).counts.completed > completed ? true : undefined));

    const count = a.details.vertices[1] as Json;
    const mid = (await get(`/jobs/${a.jobId}/checkpoints`)).counts.failed as number;
    const s = await post(`/jobs/${a.jobId}/checkpoints/faults`, { kind: 'stall', count: 1, vertex: count.id, subtask: 1 });
    expect(s.status).toBe(202);
    expect(s.body).toEqual({ injected: 'checkpoint-faults', jobId: a.jobId, kind: 'stall', count: 1, vertexId: count.id, subtaskIndex: 1 });
    const stalled = await until('the stalled checkpoint to expire', async () => {
      const st = await get(`/jobs/${a.jobId}/checkpoints`);
      // Every subtask but the stalled one acknowledged it.
      const expired = (st.history as Json[]).find((h) => h.status === 'FAILED' && String(h.failure_message).includes('expired') && h.num_acknowledged_subtasks === h.num_subtasks - 1);
      return st.counts.failed > mid && expired ? st : undefined;
    });
    expect(stalled.counts.failed).toBeGreaterThan(mid);
    // Tolerated failed checkpoints: no restart.
    expect(await restarts(a.jobId)).toBe(restartsBefore);
    expect((await get(`/jobs/${a.jobId}`)).state).toBe('RUNNING');
  }, 120_000);

  it('faults - a savepoint aborted while an earlier checkpoint is in flight does not drop that checkpoint\'s barriers', async () => {
    const run = await runCli(['run', ...m, '-d', 'test/jobs/slow-barrier-job.ts']);
    expect(run.code).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    try {
      // Checkpoint 1 is in flight: its barrier waits behind the sink's backlog for seconds.
      await until('checkpoint 1 in progress', async () => ((await get(`/jobs/${jobId}/checkpoints`)).counts?.in_progress >= 1 ? true : undefined));
      // The source declines the next one: the savepoint, which is aborted while checkpoint 1 is still in flight.
      expect((await post(`/jobs/${jobId}/checkpoints/faults`, { kind: 'fail', count: 1 })).status).toBe(202);
      expect((await post(`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp-aborted') })).status).toBe(202);
      // Checkpoint 1 still completes (before the fix its barriers were dropped and it expired after 30 s).
      const done = await until('checkpoint 1 to end', async () => {
        const h = ((await get(`/jobs/${jobId}/checkpoints`)).history as Json[]).find((x) => x.id === 1);
        return h && h.status !== 'IN_PROGRESS' ? h : undefined;
      }, 25_000);
      expect(done.status).toBe('COMPLETED');
    } finally {
      await fetch(`${base}/jobs/${jobId}`, { method: 'PATCH' });
    }
  }, 60_000);

  it('faults - 400 for malformed ids, indexes and bodies, 404 for unknown jobs, vertices and TaskManagers, 409 for a job that does not run', async () => {
    const count = a.details.vertices[1] as Json;
    const faults = `/jobs/${a.jobId}/checkpoints/faults`;
    const cases: Array<[string, unknown, number, string]> = [
      // subtask failure
      [`/jobs/xyz/vertices/${count.id}/subtasks/0/fail`, undefined, 400, 'Cannot resolve path parameter (jobid) from value "xyz"'],
      [`/jobs/${a.jobId}/vertices/${count.id}/subtasks/abc/fail`, undefined, 400, 'Cannot resolve path parameter (subtaskindex) from value "abc"'],
      [`/jobs/${a.jobId}/vertices/${count.id}/subtasks/-1/fail`, undefined, 400, 'Cannot resolve path parameter (subtaskindex) from value "-1"'],
      [`/jobs/${a.jobId}/vertices/${count.id}/subtasks/2/fail`, undefined, 400, `Subtask index 2 is out of range: vertex '${count.name}' (${count.id}) has parallelism 2 (subtasks 0 to 1).`],
      [`/jobs/${UNKNOWN_JOB}/vertices/${count.id}/subtasks/0/fail`, undefined, 404, `Job ${UNKNOWN_JOB} not found`],
      [`/jobs/${a.jobId}/vertices/${UNKNOWN_JOB}/subtasks/0/fail`, undefined, 404, `No vertex with ID '${UNKNOWN_JOB}' exists.`],
      // TaskManager kill
      ['/taskmanagers/no-such-tm/kill', undefined, 404, 'Could not find TaskExecutor no-such-tm.'],
      // checkpoint faults
      [faults, '{"kind": "fail",', 400, 'Request did not match expected format (malformed JSON).'],
      [faults, '[1]', 400, 'the body must be a JSON object'],
      [faults, {}, 400, 'kind is required (one of fail, stall)'],
      [faults, { kind: 'explode' }, 400, 'kind must be one of fail, stall, got "explode"'],
      [faults, { kind: 'fail', count: -1 }, 400, 'count must be a positive integer, got -1'],
      [faults, { kind: 'fail', count: 0 }, 400, 'count must be a positive integer, got 0'],
      [faults, { kind: 'fail', count: 1.5 }, 400, 'count must be a positive integer, got 1.5'],
      [faults, { kind: 'fail', count: '2' }, 400, 'count must be a positive integer, got "2"'],
      [faults, { kind: 'fail', subtask: -1 }, 400, 'subtask must be a non-negative integer, got -1'],
      [faults, { kind: 'fail', vertex: 7 }, 400, 'vertex must be a string'],
      [faults, { kind: 'stall', vertex: count.id, subtask: 2 }, 400, `Subtask 2 is out of range: vertex '${count.name}' (${count.id}) has parallelism 2`],
      [faults, { kind: 'stall', vertex: UNKNOWN_JOB }, 404, `No vertex with ID '${UNKNOWN_JOB}' exists.`],
      [`/jobs/${UNKNOWN_JOB}/checkpoints/faults`, { kind: 'fail' }, 404, `Job ${UNKNOWN_JOB} not found`],
      [`/jobs/nothex/checkpoints/faults`, { kind: 'fail' }, 400, 'Cannot resolve path parameter (jobid) from value "nothex"'],
    ];
    for (const [path, body, status, message] of cases) {
      const r = await post(path, body);
      expect([r.status, Object.keys(r.body)], `${path} ${JSON.stringify(body)}`).toEqual([status, ['errors']]);
      expect(r.body.errors[0], `${path} ${JSON.stringify(body)}`).toContain(message);
    }
    // curl -d sends form-urlencoded: the body is read as JSON all the same.
    const form = await post(faults, '{"kind": "nope"}', 'application/x-www-form-urlencoded');
    expect([form.status, form.body.errors[0]]).toEqual([400, expect.stringContaining('kind must be one of fail, stall')]);

    // A finished job without checkpointing: 409 for a subtask failure; 400 for checkpoint faults (checkpointing is off).
    const done = await runCli(['run', ...m, 'test/jobs/client-job.ts', '50']);
    expect(done.code, done.stderr).toBe(0);
    const finished = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(done.stdout)![1]!;
    const fv = ((await get(`/jobs/${finished}`)).vertices as Json[])[0]!;
    const late = await post(`/jobs/${finished}/vertices/${fv.id}/subtasks/0/fail`);
    expect([late.status, late.body.errors[0]]).toEqual([409, `Job ${finished} is FINISHED: a subtask failure can be injected only into a RUNNING job.`]);
    const off = await post(`/jobs/${finished}/checkpoints/faults`, { kind: 'fail' });
    expect([off.status, off.body.errors[0]]).toEqual([400, `Checkpointing is not enabled for job ${finished}.`]);
    // Nothing above harmed the job.
    expect((await get(`/jobs/${a.jobId}`)).state).toBe('RUNNING');
  }, 120_000);

  it('faults - after the injected failures the job ends with exact results', async () => {
    await expectExactResults(a);
  }, 180_000);

  it('faults - a TaskManager kill answers 202; its slot threads are replaced and the job runs again to exact results', async () => {
    const b = await gatedJob('b');
    const vertex = (await get(`/jobs/${b.jobId}/vertices/${(b.details.vertices as Json[])[0]!.id}`)) as Json;
    const tmId = (vertex.subtasks as Json[])[0]!['taskmanager-id'] as string;
    const before = await restarts(b.jobId);
    // Every task on the TaskManager fails with it (Flink lists each in the exception history).
    let onTm = 0;
    for (const v of b.details.vertices as Json[]) onTm += (((await get(`/jobs/${b.jobId}/vertices/${v.id}`)) as Json).subtasks as Json[]).filter((x) => x['taskmanager-id'] === tmId).length;
    const r = await post(`/taskmanagers/${tmId}/kill`);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ injected: 'taskmanager-kill', taskManagerId: tmId, slots: expect.any(Array), restartDelay: '200 ms' });
    expect(r.body.slots).toHaveLength(2);
    // The loss shows in the exception history, and the job restarts (JobManager-side handling of lost slots, issue 9 B1).
    await until('the lost TaskManager in the exception history', async () => (((await get(`/jobs/${b.jobId}/exceptions`)).exceptionHistory.entries as Json[]).length > 0 ? true : undefined));
    await until('a restart after the kill', async () => ((await restarts(b.jobId)) > before ? true : undefined));
    const entries = (await get(`/jobs/${b.jobId}/exceptions`)).exceptionHistory.entries as Json[];
    const kill = entries[0]!;
    // Its slot threads end one after the other: every task of the first is listed, the next
    // thread's tasks as far as the restart had not begun canceling them (those end CANCELED).
    expect(onTm).toBeGreaterThan(2);
    expect(1 + (kill.concurrentExceptions as Json[]).length, JSON.stringify(entries).slice(0, 2000)).toBeGreaterThan(2);
    await allRunning(b.jobId);
    // The job got its slots back: the killed TaskManager's replaced threads run its subtask again.
    const again = (await get(`/jobs/${b.jobId}/vertices/${(b.details.vertices as Json[])[0]!.id}`)) as Json;
    expect((again.subtasks as Json[])[0]!['taskmanager-id']).toBe(tmId);
    expect((again.subtasks as Json[])[0]!.status).toBe('RUNNING');
    await expectExactResults(b);
  }, 180_000);
});

describe('a stop interrupted by a failure (Flink: the stop fails, the job recovers)', () => {
  /** Polls the stop's asynchronous operation until it completed; returns its operation. */
  const stopResult = (jobId: string, triggerId: string) =>
    until('the stop operation to complete', async () => {
      const r = await get(`/jobs/${jobId}/savepoints/${triggerId}`);
      return r.status.id === 'COMPLETED' ? (r.operation as Json) : undefined;
    });

  it('stop --drain - a task failing while the drain waits for its savepoint fails the stop; the job restarts and ends with exact results', async () => {
    const d = await gatedJob('drain-failure');
    // The drain's savepoint stalls at one subtask, so the failure surely comes while it waits.
    expect((await post(`/jobs/${d.jobId}/checkpoints/faults`, { kind: 'stall', count: 1 })).status).toBe(202);
    const stop = await post(`/jobs/${d.jobId}/stop`, { drain: true, targetDirectory: join(root, 'sp-drain-failure') });
    expect(stop.status).toBe(202);
    await until('the drain savepoint in progress', async () => (((await get(`/jobs/${d.jobId}/checkpoints`)).counts.in_progress as number) > 0 ? true : undefined));
    const before = await restarts(d.jobId);
    const count = d.details.vertices[1] as Json;
    expect((await post(`/jobs/${d.jobId}/vertices/${count.id}/subtasks/0/fail`)).status).toBe(202);
    const op = await stopResult(d.jobId, stop.body['request-id'] as string);
    expect(op.location).toBeUndefined();
    expect(op['failure-cause']['stack-trace']).toContain('a task failed before its savepoint completed');
    await until('a restart', async () => ((await restarts(d.jobId)) > before ? true : undefined));
    await allRunning(d.jobId);
    await expectExactResults(d);
  }, 180_000);

  it('stop - a task failing as the tasks finish after the savepoint fails the stop; the job recovers from that savepoint and ends with exact results', async () => {
    const s = await gatedJob('stop-failure', 'fail-on-close');
    const before = await restarts(s.jobId);
    const stop = await post(`/jobs/${s.jobId}/stop`, { drain: false, targetDirectory: join(root, 'sp-stop-failure') });
    expect(stop.status).toBe(202);
    const op = await stopResult(s.jobId, stop.body['request-id'] as string);
    expect(op.location).toBeUndefined();
    expect(op['failure-cause']['stack-trace']).toContain('Inconsistent execution state after stopping with savepoint');
    expect(op['failure-cause']['stack-trace']).toContain('close() fails on the first attempt');
    await until('a restart', async () => ((await restarts(s.jobId)) > before ? true : undefined));
    await allRunning(s.jobId);
    // The FileSink committed up to the savepoint: recovering from it (not an older checkpoint) keeps every record once.
    await expectExactResults(s);
  }, 180_000);
});

describe('fault injection (CLI)', () => {
  it('fail - subtask, checkpoint and taskmanager print one line saying what was injected', async () => {
    const c = await gatedJob('c');
    const [source, count] = c.details.vertices as Json[];
    const before = await restarts(c.jobId);
    const sub = await runCli(['fail', ...m, c.jobId, 'subtask', count!.id, '0']);
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(0);
    expect(sub.stdout).toBe(`Injected InjectedFailure into ${count!.name} (1/2)#${before} (vertex ${count!.id}, subtask 0, attempt ${before}) of job ${c.jobId}.\n`);
    await until('a restart', async () => ((await restarts(c.jobId)) > before ? true : undefined));
    await allRunning(c.jobId);

    const failedBefore = (await get(`/jobs/${c.jobId}/checkpoints`)).counts.failed as number;
    const ck = await runCli(['fail', ...m, c.jobId, 'checkpoint', 'fail', '2']);
    expect(ck.stderr).toBe('');
    expect(ck.stdout).toBe(`Injected 2 checkpoint faults (fail) into job ${c.jobId}: for its next 2 checkpoints, subtask 0 of vertex ${source!.id} declines in its asynchronous part.\n`);
    await failedCheckpoints(c.jobId, failedBefore + 1, 'two failed checkpoints');
    const stall = await runCli(['fail', ...m, c.jobId, 'checkpoint', 'stall', '--vertex', count!.id, '--subtask', '1']);
    expect(stall.stderr).toBe('');
    expect(stall.stdout).toBe(`Injected 1 checkpoint fault (stall) into job ${c.jobId}: for its next checkpoint, subtask 1 of vertex ${count!.id} withholds its acknowledgement until the checkpoint times out.\n`);

    const tm = ((await get('/taskmanagers')).taskmanagers as Json[])[1]!;
    const kill = await runCli(['fail', ...m, c.jobId, 'taskmanager', tm.id]);
    expect(kill.stderr).toBe('');
    expect(kill.code).toBe(0);
    expect(kill.stdout).toMatch(new RegExp(`^Killed TaskManager ${tm.id}: its slot threads \\(slots \\d+, \\d+\\) were terminated and are replaced after 200 ms \\(cluster\\.taskmanager\\.restart-delay\\)\\.\\n$`));
    await allRunning(c.jobId);
    await runCli(['cancel', ...m, c.jobId]);
  }, 180_000);

  it('fail - errors exit 1: argument errors with the help hint, cluster refusals as Flink-style lines without frames', async () => {
    const argErrors: Array<[string[], string]> = [
      [['fail'], 'Missing JobID. Specify a Job ID to inject a fault into.'],
      [['fail', 'xyz'], 'Cannot parse JobID from "xyz".'],
      [['fail', UNKNOWN_JOB], 'Missing fault: specify subtask, taskmanager or checkpoint.'],
      [['fail', UNKNOWN_JOB, 'network'], 'Unknown fault "network": expected subtask, taskmanager or checkpoint.'],
      [['fail', UNKNOWN_JOB, 'subtask', UNKNOWN_JOB], 'Missing subtask index. Syntax: fail <Job ID> subtask <Vertex ID> <subtask index>'],
      [['fail', UNKNOWN_JOB, 'subtask', UNKNOWN_JOB, 'x'], 'The subtask index must be a non-negative integer: x'],
      [['fail', UNKNOWN_JOB, 'subtask', UNKNOWN_JOB, '0', 'extra'], 'Too many arguments: extra.'],
      [['fail', UNKNOWN_JOB, 'taskmanager'], 'Missing TaskManager ID.'],
      [['fail', UNKNOWN_JOB, 'checkpoint'], 'Missing checkpoint fault: expected fail or stall.'],
      [['fail', UNKNOWN_JOB, 'checkpoint', 'explode'], 'Unknown checkpoint fault "explode": expected fail or stall.'],
      [['fail', UNKNOWN_JOB, 'checkpoint', 'fail', '0'], 'The count must be a positive integer: 0'],
      [['fail', UNKNOWN_JOB, 'subtask', UNKNOWN_JOB, '0', '--subtask', '1'], '--vertex and --subtask are options of "fail <Job ID> checkpoint" only.'],
    ];
    for (const [args, message] of argErrors) {
      const r = await runCli([...args, ...m]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr, args.join(' ')).toContain('Use the help option (-h or --help) to get help on the command.');
    }
    const headline = `Could not inject a fault into job ${UNKNOWN_JOB}.`;
    const refused: Array<[string[], string]> = [
      [['subtask', UNKNOWN_JOB, '0'], `Job ${UNKNOWN_JOB} not found`],
      [['taskmanager', 'no-such-tm'], `Job ${UNKNOWN_JOB} not found`],
      [['checkpoint', 'stall'], `Job ${UNKNOWN_JOB} not found`],
    ];
    for (const [args, cause] of refused) {
      const r = await runCli(['fail', ...m, UNKNOWN_JOB, ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(' The program finished with the following exception:');
      expect(r.stderr).toContain(headline);
      expect(r.stderr).toContain(`Caused by: MiniFlinkError [MF_ERR_JOB_NOT_FOUND]: `);
      expect(r.stderr).toContain(cause);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    // An existing job, a TaskManager that does not exist; an index out of range.
    const { jobs } = await get('/jobs/overview');
    const any = (jobs as Json[])[0]!.jid as string;
    const noTm = await runCli(['fail', ...m, any, 'taskmanager', 'no-such-tm']);
    expect(noTm.code).toBe(1);
    expect(noTm.stderr).toContain(`Could not inject a fault into job ${any}.`);
    expect(noTm.stderr).toContain('Could not find TaskExecutor no-such-tm.');
    const v = ((await get(`/jobs/${any}`)).vertices as Json[])[0]!;
    const range = await runCli(['fail', ...m, any, 'subtask', v.id, '99']);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('Subtask index 99 is out of range');
    expect(range.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
