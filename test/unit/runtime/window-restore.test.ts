/**
 * Window contents, merging window sets, trigger state and window timers travel in the keyed
 * snapshot: a run cut by a snapshot and restored (on the other backend, split over two key-group
 * ranges as a rescale does) emits exactly what the uncut run emits; so does a run restored from
 * the snapshot written as miniflink wrote window contents up to snapshot format 4.
 */
import { describe, expect, it } from 'vitest';
import {
  ContinuousEventTimeTrigger,
  CountTrigger,
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type Collector,
  type DataStream,
  type TimeWindow,
} from '../../../src/api/index.js';
import { assignToKeyGroup, KeyGroupRange } from '../../../src/core/key-groups.js';
import type { KeyedSnapshot } from '../../../src/state/index.js';
import { windowContentsToFormat4 } from '../../helpers/window-format-4.js';
import { newEnv } from '../graph/fixtures.js';
import { windowHarness, type Emitted, type Harness } from './window-harness.js';

type R = [string, number];
type Event = { el: R; ts: number } | { wm: number };
const keyed = () => newEnv({ parallelism: 1 }).fromElements<R>(['x', 0]).keyBy((r) => r[0]);
const show = (out: Emitted[]) => out.map(([v, ts]) => `${JSON.stringify(v)}@${ts}`).sort();

/** Events over 12 keys: in order, out of order and late, watermarks every 10 events. */
function events(): Event[] {
  const out: Event[] = [];
  for (let i = 0; i < 200; i++) {
    const ts = i * 3 + ((i * 7) % 11) - 5;
    out.push({ el: [`k${(i * 5) % 12}`, i % 9], ts });
    if (i % 10 === 9) out.push({ wm: i * 3 - 8 });
  }
  return out;
}

function feed(h: Harness | ((k: string) => Harness), evs: Event[]): void {
  for (const e of evs) {
    if ('wm' in e) {
      if (typeof h === 'function') for (const x of new Set([h('k0'), h('k1'), h('k2'), h('k3'), h('k4'), h('k5'), h('k6'), h('k7'), h('k8'), h('k9'), h('k10'), h('k11')])) x.watermark(e.wm);
      else h.watermark(e.wm);
    } else {
      (typeof h === 'function' ? h(e.el[0]) : h).element(e.el, e.ts);
    }
  }
}

const cases: Array<[string, () => DataStream<unknown>]> = [
  ['tumbling sum with lateness', () => keyed().window(TumblingEventTimeWindows.of(20)).allowedLateness(7).sum(1) as DataStream<unknown>],
  ['sliding windows, apply', () => keyed().window(SlidingEventTimeWindows.of(30, 10)).apply((k: string, w: TimeWindow, input: Iterable<R>, out: Collector<unknown>) => out.collect([k, w.getStart(), [...input].map((r) => r[1]).join('')])) as DataStream<unknown>],
  ['sessions with a count trigger', () => keyed().window(EventTimeSessionWindows.withGap(40)).trigger(CountTrigger.of(3)).sum(1) as DataStream<unknown>],
  ['sessions, sum', () => keyed().window(EventTimeSessionWindows.withGap(38)).sum(1) as DataStream<unknown>],
  ['continuous trigger', () => keyed().window(TumblingEventTimeWindows.of(50)).trigger(ContinuousEventTimeTrigger.of(15)).sum(1) as DataStream<unknown>],
  ['sliding count windows (evictor)', () => keyed().countWindow(4, 3).sum(1) as DataStream<unknown>],
];

/**
 * The output of `from` fed every event (`whole`), and of `from` on `backend` fed up to `cut` (a
 * share of the events), snapshotted, the snapshot passed through `convert`, restored into `to` on
 * the other backend and fed the rest (`cutRun`).
 */
