/**
 * Metric answers in Flink's shapes, read from the cluster's MetricStore:
 *
 *   GET .../metrics                    [{id}]                 the names there are
 *   GET .../metrics?get=a,b            [{id, value}]          values as strings (missing names left out)
 *   GET .../subtasks/metrics?get=a     [{id, min, max, avg, sum, skew}]   over subtasks (`agg=`, `subtasks=`)
 *   GET /jobs/metrics, /taskmanagers/metrics                  the same over jobs or TaskManagers
 *
 * and the figures other views derive from task metrics: a subtask's IOMetricsInfo (records and
 * bytes read and written, accumulated busy, idle and backpressured time, each `-complete` once the
 * subtask reported them) and the backpressure of a vertex (Flink's JobVertexBackPressureHandler:
 * backPressuredTimeMsPerSecond / 1000 as the ratio, ok up to 0.10, low up to 0.5, high above).
 */
import type { MetricStore, MetricValues } from '../metrics/index.js';
import { badParameter, splitList } from './route-context.js';

/** Flink's AggregationMode values, in its order. */
export const AGGREGATIONS = ['min', 'max', 'avg', 'sum', 'skew'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Flink's metric answer: the names only, or `{id, value}` (a string) for each name in `get` that exists. */
export function metricsAnswer(values: ReadonlyMap<string, string>, get: string | undefined): Array<{ id: string; value?: string }> {
  if (get === undefined) return [...values.keys()].sort().map((id) => ({ id }));
  const out: Array<{ id: string; value: string }> = [];
  for (const id of splitList(get)) {
    const v = values.get(id);
    if (v !== undefined) out.push({ id, value: v });
  }
  return out;
}

/** The `agg` query parameter: every mode when absent, Flink's 400 for an unknown one. */
export function parseAggregations(text: string | undefined): readonly Aggregation[] {
  if (text === undefined || text.trim() === '') return AGGREGATIONS;
  const out: Aggregation[] = [];
  for (const a of splitList(text)) {
    const mode = a.toLowerCase() as Aggregation;
    if (!AGGREGATIONS.includes(mode)) throw badParameter('agg', text, 'query');
    if (!out.includes(mode)) out.push(mode);
  }
  return out;
}

/**
 * The `subtasks` query parameter (`1,3,5-9`): the indexes it names. As Flink's
 * AggregatingSubtasksMetricsHandler, never a 400: a part that is not a number or a range is skipped
 * (Flink logs a warning), and a range whose end is below its start names no subtask.
 */
export function parseSubtaskRanges(text: string | undefined): ReadonlySet<number> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const out = new Set<number>();
  for (const part of splitList(text)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) continue;
    // No subtask index is that large; a bound keeps a huge range from spinning.
    for (let i = from; i <= Math.min(to, from + 100_000); i++) out.add(i);
  }
  return out;
}

/**
 * Flink's AbstractAggregatingMetricsHandler: without `get`, the names any component has; with it,
 * each named metric with the requested aggregations of its values. As Flink's: a metric with a value
 * that is not a number (booleans too) is left out (Flink's NumberFormatException), and a requested
 * metric that no component has makes the whole answer empty.
 */
export function aggregatedAnswer(components: ReadonlyArray<ReadonlyMap<string, string>>, get: string | undefined, aggs: readonly Aggregation[]): Array<Record<string, string | number>> {
  if (get === undefined) {
    const names = new Set<string>();
    for (const c of components) for (const k of c.keys()) names.add(k);
    return [...names].sort().map((id) => ({ id }));
  }
  const out: Array<Record<string, string | number>> = [];
  for (const id of splitList(get)) {
    const values: number[] = [];
    let numeric = true;
    for (const c of components) {
      const text = c.get(id);
      if (text === undefined) continue;
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) {
        numeric = false;
        break;
      }
      values.push(v);
    }
    if (!numeric) continue;
    if (values.length === 0) return [];
    const entry: Record<string, string | number> = { id };
    for (const a of aggs) entry[a] = aggregate(a, values);
    out.push(entry);
  }
  return out;
}

/** One aggregation of values (Flink's DoubleAccumulator implementations). */
export function aggregate(mode: Aggregation, values: readonly number[]): number {
  switch (mode) {
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'skew': {
      // Flink's DoubleDataSkew: the average absolute deviation over the average, in percent, at most 100.
      const avg = values.reduce((a, b) => a + b, 0) / values.length;
      if (avg === 0) return 0;
      const avgDev = values.reduce((a, v) => a + Math.abs(avg - v), 0) / values.length;
      return Math.min((avgDev / avg) * 100, 100);
    }
    default:
      return 0;
  }
}

