/**
 * A real standalone cluster on a free loopback port, driven with real HTTP and the real CLI
 * (issue #4): the seed's workflow (run detached, list, savepoint, cancel with savepoint, run from
 * it at another parallelism, stop) with exact results, and malformed requests that must not hurt.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingCli, resultOf } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-cluster-'));
let cluster: ChildProcess;
let base = '';
let m: string[] = [];

beforeAll(async () => {
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=3', `web.upload.dir=${join(root, 'uploads')}`, `rest.savepoint-dirs.allowed=${join(root, 'sp')};${join(root, 'sp2')};${join(root, 'sp3')};${join(root, 'sp-dispose')}`]));
  m = ['-m', base.replace('http://', '')];
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

/** The CLI; a failed test prints every command it ran and the cluster's jobs with their exceptions. */
const runCli = recordingCli(afterEach, async () => {
  const { jobs } = (await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: Array<{ jid: string; name: string; state: string }> };
  const lines = await Promise.all(jobs.map(async (j) => `${j.jid} ${j.name} ${j.state} exceptions: ${JSON.stringify(((await (await fetch(`${base}/jobs/${j.jid}/exceptions`)).json()) as { exceptionHistory: unknown }).exceptionHistory)}`));
  return `Jobs on the cluster:\n${lines.join('\n')}`;
});

const N = 1_000_000;
const K = 1000;

