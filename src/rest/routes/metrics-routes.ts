/**
 * Metrics of the JobManager, the TaskManagers, jobs, vertices and subtasks, in Flink's shape:
 * `GET .../metrics` lists the metric ids, `?get=a,b` answers their values as strings; the
 * aggregating endpoints (`/jobs/metrics`, `/taskmanagers/metrics`, `.../subtasks/metrics`) answer
 * `min, max, avg, sum, skew` over their components (`agg=` picks some). As Flink's metric
 * handlers, these do not check that the job, vertex or TaskManager exists: an unknown one has no
 * metrics (`[]`). Task and operator metrics come from the slot threads through the metric store
 * (fetched again when older than `metrics.fetcher.update-interval`); the JobManager's, the
 * TaskManagers' and the jobs' are read as they are asked for.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricValues } from '../../metrics/index.js';
import { memoryStats, type JobMaster } from '../../runtime/index.js';
import { cpuMetrics, jvmMetrics } from '../cluster-views.js';
import { TERMINAL } from '../job-views.js';
import { aggregatedAnswer, currentSubtaskMetrics, metricsAnswer, parseAggregations, parseSubtaskRanges, vertexMetricValues } from '../metric-views.js';
import { badParameter, intParam, type RouteContext } from '../route-context.js';

type MetricQuery = { get?: string; agg?: string; subtasks?: string; jobs?: string; taskmanagers?: string };

/** The job statuses whose time Flink's JobStatusMetrics reports (`<status>Time`), by metric prefix. */
const STATUS_TIMES = [
  ['created', 'CREATED'],
  ['initializing', 'INITIALIZING'],
  ['running', 'RUNNING'],
  ['restarting', 'RESTARTING'],
  ['failing', 'FAILING'],
  ['cancelling', 'CANCELLING'],
] as const;

