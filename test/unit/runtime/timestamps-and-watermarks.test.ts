/**
 * Flink's TimestampsAndWatermarksOperator, run by hand (a manual scheduler stands in for the
 * auto-watermark interval): timestamps assigned before the record goes on, watermarks only when
 * they advance, upstream watermarks dropped except the final one, idleness as statuses, the
 * periodic emits in the mailbox and stopped at the end of input. Also a source subtask's watermark
 * alignment over a real shared watermark table.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Watermark, WatermarkStrategy, type RuntimeContext, type WatermarkGenerator } from '../../../src/api/index.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../../src/core/watermarks.js';
import type { JobGraph } from '../../../src/graph/index.js';
import type { Output } from '../../../src/runtime/operators/stream-operator.js';
import { SimpleMetricGroup } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { SourceWatermarkAlignment } from '../../../src/runtime/operators/timestamps-alignment.js';
import { TimestampsAndWatermarksOperator } from '../../../src/runtime/operators/timestamps-and-watermarks-operator.js';
import type { Scheduler } from '../../../src/runtime/operators/timestamps-and-watermarks.js';
import { subtaskWatermarks, WatermarkTable } from '../../../src/runtime/watermark-table.js';

/** A scheduler whose timers run when the test says (`fire` runs those due, in order). */
function manualScheduler() {
  let now = 0;
  let timers: Array<{ at: number; action: () => void }> = [];
  const schedule: Scheduler = (action, ms) => {
    const t = { at: now + ms, action };
    timers.push(t);
    return () => (timers = timers.filter((x) => x !== t));
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.action();
    }
    now = until;
  };
  return { schedule, advance, now: () => now, pending: () => timers.length };
}

type Seen = string;

/** A TimestampsAndWatermarksOperator on a recording output: `r <value>@<ts>`, `w <ts>`, `idle`, `active`. */
function operatorOf<T>(strategy: WatermarkStrategy<T>, interval = 200) {
  const sched = manualScheduler();
  const seen: Seen[] = [];
  const runtimeContext = { getMetricGroup: () => new SimpleMetricGroup() } as unknown as RuntimeContext;
  const ctx = { runtimeContext, keyedBackend: undefined, now: sched.now, sendCollected: () => {}, track: () => {}, mailbox: (a: () => void) => a() };
  const op = new TimestampsAndWatermarksOperator(ctx, strategy, interval, sched.schedule);
  const output: Output = {
    collect: (r, ts) => seen.push(`r ${JSON.stringify(r)}@${ts}`),
    emitWatermark: (wm) => seen.push(`w ${wm}`),
    emitWatermarkStatus: (idle) => seen.push(idle ? 'idle' : 'active'),
    collectSide: () => {},
  };
  op.output = output;
  op.open();
  const take = () => seen.splice(0);
  return { op, sched, take };
}

type Ev = { id: string; t: number };
const ev = (id: string, t: number): Ev => ({ id, t });

