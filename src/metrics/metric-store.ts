/**
 * What REST reads metrics from (Flink's MetricStore): the latest values fetched from every thread
 * that owns metrics, by where they belong. Task and operator metrics are kept per subtask of a
 * vertex, named as Flink's REST API names them (`numRecordsIn`, `<operator>.numRecordsIn`); a
 * newer attempt of a subtask replaces what an older one reported, and what a task reported last
 * (its final values, when it ended) stays until the job is removed.
 */
import type { LabelledName, MetricDump } from './registry.js';

/** Metric values by name. */
export type MetricValues = Map<string, string>;

/** The metrics of one subtask: task metrics by name, operator metrics as `<operator>.<name>`. */
export interface SubtaskMetrics {
  attempt: number;
  readonly metrics: MetricValues;
  /**
   * Each operator's own metrics by operator id (the reporters label them with it: two chained
   * operators of one name stay apart, where REST's `<operator>.<name>` joins them, as Flink's does).
   */
  readonly operators: Map<string, OperatorMetrics>;
}

/** One operator's metrics of a subtask. */
export interface OperatorMetrics {
  readonly name: string;
  readonly metrics: MetricValues;
  /** The metrics under key-value groups, by name: their logical names and labels (for the reporters). */
  readonly labelled: Map<string, LabelledName>;
}

interface JobMetrics {
  readonly metrics: MetricValues;
  /** By vertex id, then subtask index. */
  readonly tasks: Map<string, Map<number, SubtaskMetrics>>;
}

/** The cluster's metric values. */
export class MetricStore {
  readonly jobManager: MetricValues = new Map();
  private readonly taskManagers = new Map<string, MetricValues>();
  private readonly jobs = new Map<string, JobMetrics>();

  /** Adds (or overwrites) values. */
  add(dumps: readonly MetricDump[]): void {
    for (const d of dumps) {
      const s = d.scope;
      switch (s.kind) {
        case 'jm':
          this.jobManager.set(d.name, d.value);
          break;
        case 'tm':
          this.tm(s.tmId).set(d.name, d.value);
          break;
        case 'job':
          this.job(s.jobId).metrics.set(d.name, d.value);
          break;
        case 'task':
        case 'operator': {
          const sub = this.subtask(s.jobId, s.vertexId, s.subtask, s.attempt);
          if (!sub) break;
          sub.metrics.set(s.kind === 'task' ? d.name : `${s.operator}.${d.name}`, d.value);
          if (s.kind === 'operator' && s.operatorId !== undefined) {
            let op = sub.operators.get(s.operatorId);
            if (!op) sub.operators.set(s.operatorId, (op = { name: s.operator, metrics: new Map(), labelled: new Map() }));
            op.metrics.set(d.name, d.value);
            if (d.labelled) op.labelled.set(d.name, d.labelled);
          }
          break;
        }
        default:
      }
    }
  }

  /** The JobManager's metrics. */
  jobManagerMetrics(): MetricValues {
    return this.jobManager;
  }

  /** A TaskManager's metrics (empty when unknown). */
  taskManagerMetrics(tmId: string): MetricValues {
    return this.taskManagers.get(tmId) ?? new Map();
  }

  /** Every TaskManager with metrics. */
  taskManagerIds(): string[] {
    return [...this.taskManagers.keys()];
  }

  /** A job's own metrics (empty when unknown). */
  jobMetrics(jobId: string): MetricValues {
    return this.jobs.get(jobId)?.metrics ?? new Map();
  }

  /** Every job with metrics. */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  /** The subtasks of a vertex with their metrics, by subtask index. */
  vertexMetrics(jobId: string, vertexId: string): ReadonlyMap<number, SubtaskMetrics> {
    return this.jobs.get(jobId)?.tasks.get(vertexId) ?? new Map();
  }

  /** One subtask's metrics (empty when unknown). */
  subtaskMetrics(jobId: string, vertexId: string, subtask: number): MetricValues {
    return this.jobs.get(jobId)?.tasks.get(vertexId)?.get(subtask)?.metrics ?? new Map();
  }

  /** Forgets every job not in `jobIds` (Flink's retainJobs). */
  retainJobs(jobIds: ReadonlySet<string>): void {
    for (const id of this.jobs.keys()) if (!jobIds.has(id)) this.jobs.delete(id);
  }

  private tm(id: string): MetricValues {
    let m = this.taskManagers.get(id);
    if (!m) this.taskManagers.set(id, (m = new Map()));
    return m;
  }

  private job(id: string): JobMetrics {
    let j = this.jobs.get(id);
    if (!j) this.jobs.set(id, (j = { metrics: new Map(), tasks: new Map() }));
    return j;
  }

  /** The subtask's entry for `attempt`: a newer attempt starts afresh, an older one is ignored. */
  private subtask(jobId: string, vertexId: string, index: number, attempt: number): SubtaskMetrics | undefined {
    const job = this.job(jobId);
    let v = job.tasks.get(vertexId);
    if (!v) job.tasks.set(vertexId, (v = new Map()));
    const cur = v.get(index);
    if (cur && cur.attempt > attempt) return undefined;
    if (cur && cur.attempt === attempt) return cur;
    const fresh = { attempt, metrics: new Map<string, string>(), operators: new Map() };
    v.set(index, fresh);
    return fresh;
  }
}
