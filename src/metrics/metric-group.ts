/**
 * Metric groups (Flink's AbstractMetricGroup and its subclasses): each has scope components (from
 * Flink's scope formats: `<host>.taskmanager.<tm_id>.<job_name>.<operator_name>.<subtask_index>`),
 * variables (`<job_id>`, ...), and a query scope saying where REST finds its metrics (the
 * JobManager, a TaskManager, a job, a task or an operator, as Flink's QueryScopeInfo).
 *
 * User code gets an operator's group (`getRuntimeContext().getMetricGroup()`) and may add its own
 * groups below it (`addGroup("name")`, `addGroup("key", "value")`).
 */
import { DEFAULT_SCOPE_FORMATS, type ScopeFormats } from './scope.js';
import { metricKind, SimpleCounter, type Counter, type Gauge, type Histogram, type Meter, type Metric } from './metrics.js';

/** Where a metric is queried (Flink's QueryScopeInfo categories). */
export type QueryScope =
  | { readonly kind: 'jm' }
  | { readonly kind: 'tm'; readonly tmId: string }
  | { readonly kind: 'job'; readonly jobId: string }
  | { readonly kind: 'task'; readonly jobId: string; readonly vertexId: string; readonly subtask: number; readonly attempt: number }
  | { readonly kind: 'operator'; readonly jobId: string; readonly vertexId: string; readonly subtask: number; readonly attempt: number; readonly operator: string; readonly operatorId?: string };

/** What a registry does with metrics as groups add and remove them (reporters listen here). */
export interface MetricSink {
  added(metric: Metric, name: string, group: MetricGroup): void;
  removed(metric: Metric, name: string, group: MetricGroup): void;
  /** The scope formats and delimiter groups build their identifiers with. */
  readonly scopeFormats: ScopeFormats;
}

/** A group of metrics (Flink's MetricGroup). */
export class MetricGroup {
  private readonly metrics = new Map<string, Metric>();
  private readonly children = new Map<string, MetricGroup>();
  private closed = false;

  constructor(
    protected readonly sink: MetricSink | undefined,
    private readonly scope: readonly string[],
    private readonly variables: Readonly<Record<string, string>>,
    /** Where REST finds the group's metrics. */
    readonly query: QueryScope,
    /** The user groups between the system group and this one (part of a metric's name in REST). */
    readonly userPath: readonly string[] = [],
    /**
     * The user groups of the logical scope (Flink's createLogicalScope): the userPath without the
     * value of each key-value group, whose key and value are a label instead (Prometheus).
     */
    readonly userLogicalPath: readonly string[] = [],
    /** The key-value groups' keys and values (Flink's variables `<key>` of user groups), as labels. */
    readonly userLabels: Readonly<Record<string, string>> = {},
  ) {}

  /** Registers a counter (a SimpleCounter unless one is given) and returns it. */
  counter<C extends Counter = SimpleCounter>(name: string, counter?: C): C {
    const c = (counter ?? new SimpleCounter()) as C;
    this.add(name, c);
    return c;
  }
  /** Registers a gauge and returns it. */
  gauge<T, G extends Gauge<T> = Gauge<T>>(name: string, gauge: G): G {
    this.add(name, gauge as Gauge<unknown>);
    return gauge;
  }
  /** Registers a meter and returns it. */
  meter<M extends Meter>(name: string, meter: M): M {
    this.add(name, meter);
    return meter;
  }
  /** Registers a histogram and returns it. */
  histogram<H extends Histogram>(name: string, histogram: H): H {
    this.add(name, histogram);
    return histogram;
  }

  /**
   * A subgroup: `addGroup(name)` (a generic group), or `addGroup(key, value)` (a key group with a
   * value group below it, which adds the variable `<key>` = value, as Flink's).
   */
  addGroup(name: string | number, value?: string | number): MetricGroup {
    const key = String(name);
    if (value === undefined) return this.child(key, () => this.sub(key));
    const keyGroup = this.child(key, () => this.sub(key));
    return keyGroup.child(String(value), () => keyGroup.sub(String(value), key));
  }

  /** The scope components (Flink's getScopeComponents). */
  getScopeComponents(): string[] {
    return [...this.scope];
  }
  /** Every variable of the group and its parents, such as `<job_id>`. */
  getAllVariables(): Record<string, string> {
    return { ...this.variables };
  }
  /** The metric's full identifier: the scope components and the name, joined by the delimiter. */
  getMetricIdentifier(name: string): string {
    const d = this.sink?.scopeFormats.delimiter ?? '.';
    return [...this.scope, name].join(d);
  }

  /** The metrics registered in this group itself, by name. */
  entries(): ReadonlyMap<string, Metric> {
    return this.metrics;
  }