describe('timestamps and watermarks operator', () => {
  it('assign - in order: timestamps from the assigner, a watermark per interval when it advances', () => {
    const { op, sched, take } = operatorOf(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t));
    op.processElement(ev('a', 1000));
    op.processElement(ev('b', 1500));
    expect(take()).toEqual(['r {"id":"a","t":1000}@1000', 'r {"id":"b","t":1500}@1500']);
    sched.advance(200);
    expect(take()).toEqual(['w 1499']);
    sched.advance(200); // no new record: the same watermark is not emitted again
    expect(take()).toEqual([]);
    op.processElement(ev('c', 2000));
    sched.advance(200);
    expect(take()).toEqual(['r {"id":"c","t":2000}@2000', 'w 1999']);
  });

  it('assign - out of order and late: bounded out-of-orderness holds the watermark back by the bound + 1; late records pass with their timestamp', () => {
    const { op, sched, take } = operatorOf(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofSeconds(1)).withTimestampAssigner((e) => e.t));
    for (const [id, t] of [['a', 5000], ['b', 3000], ['c', 7000]] as const) op.processElement(ev(id, t));
    sched.advance(200);
    expect(take().at(-1)).toBe('w 5999');
    op.processElement(ev('late', 4000)); // behind the watermark: still emitted, the watermark stays
    op.processElement(ev('d', 6500));
    sched.advance(200);
    expect(take()).toEqual(['r {"id":"late","t":4000}@4000', 'r {"id":"d","t":6500}@6500']);
  });

  it('assign - without an assigner the record keeps its timestamp; with none it gets Long.MIN_VALUE', () => {
    const { op, take } = operatorOf(WatermarkStrategy.noWatermarks<string>());
    op.processElement('x', 42);
    op.processElement('y');
    expect(take()).toEqual(['r "x"@42', `r "y"@${MIN_WATERMARK}`]);
  });

  it('assign - a punctuated generator emits from onEvent, before the next record', () => {
    const gen = (): WatermarkGenerator<Ev> => ({
      onEvent: (e, ts, out) => {
        if (e.id.startsWith('!')) out.emitWatermark(new Watermark(ts));
      },
      onPeriodicEmit: () => {},
    });
    const { op, sched, take } = operatorOf(WatermarkStrategy.forGenerator(gen).withTimestampAssigner((e) => e.t));
    op.processElement(ev('a', 10));
    op.processElement(ev('!m', 20));
    op.processElement(ev('!old', 15)); // does not advance: dropped
    op.processElement(ev('b', 30));
    sched.advance(1000);
    expect(take()).toEqual(['r {"id":"a","t":10}@10', 'r {"id":"!m","t":20}@20', 'w 20', 'r {"id":"!old","t":15}@15', 'r {"id":"b","t":30}@30']);
  });

  it('assign - upstream watermarks and statuses are dropped, the final watermark goes on once', () => {
    const { op, take } = operatorOf(WatermarkStrategy.noWatermarks<string>());
    op.processWatermark(100);
    op.processWatermarkStatus(true);
    expect(take()).toEqual([]);
    op.processWatermark(MAX_WATERMARK);
    op.processWatermark(MAX_WATERMARK);
    expect(take()).toEqual([`w ${MAX_WATERMARK}`]);
  });

  it('assign - idleness: marked idle after the timeout, active again with the next watermark that advances', () => {
    const { op, sched, take } = operatorOf(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t).withIdleness(500));
    op.processElement(ev('a', 100));
    sched.advance(200); // t=200: activity
    sched.advance(200); // t=400: countdown starts
    sched.advance(400); // t=600, 800: 400 not > 500
    expect(take()).toEqual(['r {"id":"a","t":100}@100', 'w 99']);
    sched.advance(200); // t=1000: 600 > 500
    expect(take()).toEqual(['idle']);
    sched.advance(1000);
    expect(take()).toEqual([]);
    op.processElement(ev('b', 300));
    sched.advance(200);
    expect(take()).toEqual(['r {"id":"b","t":300}@300', 'active', 'w 299']);
  });

  it('assign - the final watermark makes an idle output active first', () => {
    const { op, sched, take } = operatorOf(WatermarkStrategy.forMonotonousTimestamps<number>().withIdleness(100));
    sched.advance(600);
    expect(take()).toEqual(['idle']);
    op.processWatermark(MAX_WATERMARK);
    expect(take()).toEqual(['active', `w ${MAX_WATERMARK}`]);
  });

  it('assign - end of input: periodic emits stop and the generator emits once more; interval 0 means none', () => {
    const { op, sched, take } = operatorOf(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t));
    op.processElement(ev('a', 50));
    op.endInput();
    expect(take()).toEqual(['r {"id":"a","t":50}@50', 'w 49']);
    expect(sched.pending()).toBe(0);
    const none = operatorOf(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t), 0);
    none.op.processElement(ev('a', 50));
    none.sched.advance(10_000);
    expect(none.take()).toEqual(['r {"id":"a","t":50}@50']);
    expect(none.sched.pending()).toBe(0);
  });

  it('assign - an assigner that returns no number fails with the record named', () => {
    const { op } = operatorOf(WatermarkStrategy.noWatermarks<{ x: number }>().withTimestampAssigner(() => undefined as unknown as number));
    expect(() => op.processElement({ x: 1 })).toThrow('The timestamp assigner returned undefined for the record {"x":1}');
  });
});

