/**
 * Task, operator, user and job metrics through REST on a real cluster (test/jobs/metrics-job.ts):
 * exact counts once a bounded job finished, backpressure and busy time of a running job with a
 * slow sink, Flink's aggregations and error answers, and `metrics.enabled: false`.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

let cluster: ChildProcess | undefined;
let base = '';

const get = async (path: string): Promise<{ status: number; body: any }> => {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: await r.json() };
};
const explain = (args: readonly string[], r: CliResult) => `miniflink ${args.join(' ')} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
const jobIdOf = (stdout: string) => /JobID ([0-9a-f]{32})/.exec(stdout)![1]!;
/** The vertex whose name contains `part`. */
async function vertexOf(jobId: string, part: string): Promise<{ id: string; parallelism: number; metrics: Record<string, number | boolean> }> {
  const v = (await get(`/jobs/${jobId}`)).body.vertices.find((x: { name: string }) => x.name.includes(part));
  if (!v) throw new Error(`no vertex named like ${part}`);
  return v;
}
/** name -> value of `?get=` on a metrics endpoint. */
async function values(path: string, names: readonly string[]): Promise<Record<string, string>> {
  const r = await get(`${path}?get=${names.map(encodeURIComponent).join(',')}`);
  return Object.fromEntries((r.body as Array<{ id: string; value: string }>).map((m) => [m.id, m.value]));
}
/** name -> aggregation of `subtasks/metrics`. */
async function aggregated(jobId: string, vertexId: string, names: readonly string[], agg = ''): Promise<Record<string, Record<string, number>>> {
  const r = await get(`/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics?get=${names.map(encodeURIComponent).join(',')}${agg}`);
  return Object.fromEntries((r.body as Array<{ id: string } & Record<string, number>>).map((m) => [m.id, m]));
}

beforeAll(async () => {
  ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', 'metrics.fetcher.update-interval=0']));
}, 60_000);
afterAll(() => stopCluster(cluster));