async function waitForState(jobId: string, states: string[]): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const r = (await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string };
    if (states.includes(r.state)) return r.state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} never reached ${states.join('/')}`);
}

describe('cluster', () => {
  it('cluster - REST overview and config answer in Flink shapes', async () => {
    const o = (await (await fetch(`${base}/overview`)).json()) as Record<string, unknown>;
    expect(o).toMatchObject({ taskmanagers: 1, 'slots-total': 3, 'slots-available': 3, 'jobs-running': 0 });
    const c = (await (await fetch(`${base}/v1/config`)).json()) as Record<string, unknown>;
    expect(c).toMatchObject({ 'refresh-interval': 3000, features: { 'web-submit': true } });
  });

  it('cluster - malformed requests get Flink errors and the cluster keeps serving', async () => {
    const bad: Array<[string, string, RequestInit | undefined, number]> = [
      ['GET', '/jobs/xyz', undefined, 400],
      ['GET', '/jobs/0123456789abcdef0123456789abcdef', undefined, 404],
      ['PATCH', '/jobs/0123456789abcdef0123456789abcdef', undefined, 404],
      ['GET', '/no/such/route', undefined, 404],
      ['POST', '/jobs/0123456789abcdef0123456789abcdef/savepoints', { body: '{bad json', headers: { 'content-type': 'application/json' } }, 400],
      ['POST', '/jars/upload', { body: 'not multipart', headers: { 'content-type': 'text/plain' } }, 400],
      ['POST', '/jars/nope/run', { body: '{}', headers: { 'content-type': 'application/json' } }, 400],
      ['DELETE', '/jars/..%2F..%2Fetc%2Fpasswd', undefined, 400],
      // Found by a review: Fastify's own refusals and malformed ids, now Flink's 400 in Flink's shape.
      ['GET', '/jobs/%ZZ', undefined, 400],
      ['GET', `/jobs/${'a'.repeat(120)}`, undefined, 400],
      ['GET', '/jobs/0123456789abcdef0123456789abcdef/vertices/zz', undefined, 400],
      ['GET', '/jobs/0123456789abcdef0123456789abcdef/savepoints/nothex', undefined, 400],
      ['GET', '/jobs/xyz/metrics', undefined, 400],
      ['GET', '/jobs/0123456789abcdef0123456789abcdef/vertices/zz/metrics', undefined, 400],
      ['PATCH', '/jobs/0123456789abcdef0123456789abcdef/rescaling?parallelism=0x2', undefined, 400],
      ['PATCH', '/jobs/0123456789abcdef0123456789abcdef/rescaling?parallelism=1e9', undefined, 400],
      ['PATCH', '/jobs/0123456789abcdef0123456789abcdef/rescaling?parallelism=%202', undefined, 400],
      ['PATCH', '/jobs/0123456789abcdef0123456789abcdef/rescaling', undefined, 400],
      ['GET', '/jobs/0123456789abcdef0123456789abcdef/exceptions?maxExceptions=5&maxExceptions=6', undefined, 400],
      // Found by a review: a trigger id that is not one is a 400 (Flink parses it), as for savepoints.
      ['GET', '/savepoint-disposal/xyz', undefined, 400],
      ['GET', `/savepoint-disposal/${'0'.repeat(32)}`, undefined, 404],
    ];
    for (const [method, path, init, status] of bad) {
      const res = await fetch(`${base}${path}`, { method, ...init });
      expect(res.status, `${method} ${path}`).toBe(status);
      const body = (await res.json()) as { errors: string[] };
      expect(Array.isArray(body.errors)).toBe(true);
      if (path.endsWith('/rescaling')) expect(body.errors).toEqual(['Bad request, could not parse parameters: One or more mandatory parameters is missing.']);
      if (path === '/jars/nope/run') expect(body.errors[0]).toContain("No uploaded jar has the id 'nope'");
    }
    const outside = await fetch(`${base}/jobs/0123456789abcdef0123456789abcdef/savepoints`, { method: 'POST', body: JSON.stringify({ 'target-directory': '/etc' }), headers: { 'content-type': 'application/json' } });
    // Flink answers a savepoint trigger for an unknown job 202; the failure is in its status.
    expect(outside.status).toBe(202);
    const t = ((await outside.json()) as { 'request-id': string })['request-id'];
    let op: { status: { id: string }; operation: Record<string, any> } = { status: { id: 'IN_PROGRESS' }, operation: {} };
    for (let i = 0; i < 50 && op.status.id !== 'COMPLETED'; i++) op = (await (await fetch(`${base}/jobs/0123456789abcdef0123456789abcdef/savepoints/${t}`)).json()) as typeof op;
    expect(op.operation['failure-cause']['stack-trace']).toContain('Could not find Flink job (0123456789abcdef0123456789abcdef)');
    // An unknown trigger id of an unknown job: Flink looks up the operation, not the job (found by a review).
    for (const kind of ['checkpoint', 'rescaling'] as const) {
      const res = await fetch(`${base}/jobs/0123456789abcdef0123456789abcdef/${kind === 'checkpoint' ? 'checkpoints' : 'rescaling'}/${'1'.repeat(32)}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { errors: string[] }).errors[0]).toBe(`There is no ${kind} operation with triggerId=${'1'.repeat(32)} for job 0123456789abcdef0123456789abcdef.`);
    }
    for (const [path, status] of [
      ['/jobs/0123456789abcdef0123456789abcdef/vertices/0123456789abcdef0123456789abcdef/metrics', 200],
      ['/taskmanagers/nope/metrics', 200],
      ['/jobs/0123456789abcdef0123456789abcdef/checkpoints/details/abc', 400],
    ] as const) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(status);
    }
    const three = new FormData();
    for (const n of ['a.js', 'b.js', 'c.js']) three.append('jarfile', new Blob(['x']), n);
    const threeRes = await fetch(`${base}/jars/upload`, { method: 'POST', body: three });
    expect([threeRes.status, ((await threeRes.json()) as { errors: string[] }).errors[0]]).toEqual([400, 'Exactly 1 file must be sent, received 3.']);
    const cut = await fetch(`${base}/jars/upload`, { method: 'POST', body: '--xyz\r\nContent-Disposition: form-data; name="jarfile"; filename="a.js"\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expect(cut.status).toBe(400);
    // A repeated query parameter is one list, as in Flink (it was a 500).
    const twice = await fetch(`${base}/jobmanager/metrics?get=taskSlotsTotal&get=numRunningJobs`);
    expect(twice.status).toBe(200);
    expect(((await twice.json()) as Array<{ id: string }>).map((x) => x.id).sort()).toEqual(['numRunningJobs', 'taskSlotsTotal']);
    const form = new FormData();
    form.append('jarfile', new Blob(['not a job']), '../../evil.sh');
    const up = await fetch(`${base}/jars/upload`, { method: 'POST', body: form });
    expect(up.status).toBe(400);
    expect(((await up.json()) as { errors: string[] }).errors[0]).toContain('Only job modules');
    expect((await fetch(`${base}/overview`)).status).toBe(200);
  });

  it('cluster - run -m runs the program in the client: collected records, accumulators, two jobs, -D', async () => {
    const n = 3000;
    const expected = { collected: n, sumSq: (n * (n + 1) * (2 * n + 1)) / 6, distinct: n, seen: 2 * n, setting: 'yes' };
    const remote = await runCli(['run', ...m, '-p', '2', '-D', 'pipeline.name.extra=yes', 'test/jobs/client-job.ts', String(n)]);
    // A key miniflink does not know reaches the job, with one warning.
    expect(remote.stderr).toBe("Configuration key 'pipeline.name.extra' is not one miniflink knows: it has no effect (the job can still read it from its configuration).\n");
    expect(remote.code).toBe(0);
    expect(resultOf(remote)).toEqual(expected);
    const ids = [...remote.stdout.matchAll(/Job has been submitted with JobID ([0-9a-f]{32})/g)].map((x) => x[1]!);
    expect(ids).toHaveLength(2);
    // The second job's accumulator, printed by the CLI as Flink's client does.
    expect(remote.stdout).toContain(`Job with JobID ${ids[1]} has finished.`);
    expect(remote.stdout).toContain(`- seen (number): ${2 * n}`);
    // A module whose file name is long (its upload id `<uuid>_<name>` then too, a 414 before a review found it).
    const long = join(root, 'nightly_sensor_aggregation_pipeline_with_late_data_handling_and_more_v2.ts');
    writeFileSync(long, readFileSync('test/jobs/client-job.ts'));
    const longRun = await runCli(['run', ...m, long, '10']);
    expect(longRun.code, longRun.stderr).toBe(0);
    expect(resultOf(longRun)).toMatchObject({ collected: 10 });
    const jobs = await Promise.all(ids.map(async (id) => (await (await fetch(`${base}/jobs/${id}`)).json()) as { name: string; state: string }));
    expect(jobs.map((j) => [j.name, j.state])).toEqual([
      ['DataStream Collect', 'FINISHED'],
      ['client-job-second', 'FINISHED'],
    ]);
    // Two programs at once: each job is captured with its own arguments (captures take turns).
    const both = await Promise.all([500, 700].map((k) => runCli(['run', ...m, 'test/jobs/client-job.ts', String(k)])));
    expect(both.map((r) => (resultOf(r) as { collected: number; seen: number }).collected)).toEqual([500, 700]);
    expect(both.map((r) => (resultOf(r) as { collected: number; seen: number }).seen)).toEqual([1000, 1400]);
    // The same program on an embedded cluster gives the same results.
    const local = await runCli(['run', '-t', 'local', '-p', '2', '-D', 'pipeline.name.extra=yes', 'test/jobs/client-job.ts', String(n)]);
    expect(resultOf(local)).toEqual(expected);
    // executeAndCollect(limit) on an endless source: the job is canceled at the limit, the records come back.
    const endless = await runCli(['run', ...m, 'test/jobs/unbounded-job.ts']);
    expect(endless.stderr).toBe('');
    expect(resultOf(endless)).toEqual({ n: 25, allTens: true });
    // Detached, executeAndCollect is refused before anything is submitted.
    const before = ((await (await fetch(`${base}/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
    const detached = await runCli(['run', ...m, '-d', 'test/jobs/unbounded-job.ts']);
    expect(detached.code).toBe(1);
    expect(detached.stderr).toContain('executeAndCollect() needs an attached run');
    expect(((await (await fetch(`${base}/jobs`)).json()) as { jobs: unknown[] }).jobs.length).toBe(before);
    expect(((await (await fetch(`${base}/jars`)).json()) as { files: unknown[] }).files).toEqual([]);
    // The program's own JobClient calls go through REST: savepoint-job stops itself with a savepoint.
    const stopped = await runCli(['run', ...m, 'test/jobs/savepoint-job.ts', join(root, 'out-client'), String(N), String(K), 'stop', join(root, 'sp3'), 'slow', `gate=${join(root, 'gate-never')}`]);
    expect(stopped.stderr).toBe('');
    expect(stopped.stdout).toMatch(/SAVEPOINT file:\/.*sp3\/savepoint-[0-9a-f]{6}-[0-9a-f]{12}/);
    // Stopped, its tasks ended FINISHED (Flink's synchronous savepoint), not CANCELED.
    const stoppedId = /JobID ([0-9a-f]{32})/.exec(stopped.stdout)![1]!;
    const stoppedJob = (await (await fetch(`${base}/jobs/${stoppedId}`)).json()) as { state: string; 'status-counts': Record<string, number>; vertices: unknown[] };
    expect(stoppedJob.state).toBe('FINISHED');
    expect(stoppedJob['status-counts'].FINISHED).toBe(stoppedJob.vertices.length);
    expect(stoppedJob['status-counts'].CANCELED).toBe(0);
    // A failing job: the cluster's error and stack reach the client.
    const failed = await runCli(['run', ...m, 'test/jobs/bad-user-error.ts']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('JobExecutionException: Job execution failed.');
    expect(failed.stderr).toContain("Caused by: TypeError: not a price: 'abc'");
  });

  it('cluster - run -d, list -r, savepoint, cancel -s, run -s at another parallelism, exact results', async () => {
    const out = join(root, 'out');
    // The job stops emitting at the middle until the gate file exists: it is still running when the
    // CLI lists, savepoints and cancels it, however slow the machine (a finished job made this flaky).
    const gate = join(root, 'gate');
    const run = await runCli(['run', ...m, '-d', '-p', '2', 'test/jobs/savepoint-job.ts', out, String(N), String(K), 'run', 'slow', `gate=${gate}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const jobId = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING']);
    const list = await runCli(['list', ...m, '-r']);
    expect(list.stdout).toContain('------------------ Running/Restarting Jobs -------------------');
    expect(list.stdout).toMatch(new RegExp(`\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d:\\d\\d : ${jobId} : savepoint-job \\(RUNNING\\)`));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refused = await runCli(['savepoint', ...m, jobId, '/etc']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not inside a configured savepoint or checkpoint directory');
    const sp = await runCli(['savepoint', ...m, jobId, join(root, 'sp')]);
    expect(sp.stderr).toBe('');
    expect(sp.stdout).toMatch(/Savepoint completed\. Path: file:\/.*savepoint-[0-9a-f]{6}-[0-9a-f]{12}/);
    // Checkpoints after the savepoint do not hide it from the statistics.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const stats = (await (await fetch(`${base}/jobs/${jobId}/checkpoints`)).json()) as { counts: Record<string, number>; latest: Record<string, { id: number } | null>; history: Array<{ id: number; is_savepoint: boolean }> };
    expect(stats.latest.savepoint).not.toBeNull();
    expect(stats.latest.completed!.id).toBeGreaterThan(stats.latest.savepoint!.id);
    expect(stats.counts.total).toBe(stats.counts.completed! + stats.counts.failed! + stats.counts.in_progress!);
    expect(stats.history.map((h) => h.id)).toEqual([...stats.history.map((h) => h.id)].sort((a, b) => b - a));
    expect(stats.history.some((h) => h.is_savepoint)).toBe(true);
    const cancel = await runCli(['cancel', ...m, '-s', join(root, 'sp2'), jobId]);
    expect(cancel.stderr).toBe('');
    const path = /Savepoint stored in (\S+)\./.exec(cancel.stdout)![1]!;
    expect(await waitForState(jobId, ['CANCELED'])).toBe('CANCELED');
    writeFileSync(gate, '');
    const resumed = await runCli(['run', ...m, '-p', '3', '-s', path, 'test/jobs/savepoint-job.ts', out, String(N), String(K), 'run', `gate=${gate}`], { timeoutMs: 120_000 });
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toMatch(/Job with JobID [0-9a-f]{32} has finished\./);
    const seen = new Uint8Array(N + 1);
    let total = 0;
    let twice = 0;
    for (const f of readdirSync(out).filter((x) => x.startsWith('part-'))) {
      for (const l of readFileSync(join(out, f), 'utf8').split('\n')) {
        if (!l) continue;
        const x = Number(l.split(',')[0]);
        if (seen[x]) twice++;
        seen[x] = 1;
        total++;
      }
    }
    expect(twice).toBe(0);
    expect(total).toBe(N);
  });

  it('cluster - bad savepoint targets, symlinks out of allowed directories and a misbehaving module do not harm the cluster', async () => {
    const run = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out-bad'), String(50 * N), String(K), 'run', 'slow']);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING']);
    const post = (path: string, body: unknown, type = 'application/json') => fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': type } });
    const waitOp = async (path: string) => {
      for (;;) {
        const r = (await (await fetch(`${base}${path}`)).json()) as { status: { id: string }; operation: Record<string, any> };
        if (r.status.id === 'COMPLETED') return r.operation;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // A file where the savepoint directory should go: the savepoint fails, reported; the cluster serves on.
    mkdirSync(join(root, 'sp2'), { recursive: true });
    writeFileSync(join(root, 'sp2', 'afile'), 'x');
    for (let i = 0; i < 50; i++) {
      const t = (await (await post(`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2', 'afile') })).json()) as { 'request-id': string };
      const op = await waitOp(`/jobs/${jobId}/savepoints/${t['request-id']}`);
      expect(op['failure-cause']['stack-trace']).toMatch(/Not all tasks|Cannot create the savepoint directory/);
      if (String(op['failure-cause']['stack-trace']).includes('Cannot create')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await post(`/jobs/${jobId}/savepoints`, { 'target-directory': `${join(root, 'sp2')}/a\u0000b` })).status).toBe(400);
    // Fields of the wrong type or value are refused before anything starts.
    for (const [path, b] of [
      [`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2'), triggerId: 'abc' }],
      [`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2'), 'cancel-job': 'yes' }],
      [`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2'), formatType: 'BOGUS' }],
      [`/jobs/${jobId}/stop`, { targetDirectory: join(root, 'sp2'), drain: 'yes' }],
      [`/jobs/${jobId}/checkpoints`, { checkpointType: 'BOGUS' }],
    ] as const) {
      const r = await post(path, b);
      expect(r.status, JSON.stringify(b)).toBe(400);
      expect(((await r.json()) as { errors: string[] }).errors[0]).toContain('Request did not match expected format');
    }
    expect(await waitForState(jobId, ['RUNNING'])).toBe('RUNNING');
    // A symlink inside an allowed directory that leads out of it is outside.
    mkdirSync(join(root, 'outside'));
    symlinkSync(join(root, 'outside'), join(root, 'sp2', 'link'));
    const out = await post(`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2', 'link') });
    expect(out.status).toBe(400);
    expect(((await out.json()) as { errors: string[] }).errors[0]).toContain('is not inside a configured savepoint or checkpoint directory');
    // A real savepoint outside cannot be disposed through the link; one inside can be taken (curl -d style body).
    const t = (await (await post(`/jobs/${jobId}/savepoints`, { 'target-directory': join(root, 'sp2') }, 'application/x-www-form-urlencoded')).json()) as { 'request-id': string };
    const location = String((await waitOp(`/jobs/${jobId}/savepoints/${t['request-id']}`)).location);
    cpSync(location.replace(/^file:/, ''), join(root, 'outside', 'victim'), { recursive: true });
    const d = (await (await post('/savepoint-disposal', { 'savepoint-path': join(root, 'sp2', 'link', 'victim') })).json()) as { 'request-id': string };
    expect((await waitOp(`/savepoint-disposal/${d['request-id']}`))['failure-cause']['stack-trace']).toContain('Refusing to dispose');
    expect(readdirSync(join(root, 'outside', 'victim'))).toContain('_metadata');
    // A module whose top-level code leaves a rejected promise and a throwing timer behind.
    writeFileSync(
      join(root, 'unhandled.mjs'),
      "import { StreamExecutionEnvironment } from 'miniflink';\nvoid Promise.reject(new Error('left behind'));\nsetTimeout(() => { throw new Error('late'); }, 50);\nconst env = StreamExecutionEnvironment.getExecutionEnvironment();\nenv.fromSequence(1, 10).addSink({ invoke: () => {} });\nawait env.execute('unhandled');\n",
    );
    const form = new FormData();
    form.append('jarfile', new Blob([readFileSync(join(root, 'unhandled.mjs'))]), 'unhandled.mjs');
    const jar = (await (await fetch(`${base}/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string };
    expect((await post(`/jars/${jar.filename.split('/').pop()}/run`, { programArgsList: 'not a list' })).status).toBe(400);
    expect((await post(`/jars/${jar.filename.split('/').pop()}/run`, { parallelism: true })).status).toBe(400);
    // An entry class the module does not export: a 400 before its top-level code runs (it
    // submitted the module's own job and answered 200; found by a review).
    const jobsBefore = ((await (await fetch(`${base}/jobs`)).json()) as { jobs: unknown[] }).jobs.length;
    const noEntry = await post(`/jars/${jar.filename.split('/').pop()}/run`, { entryClass: 'nope' });
    expect(noEntry.status).toBe(400);
    expect(((await noEntry.json()) as { errors: string[] }).errors[0]).toContain("has no exported function 'nope'");
    expect(((await (await fetch(`${base}/jobs`)).json()) as { jobs: unknown[] }).jobs.length).toBe(jobsBefore);
    // A plan has no restore fields in Flink (JarPlanRequestBody): a savepointPath is ignored, not refused (found by a review).
    const planned = await post(`/jars/${jar.filename.split('/').pop()}/plan`, { savepointPath: join(root, 'outside', 'victim') });
    expect(planned.status).toBe(200);
    expect(((await planned.json()) as { plan: { nodes: unknown[] } }).plan.nodes.length).toBeGreaterThan(0);
    // A restore path given as configuration is held to the allowed directories too.
    for (const key of ['execution.state-recovery.path', 'execution.savepoint.path']) {
      const r = await post(`/jars/${jar.filename.split('/').pop()}/run`, { flinkConfiguration: { [key]: join(root, 'outside', 'victim') } });
      expect(r.status, key).toBe(400);
      expect(((await r.json()) as { errors: string[] }).errors[0]).toContain(`The ${key} ${join(root, 'outside', 'victim')} is not inside a configured savepoint or checkpoint directory`);
    }
    const started = await post(`/jars/${jar.filename.split('/').pop()}/run`, {});
    expect(started.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await fetch(`${base}/overview`)).status).toBe(200);
    // A module that checks its arguments and calls process.exit() without them, run and planned over
    // REST: a 400 naming the call (Flink's cluster.intercept-user-system-exit: THROW), not the end of the cluster.
    writeFileSync(
      join(root, 'usage.mjs'),
      "import { StreamExecutionEnvironment } from 'miniflink';\nif (process.argv.length < 3) { console.error('usage: usage.mjs <n>'); process.exit(2); }\nsetTimeout(() => process.exit(3), 10);\nconst env = StreamExecutionEnvironment.getExecutionEnvironment();\nenv.fromSequence(1, Number(process.argv[2])).addSink({ invoke: () => {} });\nawait env.execute('usage');\n",
    );
    const usageForm = new FormData();
    usageForm.append('jarfile', new Blob([readFileSync(join(root, 'usage.mjs'))]), 'usage.mjs');
    const usage = ((await (await fetch(`${base}/jars/upload`, { method: 'POST', body: usageForm })).json()) as { filename: string }).filename.split('/').pop()!;
    for (const r of [await fetch(`${base}/jars/${usage}/plan`), await post(`/jars/${usage}/run`, {})]) {
      expect(r.status).toBe(400);
      expect(((await r.json()) as { errors: string[] }).errors[0]).toMatch(/called process\.exit\(2\) from its top-level code \(or code that code started\), which runs here to build the job graph/);
    }
    // With its argument it runs; the exit its code leaves behind in a timer throws too (logged), the cluster serves on.
    expect((await post(`/jars/${usage}/run`, { programArgsList: ['5'] })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fetch(`${base}/overview`)).status).toBe(200);
    expect((await fetch(`${base}/jobs/${jobId}`, { method: 'PATCH' })).status).toBe(202);
    await waitForState(jobId, ['CANCELED']);
  });

  it('cluster - a job whose slots are taken waits for them (SCHEDULED), then runs when they are free', async () => {
    // Earlier tests' jobs have ended: every slot is free.
    for (let i = 0; i < 100 && ((await (await fetch(`${base}/overview`)).json()) as Record<string, number>)['slots-available'] !== 3; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const first = await runCli(['run', ...m, '-d', '-p', '3', 'test/jobs/savepoint-job.ts', join(root, 'out-hold'), String(50 * N), String(K), 'run', 'slow']);
    const holder = /JobID ([0-9a-f]{32})/.exec(first.stdout)![1]!;
    await waitForState(holder, ['RUNNING']);
    const out = join(root, 'out-wait');
    const second = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', out, '20000', '10', 'run']);
    expect(second.stderr).toBe('');
    const waiter = /JobID ([0-9a-f]{32})/.exec(second.stdout)![1]!;
    const waiting = (await (await fetch(`${base}/jobs/${waiter}`)).json()) as { state: string; 'status-counts': Record<string, number>; vertices: unknown[] };
    expect(waiting.state).toBe('RUNNING');
    expect(waiting['status-counts'].SCHEDULED).toBe(waiting.vertices.length);
    expect((await (await fetch(`${base}/jobs/${waiter}/vertices/${((waiting.vertices[0] as { id: string }).id)}`)).json()) as unknown).toMatchObject({ subtasks: [{ status: 'SCHEDULED', 'taskmanager-id': '(unassigned)' }] });
    expect(((await (await fetch(`${base}/overview`)).json()) as Record<string, number>)['slots-available']).toBe(0);
    expect((await fetch(`${base}/jobs/${holder}`, { method: 'PATCH' })).status).toBe(202);
    expect(await waitForState(waiter, ['FINISHED', 'FAILED', 'CANCELED'])).toBe('FINISHED');
    const lines = readdirSync(out).filter((f) => f.startsWith('part-')).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
    expect(lines).toHaveLength(20000);
  }, 120_000);

  it('cluster - a restore that fails over REST is reported as a local run reports it (its code, no HTTP call; found by a review)', async () => {
    const corrupt = join(root, 'sp', 'corrupt-savepoint');
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, '_metadata'), Buffer.from([0x93, 0x01]));
    const r = await runCli(['run', ...m, '-s', corrupt, 'test/jobs/client-job.ts', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`MiniFlinkError [MF_ERR_RESTORE_FAILED]: Cannot restore: ${join(corrupt, '_metadata')} is not a miniflink _metadata file`);
    expect(r.stderr).not.toContain('failed with 400');
  });

  it('cluster - savepoint -d disposes only a savepoint inside an allowed directory', async () => {
    // A savepoint of this test's own job.
    const dir = join(root, 'sp-dispose');
    const run = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out-dispose'), String(50 * N), String(K), 'run', 'slow']);
    expect(run.code).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING']);
    for (let i = 0; ; i++) {
      const sp = await runCli(['savepoint', ...m, jobId, dir]);
      if (sp.code === 0) break;
      // A savepoint needs every task running; on a busy machine deployment takes a while.
      expect(sp.stderr).toContain('Not all tasks');
      expect(i).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await fetch(`${base}/jobs/${jobId}`, { method: 'PATCH' })).status).toBe(202);
    await waitForState(jobId, ['CANCELED']);
    const sps = readdirSync(dir);
    expect(sps).toHaveLength(1);
    const target = join(dir, sps[0]!);
    for (const evil of ['/', join(dir, '..'), join(root, 'uploads'), dir]) {
      const r = await runCli(['savepoint', ...m, '-d', evil]);
      expect(r.code, evil).toBe(1);
      expect(r.stderr).toContain('Refusing to dispose');
      // The configured directory itself is named as such (it said it was not inside one; found by a review).
      if (evil === dir) expect(r.stderr).toContain('it is a configured savepoint or checkpoint directory itself, not a savepoint in it');
    }
    symlinkSync(target, join(dir, 'link'));
    const link = await runCli(['savepoint', ...m, '-d', join(dir, 'link')]);
    expect(link.code).toBe(1);
    expect(readdirSync(target)).toContain('_metadata');
    const ok = await runCli(['savepoint', ...m, '-d', `file:${target}`]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain(`Savepoint 'file:${target}' disposed.`);
    expect(readdirSync(dir)).toEqual(['link']);
  });

  it('cluster - PATCH rescaling restarts the job at the new parallelism from a savepoint', async () => {
    const out = join(root, 'out3');
    // Held at the middle until the rescale is done, so that it rescales a running job on any machine.
    const gate = join(root, 'gate-rescale');
    const run = await runCli(['run', ...m, '-d', '-p', '1', 'test/jobs/savepoint-job.ts', out, String(N), String(K), 'run', 'slow', `gate=${gate}`]);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING']);
    // While it runs: vertices, a manual checkpoint and its details, metrics, resource requirements.
    const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, any>;
    const details = await get(`/jobs/${jobId}`);
    const vid = details.vertices[1].id as string;
    const v = await get(`/jobs/${jobId}/vertices/${vid}`);
    expect(v.subtasks).toHaveLength(1);
    expect(v.subtasks[0]).toMatchObject({ subtask: 0, status: 'RUNNING' });
    expect((await fetch(`${base}/jobs/${jobId}/vertices/0123456789abcdef0123456789abcdef`)).status).toBe(404);
    const trig = await fetch(`${base}/jobs/${jobId}/checkpoints`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(trig.status).toBe(202);
    const { 'request-id': ct } = (await trig.json()) as { 'request-id': string };
    let cop: Record<string, any> = {};
    for (let i = 0; i < 100; i++) {
      cop = await get(`/jobs/${jobId}/checkpoints/${ct}`);
      if (cop.status.id === 'COMPLETED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const cid = cop.operation.checkpointId as number;
    expect(cid).toBeGreaterThan(0);
    expect((await get(`/jobs/${jobId}/checkpoints/details/${cid}`)).id).toBe(cid);
    // A negative id is a Long that no checkpoint has: 404, as Flink (it was a 400; found by a review).
    expect((await fetch(`${base}/jobs/${jobId}/checkpoints/details/-5`)).status).toBe(404);
    const metrics = (await get(`/jobs/${jobId}/metrics?get=numRestarts,lastCompletedCheckpointId,nope`)) as unknown as Array<{ id: string; value: string }>;
    expect(metrics.map((x) => x.id)).toEqual(['numRestarts', 'lastCompletedCheckpointId']);
    expect(metrics[0]!.value).toBe('0');
    // The rest of what Flink's dashboard reads answers 200 in its shape.
    const tmId = ((await get('/taskmanagers')).taskmanagers[0] as { id: string }).id;
    for (const path of [
      '/jobmanager/environment',
      '/jobmanager/logs',
      '/jobmanager/thread-dump',
      `/jobs/${jobId}/jobmanager/config`,
      `/jobs/${jobId}/jobmanager/log-url`,
      `/jobs/${jobId}/taskmanagers/${tmId}/log-url`,
      `/jobs/${jobId}/checkpoints/details/${cid}/subtasks/${vid}`,
      `/jobs/${jobId}/vertices/${vid}/subtasks/accumulators`,
      `/jobs/${jobId}/vertices/${vid}/flamegraph`,
      `/jobs/${jobId}/vertices/${vid}/backpressure`,
      `/jobs/${jobId}/vertices/${vid}/watermarks`,
      `/taskmanagers/${tmId}`,
      `/taskmanagers/${tmId}/logs`,
      `/taskmanagers/${tmId}/thread-dump`,
      '/applications/overview',
    ]) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(200);
    }
    expect(await get(`/jobs/${jobId}/resource-requirements`)).toEqual(Object.fromEntries(details.vertices.map((x: { id: string }) => [x.id, { parallelism: { lowerBound: 1, upperBound: 1 } }])));
    // Requirements naming a vertex the job does not have, or bounds the wrong way round, are 400s that change nothing (found by a review).
    const put = (b: unknown) => fetch(`${base}/jobs/${jobId}/resource-requirements`, { method: 'PUT', body: JSON.stringify(b), headers: { 'content-type': 'application/json' } });
    expect((await put({ ['0'.repeat(32)]: { parallelism: { lowerBound: 1, upperBound: 2 } } })).status).toBe(400);
    expect((await put({ [vid]: { parallelism: { lowerBound: 2, upperBound: 1 } } })).status).toBe(400);
    expect((await put({ [vid]: { parallelism: { lowerBound: 1, upperBound: '0x2' } } })).status).toBe(400);
    // Naming one vertex at its parallelism leaves the job as it is.
    expect((await put({ [vid]: { parallelism: { lowerBound: 1, upperBound: 1 } } })).status).toBe(200);
    expect(await get(`/jobs/${jobId}/resource-requirements`)).toEqual(Object.fromEntries(details.vertices.map((x: { id: string }) => [x.id, { parallelism: { lowerBound: 1, upperBound: 1 } }])));
    /** Asks for a rescale and waits for the operation to complete; its `operation`. */
    const rescale = async (p: number): Promise<Record<string, any>> => {
      const { 'request-id': id } = (await (await fetch(`${base}/jobs/${jobId}/rescaling?parallelism=${p}`, { method: 'PATCH' })).json()) as { 'request-id': string };
      for (let i = 0; i < 300; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const o = (await (await fetch(`${base}/jobs/${jobId}/rescaling/${id}`)).json()) as { status: { id: string }; operation: Record<string, any> };
        if (o.status.id === 'COMPLETED') return o.operation;
      }
      throw new Error(`the rescale to ${p} did not complete`);
    };
    // A rescale that changes no operator (here: to the parallelism it runs at) fails before the
    // savepoint; the job was restarted for nothing before (found by a review, on `npm start`'s job).
    expect((await rescale(1))['failure-cause']['stack-trace']).toContain("would change no operator's parallelism (1)");
    expect((await get(`/jobs/${jobId}`)).state).toBe('RUNNING');
    expect(((await get(`/jobs/${jobId}/metrics?get=numRestarts`)) as unknown as Array<{ value: string }>)[0]!.value).toBe('0');
    // More slots than the cluster has: the rescale fails before touching the job, which runs on.
    const failed = { operation: await rescale(5) };
    expect(failed.operation!['failure-cause']['stack-trace']).toContain('needs 5 task slots');
    expect(await get(`/jobs/${jobId}`)).toMatchObject({ state: 'RUNNING', vertices: details.vertices.map(() => expect.objectContaining({ parallelism: 1 })) });
    // PUT resource-requirements has no operation to report on: a rescale that cannot run is
    // refused by the request itself (it answered {} and failed unseen before; found by a review),
    // with 409 (the cluster's free slots, not the request, are short; it was a 500).
    const tooMany = await put({ [vid]: { parallelism: { lowerBound: 1, upperBound: 5 } } });
    expect(tooMany.status).toBe(409);
    expect(((await tooMany.json()) as { errors: string[] }).errors[0]).toContain('needs 5 task slots');
    expect(await get(`/jobs/${jobId}`)).toMatchObject({ state: 'RUNNING', vertices: details.vertices.map(() => expect.objectContaining({ parallelism: 1 })) });
    const res = await fetch(`${base}/jobs/${jobId}/rescaling?parallelism=3`, { method: 'PATCH' });
    expect(res.status).toBe(200);
    // A PUT while that rescale is under way is refused with 409 (it answered {} and its rescale
    // failed unseen; found by a review).
    const during = await put({ [vid]: { parallelism: { lowerBound: 1, upperBound: 2 } } });
    expect(during.status).toBe(409);
    expect(((await during.json()) as { errors: string[] }).errors[0]).toMatch(/already being rescaled/);
    const { 'request-id': t } = (await res.json()) as { 'request-id': string };
    let op: { status: { id: string }; operation: Record<string, unknown> | null } = { status: { id: 'IN_PROGRESS' }, operation: null };
    for (let i = 0; i < 300 && op.status.id !== 'COMPLETED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      op = (await (await fetch(`${base}/jobs/${jobId}/rescaling/${t}`)).json()) as typeof op;
    }
    // Rescaled in place: the same JobID runs the new graph, restored from the rescale's savepoint.
    expect(op.operation).toEqual({});
    const after = (await get(`/jobs/${jobId}`)) as { state: string; vertices: Array<{ parallelism: number }>; timestamps: Record<string, number> };
    expect(after.state).toBe('RUNNING');
    expect(after.timestamps.RESTARTING).toBeGreaterThan(0);
    expect(after.vertices.every((x) => x.parallelism === 3)).toBe(true);
    // Lowering one vertex alone changes nothing (the job rescales as a whole, to the largest
    // upperBound): a 400 saying so, not a silent {} (found by a review).
    const lower = await put({ [vid]: { parallelism: { lowerBound: 1, upperBound: 1 } } });
    expect(lower.status).toBe(400);
    expect(((await lower.json()) as { errors: string[] }).errors[0]).toContain(`which stays 3: the upperBound 1 of vertex ${vid} would change nothing`);
    const cps = await get(`/jobs/${jobId}/checkpoints`);
    expect(cps.counts.restored).toBe(1);
    expect(cps.latest.restored.is_savepoint).toBe(true);
    writeFileSync(gate, '');
    expect(await waitForState(jobId, ['FINISHED'])).toBe('FINISHED');
    // Every record once, and every key's count exact (state went across the rescale).
    const seen = new Set<number>();
    let total = 0;
    const maxCount = new Map<number, number>();
    for (const f of readdirSync(out).filter((x) => x.startsWith('part-'))) {
      for (const l of readFileSync(join(out, f), 'utf8').split('\n')) {
        if (!l) continue;
        const [x, k, c] = l.split(',').map(Number) as [number, number, number];
        seen.add(x);
        total++;
        maxCount.set(k, Math.max(maxCount.get(k) ?? 0, c));
      }
    }
    expect(total).toBe(N);
    expect(seen.size).toBe(N);
    expect(maxCount.size).toBe(K);
    expect([...maxCount.values()].every((c) => c === N / K)).toBe(true);
  }, 120_000);

  it('cluster - stop --drain ends the job FINISHED with a savepoint', async () => {
    // Held at the middle (the gate never opens): still running when it is drained.
    const run = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out2'), String(N), String(K), 'run', 'slow', `gate=${join(root, 'gate-never')}`]);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitForState(jobId, ['RUNNING']);
    const stop = await runCli(['stop', ...m, '--drain', '--savepointPath', join(root, 'sp3'), jobId]);
    expect(stop.stderr).toBe('');
    expect(stop.stdout).toContain(`Draining job "${jobId}" with a CANONICAL savepoint.`);
    expect(stop.stdout).toMatch(/Savepoint completed\. Path: file:\//);
    expect(await waitForState(jobId, ['FINISHED'])).toBe('FINISHED');
    // Drained: the input ended and the final (savepoint) checkpoint committed every file.
    const files = readdirSync(join(root, 'out2'));
    expect(files.filter((f) => f.startsWith('part-')).length).toBeGreaterThan(0);
    expect(files.filter((f) => f.includes('.inprogress.'))).toEqual([]);
    // subtasktimes of an ended job: each subtask's duration from SCHEDULED to FINISHED, fixed
    // (Flink's SubtasksTimesHandler; it grew on with the clock; found by a review).
    const vertexId = ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { vertices: Array<{ id: string }> }).vertices[0]!.id;
    type Times = { subtasks: Array<{ duration: number; timestamps: Record<string, number> }> };
    const first = (await (await fetch(`${base}/jobs/${jobId}/vertices/${vertexId}/subtasktimes`)).json()) as Times;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const later = (await (await fetch(`${base}/jobs/${jobId}/vertices/${vertexId}/subtasktimes`)).json()) as Times;
    expect(later.subtasks.map((x) => x.duration)).toEqual(first.subtasks.map((x) => x.duration));
    for (const x of later.subtasks) expect(x.duration).toBe(x.timestamps['FINISHED']! - x.timestamps['SCHEDULED']!);
  });

  it('cluster - cluster stop shuts it down and frees the port', async () => {
    const r = await runCli(['cluster', 'stop', ...m]);
    expect(r.code).toBe(0);
    if (cluster.exitCode === null) await new Promise((resolve) => cluster.once('exit', resolve));
    expect(cluster.exitCode).toBe(0);
    await expect(fetch(`${base}/overview`)).rejects.toThrow();
  });
});