describe('watermark alignment', () => {
  /** Two subtasks of one source vertex in group `g`, over a real shared table. */
  function group(drift: number) {
    const job = { jobName: 'j', vertices: [{ id: 'src', parallelism: 2 }], edges: [], fingerprint: '' } as unknown as JobGraph;
    const table = WatermarkTable.allocate(job);
    const groups = new Map([['g', [0, 1]]]);
    const sched = manualScheduler();
    const params = WatermarkStrategy.noWatermarks().withWatermarkAlignment('g', drift, 100).getAlignmentParameters();
    const subtask = (i: number) => new SourceWatermarkAlignment(params, subtaskWatermarks(table, 'src', i, groups).alignmentGroup('g'), (a) => a(), sched.schedule);
    return { table, sched, a: subtask(0), b: subtask(1) };
  }

  it('alignment - a subtask ahead of its group by more than the drift waits until the group catches up', async () => {
    const { sched, a, b } = group(1000);
    a.start();
    b.start();
    a.onWatermark(5000);
    b.onWatermark(1000);
    // Each update reports, then reads the others' last reports: a subtask learns of another's
    // report within two update intervals (Flink: the reader's report, then the coordinator's
    // announcement, each every interval).
    sched.advance(200); // min 1000, max allowed 2000; a (5000) waits
    expect(a.wait).toBeDefined();
    expect(b.wait).toBeUndefined();
    let released = false;
    void a.wait!.then(() => (released = true));
    b.onWatermark(3500);
    sched.advance(200); // min 3500, allowed 4500: a still waits
    await Promise.resolve();
    expect(released).toBe(false);
    b.onWatermark(4000);
    sched.advance(200); // min 4000, allowed 5000 >= 5000: a goes on
    await Promise.resolve();
    expect(released).toBe(true);
    expect(a.wait).toBeUndefined();
  });

  it('alignment - a subtask that has reported nothing does not count; an idle or finished one holds nothing back', () => {
    const { table, sched, a, b } = group(100);
    a.start();
    b.start();
    a.onWatermark(5000);
    sched.advance(100); // b reported nothing: a's group is a alone
    expect(a.wait).toBeUndefined();
    expect(table.get(1)).toBe(MIN_WATERMARK);
    b.onWatermark(1000);
    sched.advance(200);
    expect(a.wait).toBeDefined();
    b.onIdle(true);
    sched.advance(200); // b reports Long.MAX_VALUE while idle
    expect(table.get(1)).toBe(MAX_WATERMARK);
    expect(a.wait).toBeUndefined();
    b.onIdle(false);
    sched.advance(200);
    expect(a.wait).toBeDefined();
    b.finish();
    sched.advance(200);
    expect(a.wait).toBeUndefined();
    a.finish();
    expect(sched.pending()).toBe(0);
  });
});

describe('watermark table', () => {
  it('table - longs exactly as Flink prints them; the extremes round-trip; another graph’s layout reads as none', () => {
    const job = { jobName: 'j', vertices: [{ id: 'src', parallelism: 1 }, { id: 'map', parallelism: 3 }], edges: [], fingerprint: '' } as unknown as JobGraph;
    const table = WatermarkTable.allocate(job);
    const view = new WatermarkTable(table.buffer, job); // what a slot thread builds from the same graph
    expect(table.vertexValues('map', 3)).toEqual(['-9223372036854775808', '-9223372036854775808', '-9223372036854775808']);
    subtaskWatermarks(view, 'map', 0, new Map()).setInputWatermark(4999);
    subtaskWatermarks(view, 'map', 2, new Map()).setInputWatermark(MAX_WATERMARK);
    expect(table.vertexValues('map', 3)).toEqual(['4999', '-9223372036854775808', '9223372036854775807']);
    expect(table.get(view.indexOf('map', 2))).toBe(MAX_WATERMARK);
    expect(table.get(view.indexOf('map', 1))).toBe(MIN_WATERMARK);
    expect(table.vertexValues('map', 4)).toBeUndefined();
    expect(subtaskWatermarks(view, 'map', 0, new Map()).alignmentGroup('g')).toBeUndefined();
  });
});
