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
import type { JobMaster } from '../../runtime/index.js';
import { metricSources } from '../metric-sources.js';
import { aggregatedAnswer, currentSubtaskMetrics, metricsAnswer, parseAggregations, parseSubtaskRanges, vertexMetricValues } from '../metric-views.js';
import { badParameter, intParam, jobIdParam, splitList, vertexIdParam, type RouteContext } from '../route-context.js';

type MetricQuery = { get?: string; agg?: string; subtasks?: string; jobs?: string; taskmanagers?: string };

/** Registers the metrics routes. */
export function registerMetricsRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher } = ctx;
  const query = (req: FastifyRequest) => req.query as MetricQuery;
  const { jobValues, jobOf, jobManagerValues, taskManagerValues } = metricSources(ctx);

  r.get('/jobmanager/metrics', async (req) => metricsAnswer(jobManagerValues(), query(req).get));

  r.get('/taskmanagers/metrics', async (req) => {
    const q = query(req);
    const aggs = parseAggregations(q.agg);
    const wanted = q.taskmanagers === undefined ? undefined : new Set(splitList(q.taskmanagers));
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
    // A malformed id is Flink's 400; an unknown one lists nothing (Flink's metrics handlers do not look the job up).
    const j = jobOf(jobIdParam(req));
    if (!j) return [];
    return metricsAnswer(jobValues(j, (await ctx.metrics()).jobMetrics(j.jobId)), query(req).get);
  });

  // ---- vertices and subtasks: task and operator metrics (`<operator>.<name>`) ----
  const ids = (req: FastifyRequest) => {
    return { j: jobOf(jobIdParam(req)), vertexId: vertexIdParam(req) };
  };
  r.get('/jobs/:jobid/vertices/:vertexid/metrics', async (req) => {
    const { j, vertexId } = ids(req);
    if (!j) return [];
    return metricsAnswer(vertexMetricValues(await ctx.metrics(), j.jobId, vertexId, (i) => j.subtaskAttempt(vertexId, i)), query(req).get);
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/metrics', async (req) => {
    const q = query(req);
    const aggs = parseAggregations(q.agg);
    const wanted = parseSubtaskRanges(q.subtasks);
    const { j, vertexId } = ids(req);
    if (!j) return [];
    const store = await ctx.metrics();
    const subs = [...store.vertexMetrics(j.jobId, vertexId)].filter(([index, s]) => s.attempt === j.subtaskAttempt(vertexId, index) && (!wanted || wanted.has(index)));
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
    return metricsAnswer(currentSubtaskMetrics(await ctx.metrics(), j.jobId, vertexId, index, j.subtaskAttempt(vertexId, index)) ?? new Map(), query(req).get);
  });
  // Operators that run on the JobManager (FLIP-27 source coordinators): there are none here.
  r.get('/jobs/:jobid/vertices/:vertexid/jm-operator-metrics', async () => []);
}