/** A vertex's metrics as Flink's JobVertexMetricsHandler names them: `<subtask>.<name>`. */
export function vertexMetricValues(store: MetricStore, jobId: string, vertexId: string, attemptOf: (index: number) => number | undefined): MetricValues {
  const out: MetricValues = new Map();
  for (const [index, sub] of store.vertexMetrics(jobId, vertexId)) {
    if (sub.attempt !== attemptOf(index)) continue;
    for (const [name, value] of sub.metrics) out.set(`${index}.${name}`, value);
  }
  return out;
}

/** The current attempt's metrics of a subtask (none for an earlier attempt's leftovers). */
export function currentSubtaskMetrics(store: MetricStore, jobId: string, vertexId: string, subtask: number, attempt: number | undefined): MetricValues | undefined {
  const sub = store.vertexMetrics(jobId, vertexId).get(subtask);
  return sub && sub.attempt === attempt ? sub.metrics : undefined;
}

/** Flink's IOMetricsInfo. */
export type IoMetrics = Record<string, number | boolean>;

/** Flink's IOMetricsInfo with no values (a subtask that has not reported metrics). */
export function emptyIoMetrics(): IoMetrics {
  return ioMetrics(undefined);
}

/** A subtask's IOMetricsInfo from its task metrics; `-complete` says whether the subtask reported them. */
export function ioMetrics(m: ReadonlyMap<string, string> | undefined): IoMetrics {
  const num = (name: string) => {
    const v = Number(m?.get(name) ?? 0);
    return Number.isFinite(v) ? v : 0;
  };
  const has = (name: string) => m?.has(name) === true;
  return {
    'read-bytes': num('numBytesIn'),
    'read-bytes-complete': has('numBytesIn'),
    'write-bytes': num('numBytesOut'),
    'write-bytes-complete': has('numBytesOut'),
    'read-records': num('numRecordsIn'),
    'read-records-complete': has('numRecordsIn'),
    'write-records': num('numRecordsOut'),
    'write-records-complete': has('numRecordsOut'),
    'accumulated-backpressured-time': num('accumulatedBackPressuredTimeMs'),
    'accumulated-idle-time': num('accumulatedIdleTimeMs'),
    'accumulated-busy-time': num('accumulatedBusyTimeMs'),
  };
}

/** Sums IOMetricsInfos (a vertex's, or its subtasks' on one TaskManager): complete when every part is. */
export function sumIoMetrics(parts: readonly IoMetrics[]): IoMetrics {
  const out = emptyIoMetrics();
  for (const key of Object.keys(out)) {
    if (key.endsWith('-complete')) out[key] = parts.length > 0 && parts.every((p) => p[key] === true);
    else out[key] = parts.reduce((a, p) => a + (p[key] as number), 0);
  }
  return out;
}

/** Flink's backpressure level of a ratio (JobVertexBackPressureHandler). */
export function backPressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  if (ratio <= 0.1) return 'ok';
  if (ratio <= 0.5) return 'low';
  return 'high';
}

/**
 * Flink's JobVertexBackPressureInfo from the subtasks' busy, idle and backpressured time: status
 * `deprecated` (no figures) until a subtask reported metrics. Both spellings of the level are
 * sent: `backpressure-level` (what Flink sends and its dashboard reads) and `backpressureLevel`
 * (what the OpenAPI spec names).
 */
export function backPressureInfo(subtasks: ReadonlyArray<{ index: number; attempt: number; metrics: MetricValues | undefined }>, now: number): Record<string, unknown> {
  const reported = subtasks.filter((s) => s.metrics !== undefined);
  if (reported.length === 0) return { status: 'deprecated' };
  const ratioOf = (m: MetricValues, name: string) => {
    const v = Number(m.get(name) ?? 0) / 1000;
    return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
  };
  const entries = reported.map((s) => {
    const ratio = ratioOf(s.metrics!, 'backPressuredTimeMsPerSecond');
    const level = backPressureLevel(ratio);
    return { subtask: s.index, 'attempt-number': s.attempt, 'backpressure-level': level, backpressureLevel: level, ratio, idleRatio: ratioOf(s.metrics!, 'idleTimeMsPerSecond'), busyRatio: ratioOf(s.metrics!, 'busyTimeMsPerSecond') };
  });
  const level = backPressureLevel(Math.max(...entries.map((e) => e.ratio)));
  return { status: 'ok', 'backpressure-level': level, backpressureLevel: level, 'end-timestamp': now, subtasks: entries };
}
