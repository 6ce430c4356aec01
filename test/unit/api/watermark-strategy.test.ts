/**
 * WatermarkStrategy and the built-in generators, with Flink's arithmetic, hand-computed: bounded
 * out-of-orderness (highest timestamp - bound - 1), ascending timestamps (highest - 1), none,
 * idleness (IdlenessTimer: the countdown starts at the first periodic check without records, and
 * the output goes idle at a later check strictly past the timeout), the builder methods wrapping a
 * base strategy in any order, and their argument checks.
 */
import { describe, expect, it } from 'vitest';
import {
  BoundedOutOfOrdernessWatermarks,
  Duration,
  IdlenessTimer,
  NO_TIMESTAMP,
  Time,
  Watermark,
  WatermarkStrategy,
  type RelativeClock,
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../../src/api/index.js';
import { SimpleMetricGroup } from '../../../src/runtime/operators/streaming-runtime-context.js';

/** An output recording what a generator emits, as Flink's WatermarkOutput sees it (every call). */
function recorder() {
  const seen: Array<number | 'idle' | 'active'> = [];
  const out: WatermarkOutput = {
    emitWatermark: (w) => seen.push(w.getTimestamp()),
    markIdle: () => seen.push('idle'),
    markActive: () => seen.push('active'),
  };
  return { seen, out };
}

/** A clock moved by hand. */
function manualClock() {
  let t = 0;
  const clock: RelativeClock = { relativeTimeMillis: () => t, relativeTimeNanos: () => t * 1e6 };
  return { clock, advance: (ms: number) => (t += ms) };
}

const ctxFor = (clock: RelativeClock) => ({ getMetricGroup: () => new SimpleMetricGroup(), getInputActivityClock: () => clock });
const assignerCtx = { getMetricGroup: () => new SimpleMetricGroup() };

describe('watermark generators', () => {
  it('generators - bounded out-of-orderness emits the highest timestamp minus the bound minus 1', () => {
    const g = new BoundedOutOfOrdernessWatermarks<string>(2000);
    const { seen, out } = recorder();
    g.onPeriodicEmit(out);
    // Before any record: Long.MIN_VALUE (as a number), which an operator's output drops.
    expect(seen).toEqual([-9223372036854775808]);
    seen.length = 0;
    for (const ts of [1000, 3000, 2000]) g.onEvent('x', ts, out);
    expect(seen).toEqual([]); // periodic: nothing from onEvent
    g.onPeriodicEmit(out);
    expect(seen).toEqual([999]);
    g.onEvent('x', 2500, out); // late: the highest stays 3000
    g.onPeriodicEmit(out);
    expect(seen).toEqual([999, 999]);
    g.onEvent('x', 5001, out);
    g.onPeriodicEmit(out);
    expect(seen).toEqual([999, 999, 3000]);
  });

  it('generators - forMonotonousTimestamps emits the highest timestamp minus 1', () => {
    const g = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator(ctxFor(manualClock().clock));
    const { seen, out } = recorder();
    for (const ts of [10, 20, 20]) g.onEvent(ts, ts, out);
    g.onPeriodicEmit(out);
    expect(seen).toEqual([19]);
  });

  it('generators - forBoundedOutOfOrderness takes a Duration, a Time or milliseconds', () => {
    for (const d of [Duration.ofSeconds(5), Time.seconds(5), 5000]) {
      const g = WatermarkStrategy.forBoundedOutOfOrderness<number>(d).createWatermarkGenerator(ctxFor(manualClock().clock));
      const { seen, out } = recorder();
      g.onEvent(0, 10_000, out);
      g.onPeriodicEmit(out);
      expect(seen).toEqual([4999]);
    }
  });

  it('generators - noWatermarks emits nothing', () => {
    const g = WatermarkStrategy.noWatermarks<number>().createWatermarkGenerator(ctxFor(manualClock().clock));
    const { seen, out } = recorder();
    g.onEvent(1, 100, out);
    g.onPeriodicEmit(out);
    expect(seen).toEqual([]);
  });

  it('generators - forGenerator takes a function or a supplier object; a punctuated generator emits from onEvent', () => {
    const punctuated = (): WatermarkGenerator<{ ts: number; mark?: boolean }> => ({
      onEvent: (e, ts, out) => {
        if (e.mark) out.emitWatermark(new Watermark(ts));
      },
      onPeriodicEmit: () => {},
    });
    for (const s of [WatermarkStrategy.forGenerator(punctuated), WatermarkStrategy.forGenerator({ createWatermarkGenerator: punctuated })]) {
      const g = s.createWatermarkGenerator(ctxFor(manualClock().clock));
      const { seen, out } = recorder();
      g.onEvent({ ts: 5 }, 5, out);
      g.onEvent({ ts: 7, mark: true }, 7, out);
      g.onPeriodicEmit(out);
      expect(seen).toEqual([7]);
    }
  });
});

describe('idleness', () => {
  it('idleness - the timer counts from the first check without records and fires strictly after the timeout', () => {
    const { clock, advance } = manualClock();
    const timer = new IdlenessTimer(clock, 1000);
    timer.activity();
    expect(timer.checkIfIdle()).toBe(false); // activity since the last check: reset
    advance(200);
    expect(timer.checkIfIdle()).toBe(false); // no activity: the countdown starts at 200
    advance(1000);
    expect(timer.checkIfIdle()).toBe(false); // exactly the timeout: not yet
    advance(1);
    expect(timer.checkIfIdle()).toBe(true);
    timer.activity();
    expect(timer.checkIfIdle()).toBe(false); // a record: active again, countdown reset
    advance(5000);
    expect(timer.checkIfIdle()).toBe(false); // the countdown starts only now
  });

  it('idleness - withIdleness marks the output idle once, and a record lets the generator emit again', () => {
    const { clock, advance } = manualClock();
    const g = WatermarkStrategy.forMonotonousTimestamps<number>().withIdleness(Duration.ofMillis(500)).createWatermarkGenerator(ctxFor(clock));
    const { seen, out } = recorder();
    g.onEvent(1, 100, out);
    g.onPeriodicEmit(out); // activity: the wrapped generator emits
    advance(200);
    g.onPeriodicEmit(out); // countdown starts; still emits
    advance(400);
    g.onPeriodicEmit(out); // 400 <= 500
    advance(200);
    g.onPeriodicEmit(out); // 600 > 500: idle
    advance(200);
    g.onPeriodicEmit(out); // still idle: not marked again
    g.onEvent(2, 300, out);
    g.onPeriodicEmit(out);
    expect(seen).toEqual([99, 99, 99, 'idle', 299]);
  });

  it('idleness - the timeout must be positive', () => {
    expect(() => WatermarkStrategy.noWatermarks().withIdleness(0)).toThrow('idleTimeout must be greater than zero');
    expect(() => WatermarkStrategy.noWatermarks().withIdleness(Duration.ofMillis(-1))).toThrow('idleTimeout must be greater than zero');
  });
});

describe('watermark strategy', () => {
  it('strategy - without an assigner, records keep their own timestamp (RecordTimestampAssigner)', () => {
    const a = WatermarkStrategy.forMonotonousTimestamps<string>().createTimestampAssigner(assignerCtx);
    expect(a.extractTimestamp('x', 42)).toBe(42);
    expect(a.extractTimestamp('x', NO_TIMESTAMP)).toBe(NO_TIMESTAMP);
  });

  it('strategy - withTimestampAssigner takes a function, an assigner object or a supplier', () => {
    type E = { t: number };
    const fn = (e: E, recordTs: number) => e.t + (recordTs === NO_TIMESTAMP ? 0 : 1);
    const obj: TimestampAssigner<E> = { extractTimestamp: (e) => e.t * 2 };
    const supplier = { createTimestampAssigner: (): TimestampAssigner<E> => ({ extractTimestamp: (e) => e.t * 3 }) };
    const base = WatermarkStrategy.forBoundedOutOfOrderness<E>(10);
    expect(base.withTimestampAssigner(fn).createTimestampAssigner(assignerCtx).extractTimestamp({ t: 5 }, NO_TIMESTAMP)).toBe(5);
    expect(base.withTimestampAssigner(fn).createTimestampAssigner(assignerCtx).extractTimestamp({ t: 5 }, 0)).toBe(6);
    expect(base.withTimestampAssigner(obj).createTimestampAssigner(assignerCtx).extractTimestamp({ t: 5 }, 0)).toBe(10);
    expect(base.withTimestampAssigner(supplier).createTimestampAssigner(assignerCtx).extractTimestamp({ t: 5 }, 0)).toBe(15);
    expect(() => base.withTimestampAssigner(42 as never)).toThrow(TypeError);
  });

  it('strategy - builder methods wrap in any order and keep what the base set', () => {
    type E = { t: number };
    const { clock, advance } = manualClock();
    const a = WatermarkStrategy.forBoundedOutOfOrderness<E>(100)
      .withTimestampAssigner((e) => e.t)
      .withIdleness(50)
      .withWatermarkAlignment('g', Duration.ofSeconds(20), 250);
    const b = WatermarkStrategy.forBoundedOutOfOrderness<E>(100)
      .withWatermarkAlignment('g', Duration.ofSeconds(20), 250)
      .withIdleness(50)
      .withTimestampAssigner((e) => e.t);
    for (const s of [a, b]) {
      expect(s.createTimestampAssigner(assignerCtx).extractTimestamp({ t: 7 }, 0)).toBe(7);
      const p = s.getAlignmentParameters();
      expect([p.isEnabled(), p.getWatermarkGroup(), p.getMaxAllowedWatermarkDrift(), p.getUpdateInterval()]).toEqual([true, 'g', 20_000, 250]);
      const g = s.createWatermarkGenerator(ctxFor(clock));
      const { seen, out } = recorder();
      g.onEvent({ t: 1000 }, 1000, out);
      g.onPeriodicEmit(out);
      g.onPeriodicEmit(out);
      advance(51);
      g.onPeriodicEmit(out);
      expect(seen).toEqual([899, 899, 'idle']);
    }
    expect(WatermarkStrategy.forMonotonousTimestamps().getAlignmentParameters().isEnabled()).toBe(false);
    expect(WatermarkStrategy.forMonotonousTimestamps().withWatermarkAlignment('x', 1).getAlignmentParameters().getUpdateInterval()).toBe(1000);
  });

  it('strategy - a strategy of one’s own overrides createWatermarkGenerator', () => {
    class Every10<T> extends WatermarkStrategy<T> {
      override createWatermarkGenerator(): WatermarkGenerator<T> {
        return { onEvent: (_e, ts, out) => ts % 10 === 0 && out.emitWatermark(new Watermark(ts)), onPeriodicEmit: () => {} };
      }
    }
    const g = new Every10<number>().withIdleness(1000).createWatermarkGenerator(ctxFor(manualClock().clock));
    const { seen, out } = recorder();
    for (const ts of [5, 10, 15, 20]) g.onEvent(ts, ts, out);
    expect(seen).toEqual([10, 20]);
    expect(() => new WatermarkStrategy<number>().createWatermarkGenerator(ctxFor(manualClock().clock))).toThrow('must override createWatermarkGenerator');
  });

  it('strategy - argument checks name the argument', () => {
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow('maxOutOfOrderness cannot be negative');
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness('5s' as never)).toThrow('maxOutOfOrderness must be a Duration');
    expect(() => WatermarkStrategy.forGenerator(7 as never)).toThrow('forGenerator needs');
    expect(() => WatermarkStrategy.noWatermarks().withWatermarkAlignment('g', -1)).toThrow('maxAllowedWatermarkDrift must not be negative');
    expect(() => WatermarkStrategy.noWatermarks().withWatermarkAlignment('g', 1, 0)).toThrow('updateInterval must be greater than zero');
  });
});
