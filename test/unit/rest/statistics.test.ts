/**
 * The statistics REST shows as Flink computes them: Commons Math's Percentile with its default
 * (LEGACY) estimation, averages truncated as Flink's long division (found by a review: the median
 * of two values was the larger one).
 */
import { describe, expect, it } from 'vitest';
import { aggregateStats, legacyPercentile, percentiles } from '../../../src/rest/job-views.js';

describe('statistics', () => {
  it('statistics - the LEGACY percentile: position p/100 * (n + 1), interpolated, clamped to the ends', () => {
    expect(legacyPercentile([1, 2, 3], 75)).toBe(3);
    expect(legacyPercentile([1, 2, 3], 50)).toBe(2);
    expect(legacyPercentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(legacyPercentile([0, 1], 10)).toBe(0);
    expect(legacyPercentile([10, 20, 30, 40, 50], 90)).toBe(50);
    expect(legacyPercentile([10, 20, 30, 40, 50], 25)).toBe(15);
  });

  it("statistics - a checkpoint's summary: doubles for percentiles, a truncated average (Flink's StatsSummaryDto)", () => {
    expect(percentiles([26317, 24290])).toEqual({ min: 24290, max: 26317, avg: 25303, p50: 25303.5, p90: 26317, p95: 26317, p99: 26317, p999: 26317 });
    expect(percentiles([])).toEqual({ min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 });
  });

  it("statistics - a vertex's aggregated subtask figures: longs, as Flink's AggregatedTaskDetailsInfo", () => {
    expect(aggregateStats([771, 339])).toEqual({ min: 339, max: 771, avg: 555, sum: 1110, median: 555, p25: 339, p75: 771, p95: 771 });
    expect(aggregateStats([1, 2])).toEqual({ min: 1, max: 2, avg: 1, sum: 3, median: 1, p25: 1, p75: 2, p95: 2 });
  });
});
