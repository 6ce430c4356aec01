/**
 * Flink's metric system: metric types, groups with Flink's scopes, the registry of each thread, the
 * store REST reads, and reporters. Depends on core and config.
 */
export {
  DescriptiveStatisticsHistogram,
  MeterView,
  SimpleCounter,
  TimerGauge,
  UPDATE_INTERVAL_SECONDS,
  metricKind,
  type Counter,
  type Gauge,
  type Histogram,
  type HistogramStatistics,
  type Meter,
  type Metric,
  type View,
} from './metrics.js';
export { MetricGroup, jobManagerGroup, jobManagerJobGroup, operatorGroup, taskGroup, taskManagerGroup, type MetricSink, type QueryScope, type TaskScopeInfo } from './metric-group.js';
export { MetricRegistry, dumpMetric, filterCharacters, type LabelledName, type MetricDump, type MetricReporter } from './registry.js';
export { MetricStore, type MetricValues, type SubtaskMetrics } from './metric-store.js';
export { DEFAULT_SCOPE_FORMATS, SCOPE_FORMAT_KEYS, scopeFormats, type ScopeFormats } from './scope.js';
