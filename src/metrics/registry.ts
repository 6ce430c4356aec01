/**
 * A metric registry (Flink's MetricRegistryImpl): one per thread that owns metrics (the JobManager's
 * main thread, each slot thread). It knows every registered metric with its group, updates Views
 * every UPDATE_INTERVAL_SECONDS, tells reporters of added and removed metrics, and dumps current
 * values for REST (Flink's MetricQueryService: `[query scope, name, value]` per metric).
 */
import type { MetricGroup, MetricSink, QueryScope } from './metric-group.js';
import { metricKind, UPDATE_INTERVAL_SECONDS, type Counter, type Gauge, type Histogram, type Meter, type Metric, type View } from './metrics.js';
import { scopeFormats, type ScopeFormats } from './scope.js';

/** One metric value as REST serves it: where it belongs, its name (user groups included) and its value. */
export interface MetricDump {
  readonly scope: QueryScope;
  readonly name: string;
  readonly value: string;
  /**
   * For a metric under a key-value group (`addGroup(key, value)`): its name in the logical scope
   * (the values left out) and the keys and values as labels, as Flink's reporters see it.
   */
  readonly labelled?: LabelledName;
}

/** A metric's name in its logical scope and the labels of its key-value groups. */
export interface LabelledName {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A reporter (Flink's MetricReporter; scheduled ones also report every interval). */
export interface MetricReporter {
  notifyOfAddedMetric(metric: Metric, name: string, group: MetricGroup): void;
  notifyOfRemovedMetric(metric: Metric, name: string, group: MetricGroup): void;
  close?(): void;
}

/** The quantiles Flink's MetricStore keeps of a histogram, with their name suffixes. */
const HISTOGRAM_PARTS: ReadonlyArray<[string, (h: ReturnType<Histogram['getStatistics']>) => number]> = [
  ['_min', (s) => s.getMin()],
  ['_max', (s) => s.getMax()],
  ['_mean', (s) => s.getMean()],
  ['_median', (s) => s.getQuantile(0.5)],
  ['_stddev', (s) => s.getStdDev()],
  ['_p75', (s) => s.getQuantile(0.75)],
  ['_p90', (s) => s.getQuantile(0.9)],
  ['_p95', (s) => s.getQuantile(0.95)],
  ['_p98', (s) => s.getQuantile(0.98)],
  ['_p99', (s) => s.getQuantile(0.99)],
  ['_p999', (s) => s.getQuantile(0.999)],
];

/** The metrics of one thread. */
export class MetricRegistry implements MetricSink {
  readonly scopeFormats: ScopeFormats;
  /** By group, then name (one metric object may be registered in several groups, as a task's numRecordsIn is its head operator's). */
  private readonly registered = new Map<MetricGroup, Map<string, Metric>>();
  private readonly views = new Set<View>();
  private timer: NodeJS.Timeout | undefined;
  private shutdown = false;

  constructor(
    conf: Readonly<Record<string, string>> = {},
    private readonly reporters: MetricReporter[] = [],
  ) {
    this.scopeFormats = scopeFormats(conf);
  }

  added(metric: Metric, name: string, group: MetricGroup): void {
    // As Flink's MetricRegistryImpl.register: a registry that was shut down takes no more metrics
    // (Flink logs "Cannot register metric, because the MetricRegistry has already been shut down").
    if (this.shutdown) return;
    let byName = this.registered.get(group);
    if (!byName) this.registered.set(group, (byName = new Map()));
    byName.set(name, metric);
    if (typeof (metric as Partial<View>).update === 'function' && metricKind(metric) !== 'histogram') this.views.add(metric as unknown as View);
    if (this.views.size > 0) this.startViewUpdates();
    for (const r of this.reporters) {
      try {
        r.notifyOfAddedMetric(metric, name, group);
      } catch {
        // A reporter's failure never fails the code that registers a metric (Flink logs it).
      }
    }
  }

  removed(metric: Metric, name: string, group: MetricGroup): void {
    const byName = this.registered.get(group);
    byName?.delete(name);
    if (byName?.size === 0) this.registered.delete(group);
    if (!this.isRegistered(metric)) this.views.delete(metric as unknown as View);
    // Closed reporters hear of nothing more.
    if (this.shutdown) return;
    for (const r of this.reporters) {
      try {
        r.notifyOfRemovedMetric(metric, name, group);
      } catch {
        // As above.
      }
    }
  }

  /** Adds a reporter; it hears of every metric registered so far and from now on. */
  addReporter(reporter: MetricReporter): void {
    this.reporters.push(reporter);
    for (const { metric, name, group } of this.entries()) reporter.notifyOfAddedMetric(metric, name, group);
  }

  private isRegistered(metric: Metric): boolean {
    for (const byName of this.registered.values()) for (const m of byName.values()) if (m === metric) return true;
    return false;
  }

  /** Every registered metric with its name and group. */
  entries(): Array<{ metric: Metric; name: string; group: MetricGroup }> {
    const out: Array<{ metric: Metric; name: string; group: MetricGroup }> = [];
    for (const [group, byName] of this.registered) for (const [name, metric] of byName) out.push({ metric, name, group });
    return out;
  }

  /** Current values of every metric (of `groups` only, when given), as REST serves them. */
  dump(filter?: (scope: QueryScope) => boolean): MetricDump[] {
    const out: MetricDump[] = [];
    for (const [group, byName] of this.registered) {
      if (filter && !filter(group.query)) continue;
      const scope = restScope(group.query);
      const prefix = group.userPath.map(filterCharacters);
      const labels = Object.keys(group.userLabels).length > 0 ? group.userLabels : undefined;
      const logical = labels && group.userLogicalPath.map(filterCharacters);
      for (const [name, m] of byName) {
        const labelled = logical && { name: [...logical, filterMetricName(name)].join('.'), labels: labels! };
        dumpMetric(out, m, [...prefix, filterMetricName(name)].join('.'), scope, labelled);
      }
    }
    return out;
  }

  /** Updates every View now (also done every UPDATE_INTERVAL_SECONDS). */
  updateViews(): void {
    for (const v of this.views) v.update();
  }

  /** Whether close() was called. */
  isShutdown(): boolean {
    return this.shutdown;
  }

  /** Stops View updates and closes every reporter once (Flink's shutdown: a reporter that fails to close does not stop the others). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.shutdown) return;
    this.shutdown = true;
    for (const r of this.reporters) {
      try {
        r.close?.();
      } catch {
        // As Flink: logged, and the other reporters are still closed.
      }
    }
  }

  private startViewUpdates(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.updateViews(), UPDATE_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }
}

/**
 * Flink's MetricQueryService character filter: ' ', '.', ':' and ',' become '_' in the names REST
 * serves (metric names, user group names, an operator's name).
 */
export function filterCharacters(name: string): string {
  return name.replace(/[ .:,]/g, '_');
}

/**
 * A metric's own name as REST serves it: filtered as Flink's, except that '.' stays, since here a
 * dotted metric name (`Status.JVM.CPU.Load`) stands for what Flink registers as nested groups.
 */
function filterMetricName(name: string): string {
  return name.replace(/[ :,]/g, '_');
}

/** A query scope as REST names it: an operator's name filtered as Flink's MetricQueryService does. */
function restScope(scope: QueryScope): QueryScope {
  return scope.kind === 'operator' ? { ...scope, operator: filterCharacters(scope.operator) } : scope;
}

/** The values of one metric (several for a histogram), as Flink's MetricStore keeps them. */
export function dumpMetric(out: MetricDump[], m: Metric, name: string, scope: QueryScope, labelled?: LabelledName): void {
  const push = (suffix: string, value: string) =>
    out.push(labelled ? { scope, name: name + suffix, value, labelled: { name: labelled.name + suffix, labels: labelled.labels } } : { scope, name: name + suffix, value });
  switch (metricKind(m)) {
    case 'counter':
      push('', String((m as Counter).getCount()));
      break;
    case 'meter':
      push('', String((m as Meter).getRate()));
      break;
    case 'histogram': {
      const s = (m as Histogram).getStatistics();
      push('_count', String((m as Histogram).getCount()));
      for (const [suffix, f] of HISTOGRAM_PARTS) push(suffix, String(f(s)));
      break;
    }
    case 'gauge': {
      let v: unknown;
      try {
        v = (m as Gauge<unknown>).getValue();
      } catch {
        return; // A gauge that throws is left out (Flink logs it).
      }
      if (v === null || v === undefined) return;
      push('', typeof v === 'object' ? JSON.stringify(v) : String(v));
      break;
    }
    default:
  }
}
