/**
 * Metric reporters on a real cluster: the Prometheus endpoint scraped over HTTP after a job of
 * known size (Flink's names and labels, exact counts), and the log reporter's report on the
 * cluster's standard output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

/** A port nothing listens on now. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

let cluster: ChildProcess | undefined;
let out = '';
let base = '';
let promPort = 0;

beforeAll(async () => {
  promPort = await freePort();
  const settings = [
    'rest.port=0',
    'taskmanager.numberOfTaskSlots=2',
    'metrics.reporter.prom.factory.class=org.apache.flink.metrics.prometheus.PrometheusReporterFactory',
    `metrics.reporter.prom.port=${promPort}`,
    'metrics.reporter.prom.scope.variables.excludes=task_attempt_num',
    'metrics.reporter.log.factory.class=org.apache.flink.metrics.slf4j.Slf4jReporterFactory',
    'metrics.reporter.log.interval=500 ms',
  ];
  cluster = spawn(process.execPath, [join(ROOT, 'bin/miniflink.mjs'), 'cluster', 'start', ...settings.flatMap((s) => ['-D', s])], { stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((resolve, reject) => {
    cluster!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const hit = /REST endpoint listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (hit) resolve(hit[1]!);
    });
    cluster!.once('exit', (code) => reject(new Error(`cluster exited ${code}: ${out}`)));
  });
}, 60_000);

afterAll(async () => {
  if (!cluster || cluster.exitCode !== null) return;
  const exited = new Promise((resolve) => cluster!.once('exit', resolve));
  cluster.kill('SIGTERM');
  await exited;
});

describe('metric reporters', () => {
  it('reporters - Prometheus: Flink names and labels, exact counts of a finished job, excluded labels left out', async () => {
    expect(out).toContain(`Metric reporter prom (Prometheus) listening at http://127.0.0.1:${promPort}/metrics`);
    const r = await runCli(['run', '-m', base.replace('http://', ''), '-p', '2', 'test/jobs/metrics-job.ts', 'count', '5000']);
    expect(r.code, r.stderr).toBe(0);
    const text = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    const lines = text.split('\n');
    const sum = (metric: string, filter: (l: string) => boolean) =>
      lines
        .filter((l) => l.startsWith(`${metric}{`) && filter(l))
        .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)))
        .reduce((a, b) => a + b, 0);
    expect(text).toContain('# TYPE flink_taskmanager_job_task_operator_numRecordsIn gauge');
    expect(sum('flink_taskmanager_job_task_operator_numRecordsIn', (l) => l.includes('operator_name="Sink: counting sink"'))).toBe(5000);
    expect(sum('flink_taskmanager_job_task_numRecordsOut', (l) => l.includes('job_name="metrics count"') && l.includes('task_name="Source: Sequence Source -> Map"'))).toBe(5000);
    expect(sum('flink_taskmanager_job_task_operator_mine_seen', () => true)).toBe(5000);
    expect(lines.some((l) => l.startsWith('flink_jobmanager_numRegisteredTaskManagers{host="localhost"} 1'))).toBe(true);
    expect(lines.some((l) => l.startsWith('flink_jobmanager_job_numRestarts{') && l.includes('job_name="metrics count"'))).toBe(true);
    expect(text).toMatch(/flink_taskmanager_Status_JVM_Memory_Heap_Used\{host="localhost",tm_id="[0-9a-f]+"\} \d+/);
    expect(text).not.toContain('task_attempt_num=');
  }, 60_000);

  it('reporters - the log reporter prints a report of every metric with its identifier', { timeout: 30_000 }, async () => {
    // A report every 500 ms: wait for one taken after the job of the first test ran.
    const sinkLine = /localhost\.taskmanager\.[0-9a-f]+\.metrics count\.Sink: counting sink\.\d\.numRecordsIn: \d+\n/;
    for (let i = 0; i < 100 && !sinkLine.test(out); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out).toContain('=========================== Starting metrics report ===========================');
    expect(out).toMatch(/localhost\.jobmanager\.numRegisteredTaskManagers: 1\n/);
    expect(out).toMatch(sinkLine);
  });
});
