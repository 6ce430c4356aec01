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
    'metrics.fetcher.update-interval=0',
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

const jobIdOf = (stdout: string) => /JobID ([0-9a-f]{32})/.exec(stdout)![1]!;
const scrape = async () => (await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text()).split('\n');
/** The sum of a metric's samples whose line passes `filter`. */
const sum = (lines: readonly string[], metric: string, filter: (l: string) => boolean) =>
  lines
    .filter((l) => l.startsWith(`${metric}{`) && filter(l))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)))
    .reduce((a, b) => a + b, 0);

describe('metric reporters', () => {
  it('reporters - Prometheus and the log reporter: Flink names and labels, exact counts of a running job, operators of one name apart by operator_id; an ended job reports nothing', async () => {
    expect(out).toContain(`Metric reporter prom (Prometheus) listening at http://127.0.0.1:${promPort}/metrics`);
    const m = ['-m', base.replace('http://', '')];
    const r = await runCli(['run', ...m, '-d', '-p', '2', 'test/jobs/reporter-job.ts', '1000']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = jobIdOf(r.stdout);
    const inJob = (l: string) => l.includes(`job_id="${jobId}"`);
    let lines: string[] = [];
    for (let i = 0; i < 100; i++) {
      lines = await scrape();
      if (sum(lines, 'flink_taskmanager_job_task_operator_numRecordsIn', (l) => inJob(l) && l.includes('operator_name="Sink: counting sink"')) === 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const text = lines.join('\n');
    expect(text).toContain('# TYPE flink_taskmanager_job_task_operator_numRecordsIn gauge');
    expect(sum(lines, 'flink_taskmanager_job_task_operator_numRecordsIn', (l) => inJob(l) && l.includes('operator_name="Sink: counting sink"'))).toBe(1000);
    expect(sum(lines, 'flink_taskmanager_job_task_operator_numRecordsOut', (l) => inJob(l) && l.includes('task_name="Source: Numbers -> Map -> X -> X -> Sink: counting sink"') && l.includes('operator_name="Source: Numbers"'))).toBe(1000);
    expect(sum(lines, 'flink_taskmanager_job_task_operator_mine_seen', inJob)).toBe(1000);
    // A key-value group (addGroup('shard', index)): its key in the name, its value a label, as
    // Flink's GenericValueMetricGroup (one series per subtask; 1000 numbers split 500 / 500).
    expect(sum(lines, 'flink_taskmanager_job_task_operator_shard_seenHere', (l) => inJob(l) && l.includes('shard="0"') && l.includes('subtask_index="0"'))).toBe(500);
    expect(sum(lines, 'flink_taskmanager_job_task_operator_shard_seenHere', (l) => inJob(l) && l.includes('shard="1"') && l.includes('subtask_index="1"'))).toBe(500);
    expect(text).not.toContain('shard_0');
    // A key named like a system label keeps the system's value (Flink's variables: the parents'
    // win), an empty key is a label `_` (it broke the whole scrape), and of a key used twice on a
    // path the outer value stays (found by a review).
    expect(sum(lines, 'flink_taskmanager_job_task_operator_subtask_index_clash', (l) => inJob(l) && l.includes('subtask_index="0"'))).toBe(7);
    expect(sum(lines, 'flink_taskmanager_job_task_operator_subtask_index_clash', (l) => inJob(l) && l.includes('subtask_index="1"'))).toBe(7);
    expect(sum(lines, 'flink_taskmanager_job_task_operator__emptyKey', (l) => inJob(l) && l.includes('_="v"'))).toBe(6);
    expect(sum(lines, 'flink_taskmanager_job_task_operator_twice_twice_nested', (l) => inJob(l) && l.includes('twice="outer"'))).toBe(10);
    // One name with two label sets: one series kept, the other left out with a warning in the
    // JobManager's log, as Flink's reporter logs a metric it cannot register (found by a review).
    expect(lines.filter((l) => l.startsWith('flink_taskmanager_job_task_operator_zone_hits{') && inJob(l)).length).toBe(2);
    const jmLog = await (await fetch(`${base}/jobmanager/log`)).text();
    expect(jmLog).toMatch(/WARN +org\.apache\.flink\.metrics\.prometheus\.PrometheusReporter +\[[^\]]*\] - Metric flink_taskmanager_job_task_operator_zone_hits with the labels \[[^\]]*\] is left out/);
    // Once per name, not at every scrape.
    expect(jmLog.match(/Metric flink_taskmanager_job_task_operator_zone_hits with the labels/g)).toHaveLength(1);
    // The two operators named X: each its own series, told apart by operator_id.
    const xIn = lines.filter((l) => l.startsWith('flink_taskmanager_job_task_operator_numRecordsIn{') && inJob(l) && l.includes('operator_name="X"'));
    const ids = [...new Set(xIn.map((l) => /operator_id="([0-9a-f]{32})"/.exec(l)?.[1]))];
    expect(ids).toHaveLength(2);
    expect(ids.map((id) => sum(lines, 'flink_taskmanager_job_task_operator_numRecordsIn', (l) => inJob(l) && l.includes(`operator_id="${id}"`))).sort()).toEqual([1000, 2000]);
    expect(lines.some((l) => l.startsWith('flink_jobmanager_numRegisteredTaskManagers{host="localhost"} 1'))).toBe(true);
    expect(lines.some((l) => l.startsWith('flink_jobmanager_job_numRestarts{') && l.includes('job_name="reporter job"'))).toBe(true);
    expect(text).toMatch(/flink_taskmanager_Status_JVM_Memory_Heap_Used\{host="localhost",tm_id="[0-9a-f]+"\} \d+/);
    expect(text).not.toContain('task_attempt_num=');

    // The log reporter: a report of every metric with its identifier.
    // A report is printed every 500 ms; wait for one made after both metrics existed (a report
    // printed between the sink's first record and the user metric's registration has only one).
    const sinkLine = /localhost\.taskmanager\.[0-9a-f]+\.reporter job\.Sink: counting sink\.\d\.numRecordsIn: \d+\n/;
    const shardLine = /localhost\.taskmanager\.[0-9a-f]+\.reporter job\.Map\.1\.shard\.1\.seenHere: \d+\n/;
    for (let i = 0; i < 100 && !(sinkLine.test(out) && shardLine.test(out)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out).toContain('=========================== Starting metrics report ===========================');
    expect(out).toMatch(/localhost\.jobmanager\.numRegisteredTaskManagers: 1\n/);
    expect(out).toMatch(sinkLine);
    // The log reporter prints the full identifier, the group's value included (Flink's Slf4jReporter).
    expect(out).toMatch(shardLine);

    // Canceled: its job, task and operator series are gone (Flink closes the groups), not frozen.
    const cancel = await runCli(['cancel', ...m, jobId]);
    expect(cancel.code, cancel.stderr).toBe(0);
    for (let i = 0; i < 50; i++) {
      const state = ((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string }).state;
      if (state === 'CANCELED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = await scrape();
    expect(after.filter((l) => !l.startsWith('#') && inJob(l))).toEqual([]);
    expect(after.some((l) => l.startsWith('flink_jobmanager_numRegisteredTaskManagers{'))).toBe(true);
  }, 60_000);
});
