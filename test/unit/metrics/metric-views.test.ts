/**
 * The pure functions behind the metric REST answers (src/rest/metric-views.ts): Flink's
 * AbstractMetricsHandler and AbstractAggregatingMetricsHandler answers, the DoubleAccumulators
 * (min, max, avg, sum and DoubleDataSkew), the `agg` and `subtasks` query parameters, IOMetricsInfo
 * and JobVertexBackPressureHandler's levels.
 */
import { describe, expect, it } from 'vitest';
import { MetricStore, type MetricDump, type MetricValues } from '../../../src/metrics/index.js';
import {
  aggregate,
  aggregatedAnswer,
  AGGREGATIONS,
  backPressureInfo,
  backPressureLevel,
  currentSubtaskMetrics,
  emptyIoMetrics,
  ioMetrics,
  metricsAnswer,
  parseAggregations,
  parseSubtaskRanges,
  sumIoMetrics,
  vertexMetricValues,
} from '../../../src/rest/metric-views.js';
import { RestError } from '../../../src/rest/route-context.js';

const J = '1'.repeat(32);
const V = 'a'.repeat(32);

function values(o: Record<string, string>): MetricValues {
  return new Map(Object.entries(o));
}

/** What `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('metric views - aggregate', () => {
  it('aggregate - min, max, sum and avg', () => {
    const v = [4, -2, 10, 0];
    expect(aggregate('min', v)).toBe(-2);
    expect(aggregate('max', v)).toBe(10);
    expect(aggregate('sum', v)).toBe(12);
    expect(aggregate('avg', v)).toBe(3);
    expect(aggregate('min', [7])).toBe(7);
    expect(aggregate('avg', [7])).toBe(7);
  });

  it('aggregate - skew is Flink\'s DoubleDataSkew: average absolute deviation / average * 100', () => {
    // avg 2, deviations 1 and 1: 1 / 2 * 100
    expect(aggregate('skew', [1, 3])).toBe(50);
    // avg 20, deviations 10, 0, 10: (20 / 3) / 20 * 100
    expect(aggregate('skew', [10, 20, 30])).toBeCloseTo(100 / 3, 10);
    // avg 25, deviations 25, 25, 25, 75: 37.5 / 25 * 100 = 150, capped at 100
    expect(aggregate('skew', [0, 0, 0, 100])).toBe(100);
    // avg 5, deviations 5 and 5: exactly 100
    expect(aggregate('skew', [0, 10])).toBe(100);
  });

  it('aggregate - skew is 0 for equal values, for one value, and when the average is 0', () => {
    expect(aggregate('skew', [5, 5, 5])).toBe(0);
    expect(aggregate('skew', [42])).toBe(0);
    expect(aggregate('skew', [0, 0, 0])).toBe(0);
    expect(aggregate('skew', [-1, 1])).toBe(0);
  });
});

describe('metric views - parseAggregations', () => {
  it('parseAggregations - absent or blank: every mode, in Flink\'s order', () => {
    expect(AGGREGATIONS).toEqual(['min', 'max', 'avg', 'sum', 'skew']);
    expect(parseAggregations(undefined)).toEqual(['min', 'max', 'avg', 'sum', 'skew']);
    expect(parseAggregations('')).toEqual(AGGREGATIONS);
    expect(parseAggregations('  ')).toEqual(AGGREGATIONS);
  });

  it('parseAggregations - a list, case-insensitive (AggregationMode.valueOf(upper case)), duplicates once', () => {
    expect(parseAggregations('sum')).toEqual(['sum']);
    expect(parseAggregations('SUM,Min')).toEqual(['sum', 'min']);
    expect(parseAggregations('max, avg ,max')).toEqual(['max', 'avg']);
    expect(parseAggregations('skew')).toEqual(['skew']);
  });

  it('parseAggregations - an unknown mode is Flink\'s 400', () => {
    const e = thrown(() => parseAggregations('sum,median'));
    expect(e).toBeInstanceOf(RestError);
    expect((e as RestError).status).toBe(400);
    expect((e as RestError).message).toBe('Bad request, could not parse parameters: Cannot resolve query parameter (agg) from value "sum,median".');
  });
});

describe('metric views - parseSubtaskRanges', () => {
  it('parseSubtaskRanges - absent or blank: no filter', () => {
    expect(parseSubtaskRanges(undefined)).toBeUndefined();
    expect(parseSubtaskRanges('')).toBeUndefined();
    expect(parseSubtaskRanges(' ')).toBeUndefined();
  });

  it('parseSubtaskRanges - "1,3,5-9": single indexes and inclusive ranges', () => {
    expect(parseSubtaskRanges('1,3,5-9')).toEqual(new Set([1, 3, 5, 6, 7, 8, 9]));
    expect(parseSubtaskRanges('0')).toEqual(new Set([0]));
    expect(parseSubtaskRanges('4-4')).toEqual(new Set([4]));
    expect(parseSubtaskRanges(' 2 , 4-5 ')).toEqual(new Set([2, 4, 5]));
    expect(parseSubtaskRanges('1,0-2,2')).toEqual(new Set([0, 1, 2]));
  });

  it('parseSubtaskRanges - a part that is not a number is skipped, as Flink (a warning, no 400)', () => {
    // AggregatingSubtasksMetricsHandler.getIntegerRangeFromString catches NumberFormatException per part.
    expect(parseSubtaskRanges('1,x,3')).toEqual(new Set([1, 3]));
    expect(parseSubtaskRanges('a-b')).toEqual(new Set());
    expect(parseSubtaskRanges('2-')).toEqual(new Set());
  });

  it('parseSubtaskRanges - a range whose end is below its start names no subtask (IntStream.rangeClosed)', () => {
    expect(parseSubtaskRanges('9-5')).toEqual(new Set());
    expect(parseSubtaskRanges('9-5,1')).toEqual(new Set([1]));
  });
});

describe('metric views - metricsAnswer', () => {
  const m = values({ numRecordsIn: '10', 'Map.numRecordsOut': '7', busyTimeMsPerSecond: '250' });

  it('metricsAnswer - without get: the names there are, as {id}', () => {
    expect(metricsAnswer(m, undefined)).toEqual([{ id: 'Map.numRecordsOut' }, { id: 'busyTimeMsPerSecond' }, { id: 'numRecordsIn' }]);
    expect(metricsAnswer(new Map(), undefined)).toEqual([]);
  });

  it('metricsAnswer - with get: {id, value} as strings, in the order asked, missing names left out', () => {
    expect(metricsAnswer(m, 'numRecordsIn,missing, Map.numRecordsOut')).toEqual([
      { id: 'numRecordsIn', value: '10' },
      { id: 'Map.numRecordsOut', value: '7' },
    ]);
    expect(metricsAnswer(m, 'missing')).toEqual([]);
    expect(metricsAnswer(m, '')).toEqual([]);
  });
});

describe('metric views - aggregatedAnswer', () => {
  const subtasks = [values({ numRecordsIn: '10', busy: '100', only0: '5' }), values({ numRecordsIn: '30', busy: '300' }), values({ numRecordsIn: '20', busy: '200' })];

  it('aggregatedAnswer - without get: every name any component has, as {id}', () => {
    expect(aggregatedAnswer(subtasks, undefined, AGGREGATIONS)).toEqual([{ id: 'busy' }, { id: 'numRecordsIn' }, { id: 'only0' }]);
    expect(aggregatedAnswer([], undefined, AGGREGATIONS)).toEqual([]);
  });

  it('aggregatedAnswer - with get: each metric with every requested aggregation, numbers', () => {
    const all = aggregatedAnswer(subtasks, 'numRecordsIn', AGGREGATIONS);
    expect(all).toHaveLength(1);
    expect(Object.keys(all[0]!).sort()).toEqual(['avg', 'id', 'max', 'min', 'skew', 'sum']);
    expect(all[0]).toMatchObject({ id: 'numRecordsIn', min: 10, max: 30, avg: 20, sum: 60 });
    expect(all[0]!['skew']).toBeCloseTo(100 / 3, 10);
    const a = aggregatedAnswer(subtasks, 'numRecordsIn,busy', ['sum', 'max']);
    expect(a).toEqual([
      { id: 'numRecordsIn', sum: 60, max: 30 },
      { id: 'busy', sum: 600, max: 300 },
    ]);
    expect(Object.keys(a[0]!).sort()).toEqual(['id', 'max', 'sum']);
  });

  it('aggregatedAnswer - a metric only some components have aggregates over those', () => {
    expect(aggregatedAnswer(subtasks, 'only0', ['min', 'max', 'sum', 'avg'])).toEqual([{ id: 'only0', min: 5, max: 5, sum: 5, avg: 5 }]);
  });

  it('aggregatedAnswer - numbers as Java\'s Double.valueOf reads them (exponents, surrounding blanks)', () => {
    expect(aggregatedAnswer([values({ x: '1e3' }), values({ x: ' 2.5 ' })], 'x', ['sum'])).toEqual([{ id: 'x', sum: 1002.5 }]);
  });

  it('aggregatedAnswer - a metric no component has makes the whole answer empty (Flink returns an empty body)', () => {
    // AbstractAggregatingMetricsHandler.getAggregatedMetricValues: `if (!values.isEmpty()) ... else
    // return new AggregatedMetricsResponseBody(Collections.emptyList());`
    expect(aggregatedAnswer(subtasks, 'missing', ['sum'])).toEqual([]);
    expect(aggregatedAnswer(subtasks, 'numRecordsIn,missing,busy', ['sum'])).toEqual([]);
    expect(aggregatedAnswer([], 'numRecordsIn', ['sum'])).toEqual([]);
  });

  it('aggregatedAnswer - a metric with a value that is not a number is left out entirely, booleans too (Flink: NumberFormatException)', () => {
    const comps = [values({ n: '1', s: 'RUNNING', b: 'true' }), values({ n: '2', s: '3', b: 'false' })];
    expect(aggregatedAnswer(comps, 's,n', ['sum'])).toEqual([{ id: 'n', sum: 3 }]);
    expect(aggregatedAnswer(comps, 'b,n', ['sum'])).toEqual([{ id: 'n', sum: 3 }]);
  });
});

describe('metric views - vertex and subtask values', () => {
  function store(dumps: MetricDump[]): MetricStore {
    const s = new MetricStore();
    s.add(dumps);
    return s;
  }
  const task = (subtask: number, attempt: number) => ({ kind: 'task' as const, jobId: J, vertexId: V, subtask, attempt });

  it('vertexMetricValues - every subtask\'s metrics of the attempt asked for, as <subtask>.<name>', () => {
    const s = store([
      { scope: task(0, 0), name: 'numRecordsIn', value: '1' },
      { scope: task(1, 0), name: 'numRecordsIn', value: '2' },
      { scope: { ...task(1, 0), kind: 'operator', operator: 'Map' }, name: 'numRecordsOut', value: '3' },
      { scope: task(2, 1), name: 'numRecordsIn', value: '9' },
    ]);
    expect(Object.fromEntries(vertexMetricValues(s, J, V, () => 0))).toEqual({ '0.numRecordsIn': '1', '1.numRecordsIn': '2', '1.Map.numRecordsOut': '3' });
    expect(Object.fromEntries(vertexMetricValues(s, J, V, () => 1))).toEqual({ '2.numRecordsIn': '9' });
    expect(vertexMetricValues(s, J, 'x'.repeat(32), () => 0).size).toBe(0);
  });

  it('currentSubtaskMetrics - the subtask\'s metrics when they are the attempt\'s, else undefined', () => {
    const s = store([{ scope: task(0, 1), name: 'n', value: '1' }]);
    expect(Object.fromEntries(currentSubtaskMetrics(s, J, V, 0, 1)!)).toEqual({ n: '1' });
    expect(currentSubtaskMetrics(s, J, V, 0, 0)).toBeUndefined();
    expect(currentSubtaskMetrics(s, J, V, 1, 1)).toBeUndefined();
  });
});

describe('metric views - IOMetricsInfo', () => {
  const ZERO = {
    'read-bytes': 0,
    'read-bytes-complete': false,
    'write-bytes': 0,
    'write-bytes-complete': false,
    'read-records': 0,
    'read-records-complete': false,
    'write-records': 0,
    'write-records-complete': false,
    'accumulated-backpressured-time': 0,
    'accumulated-idle-time': 0,
    'accumulated-busy-time': 0,
  };

  it('ioMetrics - a subtask without metrics: Flink\'s IOMetricsInfo fields, all 0 and incomplete', () => {
    expect(ioMetrics(undefined)).toEqual(ZERO);
    expect(emptyIoMetrics()).toEqual(ZERO);
    expect(ioMetrics(new Map())).toEqual(ZERO);
  });

  it('ioMetrics - from the task metrics; -complete for each one reported', () => {
    const m = values({
      numBytesIn: '1024',
      numBytesOut: '2048',
      numRecordsIn: '10',
      numRecordsOut: '20',
      accumulatedBackPressuredTimeMs: '5',
      accumulatedIdleTimeMs: '6',
      accumulatedBusyTimeMs: '7',
      'Map.numRecordsIn': '999',
    });
    expect(ioMetrics(m)).toEqual({
      'read-bytes': 1024,
      'read-bytes-complete': true,
      'write-bytes': 2048,
      'write-bytes-complete': true,
      'read-records': 10,
      'read-records-complete': true,
      'write-records': 20,
      'write-records-complete': true,
      'accumulated-backpressured-time': 5,
      'accumulated-idle-time': 6,
      'accumulated-busy-time': 7,
    });
  });

  it('ioMetrics - a metric missing is 0 and incomplete; a value that is not a number is 0', () => {
    const io = ioMetrics(values({ numRecordsIn: '10', numBytesIn: 'garbage' }));
    expect(io['read-records']).toBe(10);
    expect(io['read-records-complete']).toBe(true);
    expect(io['write-records']).toBe(0);
    expect(io['write-records-complete']).toBe(false);
    expect(io['read-bytes']).toBe(0);
  });

  it('sumIoMetrics - sums the figures; complete only when every part is', () => {
    const a = ioMetrics(values({ numBytesIn: '1', numBytesOut: '2', numRecordsIn: '3', numRecordsOut: '4', accumulatedBusyTimeMs: '10' }));
    const b = ioMetrics(values({ numBytesIn: '10', numBytesOut: '20', numRecordsIn: '30', accumulatedBusyTimeMs: '5', accumulatedIdleTimeMs: '1' }));
    expect(sumIoMetrics([a, b])).toEqual({
      'read-bytes': 11,
      'read-bytes-complete': true,
      'write-bytes': 22,
      'write-bytes-complete': true,
      'read-records': 33,
      'read-records-complete': true,
      'write-records': 4,
      'write-records-complete': false,
      'accumulated-backpressured-time': 0,
      'accumulated-idle-time': 1,
      'accumulated-busy-time': 15,
    });
    expect(sumIoMetrics([a, emptyIoMetrics()])['read-bytes-complete']).toBe(false);
  });

  it('sumIoMetrics - of nothing: zeros, incomplete', () => {
    expect(sumIoMetrics([])).toEqual(ZERO);
  });
});

describe('metric views - backpressure', () => {
  it('backPressureLevel - ok up to 0.10, low up to 0.5, high above (JobVertexBackPressureHandler)', () => {
    expect(backPressureLevel(0)).toBe('ok');
    expect(backPressureLevel(0.05)).toBe('ok');
    expect(backPressureLevel(0.1)).toBe('ok');
    expect(backPressureLevel(0.101)).toBe('low');
    expect(backPressureLevel(0.3)).toBe('low');
    expect(backPressureLevel(0.5)).toBe('low');
    expect(backPressureLevel(0.501)).toBe('high');
    expect(backPressureLevel(1)).toBe('high');
  });

  it('backPressureInfo - "deprecated" until a subtask reported metrics', () => {
    expect(backPressureInfo([], 123)).toEqual({ status: 'deprecated' });
    expect(
      backPressureInfo(
        [
          { index: 0, attempt: 0, metrics: undefined },
          { index: 1, attempt: 0, metrics: undefined },
        ],
        123,
      ),
    ).toEqual({ status: 'deprecated' });
  });

  it('backPressureInfo - ratios from the ms-per-second gauges; the vertex level is the highest subtask ratio\'s', () => {
    const info = backPressureInfo(
      [
        { index: 0, attempt: 2, metrics: values({ backPressuredTimeMsPerSecond: '50', idleTimeMsPerSecond: '150', busyTimeMsPerSecond: '800' }) },
        { index: 1, attempt: 2, metrics: undefined },
        { index: 2, attempt: 2, metrics: values({ backPressuredTimeMsPerSecond: '600', idleTimeMsPerSecond: '0', busyTimeMsPerSecond: '400' }) },
        { index: 3, attempt: 2, metrics: values({ backPressuredTimeMsPerSecond: '300' }) },
      ],
      1_700_000_000_000,
    );
    expect(info).toEqual({
      status: 'ok',
      'backpressure-level': 'high',
      backpressureLevel: 'high',
      'end-timestamp': 1_700_000_000_000,
      subtasks: [
        { subtask: 0, 'attempt-number': 2, 'backpressure-level': 'ok', backpressureLevel: 'ok', ratio: 0.05, idleRatio: 0.15, busyRatio: 0.8 },
        { subtask: 2, 'attempt-number': 2, 'backpressure-level': 'high', backpressureLevel: 'high', ratio: 0.6, idleRatio: 0, busyRatio: 0.4 },
        { subtask: 3, 'attempt-number': 2, 'backpressure-level': 'low', backpressureLevel: 'low', ratio: 0.3, idleRatio: 0, busyRatio: 0 },
      ],
    });
  });

  it('backPressureInfo - all subtasks below 0.10: ok', () => {
    const info = backPressureInfo([{ index: 0, attempt: 0, metrics: values({ backPressuredTimeMsPerSecond: '100' }) }], 1);
    expect(info['backpressure-level']).toBe('ok');
    expect(info['backpressureLevel']).toBe('ok');
    expect(info['status']).toBe('ok');
  });
});