  /** Removes every metric of this group and its subgroups from the registry; adds nothing after. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children.values()) c.close();
    for (const [name, m] of this.metrics) this.sink?.removed(m, name, this);
  }

  isClosed(): boolean {
    return this.closed;
  }

  private add(name: string, metric: Metric): void {
    if (this.closed) return;
    if (metricKind(metric) === undefined) throw new TypeError(`'${name}' is not a metric (a Counter, Gauge, Meter or Histogram)`);
    // As Flink: a name already taken keeps its first metric (Flink logs a warning). A metric named
    // like a subgroup is still registered (Flink only warns of the collision).
    if (this.metrics.has(name)) return;
    this.metrics.set(name, metric);
    this.sink?.added(metric, name, this);
  }

  private child(key: string, make: () => MetricGroup): MetricGroup {
    let g = this.children.get(key);
    // As Flink's AbstractMetricGroup.addGroup: a subgroup closed on its own is replaced by a new one
    // (while this group is open).
    if (!g || (g.closed && !this.closed)) {
      g = make();
      if (this.closed) g.closed = true;
      this.children.set(key, g);
    }
    return g;
  }

  /**
   * A generic subgroup `name`, or the value group `name` of the key `valueOf` (Flink's
   * GenericValueMetricGroup: its logical scope is its parent's, and it adds the variable `<key>`).
   */
  private sub(name: string, valueOf?: string): MetricGroup {
    // As Flink's getAllVariables: the parents' variables win over a group's own (a key named like
    // a system variable, or a key used twice on the path, keeps the outer value).
    const variables = valueOf === undefined ? this.variables : { [`<${valueOf}>`]: name, ...this.variables };
    const logical = valueOf === undefined ? [...this.userLogicalPath, name] : this.userLogicalPath;
    const labels = valueOf === undefined ? this.userLabels : { [valueOf]: name, ...this.userLabels };
    return new MetricGroup(this.sink, [...this.scope, name], variables, this.query, [...this.userPath, name], logical, labels);
  }
}

/** Variables of a task's group (Flink's names). */
export interface TaskScopeInfo {
  readonly host: string;
  readonly tmId: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly vertexId: string;
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly attempt: number;
}

/** The group of a TaskManager (`<host>.taskmanager.<tm_id>`). */
export function taskManagerGroup(sink: MetricSink | undefined, host: string, tmId: string): MetricGroup {
  const vars = { '<host>': host, '<tm_id>': tmId };
  return new MetricGroup(sink, (sink?.scopeFormats ?? DEFAULT_SCOPE_FORMATS).tm(vars), vars, { kind: 'tm', tmId });
}

/** The group of the JobManager (`<host>.jobmanager`). */
export function jobManagerGroup(sink: MetricSink | undefined, host: string): MetricGroup {
  const vars = { '<host>': host };
  return new MetricGroup(sink, (sink?.scopeFormats ?? DEFAULT_SCOPE_FORMATS).jm(vars), vars, { kind: 'jm' });
}

/** The group of a job on the JobManager (`<host>.jobmanager.<job_name>`). */
export function jobManagerJobGroup(sink: MetricSink | undefined, host: string, jobId: string, jobName: string): MetricGroup {
  const vars = { '<host>': host, '<job_id>': jobId, '<job_name>': jobName };
  return new MetricGroup(sink, (sink?.scopeFormats ?? DEFAULT_SCOPE_FORMATS).jmJob(vars), vars, { kind: 'job', jobId });
}

/** The group of a task (`<host>.taskmanager.<tm_id>.<job_name>.<task_name>.<subtask_index>`). */
export function taskGroup(sink: MetricSink | undefined, t: TaskScopeInfo): MetricGroup {
  const vars = taskVariables(t);
  return new MetricGroup(sink, (sink?.scopeFormats ?? DEFAULT_SCOPE_FORMATS).task(vars), vars, { kind: 'task', jobId: t.jobId, vertexId: t.vertexId, subtask: t.subtaskIndex, attempt: t.attempt });
}

/** The group of an operator of a task (`...<job_name>.<operator_name>.<subtask_index>`). */
export function operatorGroup(sink: MetricSink | undefined, t: TaskScopeInfo, operatorId: string, operatorName: string): MetricGroup {
  const vars = { ...taskVariables(t), '<operator_id>': operatorId, '<operator_name>': operatorName };
  return new MetricGroup(sink, (sink?.scopeFormats ?? DEFAULT_SCOPE_FORMATS).operator(vars), vars, {
    kind: 'operator',
    jobId: t.jobId,
    vertexId: t.vertexId,
    subtask: t.subtaskIndex,
    attempt: t.attempt,
    operator: operatorName,
    operatorId,
  });
}

function taskVariables(t: TaskScopeInfo): Record<string, string> {
  return {
    '<host>': t.host,
    '<tm_id>': t.tmId,
    '<job_id>': t.jobId,
    '<job_name>': t.jobName,
    '<task_id>': t.vertexId,
    '<task_name>': t.taskName,
    '<subtask_index>': String(t.subtaskIndex),
    '<task_attempt_num>': String(t.attempt),
  };
}
