/**
 * The interval join operator on its own (a real IntervalJoinOperator over a real keyed backend, fed
 * by hand): Flink's bounds (inclusive, exclusive, negative), the output timestamp, late records
 * (side outputs, the drop counter), cleanup of both buffers by watermark, a snapshot restored on
 * the other backend; and the API's names and checks (window join, coGroup, interval join).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CountTrigger, OutputTag, ProcessJoinFunction, RichJoinFunction, TumblingEventTimeWindows, isFlatJoinFunction, type Collector, type DataStream, type OperatorSpec, type ProcessJoinContext } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { IntervalJoinOperator } from '../../../src/runtime/operators/interval-join-operator.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';
import { jobGraphOf, newEnv, vertexNames } from '../graph/fixtures.js';
import { windowHarness } from './window-harness.js';

const MAX = 128;
const root = mkdtempSync(join(tmpdir(), 'miniflink-interval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;

type E = { k: string; id: string };

/** A ProcessJoinFunction that records `leftId+rightId` and checks its context. */
class Pairs extends ProcessJoinFunction<E, E, string> {
  processElement(l: E, r: E, ctx: ProcessJoinContext, out: Collector<string>): void {
    expect(ctx.getTimestamp()).toBe(Math.max(ctx.getLeftTimestamp(), ctx.getRightTimestamp()));
    out.collect(`${l.id}+${r.id}`);
  }
}

/** The interval join spec the API builds for `between(lower, upper)` with the given exclusivity. */
function specOf(lower: number, upper: number, opts: { lowerExclusive?: boolean; upperExclusive?: boolean; lateTags?: boolean } = {}): Extract<OperatorSpec, { type: 'intervalJoin' }> {
  const env = newEnv({ parallelism: 1 });
  const a = env.fromElements<E>({ k: 'a', id: 'x' }).keyBy((e) => e.k);
  const b = env.fromElements<E>({ k: 'a', id: 'y' }).keyBy((e) => e.k);
  let joined = a.intervalJoin(b).between(lower, upper);
  if (opts.lowerExclusive) joined = joined.lowerBoundExclusive();
  if (opts.upperExclusive) joined = joined.upperBoundExclusive();
  if (opts.lateTags) joined = joined.sideOutputLeftLateData(new OutputTag<E>('late-left')).sideOutputRightLateData(new OutputTag<E>('late-right'));
  const s = joined.process(new Pairs()) as DataStream<unknown>;
  return s.transformation.operator as Extract<OperatorSpec, { type: 'intervalJoin' }>;
}

async function harness(spec: Extract<OperatorSpec, { type: 'intervalJoin' }>, options: { backend?: 'hashmap' | 'leveldb'; restore?: KeyedSnapshot[] } = {}) {
  const range = new KeyGroupRange(0, MAX - 1);
  const backend: AbstractKeyedStateBackend = options.backend === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX, range) : new HeapKeyedStateBackend(MAX, range);
  const metrics = new SimpleMetricGroup();
  const rc = new StreamingRuntimeContext({ taskName: 'join', jobId: 'j', index: 0, parallelism: 1, maxParallelism: MAX, attempt: 0 }, backend, new Map(), metrics);
  const op = new IntervalJoinOperator({ runtimeContext: rc, keyedBackend: backend, now: () => 0, sendCollected: () => {}, track: () => {}, mailbox: (a) => a() }, spec);
  const out: Array<[unknown, number | undefined]> = [];
  const side = new Map<string, unknown[]>();
  op.output = {
    collect: (r, ts) => void out.push([r, ts]),
    emitWatermark: () => {},
    emitWatermarkStatus: () => {},
    collectSide: (tag, r) => {
      const l = side.get(tag.id) ?? [];
      l.push(r);
      side.set(tag.id, l);
    },
  };
  await op.initializeState(options.restore ? { keyed: options.restore, operator: [] } : undefined, 0, 1);
  await op.open();
  return {
    op,
    backend,
    out,
    side,
    dropped: () => metrics.counter('numLateRecordsDropped').getCount(),
    left: (id: string, ts: number | undefined, k = 'a') => op.processElement({ k, id }, ts),
    right: (id: string, ts: number | undefined, k = 'a') => op.processElement2({ k, id }, ts),
    /** Buffered left/right timestamps of key `k`. */
    buffered(k = 'a'): { left: number[]; right: number[] } {
      backend.setCurrentKey(k);
      const l = op as unknown as { leftBuffer: { keys(): Iterable<number> }; rightBuffer: { keys(): Iterable<number> } };
      return { left: [...l.leftBuffer.keys()].sort((x, y) => x - y), right: [...l.rightBuffer.keys()].sort((x, y) => x - y) };
    },
    async snapshot(): Promise<KeyedSnapshot> {
      const ref = backend.snapshot();
      const s = await backend.toCanonical(ref);
      backend.releaseSnapshot(ref);
      return structuredClone(s);
    },
    async end() {
      await op.endInput();
      await op.close();
      await op.disposeState();
    },
  };
}