/** Registers the metrics routes. */
export function registerMetricsRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher, tmMemory } = ctx;
  const query = (req: FastifyRequest) => req.query as MetricQuery;
  const statusModes = new Set(
    (cluster.configuration['metrics.job.status.enable'] ?? 'CURRENT_TIME')
      .split(/[;,]/)
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== ''),
  );

  /** A job's own metrics (Flink's JobManagerJobMetricGroup): restarts, checkpoints, status times. */
  const jobValues = (j: JobMaster, store: ReadonlyMap<string, string>): MetricValues => {
    const c = j.coordinator;
    const latest = c.latest;
    const now = Date.now();
    const values: MetricValues = new Map(store);
    const set = (name: string, v: number) => values.set(name, String(v));
    set('numRestarts', j.attempt);
    set('totalNumberOfCheckpoints', c.counts.completed + c.counts.failed);
    set('numberOfInProgressCheckpoints', c.hasPending() ? 1 : 0);
    set('numberOfCompletedCheckpoints', c.counts.completed);
    set('numberOfFailedCheckpoints', c.counts.failed);
    set('lastCheckpointDuration', latest?.durationMs ?? -1);
    set('lastCheckpointSize', latest?.stateSize ?? -1);
    set('lastCheckpointFullSize', latest?.stateSize ?? -1);
    set('lastCheckpointProcessedData', latest ? 0 : -1);
    set('lastCheckpointPersistedData', latest ? 0 : -1);
    set('lastCompletedCheckpointId', latest?.id ?? -1);
    set('lastCheckpointRestoreTimestamp', j.restored?.timestamp ?? -1);
    // Flink's deprecated availability metrics: uptime while RUNNING, downtime while FAILING/RESTARTING.
    set('uptime', j.status === 'RUNNING' ? j.statusTime('RUNNING', now).current : TERMINAL.has(j.status) ? -1 : 0);
    set('downtime', j.status === 'RESTARTING' || j.status === 'FAILING' ? j.statusTime(j.status, now).current : TERMINAL.has(j.status) ? -1 : 0);
    for (const [prefix, status] of STATUS_TIMES) {
      const t = j.statusTime(status, now);
      if (statusModes.has('STATE')) set(`${prefix}State`, j.status === status ? 1 : 0);
      if (statusModes.has('CURRENT_TIME')) set(`${prefix}Time`, t.current);
      if (statusModes.has('TOTAL_TIME')) set(`${prefix}TimeTotal`, t.total);
    }
    return values;
  };
  const jobOf = (id: string): JobMaster | undefined => {
    try {
      return dispatcher.getJob(id.toLowerCase());
    } catch {
      return undefined; // Flink's metric handlers never check existence.
    }
  };
  const jobManagerValues = (): MetricValues => {
    const all = dispatcher.listJobs();
    const values: Record<string, number> = {
      numRegisteredTaskManagers: cluster.mini.taskManagers.length,
      numRunningJobs: all.filter((j) => !TERMINAL.has(j.status)).length,
      taskSlotsAvailable: dispatcher.freeSlots(),
      taskSlotsTotal: cluster.mini.totalSlots,
      ...jvmMetrics(memoryStats()),
      ...cpuMetrics(),
    };
    return new Map(Object.entries(values).map(([k, v]) => [k, String(v)]));
  };
  const taskManagerValues = async (t: { id: string; slots: readonly number[] }, store: { taskManagerMetrics(id: string): MetricValues }): Promise<MetricValues> => {
    const values = new Map(store.taskManagerMetrics(t.id));
    for (const [k, v] of Object.entries({ ...jvmMetrics(await tmMemory(t)), ...cpuMetrics() })) values.set(k, String(v));
    return values;
  };

  r.get('/jobmanager/metrics', async (req) => metricsAnswer(jobManagerValues(), query(req).get));

  r.get('/taskmanagers/metrics', async (req) => {
    const q = query(req);
    const aggs = parseAggregations(q.agg);
    const wanted = q.taskmanagers === undefined ? undefined : new Set(q.taskmanagers.split(',').map((s) => s.trim()));
    const store = await ctx.metrics();
    const tms = cluster.mini.taskManagers.filter((t) => !wanted || wanted.has(t.id));
    return aggregatedAnswer(await Promise.all(tms.map((t) => taskManagerValues(t, store))), q.get, aggs);
  });
  r.get('/taskmanagers/:tmid/metrics', async (req) => {
    const t = cluster.mini.taskManagers.find((x) => x.id === (req.params as { tmid: string }).tmid);
    if (!t) return [];
    return metricsAnswer(await taskManagerValues(t, await ctx.metrics()), query(req).get);
  });

  r.get('/jobs/metrics', async (req) => {
    const q = query(req);
    const aggs = parseAggregations(q.agg);
    let ids = dispatcher.listJobs().map((j) => j.jobId);
    if (q.jobs !== undefined) {
      const wanted = q.jobs.split(',').map((s) => s.trim().toLowerCase());
      for (const id of wanted) if (!/^[0-9a-f]{32}$/.test(id)) throw badParameter('jobs', q.jobs, 'query');
      ids = ids.filter((id) => wanted.includes(id));
    }
    const store = await ctx.metrics();
    const jobs = ids.map((id) => jobOf(id)).filter((j): j is JobMaster => j !== undefined);
    return aggregatedAnswer(
      jobs.map((j) => jobValues(j, store.jobMetrics(j.jobId))),
      q.get,
      aggs,
    );
  });
  r.get('/jobs/:jobid/metrics', async (req) => {
    const j = jobOf((req.params as { jobid: string }).jobid);
    if (!j) return [];
    return metricsAnswer(jobValues(j, (await ctx.metrics()).jobMetrics(j.jobId)), query(req).get);
  });

  // ---- vertices and subtasks: task and operator metrics (`<operator>.<name>`) ----
  const ids = (req: FastifyRequest) => {
    const p = req.params as { jobid: string; vertexid: string };
    return { j: jobOf(p.jobid), vertexId: p.vertexid };
  };
  r.get('/jobs/:jobid/vertices/:vertexid/metrics', async (req) => {
    const { j, vertexId } = ids(req);
    if (!j) return [];
    return metricsAnswer(vertexMetricValues(await ctx.metrics(), j.jobId, vertexId, j.attempt), query(req).get);
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/metrics', async (req) => {
    const q = query(req);
    const aggs = parseAggregations(q.agg);
    const wanted = parseSubtaskRanges(q.subtasks);
    const { j, vertexId } = ids(req);
    if (!j) return [];
    const store = await ctx.metrics();
    const subs = [...store.vertexMetrics(j.jobId, vertexId)].filter(([index, s]) => s.attempt === j.attempt && (!wanted || wanted.has(index)));
    return aggregatedAnswer(
      subs.map(([, s]) => s.metrics),
      q.get,
      aggs,
    );
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/metrics', async (req) => {
    const index = intParam((req.params as { subtaskindex: string }).subtaskindex, 'subtaskindex', 'path');
    const { j, vertexId } = ids(req);
    if (!j) return [];
    return metricsAnswer(currentSubtaskMetrics(await ctx.metrics(), j.jobId, vertexId, index, j.attempt) ?? new Map(), query(req).get);
  });
  // Operators that run on the JobManager (FLIP-27 source coordinators): there are none here.
  r.get('/jobs/:jobid/vertices/:vertexid/jm-operator-metrics', async () => []);
}
