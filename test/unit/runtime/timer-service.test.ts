/**
 * The TimerService (Flink's InternalTimerServiceImpl) over a keyed backend's timer queues: event
 * time fires in timestamp order with the key current, timers set while firing fire in the same
 * pass, processing time goes through the mailbox, and the timers travel in the keyed snapshot,
 * per key group, between both backends and parallelisms. Also KeyedProcessOperator restoring the
 * timers of format version 1 (union operator state `__timers`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { KeyedProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext } from '../../../src/api/index.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex, KeyGroupRange } from '../../../src/core/key-groups.js';
import { KeyedProcessOperator } from '../../../src/runtime/operators/keyed-operators.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { TimerService, type TimeDomain } from '../../../src/runtime/operators/timer-service.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';

const MAX = 128;
const root = mkdtempSync(join(tmpdir(), 'miniflink-timers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => void vi.useRealTimers());

let dbs = 0;
async function backendOf(kind: 'hashmap' | 'leveldb', range = new KeyGroupRange(0, MAX - 1)): Promise<AbstractKeyedStateBackend> {
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX, range) : new HeapKeyedStateBackend(MAX, range);
  await b.open();
  return b;
}

/** A timer service whose firings are recorded as `domain key@ts`, with the key the backend had then. */
function serviceOn(b: AbstractKeyedStateBackend, onFire?: (svc: TimerService, key: unknown, ts: number) => void) {
  const fired: string[] = [];
  const svc: TimerService = new TimerService(
    () => Date.now(),
    (t, domain) => {
      expect(b.getCurrentKey()).toBe(t.key);
      fired.push(`${domain === 'EVENT_TIME' ? 'e' : 'p'} ${String(b.getCurrentKey())}@${t.timestamp}`);
      onFire?.(svc, t.key, t.timestamp);
    },
    (action) => action(),
    b,
  );
  return { svc, fired };
}

function reg(b: AbstractKeyedStateBackend, svc: TimerService, domain: TimeDomain, key: unknown, ts: number): void {
  b.setCurrentKey(key);
  svc.register(domain, key, ts);
}

