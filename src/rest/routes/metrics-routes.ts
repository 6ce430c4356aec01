/**
 * Metrics of the JobManager, the TaskManagers, jobs and vertices, in Flink's shape: `GET .../metrics`
 * lists the metric ids, `?get=a,b` answers their values as strings. As Flink's metric handlers, these
 * do not check that the job, vertex or TaskManager exists (an unknown one has no metrics: `[]`).
 * Record and time metrics arrive with the metrics issue.
 */
import type { FastifyInstance } from 'fastify';
import { memoryStats } from '../../runtime/index.js';
import { jvmMetrics } from '../cluster-views.js';
import { TERMINAL } from '../job-views.js';
import type { RouteContext } from '../route-context.js';

/** Registers the metrics routes. */
export function registerMetricsRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher, tmMemory } = ctx;

  r.get('/jobmanager/metrics', async (req) => {
    const all = dispatcher.listJobs();
    return metricsAnswer(
      {
        numRegisteredTaskManagers: cluster.mini.taskManagers.length,
        numRunningJobs: all.filter((j) => !TERMINAL.has(j.status)).length,
        taskSlotsAvailable: dispatcher.freeSlots(),
        taskSlotsTotal: cluster.mini.totalSlots,
        ...jvmMetrics(memoryStats()),
      },
      (req.query as { get?: string }).get,
    );
  });
  r.get('/taskmanagers/:tmid/metrics', async (req) => {
    const t = cluster.mini.taskManagers.find((x) => x.id === (req.params as { tmid: string }).tmid);
    if (!t) return [];
    return metricsAnswer(jvmMetrics(await tmMemory(t)), (req.query as { get?: string }).get);
  });
  r.get('/jobs/:jobid/metrics', async (req) => {
    const id = (req.params as { jobid: string }).jobid;
    let j;
    try {
      j = dispatcher.getJob(id.toLowerCase());
    } catch {
      return []; // Flink's metric handlers never check existence.
    }
    const c = j.coordinator;
    const latest = c.latest;
    const values: Record<string, number> = {
      numRestarts: j.attempt,
      totalNumberOfCheckpoints: c.counts.completed + c.counts.failed,
      numberOfInProgressCheckpoints: c.hasPending() ? 1 : 0,
      numberOfCompletedCheckpoints: c.counts.completed,
      numberOfFailedCheckpoints: c.counts.failed,
      lastCheckpointDuration: latest?.durationMs ?? -1,
      lastCheckpointSize: latest?.stateSize ?? -1,
      lastCheckpointFullSize: latest?.stateSize ?? -1,
      lastCompletedCheckpointId: latest?.id ?? -1,
    };
    return metricsAnswer(values, (req.query as { get?: string }).get);
  });
  // Flink's metric handlers do not check that the job, vertex or TaskManager exists: [] when not.
  r.get('/jobs/:jobid/vertices/:vertexid/metrics', async () => []);
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/metrics', async () => []);
}

/** Flink's metric answer: ids only, or `{id, value}` (as a string) for the names in `?get=`. */
function metricsAnswer(values: Record<string, number>, get: string | undefined): Array<{ id: string; value?: string }> {
  if (get === undefined) return Object.keys(values).map((id) => ({ id }));
  return get
    .split(',')
    .filter((id) => id in values)
    .map((id) => ({ id, value: String(values[id]) }));
}
