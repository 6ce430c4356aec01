/**
 * `cluster start --daemon` with a configuration directory: the cluster detaches with a pid file,
 * has the configured TaskManagers and slots, and `cluster stop` ends it cleanly: the running job
 * is suspended, its retained checkpoint stays, the process exits and the port is freed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-daemon-'));
let pid: number | undefined;

const alive = (p: number) => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(() => {
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('cluster daemon', () => {
  it('cluster daemon - start --daemon --conf-dir, run a job, stop: suspended, checkpoint retained, process gone, port freed', async () => {
    const conf = join(root, 'conf');
    mkdirSync(conf);
    writeFileSync(
      join(conf, 'config.yaml'),
      [
        'rest.port: 0',
        'local.number-taskmanager: 2',
        'taskmanager.numberOfTaskSlots: 2',
        'slot.request.timeout: 1 s',
        `env.log.dir: ${join(root, 'log')}`,
        `web.upload.dir: ${join(root, 'up')}`,
        'execution.checkpointing:',
        `  dir: file://${join(root, 'chk')}`,
        '  externalized-checkpoint-retention: RETAIN_ON_CANCELLATION',
        '',
      ].join('\n'),
    );
    // A daemon reads log4j.properties (the foreground reads log4j-console.properties).
    writeFileSync(join(conf, 'log4j.properties'), 'rootLogger.level = INFO\nlogger.tick.name = com.example\nlogger.tick.level = DEBUG\n');
    writeFileSync(join(conf, 'log4j-console.properties'), 'rootLogger.level = OFF\n');
    const start = await runCli(['cluster', 'start', '--daemon', '--conf-dir', conf]);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const base = /REST endpoint listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(start.stdout)![1]!;
    pid = Number(readFileSync(join(root, 'log', 'miniflink-cluster.pid'), 'utf8'));
    expect(alive(pid)).toBe(true);
    expect(start.stdout).toContain(`Started the cluster in the background (pid ${pid})`);
    const overview = (await (await fetch(`${base}/overview`)).json()) as Record<string, number>;
    expect(overview).toMatchObject({ taskmanagers: 2, 'slots-total': 4, 'slots-available': 4 });

    const m = ['-m', base.replace('http://', '')];
    const run = await runCli(['run', ...m, '-d', 'test/jobs/savepoint-job.ts', join(root, 'out'), '50000000', '100', 'run', 'slow']);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    let completed = 0;
    for (let i = 0; i < 300 && completed === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const c = (await (await fetch(`${base}/jobs/${jobId}/checkpoints`)).json()) as { counts?: { completed: number } };
      completed = c.counts?.completed ?? 0;
    }
    expect(completed).toBeGreaterThan(0);

    // A job whose slots stay taken fails after slot.request.timeout, as Flink's NoResourceAvailableException.
    const big = await runCli(['run', ...m, '-d', '-p', '4', 'test/jobs/savepoint-job.ts', join(root, 'out-big'), '1000', '10', 'run']);
    const bigId = /JobID ([0-9a-f]{32})/.exec(big.stdout)![1]!;
    let bigState = '';
    for (let i = 0; i < 100 && bigState !== 'FAILED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      bigState = ((await (await fetch(`${base}/jobs/${bigId}`)).json()) as { state: string }).state;
    }
    expect(bigState).toBe('FAILED');
    const ex = (await (await fetch(`${base}/jobs/${bigId}/exceptions`)).json()) as { exceptionHistory: { entries: Array<{ exceptionName: string; stacktrace: string }> } };
    expect(ex.exceptionHistory.entries[0]!.exceptionName).toBe('NoResourceAvailableException');
    expect(ex.exceptionHistory.entries[0]!.stacktrace).toContain('slot.request.timeout');

    // A second daemon with the same log directory is refused; the first one is untouched.
    const again = await runCli(['cluster', 'start', '--daemon', '--conf-dir', conf]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`A cluster started with --daemon is already running (pid ${pid}`);
    // It names the command that stops the running one, with its address (found by a review).
    expect(again.stderr).toContain(`stop it first with 'miniflink cluster stop -m ${base.replace('http://', '')}'`);
    expect(Number(readFileSync(join(root, 'log', 'miniflink-cluster.pid'), 'utf8'))).toBe(pid);
    expect((await fetch(`${base}/overview`)).status).toBe(200);

    // print() goes to the TaskManager's .out file, not to the daemon's own output; REST serves both.
    const logging = await runCli(['run', ...m, '-d', 'test/jobs/logging-job.ts']);
    expect(logging.code, logging.stderr).toBe(0);
    const tms = ((await (await fetch(`${base}/taskmanagers`)).json()) as { taskmanagers: Array<{ id: string }> }).taskmanagers.map((t) => t.id);
    let printedBy: string | undefined;
    for (let i = 0; i < 100 && printedBy === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const tm of tms) if ((await (await fetch(`${base}/taskmanagers/${tm}/stdout`)).text()).includes('tick-out 0\n')) printedBy = tm;
    }
    expect(printedBy).toBeDefined();
    const tmFiles = ((await (await fetch(`${base}/taskmanagers/${printedBy}/logs`)).json()) as { logs: Array<{ name: string }> }).logs.map((f) => f.name);
    expect(tmFiles).toEqual([expect.stringMatching(/taskexecutor-\d+-.+\.log$/), expect.stringMatching(/taskexecutor-\d+-.+\.out$/)]);
    expect(readFileSync(join(root, 'log', tmFiles[1]!), 'utf8')).toContain('tick-out 0\n');
    expect(readFileSync(join(root, 'log', tmFiles[0]!), 'utf8')).toMatch(/DEBUG com\.example\.TickLogger +\[[^\]]+\] - tick \d+/);
    expect(await (await fetch(`${base}/jobmanager/stdout`)).text()).toContain('REST endpoint listening at');
    const jmFiles = ((await (await fetch(`${base}/jobmanager/logs`)).json()) as { logs: Array<{ name: string }> }).logs.map((f) => f.name);
    expect(jmFiles).toEqual([expect.stringMatching(/standalonesession-0-.+\.log$/), 'miniflink-cluster.out']);
    const daemonOut = await (await fetch(`${base}/jobmanager/logs/miniflink-cluster.out`)).text();
    expect(daemonOut).toContain('REST endpoint listening at');
    // A daemon is stopped with cluster stop, not Ctrl-C (it has no terminal).
    // Its address in the command: cluster stop alone goes to the configured port (found by a review).
    expect(daemonOut).toContain(`('miniflink cluster stop -m ${base.replace('http://', '')}' stops the cluster)`);

    const stop = await runCli(['cluster', 'stop', ...m]);
    expect(stop.code).toBe(0);
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid)).toBe(false);
    await expect(fetch(`${base}/overview`)).rejects.toThrow();
    expect(existsSync(join(root, 'log', 'miniflink-cluster.pid'))).toBe(false);
    // Suspended, not canceled: the retained checkpoint is still on disk, complete.
    const chks = readdirSync(join(root, 'chk', jobId)).filter((d) => d.startsWith('chk-'));
    expect(chks.length).toBeGreaterThan(0);
    expect(chks.some((d) => existsSync(join(root, 'chk', jobId, d, '_metadata')))).toBe(true);
    // The daemon wrote its output to the log in env.log.dir.
    expect(readFileSync(join(root, 'log', 'miniflink-cluster.out'), 'utf8')).toContain('REST endpoint listening at');
    expect(readFileSync(join(root, 'log', 'miniflink-cluster.out'), 'utf8')).not.toContain('tick-out');
    // The names' locks are given up: the next cluster in this folder takes the same numbers.
    expect(readdirSync(join(root, 'log')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 120_000);
});