describe('interval join operator', () => {
  it('interval join - inclusive bounds [-2, 1]: right records of the same key in range match, with the larger timestamp', async () => {
    const h = await harness(specOf(-2, 1));
    for (const ts of [7, 8, 10, 11, 12]) h.right(`r${ts}`, ts);
    h.right('other-key', 10, 'b');
    h.left('l10', 10);
    expect(h.out.sort()).toEqual([
      ['l10+r10', 10],
      ['l10+r11', 11],
      ['l10+r8', 10],
    ]);
    await h.end();
  });

  it('interval join - exclusive bounds move by one millisecond, and a right record joins earlier left ones', async () => {
    const h = await harness(specOf(-2, 1, { lowerExclusive: true, upperExclusive: true }));
    for (const ts of [8, 9, 10, 11]) h.left(`l${ts}`, ts);
    // Right at 10 matches left l with 10 in (l - 2, l + 1): l in (9, 12) -> l10, l11.
    h.right('r10', 10);
    expect(h.out.map(([v]) => v).sort()).toEqual(['l10+r10', 'l11+r10']);
    await h.end();
  });

  it('interval join - fractional timestamps: a pair matches whichever record comes second, and every buffer is cleaned up (review)', async () => {
    // 16.963 - 15.963 is 1.0000000000000018 in doubles: outside [0, 1] in both orders (before, the
    // left record arriving second computed 15.963 + 1 and matched).
    const outcomes: string[][] = [];
    for (const leftFirst of [true, false]) {
      const h = await harness(specOf(0, 1));
      if (leftFirst) h.left('l', 15.963);
      h.right('r', 16.963);
      if (!leftFirst) h.left('l', 15.963);
      outcomes.push(h.out.map(([v]) => String(v)));
      await h.end();
    }
    expect(outcomes).toEqual([[], []]);
    // (0.1 + 1) - 1 is not 0.1: the cleanup timer did not find its buffer, which stayed for good.
    const c = await harness(specOf(-1, 1));
    c.left('l', 0.1);
    c.right('r', 0.7);
    expect(c.out.map(([v]) => v)).toEqual(['l+r']);
    c.op.processWatermark(10_000);
    expect(c.buffered()).toEqual({ left: [], right: [] });
    await c.end();
  });

  it('interval join - late records go to the side outputs (or are dropped and counted); buffers are cleaned by watermark', async () => {
    const h = await harness(specOf(-5, 3, { lateTags: true }));
    h.left('l10', 10);
    h.right('r20', 20);
    h.op.processWatermark(12);
    // Left 10 stays until the watermark passes 10 + 3; right 20 until 20 + 5.
    expect(h.buffered()).toEqual({ left: [10], right: [20] });
    h.left('late', 11);
    h.right('late-r', 5);
    expect(h.side.get('late-left')).toEqual([{ k: 'a', id: 'late' }]);
    expect(h.side.get('late-right')).toEqual([{ k: 'a', id: 'late-r' }]);
    h.op.processWatermark(13);
    expect(h.buffered()).toEqual({ left: [], right: [20] });
    h.op.processWatermark(25);
    expect(h.buffered()).toEqual({ left: [], right: [] });
    await h.end();

    const d = await harness(specOf(-5, 3));
    d.op.processWatermark(100);
    d.left('late', 99);
    d.right('late', 50);
    expect(d.dropped()).toBe(2);
    expect(d.out).toEqual([]);
    await d.end();
  });

  it('interval join - negative and positive-only bounds clean at the right times', async () => {
    // between(-10, -5): a left record waits until the watermark passes its own timestamp; a right one until ts + 10.
    const h = await harness(specOf(-10, -5));
    h.left('l100', 100);
    h.right('r92', 92);
    expect(h.out.map(([v]) => v)).toEqual(['l100+r92']);
    h.op.processWatermark(100);
    expect(h.buffered()).toEqual({ left: [], right: [92] });
    h.op.processWatermark(102);
    expect(h.buffered()).toEqual({ left: [], right: [] });
    await h.end();
    // between(2, 6): a right record waits only until its own timestamp.
    const p = await harness(specOf(2, 6));
    p.right('r50', 50);
    p.left('l45', 45);
    expect(p.out.map(([v]) => v)).toEqual(['l45+r50']);
    p.op.processWatermark(50);
    expect(p.buffered()).toEqual({ left: [45], right: [] });
    p.op.processWatermark(51);
    expect(p.buffered()).toEqual({ left: [], right: [] });
    await p.end();
  });

  it('interval join - a record without a timestamp fails with a clear message', async () => {
    const h = await harness(specOf(-1, 1));
    expect(() => h.left('x', undefined)).toThrow(/interval stream joins need to have meaningful timestamps: a record of the left input has none/);
    await h.end();
  });

  it('interval join - a record with the timestamp Long.MIN_VALUE (a strategy without an assigner gives it) fails as in Flink, not joined', async () => {
    const h = await harness(specOf(-10, 10));
    expect(() => h.right('y', -(2 ** 63))).toThrow(/a record of the right input has the timestamp Long.MIN_VALUE/);
    expect(() => h.left('x', -(2 ** 63))).toThrow(/a record of the left input has the timestamp Long.MIN_VALUE/);
    expect(h.out).toEqual([]);
    await h.end();
  });

  it.each([
    ['hashmap', 'leveldb'],
    ['leveldb', 'hashmap'],
  ] as const)('interval join - buffers and cleanup timers restore from a snapshot (%s to %s)', async (from, to) => {
    const spec = specOf(-5, 5);
    const h = await harness(spec, { backend: from });
    h.left('l10', 10);
    h.left('l30', 30, 'b');
    const snap = await h.snapshot();
    await h.end();
    const r = await harness(spec, { backend: to, restore: [snap] });
    r.right('r12', 12);
    r.right('r31', 31, 'b');
    expect(r.out.map(([v]) => v).sort()).toEqual(['l10+r12', 'l30+r31']);
    // The restored cleanup timer of l10 (at 15) fires with the watermark.
    r.op.processWatermark(15);
    expect(r.buffered().left).toEqual([]);
    expect(r.buffered('b').left).toEqual([30]);
    await r.end();
  });
});