describe('metrics', () => {
  const N = 10_000;
  let jobId = '';
  beforeAll(async () => {
    const args = ['run', '-m', base.replace('http://', ''), '-p', '2', 'test/jobs/metrics-job.ts', 'count', String(N)];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    jobId = jobIdOf(r.stdout);
  }, 90_000);

  it('metrics - a finished job: records and bytes in and out of every vertex, exact and complete', async () => {
    const source = await vertexOf(jobId, 'Source');
    const sink = await vertexOf(jobId, 'counting sink');
    // The source's chain writes every record once to the network; the sink's task reads each once.
    expect(source.metrics).toMatchObject({ 'write-records': N, 'write-records-complete': true, 'read-records': 0, 'read-records-complete': true });
    expect(sink.metrics).toMatchObject({ 'read-records': N, 'read-records-complete': true, 'write-records': 0 });
    expect(sink.metrics['read-bytes']).toBe(source.metrics['write-bytes']);
    expect(sink.metrics['read-bytes'] as number).toBeGreaterThan(N);
    const detail = (await get(`/jobs/${jobId}/vertices/${sink.id}`)).body;
    expect(detail.subtasks.map((s: { metrics: Record<string, number> }) => s.metrics['read-records']).reduce((a: number, b: number) => a + b, 0)).toBe(N);
    expect(detail.aggregated.metrics['read-records'].sum).toBe(N);
  });

  it('metrics - with pipeline.local-exchange.by-reference, bytes count only the batches that crossed threads: none at parallelism 1, records exact', async () => {
    const run = async (p: number) => {
      const args = ['run', '-m', base.replace('http://', ''), '-p', String(p), '-D', 'pipeline.local-exchange.by-reference=true', 'test/jobs/metrics-job.ts', 'count', String(N)];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      const id = jobIdOf(r.stdout);
      return { source: await vertexOf(id, 'Source'), sink: await vertexOf(id, 'counting sink'), id };
    };
    const one = await run(1);
    expect(one.source.metrics).toMatchObject({ 'write-records': N, 'write-bytes': 0 });
    expect(one.sink.metrics).toMatchObject({ 'read-records': N, 'read-bytes': 0 });
    expect((await aggregated(one.id, one.sink.id, ['numBuffersIn']))['numBuffersIn']!['sum']).toBeGreaterThan(0);
    // At 2, a subtask's channel to the other slot thread is serialized, the one within its thread is not.
    const two = await run(2);
    const serialized = (await vertexOf(jobId, 'counting sink')).metrics['read-bytes'] as number;
    expect(two.sink.metrics).toMatchObject({ 'read-records': N, 'read-bytes': two.source.metrics['write-bytes'] });
    expect(two.sink.metrics['read-bytes'] as number).toBeGreaterThan(0);
    expect(two.sink.metrics['read-bytes'] as number).toBeLessThan(serialized);
  }, 90_000);

  it('metrics - operator metrics per subtask: each chained operator counts its records; the sink saw every record', async () => {
    const sink = await vertexOf(jobId, 'counting sink');
    // Operator names in metric ids are filtered as Flink's MetricQueryService does (' ', '.', ':' and ',' become '_').
    const a = await aggregated(jobId, sink.id, ['numRecordsIn', 'Sink__counting_sink.numRecordsIn', 'Map.numRecordsIn', 'Map.numRecordsOut', 'numBuffersIn'], '&agg=sum,min,max');
    expect(a['numRecordsIn']!.sum).toBe(N);
    expect(a['Sink__counting_sink.numRecordsIn']!.sum).toBe(N);
    expect(a['Map.numRecordsIn']!.sum).toBe(N);
    expect(a['Map.numRecordsOut']!.sum).toBe(N);
    expect(a['numBuffersIn']!.sum).toBeGreaterThan(0);
    expect(Object.keys(a['numRecordsIn']!).sort()).toEqual(['id', 'max', 'min', 'sum']);
    // The end of the bounded input is the final watermark (Long.MAX_VALUE as Flink prints it).
    const v = await values(`/jobs/${jobId}/vertices/${sink.id}/metrics`, ['0.currentInputWatermark', '1.currentInputWatermark']);
    expect(v).toEqual({ '0.currentInputWatermark': '9223372036854775807', '1.currentInputWatermark': '9223372036854775807' });
  });

  it('metrics - user metrics: counter in a group, gauge, meter, histogram, key-value group', async () => {
    const source = await vertexOf(jobId, 'Source');
    const a = await aggregated(jobId, source.id, ['Map.mine.seen', 'Map.k.v.inKv', 'Map.valueHistogram_count', 'Map.valueHistogram_max', 'Map.lastValue', 'Map.seenPerSecond']);
    expect(a['Map.mine.seen']!.sum).toBe(N);
    expect(a['Map.k.v.inKv']!.sum).toBe(N);
    expect(a['Map.valueHistogram_count']!.sum).toBe(N);
    expect(a['Map.valueHistogram_max']!.max).toBe(99);
    // fromSequence splits 1..N into contiguous ranges: the subtask that ends at N saw it last.
    expect(a['Map.lastValue']!.max).toBe(N);
    expect(a['Map.seenPerSecond']).toBeDefined();
    const names = (await get(`/jobs/${jobId}/vertices/${source.id}/metrics`)).body.map((m: { id: string }) => m.id);
    for (const p of ['_min', '_max', '_mean', '_median', '_stddev', '_p75', '_p90', '_p95', '_p98', '_p99', '_p999']) expect(names).toContain(`0.Map.valueHistogram${p}`);
    // One subtask alone.
    const one = await values(`/jobs/${jobId}/vertices/${source.id}/subtasks/0/metrics`, ['Map.mine.seen', 'numRecordsOut']);
    expect(Number(one['Map.mine.seen']) + Number((await values(`/jobs/${jobId}/vertices/${source.id}/subtasks/1/metrics`, ['Map.mine.seen']))['Map.mine.seen'])).toBe(N);
    expect(one['numRecordsOut']).toBe(one['Map.mine.seen']);
  });

  it("metrics - job metrics, /jobs/metrics and /taskmanagers/metrics aggregate; Flink's answers to unknown ids and bad parameters", async () => {
    const job = await values(`/jobs/${jobId}/metrics`, ['numRestarts', 'runningTime', 'uptime', 'restartingTime']);
    expect(job).toEqual({ numRestarts: '0', runningTime: '0', uptime: '-1', restartingTime: '0' });
    const jobs = (await get(`/jobs/metrics?get=numRestarts&jobs=${jobId}`)).body;
    expect(jobs).toEqual([{ id: 'numRestarts', min: 0, max: 0, avg: 0, sum: 0, skew: 0 }]);
    const tms = (await get('/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used&agg=max')).body;
    expect(tms[0].max).toBeGreaterThan(0);
    expect(await get(`/jobs/${'0'.repeat(32)}/metrics`)).toEqual({ status: 200, body: [] });
    expect(await get(`/jobs/${jobId}/vertices/${'0'.repeat(32)}/subtasks/metrics`)).toEqual({ status: 200, body: [] });
    const sink = await vertexOf(jobId, 'counting sink');
    const bad = await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&agg=median`);
    expect(bad).toEqual({ status: 400, body: { errors: ['Bad request, could not parse parameters: Cannot resolve query parameter (agg) from value "median".'] } });
    // As Flink: a `subtasks` part that is not a number or a range is skipped (no 400); here none is left, so no subtask answers.
    expect(await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/metrics?subtasks=a-b`)).toEqual({ status: 200, body: [] });
    expect(await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&subtasks=a-b`)).toEqual({ status: 200, body: [] });
    const only = async (subtasks: string) => ((await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/metrics?get=numRecordsIn&agg=sum&subtasks=${subtasks}`)).body[0]?.sum ?? 0) as number;
    expect((await only('0')) + (await only('1'))).toBe(N);
    expect(await only('0-1')).toBe(N);
    expect((await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/9`)).status).toBe(404);
    const sub = (await get(`/jobs/${jobId}/vertices/${sink.id}/subtasks/1/attempts/0`)).body;
    expect(sub).toMatchObject({ subtask: 1, attempt: 0, status: 'FINISHED' });
  });

  it('metrics - a slow sink backpressures its upstream: backpressure high, the source backpressured, the sink busy', async () => {
    const args = ['run', '-m', base.replace('http://', ''), '-d', '-p', '2', 'test/jobs/metrics-job.ts', 'slow'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const id = jobIdOf(r.stdout);
    try {
      const source = await vertexOf(id, 'Source');
      const sink = await vertexOf(id, 'slow sink');
      let bp: any;
      let busy: Record<string, Record<string, number>> = {};
      // The per-second figures need a few seconds of history (Flink's TimerGauge window).
      for (let i = 0; i < 60; i++) {
        bp = (await get(`/jobs/${id}/vertices/${source.id}/backpressure`)).body;
        busy = await aggregated(id, sink.id, ['busyTimeMsPerSecond']);
        if (bp.status === 'ok' && bp.subtasks[0].ratio > 0.5 && (busy['busyTimeMsPerSecond']?.max ?? 0) > 500) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(bp).toMatchObject({ status: 'ok', 'backpressure-level': 'high' });
      expect(bp.subtasks[0].ratio).toBeGreaterThan(0.5);
      expect(busy['busyTimeMsPerSecond']!.max).toBeGreaterThan(500);
      const flags = await values(`/jobs/${id}/vertices/${source.id}/metrics`, ['0.isBackPressured', '0.backPressuredTimeMsPerSecond']);
      expect(Number(flags['0.backPressuredTimeMsPerSecond'])).toBeGreaterThan(500);
      const sinkBp = (await get(`/jobs/${id}/vertices/${sink.id}/backpressure`)).body;
      expect(sinkBp['backpressure-level']).toBe('ok');
    } finally {
      await runCli(['cancel', '-m', base.replace('http://', ''), id]);
    }
  }, 90_000);

  it('metrics - metrics.enabled: false runs the job without task metrics (a bench switch)', async () => {
    const args = ['run', '-m', base.replace('http://', ''), '-D', 'metrics.enabled=false', '-p', '2', 'test/jobs/metrics-job.ts', 'count', '1000'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const id = jobIdOf(r.stdout);
    const sink = await vertexOf(id, 'counting sink');
    expect(sink.metrics['read-records-complete']).toBe(false);
    expect((await get(`/jobs/${id}/vertices/${sink.id}/metrics`)).body).toEqual([]);
  }, 60_000);
});
