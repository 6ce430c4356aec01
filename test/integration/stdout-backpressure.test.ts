/**
 * A foreground cluster whose stdout nobody reads (a terminal scrolled back, a pipe not drained):
 * a task that prints waits for the JobManager to write what it printed (as a Flink task blocks on a
 * full stdout) instead of the JobManager buffering it without bound; once stdout is read again
 * every line arrives, once and in order. (A Flink engineer's review: the JobManager's heap grew
 * past 1 GB in 20 s.)
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

let cluster: ChildProcess | undefined;
afterAll(() => stopCluster(cluster));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stdout backpressure', () => {
  it('stdout backpressure - an unread stdout holds the printing task back, the heap stays small, and no line is lost', async () => {
    const N = 1_000_000;
    const started = await startCluster([]);
    cluster = started.cluster;
    const { base } = started;
    let out = '';
    cluster.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    cluster.stdout!.pause();
    const run = await runCli(['run', '-d', '-m', base.replace('http://', ''), 'test/jobs/print-flood-job.ts', String(N)]);
    expect(run.code, run.stderr).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await sleep(5000);
    const heap = async () => Number(((await (await fetch(`${base}/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used`)).json()) as Array<{ value: string }>)[0]!.value);
    const used = await heap();
    // 1,000,000 lines of 80 characters are 80 MB (160 MB as UTF-16 strings): the JobManager holds
    // at most the 1 MB a slot may have pending, not what the task printed.
    expect(used, `JobManager heap ${Math.round(used / 1e6)} MB while stdout is not read`).toBeLessThan(100e6);
    expect(((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string }).state).toBe('RUNNING');
    cluster.stdout!.resume();
    for (let i = 0; i < 600; i++) {
      if (((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string }).state === 'FINISHED') break;
      await sleep(100);
    }
    await sleep(500);
    const lines = out.split('\n').filter((l) => l.startsWith('flood '));
    expect(lines.length).toBe(N);
    expect(lines.every((l, i) => l.startsWith(`flood ${i + 1} `))).toBe(true);
  }, 180_000);
});
