/**
 * The window operator with every assigner, trigger and evictor, fed by hand (window-harness.ts),
 * against results computed by hand: in-order, out-of-order and late elements, allowed lateness
 * and the late side output, merging sessions (contents, trigger state, timers), process window
 * functions with their context and state, evictors before and after, and processing time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AggregatingStateDescriptor,
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  EventTimeSessionWindows,
  GlobalWindows,
  OutputTag,
  ProcessWindowFunction,
  ProcessingTimeSessionWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TimeEvictor,
  TimeWindow,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  type Collector,
  type DataStream,
  type ProcessWindowContext,
  type TriggerContext,
} from '../../../src/api/index.js';
import { MAX_WATERMARK } from '../../../src/core/watermarks.js';
import { WINDOW_CONTENTS, WINDOW_CONTENTS_MORE, type HeapKeyedStateBackend } from '../../../src/state/index.js';
import { newEnv } from '../graph/fixtures.js';
import { windowHarness, type Emitted } from './window-harness.js';

type R = [string, number];
const keyed = () => newEnv({ parallelism: 1 }).fromElements<R>(['x', 0]).keyBy((r) => r[0]);
const show = (out: Emitted[]) => out.map(([v, ts]) => `${JSON.stringify(v)}@${ts === MAX_WATERMARK ? 'MAX' : ts}`);
const sorted = (out: Emitted[]) => show(out).sort();

afterEach(() => void vi.useRealTimers());

describe('window operator', () => {
  it('window - tumbling event time, in order: each key and window fires once when the watermark passes its end, at end - 1', async () => {
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['a', 2], 5);
    h.element(['b', 3], 7);
    h.element(['a', 4], 12);
    h.watermark(8);
    expect(h.out).toEqual([]);
    h.watermark(9);
    expect(sorted(h.take())).toEqual(['["a",3]@9', '["b",3]@9']);
    h.watermark(20);
    expect(show(h.take())).toEqual(['["a",4]@19']);
    expect(h.watermarks).toEqual([8, 9, 20]);
    await h.end();
    expect(h.out).toEqual([]);
  });

  it('window - out of order: elements before the watermark count, a late one is dropped and counted', async () => {
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 12);
    h.element(['a', 2], 3);
    h.watermark(10);
    expect(show(h.take())).toEqual(['["a",2]@9']);
    h.element(['a', 5], 8);
    expect(h.dropped()).toBe(1);
    await h.end();
    expect(show(h.take())).toEqual(['["a",1]@19']);
  });

  it('window - allowed lateness re-fires the window with late elements until end + lateness; later ones go to the late side output', async () => {
    const late = new OutputTag<R>('late');
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(5).sideOutputLateData(late).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 3);
    h.watermark(10);
    expect(show(h.take())).toEqual(['["a",1]@9']);
    h.element(['a', 2], 8);
    expect(show(h.take())).toEqual(['["a",3]@9']);
    h.watermark(14);
    // The window is gone: an element for it is late.
    h.element(['a', 4], 9);
    h.element(['a', 8], 15);
    expect(show(h.side.get('late') ?? [])).toEqual(['["a",4]@9']);
    expect(h.dropped()).toBe(0);
    // With allowed lateness every window is kept apart (per key and window), none in the key's value.
    expect([(h.backend as HeapKeyedStateBackend).size(WINDOW_CONTENTS), (h.backend as HeapKeyedStateBackend).size(WINDOW_CONTENTS_MORE)]).toEqual([0, 1]);
    await h.end();
    expect(show(h.take())).toEqual(['["a",8]@19']);
  });

  it('window - sliding: each element in size/slide windows, each window fires with its own sum', async () => {
    const h = await windowHarness(keyed().window(SlidingEventTimeWindows.of(10, 5)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['a', 2], 7);
    h.element(['a', 4], 12);
    await h.end();
    expect(show(h.take())).toEqual(['["a",1]@4', '["a",3]@9', '["a",6]@14', '["a",4]@19']);
  });

  it('window - sessions: windows of a key merge as elements fill the gaps, out of order too; other keys apart', async () => {
    const h = await windowHarness(keyed().window(EventTimeSessionWindows.withGap(5)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['a', 2], 4);
    h.element(['a', 4], 20);
    h.element(['a', 8], 8);
    h.element(['b', 16], 3);
    await h.end();
    expect(show(h.take())).toEqual(['["b",16]@7', '["a",11]@12', '["a",4]@24']);
  });

  it("window - sessions: per-window state is refused, as Flink's MergingWindowStateStore does (it would not follow merges)", async () => {
    const fn = new (class extends ProcessWindowFunction<R, string, string, TimeWindow> {
      process(_k: string, ctx: ProcessWindowContext<TimeWindow>, _els: Iterable<R>, out: Collector<string>): void {
        ctx.windowState().getState(new ValueStateDescriptor<number>('fires'));
        out.collect('fired');
      }
    })();
    const h = await windowHarness(keyed().window(EventTimeSessionWindows.withGap(10)).process(fn) as DataStream<unknown>);
    h.element(['a', 1], 1);
    expect(() => h.watermark(11)).toThrow('Per-window state is not allowed when using merging windows.');
  });

  it('window - sessions: an element bridging two sessions merges them into one, with one timer left', async () => {
    const h = await windowHarness(keyed().window(EventTimeSessionWindows.withGap(5)).sum(1) as DataStream<unknown>);
    h.element(['c', 1], 1);
    h.element(['c', 2], 10);
    expect(h.op.numTimers().eventTime).toBe(2);
    h.element(['c', 4], 6);
    expect(h.op.numTimers().eventTime).toBe(1);
    h.watermark(13);
    expect(h.out).toEqual([]);
    h.watermark(14);
    expect(show(h.take())).toEqual(['["c",7]@14']);
    expect((h.backend as HeapKeyedStateBackend).size('merging-window-set')).toBe(0);
    expect((h.backend as HeapKeyedStateBackend).size(WINDOW_CONTENTS) + (h.backend as HeapKeyedStateBackend).size(WINDOW_CONTENTS_MORE)).toBe(0);
  });

  it('window - sessions: trigger state merges with the windows (CountTrigger counts across the merge)', async () => {
    const h = await windowHarness(keyed().window(EventTimeSessionWindows.withGap(5)).trigger(CountTrigger.of(3)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['a', 1], 10);
    h.element(['a', 1], 5);
    expect(show(h.take())).toEqual(['["a",3]@14']);
    expect(() => keyed().window(EventTimeSessionWindows.withGap(5)).trigger(new (class extends Trigger {
      onElement() {
        return TriggerResult.CONTINUE;
      }
      onEventTime() {
        return TriggerResult.CONTINUE;
      }
      onProcessingTime() {
        return TriggerResult.CONTINUE;
      }
      clear() {}
    })())).toThrow('A merging window assigner cannot be used with a trigger that does not support merging.');
  });

  it('window - ProcessWindowFunction: key, window, elements, watermark, per-window and per-key state, side output; clear() at cleanup', async () => {
    const big = new OutputTag<string>('big');
    class Describe extends ProcessWindowFunction<R, string, string, TimeWindow> {
      process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<R>, out: Collector<string>): void {
        const fires = ctx.windowState().getState(new ValueStateDescriptor<number>('fires'));
        fires.update((fires.value() ?? 0) + 1);
        const total = ctx.globalState().getState(new ValueStateDescriptor<number>('total'));
        total.update((total.value() ?? 0) + 1);
        const n = [...elements].length;
        out.collect(`${key}:${ctx.window().getStart()}-${ctx.window().getEnd()}:${n}:${ctx.currentWatermark()}:${fires.value()}:${total.value()}`);
        if (n > 1) ctx.output(big, key);
      }
      override clear(ctx: ProcessWindowContext<TimeWindow>): void {
        ctx.windowState().getState(new ValueStateDescriptor<number>('fires')).clear();
      }
    }
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(10).process(new Describe()) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['a', 2], 2);
    h.element(['a', 9], 15);
    h.watermark(10);
    h.element(['a', 3], 5);
    expect(show(h.take())).toEqual(['"a:0-10:2:10:1:1"@9', '"a:0-10:3:10:2:2"@9']);
    expect(show(h.side.get('big')!)).toEqual(['"a"@9', '"a"@9']);
    h.watermark(19);
    expect(show(h.take())).toEqual(['"a:10-20:1:19:1:3"@19']);
    const b = h.backend as HeapKeyedStateBackend;
    // [0, 10) was cleaned up at 19 (9 + lateness 10), with its per-window state (clear()).
    expect(b.size('window/fires')).toBe(1);
    h.watermark(40);
    expect(b.size('window/fires')).toBe(0);
    expect(b.size(WINDOW_CONTENTS) + b.size(WINDOW_CONTENTS_MORE)).toBe(0);
    expect(b.size('total')).toBe(1);
  });

  it('window - aggregate with a WindowFunction: the function gets the aggregate’s result', async () => {
    const avg = {
      createAccumulator: (): [number, number] => [0, 0],
      add: (r: R, [s, c]: [number, number]): [number, number] => [s + r[1], c + 1],
      getResult: ([s, c]: [number, number]) => s / c,
      merge: ([s1, c1]: [number, number], [s2, c2]: [number, number]): [number, number] => [s1 + s2, c1 + c2],
    };
    const h = await windowHarness(
      keyed()
        .window(EventTimeSessionWindows.withGap(4))
        .aggregate(avg, (key: string, w: TimeWindow, input: Iterable<number>, out: Collector<unknown>) => out.collect([key, w.getStart(), w.getEnd(), ...input])) as DataStream<unknown>,
    );
    for (const [v, ts] of [[2, 1], [4, 9], [6, 5], [1, 20]]) h.element(['a', v!], ts);
    await h.end();
    expect(show(h.take())).toEqual(['["a",1,13,4]@12', '["a",20,24,1]@23']);
    expect(new AggregatingStateDescriptor('x', avg).kind).toBe('aggregating');
  });

  it('window - countWindow(n): a purging CountTrigger on global windows, results at Long.MAX_VALUE; leftovers never fire', async () => {
    const h = await windowHarness(keyed().countWindow(3).sum(1) as DataStream<unknown>);
    for (let i = 1; i <= 7; i++) h.element(['a', i], i);
    await h.end();
    expect(show(h.take())).toEqual(['["a",6]@MAX', '["a",15]@MAX']);
  });

  it('window - a window function\'s globalState() named like the old contents table (\'window-contents\') is its own; the operator\'s tables are refused (found by a review)', async () => {
    class Fires extends ProcessWindowFunction<R, string, string, TimeWindow> {
      constructor(private readonly name: string) {
        super();
      }
      process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<R>, out: Collector<string>): void {
        const fires = ctx.globalState().getState(new ValueStateDescriptor<string[]>(this.name));
        const list = [...(fires.value() ?? []), String(ctx.window().getStart())];
        fires.update(list);
        out.collect(`${key} ${ctx.window().getStart()} [${[...elements].map((e) => e[1]).join(',')}] fired=${list.join(',')}`);
      }
    }
    for (const backend of ['hashmap', 'leveldb'] as const) {
      const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).process(new Fires('window-contents')) as DataStream<unknown>, { backend });
      h.element(['a', 1], 1);
      h.element(['a', 12], 12);
      h.element(['a', 25], 25);
      h.element(['a', 3], 3);
      h.watermark(9);
      h.watermark(19);
      await h.end();
      expect(show(h.take()), backend).toEqual(['"a 0 [1,3] fired=0"@9', '"a 10 [12] fired=0,10"@19', '"a 20 [25] fired=0,10,20"@29']);
    }
    for (const [name, assigner] of [
      ['_window-contents', TumblingEventTimeWindows.of(10)],
      ['_window-contents/more', TumblingEventTimeWindows.of(10)],
      ['merging-window-set', EventTimeSessionWindows.withGap(5)],
    ] as const) {
      const h = await windowHarness(keyed().window(assigner).process(new Fires(name)) as DataStream<unknown>);
      h.element(['a', 1], 1);
      expect(() => h.watermark(100), name).toThrow(new RegExp(`state name '${name}' is taken by the window operator`));
    }
  });

  it('window - countWindow(size, slide): a CountEvictor keeps the last size elements, the evicted stay evicted', async () => {
    const h = await windowHarness(keyed().countWindow(3, 2).sum(1) as DataStream<unknown>);
    for (let i = 1; i <= 6; i++) h.element(['a', i]);
    expect(show(h.take())).toEqual(['["a",3]@MAX', '["a",9]@MAX', '["a",15]@MAX']);
    const state = (h.backend as HeapKeyedStateBackend).size(WINDOW_CONTENTS);
    expect(state).toBe(1);
  });

  it('window - GlobalWindows.createWithEndOfStreamTrigger(): one result per key at the end of input', async () => {
    const h = await windowHarness(keyed().window(GlobalWindows.createWithEndOfStreamTrigger()).sum(1) as DataStream<unknown>);
    for (let i = 1; i <= 4; i++) h.element([i % 2 ? 'a' : 'b', i], i);
    h.watermark(1000);
    expect(h.out).toEqual([]);
    await h.end();
    expect(sorted(h.take())).toEqual(['["a",4]@MAX', '["b",6]@MAX']);
  });

  it('window - TimeEvictor keeps the last size of event time before the newest element', async () => {
    const h = await windowHarness(
      keyed()
        .window(TumblingEventTimeWindows.of(20))
        .evictor(TimeEvictor.of(5))
        .apply((key: string, _w: TimeWindow, input: Iterable<R>, out: Collector<unknown>) => out.collect([key, [...input].map((r) => r[1])])) as DataStream<unknown>,
    );
    for (const ts of [1, 3, 8, 10]) h.element(['a', ts], ts);
    await h.end();
    expect(show(h.take())).toEqual(['["a",[8,10]]@19']);
  });

  it('window - DeltaEvictor drops elements at the threshold or more from the last one, in state too', async () => {
    const h = await windowHarness(
      keyed()
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(4))
        .evictor(DeltaEvictor.of(3, (a: R, b: R) => Math.abs(a[1] - b[1])))
        .apply((_k: string, _w: unknown, input: Iterable<R>, out: Collector<unknown>) => out.collect([...input].map((r) => r[1]))) as DataStream<unknown>,
    );
    for (const v of [1, 5, 6, 7, 20, 21, 22, 30]) h.element(['a', v]);
    expect(show(h.take())).toEqual(['[5,6,7]@MAX', '[30]@MAX']);
  });

  it('window - CountEvictor after the function: the function sees everything, then all but the last go', async () => {
    const h = await windowHarness(
      keyed()
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(2))
        .evictor(CountEvictor.of(1, true))
        .apply((_k: string, _w: unknown, input: Iterable<R>, out: Collector<unknown>) => out.collect([...input].map((r) => r[1]).join(','))) as DataStream<unknown>,
    );
    for (const v of [1, 2, 3, 4]) h.element(['a', v]);
    expect(show(h.take())).toEqual(['"1,2"@MAX', '"2,3,4"@MAX']);
  });

  it('window - ContinuousEventTimeTrigger fires every interval of event time and at the window’s end', async () => {
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(20)).trigger(ContinuousEventTimeTrigger.of(5)).sum(1) as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.watermark(6);
    expect(show(h.take())).toEqual(['["a",1]@19']);
    h.element(['a', 2], 7);
    h.element(['a', 3], 12);
    h.watermark(10);
    expect(show(h.take())).toEqual(['["a",6]@19']);
    h.watermark(19);
    expect(show(h.take())).toEqual(['["a",6]@19', '["a",6]@19']);
    expect(h.op.numTimers().eventTime).toBe(0);
  });

  it('window - CountTrigger on event-time windows fires by count only; PurgingTrigger purges at each firing', async () => {
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).trigger(CountTrigger.of(2)).sum(1) as DataStream<unknown>);
    for (const [v, ts] of [[1, 1], [2, 2], [4, 3]]) h.element(['a', v!], ts);
    h.watermark(10);
    h.element(['a', 5], 4);
    expect(show(h.take())).toEqual(['["a",3]@9']);
    expect(h.dropped()).toBe(1);
    const p = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).trigger(PurgingTrigger.of(CountTrigger.of(2))).sum(1) as DataStream<unknown>);
    for (const [v, ts] of [[1, 1], [2, 2], [4, 3], [5, 4]]) p.element(['a', v!], ts);
    await p.end();
    expect(show(p.take())).toEqual(['["a",3]@9', '["a",9]@9']);
  });

  it('window - a custom Trigger: fires early on a large value (per-window state), and at the end', async () => {
    class EarlyOnLarge extends Trigger<R, TimeWindow> {
      onElement(e: R, _ts: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
        ctx.registerEventTimeTimer(w.maxTimestamp());
        const seen = ctx.getPartitionedState<{ value(): number | null; update(v: number): void }>(new ValueStateDescriptor<number>('seen'));
        seen.update((seen.value() ?? 0) + 1);
        return e[1] > 100 ? TriggerResult.FIRE : TriggerResult.CONTINUE;
      }
      onEventTime(time: number, w: TimeWindow): TriggerResult {
        return time === w.maxTimestamp() ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE;
      }
      onProcessingTime(): TriggerResult {
        return TriggerResult.CONTINUE;
      }
      clear(w: TimeWindow, ctx: TriggerContext): void {
        ctx.deleteEventTimeTimer(w.maxTimestamp());
        ctx.getPartitionedState<{ clear(): void }>(new ValueStateDescriptor<number>('seen')).clear();
      }
    }
    const h = await windowHarness(keyed().window(TumblingEventTimeWindows.of(10)).trigger(new EarlyOnLarge()).sum(1) as DataStream<unknown>);
    h.element(['a', 5], 1);
    h.element(['a', 200], 2);
    expect(show(h.take())).toEqual(['["a",205]@9']);
    h.element(['a', 1], 3);
    expect((h.backend as HeapKeyedStateBackend).size('window/seen')).toBe(1);
    h.watermark(10);
    expect(show(h.take())).toEqual(['["a",206]@9']);
    expect((h.backend as HeapKeyedStateBackend).size('window/seen')).toBe(0);
    expect(h.op.numTimers().eventTime).toBe(0);
  });

  it('window - a window that fires at its cleanup leaves nothing behind (contents taken; with an evictor too), and more live windows than the composite-key memo holds stay exact', async () => {
    const b = (h: { backend: unknown }) => h.backend as HeapKeyedStateBackend;
    // reduce, aggregate and list contents, each window fired once and gone.
    const sum = await windowHarness(keyed().window(SlidingEventTimeWindows.of(10, 5)).sum(1) as DataStream<unknown>);
    const agg = await windowHarness(
      keyed()
        .window(SlidingEventTimeWindows.of(10, 5))
        .aggregate({ createAccumulator: () => 0, add: (r: R, n: number) => n + r[1], getResult: (n: number) => n, merge: (x: number, y: number) => x + y }) as DataStream<unknown>,
    );
    const list = await windowHarness(
      keyed()
        .window(SlidingEventTimeWindows.of(10, 5))
        .apply((k: string, w: TimeWindow, input: Iterable<R>, out: Collector<unknown>) => out.collect(`${k}@${w.getStart()}:${[...input].map((r) => r[1]).join(',')}`)) as DataStream<unknown>,
    );
    for (const h of [sum, agg, list]) {
      for (const [k, v, ts] of [['a', 1, 1], ['b', 2, 6], ['a', 3, 7], ['a', 4, 12]] as const) h.element([k, v], ts);
      h.watermark(30);
      expect(b(h).size(WINDOW_CONTENTS) + b(h).size(WINDOW_CONTENTS_MORE)).toBe(0);
      expect(h.op.numTimers().eventTime).toBe(0);
    }
    expect(sorted(sum.take())).toEqual(['["a",1]@4', '["a",4]@9', '["a",7]@14', '["a",4]@19', '["b",2]@9', '["b",2]@14'].sort());
    expect(agg.take().map(([v]) => v).sort()).toEqual([1, 2, 2, 4, 4, 7]);
    expect(list.take().map(([v]) => v).sort()).toEqual(['a@-5:1', 'a@0:1,3', 'a@10:4', 'a@5:3,4', 'b@0:2', 'b@5:2']);
    // An evictor writes back what it kept: the cleanup removes that too.
    const ev = await windowHarness(
      keyed()
        .window(TumblingEventTimeWindows.of(10))
        .evictor(CountEvictor.of(1))
        .apply((_k: string, _w: unknown, input: Iterable<R>, out: Collector<unknown>) => out.collect([...input].map((r) => r[1]).join(','))) as DataStream<unknown>,
    );
    for (const [v, ts] of [[1, 1], [2, 2], [3, 3]]) ev.element(['a', v!], ts);
    ev.watermark(10);
    expect(show(ev.take())).toEqual(['"3"@9']);
    expect(b(ev).size(WINDOW_CONTENTS) + b(ev).size(WINDOW_CONTENTS_MORE)).toBe(0);
    expect(ev.op.numTimers().eventTime).toBe(0);
    // 200 windows live at once, 3 keys each, elements out of order: beyond the 64 namespaces whose
    // composite keys are remembered; every window's sum is exact when they fire.
    const many = await windowHarness(keyed().window(TumblingEventTimeWindows.of(1)).sum(1) as DataStream<unknown>);
    const expected: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let t = 199; t >= 0; t--) for (const k of ['a', 'b', 'c']) many.element([k, t + round], t);
    }
    for (let t = 0; t < 200; t++) for (const k of ['a', 'b', 'c']) expected.push(`["${k}",${2 * t + 1}]@${t}`);
    many.watermark(250);
    expect(sorted(many.take())).toEqual(expected.sort());
    expect(b(many).size(WINDOW_CONTENTS) + b(many).size(WINDOW_CONTENTS_MORE)).toBe(0);
    expect(many.op.numTimers().eventTime).toBe(0);
  });

  it('window - a window of records keyed -0 has the key -0 (its records\' key), also right after a record keyed 0', async () => {
    const name = (k: number) => (Object.is(k, -0) ? '-0' : String(k));
    const h = await windowHarness(
      newEnv({ parallelism: 1 })
        .fromElements<[number, number]>([0, 0])
        .keyBy((r) => r[0])
        .window(TumblingEventTimeWindows.of(10))
        .process((k: number, _ctx: unknown, input: Iterable<[number, number]>, out: Collector<unknown>) => out.collect([name(k), [...input].map((r) => name(r[0]))])) as DataStream<unknown>,
    );
    h.element([0, 1], 1);
    h.element([-0, 2], 15);
    h.watermark(100);
    expect(h.take().map(([v]) => v)).toEqual([
      ['0', ['0']],
      ['-0', ['-0']],
    ]);
  });

  it('window - processing-time tumbling windows fire as the clock passes their end; not at the end of input', async () => {
    vi.useFakeTimers();
    let clock = 1200;
    const h = await windowHarness(keyed().window(TumblingProcessingTimeWindows.of(1000)).sum(1) as DataStream<unknown>, { now: () => clock });
    h.element(['a', 1]);
    clock = 1500;
    h.element(['a', 2]);
    clock = 2100;
    vi.advanceTimersByTime(900);
    expect(show(h.take())).toEqual(['["a",3]@1999']);
    h.element(['a', 4]);
    await h.end();
    vi.advanceTimersByTime(5000);
    expect(h.out).toEqual([]);
  });

  it('window - processing-time sessions merge by the clock and fire when it passes the merged end', async () => {
    vi.useFakeTimers();
    let clock = 1000;
    const h = await windowHarness(keyed().window(ProcessingTimeSessionWindows.withGap(1000)).sum(1) as DataStream<unknown>, { now: () => clock });
    h.element(['a', 1]);
    clock = 1500;
    vi.advanceTimersByTime(500);
    h.element(['a', 2]);
    clock = 2100;
    vi.advanceTimersByTime(600);
    expect(h.out).toEqual([]);
    clock = 2500;
    vi.advanceTimersByTime(400);
    expect(show(h.take())).toEqual(['["a",3]@2499']);
    expect(h.op.numTimers().processingTime).toBe(0);
  });

  it('window - windowAll: one constant key, parallelism 1, named TriggerWindow(...) as Flink names it', async () => {
    const s = newEnv().fromElements<R>(['x', 0]).windowAll(TumblingEventTimeWindows.of(10)).sum(1);
    expect(s.getParallelism()).toBe(1);
    expect(s.getName()).toBe('TriggerWindow(TumblingEventTimeWindows(10), ReducingStateDescriptor{name=window-contents}, EventTimeTrigger(), AllWindowedStream.aggregate)');
    expect(() => s.setParallelism(2)).toThrow('must be 1');
    const h = await windowHarness(s as DataStream<unknown>);
    h.element(['a', 1], 1);
    h.element(['b', 2], 2);
    h.element(['c', 5], 11);
    await h.end();
    expect(show(h.take())).toEqual(['["a",3]@9', '["c",5]@19']);
  });
});