async function cutAndRestored(
  all: Event[],
  cut: number,
  from: () => DataStream<unknown>,
  to: () => DataStream<unknown>,
  backend: 'hashmap' | 'leveldb',
  convert: (s: KeyedSnapshot) => KeyedSnapshot = (s) => s,
): Promise<{ whole: string[]; cutRun: string[] }> {
  const whole = await windowHarness(from());
  feed(whole, all);
  await whole.end();
  const at = Math.floor(all.length * cut);
  const first = await windowHarness(from(), { backend });
  feed(first, all.slice(0, at));
  const snap = convert(await first.snapshot());
  const rest = await windowHarness(to(), { backend: backend === 'hashmap' ? 'leveldb' : 'hashmap', restore: [snap] });
  feed(rest, all.slice(at));
  await rest.end();
  return { whole: show(whole.out), cutRun: [...show(first.out), ...show(rest.out)].sort() };
}

describe('window state across a snapshot', () => {
  for (const [name, build] of cases) {
    it(`window restore - ${name}: cut, restored on leveldb over two key-group ranges, the same output`, async () => {
      const all = events();
      const whole = await windowHarness(build());
      feed(whole, all);
      await whole.end();
      const expected = show(whole.out);
      expect(expected.length).toBeGreaterThan(5);

      const cut = Math.floor(all.length * 0.55);
      const first = await windowHarness(build());
      feed(first, all.slice(0, cut));
      const snap = await first.snapshot();
      const left = await windowHarness(build(), { backend: 'leveldb', restore: [snap], range: new KeyGroupRange(0, 63) });
      const right = await windowHarness(build(), { backend: 'leveldb', restore: [snap], range: new KeyGroupRange(64, 127) });
      const owner = (k: string) => (assignToKeyGroup(k, 128) <= 63 ? left : right);
      feed(owner, all.slice(cut));
      await left.end();
      await right.end();
      expect([...show(first.out), ...show(left.out), ...show(right.out)].sort()).toEqual(expected);
    });

    it.each(['hashmap', 'leveldb'] as const)(`window restore - ${name}: from snapshot format 4 (an entry per key and window) on %s, the same output`, async (backend) => {
      const { whole, cutRun } = await cutAndRestored(events(), 0.55, build, build, backend, (s) => {
        const { snapshot, windows } = windowContentsToFormat4(s);
        expect(windows).toBeGreaterThan(3);
        return structuredClone(snapshot);
      });
      expect(cutRun).toEqual(whole);
    });
  }

  /** In-order events over 12 keys, a watermark every 10 events. */
  function inOrder(): Event[] {
    const out: Event[] = [];
    for (let i = 0; i < 300; i++) {
      out.push({ el: [`k${(i * 5) % 12}`, i % 9], ts: i * 3 });
      if (i % 10 === 9) out.push({ wm: i * 3 - 1 });
    }
    return out;
  }
  const layouts: Array<[string, () => DataStream<unknown>, () => DataStream<unknown>]> = [
    ['tumbling', () => keyed().window(TumblingEventTimeWindows.of(20)).sum(1) as DataStream<unknown>, () => keyed().window(TumblingEventTimeWindows.of(20)).allowedLateness(7).sum(1) as DataStream<unknown>],
    // 12 windows per element: 8 in a key's value, 4 apart.
    ['sliding 60/5', () => keyed().window(SlidingEventTimeWindows.of(60, 5)).sum(1) as DataStream<unknown>, () => keyed().window(SlidingEventTimeWindows.of(60, 5)).allowedLateness(10).sum(1) as DataStream<unknown>],
  ];
  for (const [name, without, withLateness] of layouts) {
    for (const [from, to, label] of [
      [without, withLateness, 'without allowed lateness, restored with it'],
      [withLateness, without, 'with allowed lateness, restored without it'],
    ] as const) {
      it.each(['hashmap', 'leveldb'] as const)(`window restore - ${name} ${label} (the contents laid out the other way) on %s: the same output`, async (backend) => {
        const { whole, cutRun } = await cutAndRestored(inOrder(), 0.45, from, to, backend);
        expect(cutRun).toEqual(whole);
      });
    }
  }
});
