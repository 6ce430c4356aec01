/**
 * A sink's context (Flink's SinkFunction.Context): the record's timestamp (null without one) and
 * the sink's current watermark, Long.MIN_VALUE before any.
 */
import { describe, expect, it } from 'vitest';
import type { RuntimeContext, SinkContext } from '../../../src/api/index.js';
import { MIN_WATERMARK } from '../../../src/core/watermarks.js';
import { SinkOperator } from '../../../src/runtime/operators/sink-operators.js';

describe('sink context', () => {
  it('sink - context.timestamp() is the record’s, currentWatermark() the sink’s (Long.MIN_VALUE before any)', () => {
    const seen: Array<[unknown, number | null, number]> = [];
    const ctx = { runtimeContext: {} as RuntimeContext, keyedBackend: undefined, now: () => 0, sendCollected: () => {}, track: () => {}, mailbox: (a: () => void) => a() };
    const op = new SinkOperator(ctx, (v: unknown, c: SinkContext) => void seen.push([v, c.timestamp(), c.currentWatermark()]));
    op.output = { collect: () => {}, emitWatermark: () => {}, emitWatermarkStatus: () => {}, collectSide: () => {} };
    op.processElement('a', 42);
    op.processElement('b');
    op.processWatermark(100);
    op.processElement('c', 150);
    expect(seen).toEqual([
      ['a', 42, MIN_WATERMARK],
      ['b', null, MIN_WATERMARK],
      ['c', 150, 100],
    ]);
  });
});
