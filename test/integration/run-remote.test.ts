/**
 * A program runs the same with `-t local` and on a running cluster (`run -m`), as Flink's client
 * runs main(): a job started with executeAsync() that the program does not await is submitted
 * and reported; an environment runs one job after another; relative paths are the client's; a job
 * whose top-level code never reaches execute() in the cluster fails after
 * cluster.program-capture.timeout and holds up no other; an interrupted client deletes its upload;
 * `/jobs/:id/config` reports the job's own parallelism and restart strategy. Savepoint and
 * checkpoint directories a REST client names, a job's flinkConfiguration included, must lie in
 * the directories the cluster allows; savepoints written there restore and dispose.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { explain, recordingCli, resultOf, ROOT } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-run-remote-'));
const allowed = join(root, 'allowed');
let cluster: ChildProcess;
let base = '';
let m: string[] = [];
const runCli = recordingCli(afterEach, async () => `jobs: ${JSON.stringify(await (await fetch(`${base}/jobs/overview`)).json())}`);

beforeAll(async () => {
  mkdirSync(allowed);
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', 'cluster.program-capture.timeout=5 s', `web.upload.dir=${join(root, 'uploads')}`, `rest.savepoint-dirs.allowed=${allowed}`]));
  m = ['-m', base.replace('http://', '')];
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

const jobIdOf = (stdout: string) => /Job has been submitted with JobID ([0-9a-f]{32})/.exec(stdout)?.[1];

async function state(jobId: string): Promise<string> {
  return ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string }).state;
}

async function waitForState(jobId: string, states: readonly string[]): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const s = await state(jobId);
    if (states.includes(s)) return s;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${jobId} never reached ${states.join('|')}`);
}

async function jars(): Promise<unknown[]> {
  return ((await (await fetch(`${base}/jars`)).json()) as { files: unknown[] }).files;
}

describe('run -m', () => {
  it('run - a job started with executeAsync() that the program does not await is submitted: -m, -m -d and -t local', async () => {
    for (const mode of [[...m], [...m, '-d']]) {
      const args = ['run', ...mode, 'test/jobs/execute-async-job.ts'];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(r.stdout).toContain('main returned');
      const jobId = jobIdOf(r.stdout);
      expect(jobId, explain(args, r)).toBeDefined();
      expect(r.stderr).not.toContain("didn't contain a Flink job");
      // As Flink's client after executeAsync(): the job was submitted, the run ends; the job runs to its end on the cluster.
      expect(r.stdout).not.toContain('Program execution finished');
      expect(await waitForState(jobId!, ['FINISHED', 'FAILED', 'CANCELED'])).toBe('FINISHED');
    }
    // Its embedded cluster lives in this process: -t local waits for the job to end.
    const args = ['run', '-t', 'local', '-p', '1', 'test/jobs/execute-async-job.ts'];
    const local = await runCli(args);
    expect(local.code, explain(args, local)).toBe(0);
    expect(jobIdOf(local.stdout)).toBeDefined();
    expect(local.stdout.split('\n').filter((l) => l.startsWith('async ')).sort()).toEqual(['async 2', 'async 4', 'async 6']);
    expect(await jars()).toEqual([]);
  });

  it('run - one environment runs one job after another (execute() clears it, as Flink does), locally and with -m', async () => {
    for (const target of [['-t', 'local'], m]) {
      const args = ['run', ...target, 'test/jobs/reuse-env-job.ts'];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r)).toEqual([[10, 20, 30], ['x!', 'y!'], 32]);
      expect(r.stdout.match(/Job has been submitted with JobID/g)).toHaveLength(3);
    }
  });

  it("run - /jobs/:id/config reports the job's default parallelism and its own restart strategy", async () => {
    const args = ['run', ...m, '-d', '-p', '3', '-D', 'restart-strategy.type=fixed-delay', '-D', 'restart-strategy.fixed-delay.attempts=3', '-D', 'restart-strategy.fixed-delay.delay=10 ms', 'test/jobs/ticker-job.ts', '2'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = jobIdOf(r.stdout)!;
    try {
      const config = (await (await fetch(`${base}/jobs/${jobId}/config`)).json()) as { 'execution-config': { 'job-parallelism': number; 'restart-strategy': string } };
      // env.setParallelism(2) in the job wins over -p 3, as the job runs.
      expect(config['execution-config']['job-parallelism']).toBe(2);
      expect(config['execution-config']['restart-strategy']).toBe('Restart with fixed delay (10 ms). #3 restart attempts.');
    } finally {
      await runCli(['cancel', ...m, jobId]);
    }
    const plain = await runCli(['run', ...m, '-d', '-p', '3', 'test/jobs/ticker-job.ts']);
    const plainId = jobIdOf(plain.stdout)!;
    try {
      const config = (await (await fetch(`${base}/jobs/${plainId}/config`)).json()) as { 'execution-config': { 'job-parallelism': number; 'restart-strategy': string } };
      expect(config['execution-config']).toMatchObject({ 'job-parallelism': 3, 'restart-strategy': 'Cluster level default restart strategy' });
    } finally {
      await runCli(['cancel', ...m, plainId]);
    }
  });

  it("run - a job's savepoint and checkpoint directories must be ones the cluster allows; savepoints there restore and dispose; relative paths are the client's", async () => {
    // Outside the allowed directories: refused before anything runs, saying which key to set.
    const outside = join(root, 'outside');
    const refused = await runCli(['run', ...m, '-d', '-D', `execution.checkpointing.savepoint-dir=${outside}`, 'test/jobs/ticker-job.ts']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The execution.checkpointing.savepoint-dir ${outside} is not inside a configured savepoint or checkpoint directory of this cluster (${allowed}).`);
    expect(refused.stderr).toContain("Add it, or a directory above it, to the cluster's rest.savepoint-dirs.allowed");
    expect(refused.stdout).not.toContain('Job has been submitted');
    expect(existsSync(outside)).toBe(false);

    // Inside: relative to the client's working directory, which is not the cluster's.
    const sp = join(allowed, 'sp');
    const args = ['run', ...m, '-d', '-D', 'execution.checkpointing.savepoint-dir=allowed/sp', '-D', 'execution.checkpointing.dir=allowed/ck', '-D', 'execution.checkpointing.interval=100 ms', join(ROOT, 'test/jobs/ticker-job.ts')];
    const r = await runCli(args, { cwd: root });
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = jobIdOf(r.stdout)!;
    await waitForState(jobId, ['RUNNING']);
    for (let i = 0; i < 100 && !existsSync(join(allowed, 'ck', jobId)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(join(allowed, 'ck', jobId))).toBe(true);
    // savepoint without a directory: the job's own savepoint-dir.
    const savepoint = await runCli(['savepoint', ...m, jobId]);
    expect(savepoint.code, savepoint.stderr).toBe(0);
    const first = /Savepoint completed\. Path: file:(\S+)/.exec(savepoint.stdout)![1]!;
    expect(first.startsWith(`${sp}/`)).toBe(true);
    const stop = await runCli(['stop', ...m, jobId]);
    expect(stop.code, stop.stderr).toBe(0);
    const stopped = /Savepoint completed\. Path: file:(\S+)/.exec(stop.stdout)![1]!;
    expect(stopped.startsWith(`${sp}/`)).toBe(true);

    // Restore from it, by a path relative to the client's working directory.
    const restoreArgs = ['run', ...m, '-d', '-s', relative(root, stopped), '-D', 'execution.checkpointing.interval=1 min', join(ROOT, 'test/jobs/ticker-job.ts')];
    const restored = await runCli(restoreArgs, { cwd: root });
    expect(restored.code, explain(restoreArgs, restored)).toBe(0);
    const restoredId = jobIdOf(restored.stdout)!;
    await waitForState(restoredId, ['RUNNING']);
    const checkpoints = (await (await fetch(`${base}/jobs/${restoredId}/checkpoints`)).json()) as { latest: { restored: { external_path: string } | null } };
    expect(checkpoints.latest.restored?.external_path).toContain(stopped);
    await runCli(['cancel', ...m, restoredId]);

    // Savepoints in a job's directory can be disposed, also by a relative path.
    const dispose = await runCli(['savepoint', ...m, '-d', relative(root, first)], { cwd: root });
    expect(dispose.code, dispose.stderr).toBe(0);
    expect(existsSync(first)).toBe(false);
    expect(readdirSync(sp)).toContain(stopped.split('/').pop());
  });

  it('run - a module whose top-level code never reaches execute() in the cluster fails after cluster.program-capture.timeout; the next submission runs', async () => {
    const hangDir = join(root, 'hang');
    mkdirSync(hangDir);
    // From its own folder the client gets through the module; the cluster's capture, elsewhere, waits forever.
    const hang = runCli(['run', ...m, join(ROOT, 'test/jobs/capture-hang-job.ts'), hangDir], { cwd: hangDir });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const next = runCli(['run', ...m, 'test/jobs/reuse-env-job.ts']);
    const hung = await hang;
    expect(hung.code).toBe(1);
    expect(hung.stderr).toContain(`The job module ${join(ROOT, 'test/jobs/capture-hang-job.ts')} did not reach execute() within 5000 ms (cluster.program-capture.timeout)`);
    expect(hung.stderr).toContain('Its code cannot be stopped');
    expect(hung.stderr).not.toMatch(/^\s+at /m);
    const after = await next;
    expect(after.code, after.stderr).toBe(0);
    expect(resultOf(after)).toEqual([[10, 20, 30], ['x!', 'y!'], 32]);
  });

  it('run - an attached client interrupted with SIGINT or SIGTERM deletes its upload; the job runs on', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(process.execPath, [join(ROOT, 'bin/miniflink.mjs'), 'run', ...m, 'test/jobs/ticker-job.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      for (let i = 0; i < 300 && jobIdOf(out) === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      const jobId = jobIdOf(out)!;
      expect(jobId, out).toBeDefined();
      expect(await jars()).toHaveLength(1);
      child.kill(signal);
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(await jars()).toEqual([]);
      expect(await state(jobId)).toBe('RUNNING');
      await runCli(['cancel', ...m, jobId]);
    }
  });
});