describe('join API', () => {
  it('joins - plans as Flink builds them: taggers, union, a window with CoGroupWindowFunction; Interval Join', () => {
    const env = newEnv({ parallelism: 2 });
    const a = env.fromElements<E>({ k: 'a', id: 'x' });
    const b = env.fromElements<E>({ k: 'a', id: 'y' });
    const joined = a
      .join(b)
      .where((e) => e.k)
      .equalTo((e) => e.k)
      .window(TumblingEventTimeWindows.of(5000))
      .apply((l: E, r: E) => l.id + r.id);
    expect(joined.getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, CoGroupWindowFunction)');
    const grouped = a
      .coGroup(b)
      .where((e) => e.k)
      .equalTo((e) => e.k)
      .window(TumblingEventTimeWindows.of(5000))
      .apply((ls: E[], rs: E[], out: Collector<number>) => out.collect(ls.length + rs.length));
    expect(grouped.getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, CoGroupWindowFunction)');
    const interval = a
      .keyBy((e) => e.k)
      .intervalJoin(b.keyBy((e) => e.k))
      .between(-1, 1)
      .process(new Pairs());
    expect(interval.getName()).toBe('Interval Join');
    joined.print();
    grouped.print();
    interval.print();
    const names = vertexNames(jobGraphOf(env));
    expect(names.filter((n) => n.includes('CoGroupWindowFunction'))).toHaveLength(2);
    expect(names.some((n) => n.startsWith('Interval Join'))).toBe(true);
    expect(names.some((n) => n.includes('Map'))).toBe(true);
  });

  it('joins - a lambda FlatJoinFunction gets its parameter types (type-checked), a JoinFunction its result type', () => {
    const env = newEnv({ parallelism: 1 });
    const clicks = env.fromElements({ user: 'a', url: 'x' });
    const views = env.fromElements({ userId: 'a', page: 'p' });
    const w = clicks
      .join(views)
      .where((c) => c.user)
      .equalTo((v) => v.userId)
      .window(TumblingEventTimeWindows.of(5000));
    // Under strict, these compile only if c, v and out are inferred.
    const flat = w.apply<string>((c, v, out) => out.collect(`${c.url}:${v.page}`));
    const plain: DataStream<string> = w.apply((c, v) => `${c.url}:${v.page}`);
    expect(flat.getName()).toContain('CoGroupWindowFunction');
    expect(plain.getName()).toContain('CoGroupWindowFunction');
  });

  it('joins - trigger(), evictor() and allowedLateness() of a join window return a new one and leave the first as it was (as in Flink)', () => {
    const env = newEnv({ parallelism: 1 });
    const a = env.fromElements<E>({ k: 'a', id: 'x' });
    const w = a
      .join(a)
      .where((e) => e.k)
      .equalTo((e) => e.k)
      .window(TumblingEventTimeWindows.of(100));
    const counted = w.trigger(CountTrigger.of(1)).apply((l: E, r: E) => l.id + r.id);
    const plain = w.apply((l: E, r: E) => l.id + r.id);
    expect(counted.getName()).toBe('Window(TumblingEventTimeWindows(100), CountTrigger, CoGroupWindowFunction)');
    expect(plain.getName()).toBe('Window(TumblingEventTimeWindows(100), EventTimeTrigger, CoGroupWindowFunction)');
    const g = a
      .coGroup(a)
      .where((e) => e.k)
      .equalTo((e) => e.k)
      .window(TumblingEventTimeWindows.of(100));
    g.allowedLateness(50);
    const op = (s: DataStream<unknown>) => (s.transformation.operator as Extract<OperatorSpec, { type: 'window' }>).window;
    expect(op(g.apply((ls: E[], _rs: E[], out: Collector<number>) => out.collect(ls.length)) as DataStream<unknown>).allowedLateness).toBe(0);
  });

  it('joins - a join function that returns a Promise fails naming the function as the user gave it, its kind and its operator', async () => {
    const env = newEnv({ parallelism: 1 });
    const a = env.fromElements<E>({ k: 'a', id: 'x' });
    async function enrich(l: E, r: E): Promise<string> {
      return l.id + r.id;
    }
    const joined = a
      .join(a)
      .where((e) => e.k)
      .equalTo((e) => e.k)
      .window(TumblingEventTimeWindows.of(100))
      .apply(enrich as unknown as (l: E, r: E) => string);
    const h = await windowHarness(joined as DataStream<unknown>);
    h.element({ tag: 1, value: { k: 'a', id: 'l' } }, 5);
    h.element({ tag: 2, value: { k: 'a', id: 'r' } }, 6);
    expect(() => h.watermark(200)).toThrow(/The JoinFunction enrich of task 'window \(1\/1\)' returned a Promise from join\(\)/);
  });

  it('joins - the checks: bounds in order, event time only, keyed streams only; join function kinds', () => {
    const env = newEnv({ parallelism: 1 });
    const a = env.fromElements<E>({ k: 'a', id: 'x' }).keyBy((e) => e.k);
    const b = env.fromElements<E>({ k: 'a', id: 'y' }).keyBy((e) => e.k);
    expect(() => a.intervalJoin(b).between(2, 1)).toThrow('lowerBound <= upperBound must be fulfilled');
    expect(() => a.intervalJoin(b).inProcessingTime().between(-1, 1)).toThrow('Time-bounded stream joins are only supported in event time');
    expect(() => a.intervalJoin(env.fromElements<E>({ k: 'a', id: 'z' }) as never)).toThrow(/takes a KeyedStream/);
    expect(() => a.intervalJoin(b).between(-1, 1).process({} as never)).toThrow(/ProcessJoinFunction/);
    expect(() => a.join(b).where(undefined as never)).toThrow(/KeySelector/);
    // Which join function a window join runs.
    expect(isFlatJoinFunction((l: E, r: E) => l.id + r.id)).toBe(false);
    expect(isFlatJoinFunction((l: E, r: E, out: Collector<string>) => out.collect(l.id + r.id))).toBe(true);
    expect(isFlatJoinFunction({ join: (l: E, r: E, out: Collector<string>) => out.collect(l.id + r.id) })).toBe(true);
    class J extends RichJoinFunction<E, E, string> {
      join(l: E, r: E): string {
        return l.id + r.id;
      }
    }
    expect(isFlatJoinFunction(new J())).toBe(false);
  });
});
