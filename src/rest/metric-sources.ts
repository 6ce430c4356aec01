/**
 * The metric values the JobManager reads as they are asked for (REST and the reporters share
 * them): the JobManager's (TaskManagers, slots, jobs, its heap and CPU), each TaskManager's (its
 * slot threads' heap, GC and the process CPU), and each job's (Flink's JobManagerJobMetricGroup:
 * restarts, checkpoints, job status times). Task and operator metrics come from the metric store.
 */
import type { MetricStore, MetricValues } from '../metrics/index.js';
import { memoryStats, type JobMaster } from '../runtime/index.js';
import { cpuMetrics, jvmMetrics } from './cluster-views.js';
import { inFlightData, TERMINAL } from './job-views.js';
import { splitList, type RouteContext } from './route-context.js';

/** The job statuses whose time Flink's JobStatusMetrics reports (`<status>Time`), by metric prefix. */
const STATUS_TIMES = [
  ['created', 'CREATED'],
  ['initializing', 'INITIALIZING'],
  ['running', 'RUNNING'],
  ['restarting', 'RESTARTING'],
  ['failing', 'FAILING'],
  ['cancelling', 'CANCELLING'],
] as const;

/** The value functions over one cluster. */
export interface MetricSources {
  /** A job's own metrics, with what the store holds for it. */
  jobValues(j: JobMaster, store: ReadonlyMap<string, string>): MetricValues;
  /** The job of an id, or undefined (metric handlers never fail on an unknown id). */
  jobOf(id: string): JobMaster | undefined;
  /** The JobManager's metrics. */
  jobManagerValues(): MetricValues;
  /** A TaskManager's metrics. */
  taskManagerValues(t: { id: string; slots: readonly number[] }, store: MetricStore): Promise<MetricValues>;
}

/** The value functions of the cluster of `ctx`. */
export function metricSources(ctx: Pick<RouteContext, 'cluster' | 'dispatcher' | 'tmMemory'>): MetricSources {
  const { cluster, dispatcher, tmMemory } = ctx;
  const statusModes = new Set(splitList(cluster.configuration['metrics.job.status.enable'] ?? 'CURRENT_TIME', /[;,]/).map((s) => s.toUpperCase()));
  const jobValues = (j: JobMaster, store: ReadonlyMap<string, string>): MetricValues => {
    const c = j.coordinator;
    const latest = c.latest;
    const now = Date.now();
    const values: MetricValues = new Map(store);
    const set = (name: string, v: number) => values.set(name, String(v));
    set('numRestarts', j.restarts);
    const inProgress = c.inProgress().length;
    set('totalNumberOfCheckpoints', c.counts.completed + c.counts.failed + inProgress);
    set('numberOfInProgressCheckpoints', inProgress);
    set('numberOfCompletedCheckpoints', c.counts.completed);
    set('numberOfFailedCheckpoints', c.counts.failed);
    set('lastCheckpointDuration', latest?.durationMs ?? -1);
    set('lastCheckpointSize', latest?.stateSize ?? -1);
    set('lastCheckpointFullSize', latest?.stateSize ?? -1);
    const inFlight = latest ? inFlightData(latest.subtasks) : undefined;
    set('lastCheckpointProcessedData', inFlight?.processed_data ?? -1);
    set('lastCheckpointPersistedData', inFlight?.persisted_data ?? -1);
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
      return undefined;
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
  const taskManagerValues = async (t: { id: string; slots: readonly number[] }, store: MetricStore): Promise<MetricValues> => {
    const values = new Map(store.taskManagerMetrics(t.id));
    for (const [k, v] of Object.entries({ ...jvmMetrics(await tmMemory(t)), ...cpuMetrics() })) values.set(k, String(v));
    return values;
  };
  return { jobValues, jobOf, jobManagerValues, taskManagerValues };
}