describe('timer service', () => {
  it('timer service - event time fires in timestamp order across keys, up to the watermark, each (key, timestamp) once, deleted ones never', async () => {
    const b = await backendOf('hashmap');
    const { svc, fired } = serviceOn(b);
    for (const [k, ts] of [['a', 30], ['b', 10], ['a', 10], ['c', 20], ['a', 30], ['b', 40], ['c', 50]] as const) reg(b, svc, 'EVENT_TIME', k, ts);
    b.setCurrentKey('c');
    svc.delete('EVENT_TIME', 'c', 50);
    svc.delete('EVENT_TIME', 'c', 999);
    expect(svc.numEventTimeTimers()).toBe(5);
    svc.advanceWatermark(15);
    expect(fired.splice(0).sort()).toEqual(['e a@10', 'e b@10']);
    svc.advanceWatermark(25);
    expect(fired).toEqual(['e c@20']);
    fired.length = 0;
    svc.advanceWatermark(Number.MAX_SAFE_INTEGER);
    expect(fired).toEqual(['e a@30', 'e b@40']);
    expect(svc.numEventTimeTimers()).toBe(0);
    expect(svc.watermark).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('timer service - a timer set from onTimer at or before the watermark fires in the same advance (the final watermark fires chains of timers)', async () => {
    const b = await backendOf('hashmap');
    const { svc, fired } = serviceOn(b, (s, key, ts) => {
      if (ts < 1300) s.register('EVENT_TIME', key, ts + 100);
    });
    reg(b, svc, 'EVENT_TIME', 'x', 1000);
    reg(b, svc, 'EVENT_TIME', 'y', 1150);
    svc.advanceWatermark(Number.MAX_SAFE_INTEGER);
    expect(fired).toEqual(['e x@1000', 'e x@1100', 'e y@1150', 'e x@1200', 'e y@1250', 'e x@1300', 'e y@1350']);
  });

  it('timer service - processing time fires through the mailbox when the clock passes it, re-arms for earlier timers, skips deleted ones, stops when quiesced', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const b = await backendOf('hashmap');
    const mailbox: Array<() => void> = [];
    const fired: string[] = [];
    const svc = new TimerService(
      () => Date.now(),
      (t) => fired.push(`${String(b.getCurrentKey())}@${t.timestamp - 1_000_000}`),
      (a) => mailbox.push(a),
      b,
    );
    const run = () => mailbox.splice(0).forEach((a) => a());
    reg(b, svc, 'PROCESSING_TIME', 'a', 1_000_500);
    reg(b, svc, 'PROCESSING_TIME', 'b', 1_000_100); // earlier: re-arms
    reg(b, svc, 'PROCESSING_TIME', 'c', 1_000_300);
    reg(b, svc, 'PROCESSING_TIME', 'c', 1_000_300);
    b.setCurrentKey('c');
    svc.delete('PROCESSING_TIME', 'c', 1_000_300);
    vi.advanceTimersByTime(99);
    run();
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    run();
    expect(fired).toEqual(['b@100']);
    vi.advanceTimersByTime(300); // the wake-up for c finds nothing due and re-arms for a
    run();
    expect(fired).toEqual(['b@100']);
    vi.advanceTimersByTime(100);
    run();
    expect(fired).toEqual(['b@100', 'a@500']);
    reg(b, svc, 'PROCESSING_TIME', 'd', 1_000_600);
    svc.quiesce();
    vi.advanceTimersByTime(10_000);
    run();
    expect(fired).toEqual(['b@100', 'a@500']);
    expect(svc.numProcessingTimeTimers()).toBe(1);
  });

  it('timer service - a processing-time timer beyond setTimeout range does not fire early', async () => {
    vi.useFakeTimers({ now: 0 });
    const b = await backendOf('hashmap');
    const fired: number[] = [];
    const svc = new TimerService(() => Date.now(), (t) => fired.push(t.timestamp), (a) => a(), b);
    reg(b, svc, 'PROCESSING_TIME', 'a', 2 ** 32);
    vi.advanceTimersByTime(2 ** 31);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(2 ** 31);
    expect(fired).toEqual([2 ** 32]);
  });

  it('timer service - timers need a key and a numeric timestamp', async () => {
    const b = await backendOf('hashmap');
    const { svc } = serviceOn(b);
    expect(() => svc.forCurrentKey().registerEventTimeTimer(1)).toThrow(/Timers need a current key/);
    b.setCurrentKey('a');
    expect(() => svc.forCurrentKey().registerEventTimeTimer(Number.NaN)).toThrow(/must be a number/);
  });

  it("timer service - a timestamp that is no long (±Infinity, beyond Long's range, a fraction) is refused with MF_ERR_INVALID_ARGUMENT, as NaN is", async () => {
    const b = await backendOf('hashmap');
    const { svc, fired } = serviceOn(b);
    b.setCurrentKey('a');
    const timers = svc.forCurrentKey();
    const refused = (f: () => void): string => {
      try {
        f();
        return 'accepted';
      } catch (e) {
        return `${(e as { code?: string }).code}: ${(e as Error).message}`;
      }
    };
    for (const ts of [Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 64, 1.5, -0.25]) {
      for (const f of [timers.registerEventTimeTimer, timers.registerProcessingTimeTimer, timers.deleteEventTimeTimer, timers.deleteProcessingTimeTimer]) {
        expect(refused(() => f(ts))).toMatch(new RegExp(`^MF_ERR_INVALID_ARGUMENT: A timer's timestamp must be a number of milliseconds, a whole number from Long.MIN_VALUE to Long.MAX_VALUE .*, got ${String(ts).replace(/[.+]/g, '\\$&')}$`));
      }
    }
    expect(refused(() => svc.register('EVENT_TIME', 'a', Infinity))).toMatch(/^MF_ERR_INVALID_ARGUMENT: A timer's timestamp must be/);
    expect(svc.numEventTimeTimers() + svc.numProcessingTimeTimers()).toBe(0);
    // Long.MIN_VALUE and Long.MAX_VALUE themselves (-2^63 and 2^63 as numbers), and 2^53 + 2, are longs.
    for (const ts of [-(2 ** 63), 2 ** 63, 2 ** 53 + 2, -1, 0]) timers.registerEventTimeTimer(ts);
    expect(svc.numEventTimeTimers()).toBe(5);
    svc.advanceWatermark(2 ** 63);
    expect(fired).toEqual([`e a@${-(2 ** 63)}`, 'e a@-1', 'e a@0', `e a@${2 ** 53 + 2}`, `e a@${2 ** 63}`]);
  });

  it('timer service - 200,000 processing-time and 200,000 event-time timers register and fire in seconds, not minutes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const b = await backendOf('hashmap');
    let fired = 0;
    let now = 0;
    const svc = new TimerService(() => now, () => void fired++, (a) => a(), b);
    const t0 = performance.now();
    for (let i = 0; i < 200_000; i++) {
      reg(b, svc, 'PROCESSING_TIME', i, 1000 + ((i * 7919) % 200_000));
      svc.register('EVENT_TIME', i, (i * 104_729) % 200_000);
    }
    now = 300_000;
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(200_000);
    svc.advanceWatermark(Number.MAX_SAFE_INTEGER);
    expect(fired).toBe(400_000);
    // The Map-based service scanned every timer per processing-time registration: 40,000 took 5 s.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
});

describe('timer service - snapshots', () => {
  const kinds = ['hashmap', 'leveldb'] as const;
  for (const from of kinds) {
    for (const to of kinds) {
      it(`timer service - timers written by ${from} at parallelism 1 restore on ${to} at parallelism 3, each subtask taking its key groups`, async () => {
        const b = await backendOf(from);
        const { svc } = serviceOn(b);
        const expected: string[] = [];
        for (let k = 0; k < 200; k++) {
          for (const ts of [k, k + 1000, k + 1000]) reg(b, svc, 'EVENT_TIME', `k${k}`, ts);
          reg(b, svc, 'PROCESSING_TIME', { id: k }, 10 ** 13 + k);
          expected.push(`e k${k}@${k}`, `e k${k}@${k + 1000}`);
        }
        for (let k = 0; k < 200; k += 2) svc.delete('EVENT_TIME', `k${k}`, k + 1000);
        for (let k = 0; k < 200; k += 2) expected.splice(expected.indexOf(`e k${k}@${k + 1000}`), 1);
        const ref = b.snapshot();
        // Changes after the synchronous part do not reach the snapshot.
        reg(b, svc, 'EVENT_TIME', 'late', 5);
        svc.delete('EVENT_TIME', 'k1', 1);
        svc.advanceWatermark(500);
        const snap: KeyedSnapshot = await b.toCanonical(ref);
        b.releaseSnapshot(ref);
        svc.quiesce();
        await b.dispose();
        expect(snap.timers?.map((t) => t.name).sort()).toEqual(['_timer_state/event_user-timers', '_timer_state/processing_user-timers']);
        const events = snap.timers!.find((t) => t.name === '_timer_state/event_user-timers')!;
        expect(events.groups.reduce((n, [, ts]) => n + ts.length, 0)).toBe(300);

        const fired: string[] = [];
        for (let i = 0; i < 3; i++) {
          const range = computeKeyGroupRangeForOperatorIndex(MAX, 3, i);
          const r = await backendOf(to, range);
          const { svc: s2, fired: f2 } = serviceOn(r);
          await r.restore([snap]);
          s2.start();
          expect(s2.numProcessingTimeTimers()).toBeGreaterThan(0);
          s2.advanceWatermark(Number.MAX_SAFE_INTEGER);
          s2.quiesce();
          const ts = f2.map((l) => Number(l.split('@')[1]));
          expect(ts).toEqual([...ts].sort((a, b) => a - b));
          fired.push(...f2);
          await r.dispose();
        }
        expect(fired.sort()).toEqual(expected.sort());
      });
    }
  }
});

describe('keyed process operator - restore', () => {
  it('keyed process operator - timers of format version 1 (union operator state __timers) restore into the timer queues by key group, and the union state is dropped', async () => {
    const fired: string[] = [];
    class F extends KeyedProcessFunction<string, string, string> {
      processElement(_v: string, _ctx: KeyedProcessContext<string>, _out: Collector<string>): void {}
      override onTimer(ts: number, ctx: OnTimerContext<string>): void {
        fired.push(`${ctx.getCurrentKey()}@${ts}@${ctx.timeDomain()}`);
      }
    }
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k, i) => ['EVENT_TIME', k, 100 + i]);
    const all: string[] = [];
    for (let i = 0; i < 2; i++) {
      const backend = new HeapKeyedStateBackend(MAX, computeKeyGroupRangeForOperatorIndex(MAX, 2, i));
      const info = { taskName: 't', jobId: 'j', index: i, parallelism: 2, maxParallelism: MAX, attempt: 0 };
      const op = new KeyedProcessOperator(
        { runtimeContext: new StreamingRuntimeContext(info, backend, new Map(), new SimpleMetricGroup()), keyedBackend: backend, now: () => 0, sendCollected: () => {}, track: () => {}, mailbox: (a) => a() },
        new F(),
        (v: string) => v,
      );
      op.output = { collect: () => {}, emitWatermark: () => {}, emitWatermarkStatus: () => {}, collectSide: () => {} };
      // Two old subtasks, each holding its own timers and another state.
      await op.initializeState(
        { keyed: [], operator: [{ __timers: { mode: 'union', items: items.slice(0, 4) }, other: { mode: 'split', items: [1] } }, { __timers: { mode: 'union', items: items.slice(4) } }] },
        i,
        2,
      );
      const snap = await op.snapshotState(1, 0);
      expect(Object.keys(snap.operator ?? {})).not.toContain('__timers');
      const keyed = await backend.toCanonical(snap.keyed!.ref);
      const mine = keyed.timers?.[0]?.groups.flatMap(([, ts]) => ts.map(([k]) => k)) ?? [];
      expect(mine.every((k) => backend.keyGroupRange.contains(assignToKeyGroup(k, MAX)))).toBe(true);
      fired.length = 0;
      op.endInput();
      all.push(...fired);
      expect(fired.length).toBe(mine.length);
    }
    expect(all.sort()).toEqual(items.map(([, k, ts]) => `${String(k)}@${String(ts)}@EVENT_TIME`).sort());
  });
});
