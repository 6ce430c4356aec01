/**
 * User functions are synchronous, as Flink's are: a keyed function (processElement, flatMap, map,
 * reduce, onTimer, a keyed broadcast function's calls, a window function) that returns a promise
 * would read and write the state of whatever key is current after its await, and a filter's
 * promise is truthy. Each fails the task with MF_ERR_INVALID_PROGRAM naming the function and the
 * operator. So does any other function that returns one off a keyed stream (map, flatMap,
 * process, co-functions, a broadcast function): what it emits after an await would leave the
 * task's order (behind barriers, or lost once the input ended), and a map's record would be the
 * Promise. Async sinks stay allowed (sink-operators.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  KeyedBroadcastProcessFunction,
  KeyedProcessFunction,
  MapStateDescriptor,
  ProcessWindowFunction,
  RichFilterFunction,
  RichFlatMapFunction,
  RichMapFunction,
  TimeWindow,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  type DataStream,
  type Collector,
  type KeyedProcessContext,
  type KeyedReadOnlyBroadcastContext,
  type ValueState,
} from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { BroadcastProcessOperator, KeyedBroadcastProcessOperator } from '../../../src/runtime/operators/broadcast-operators.js';
import { CoFlatMapOperator, CoMapOperator, CoProcessOperator } from '../../../src/runtime/operators/co-operators.js';
import { KeyedProcessOperator, ReduceOperator } from '../../../src/runtime/operators/keyed-operators.js';
import { SinkOperator } from '../../../src/runtime/operators/sink-operators.js';
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator } from '../../../src/runtime/operators/stateless-operators.js';
import type { OperatorContext, StreamOperator } from '../../../src/runtime/operators/stream-operator.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { HeapKeyedStateBackend } from '../../../src/state/index.js';
import { newEnv } from '../graph/fixtures.js';
import { windowHarness } from './window-harness.js';

const MAX = 128;

/** An operator context over a fresh heap backend; `tracked` collects what the operator asks the task to wait for. */
function contextOf(taskName: string, keyed = true): { ctx: OperatorContext; backend: HeapKeyedStateBackend; tracked: Array<Promise<void>> } {
  const backend = new HeapKeyedStateBackend(MAX, new KeyGroupRange(0, MAX - 1));
  const rc = new StreamingRuntimeContext({ taskName, jobId: 'j', index: 1, parallelism: 2, maxParallelism: MAX, attempt: 0 }, keyed ? backend : undefined, new Map(), new SimpleMetricGroup());
  const tracked: Array<Promise<void>> = [];
  const ctx: OperatorContext = { runtimeContext: rc, keyedBackend: keyed ? backend : undefined, now: () => 0, sendCollected: () => {}, track: (w) => void tracked.push(w), mailbox: (a) => a() };
  return { ctx, backend, tracked };
}

async function start<O extends StreamOperator>(op: O, out: unknown[] = []): Promise<O> {
  op.output = { collect: (r) => void out.push(r), emitWatermark: () => {}, emitWatermarkStatus: () => {}, collectSide: () => {} };
  await op.initializeState(undefined, 1, 2);
  await op.open();
  return op;
}

/** What processElement threw, as `code: message`. */
function failure(f: () => void): string {
  try {
    f();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no failure';
}

const SYNC = "user functions must be synchronous, as Flink's are (keyed state and the current key belong to the call, so after an await the function would read and write the state of whatever key is current then). Do asynchronous work in a sink's invoke() (the task waits for it) or in a source's run().";

class Counter extends KeyedProcessFunction<string, string, string> {
  private c!: ValueState<number>;
  override open(): void {
    this.c = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('c'));
  }
  async processElement(r: string, ctx: KeyedProcessContext<string>, out: Collector<string>): Promise<void> {
    await Promise.resolve();
    const n = (this.c.value() ?? 0) + 1;
    this.c.update(n);
    out.collect(`${r} key=${ctx.getCurrentKey()} n=${n}`);
  }
}

describe('synchronous user functions', () => {
  it('sync functions - an async KeyedProcessFunction.processElement fails the task with MF_ERR_INVALID_PROGRAM naming the function and the task', async () => {
    const { ctx } = contextOf('KeyedProcess -> Sink: Print to Std. Out');
    const op = await start(new KeyedProcessOperator(ctx, new Counter(), (x: string) => x));
    expect(failure(() => op.processElement('a'))).toBe(
      `MF_ERR_INVALID_PROGRAM: The KeyedProcessFunction Counter of task 'KeyedProcess -> Sink: Print to Std. Out (2/2)' returned a Promise from processElement(): ${SYNC}`,
    );
  });

  it('sync functions - the operator is named when the chain gives its name', async () => {
    const { ctx } = contextOf('KeyedProcess -> Sink: Print to Std. Out');
    const op = await start(new KeyedProcessOperator({ ...ctx, operatorName: 'count per key' }, new Counter(), (x: string) => x));
    expect(failure(() => op.processElement('a'))).toContain("The KeyedProcessFunction Counter of operator 'count per key' in task 'KeyedProcess -> Sink: Print to Std. Out (2/2)' returned a Promise");
  });

  it('sync functions - an async onTimer of a KeyedProcessFunction fails the same way', async () => {
    const { ctx } = contextOf('KeyedProcess');
    class Timed extends KeyedProcessFunction<string, string, string> {
      processElement(_r: string, c: KeyedProcessContext<string>): void {
        c.timerService().registerEventTimeTimer(5);
      }
      override async onTimer(): Promise<void> {}
    }
    const op = await start(new KeyedProcessOperator(ctx, new Timed(), (x: string) => x));
    op.processElement('a');
    expect(failure(() => op.processWatermark(10))).toMatch(/^MF_ERR_INVALID_PROGRAM: The KeyedProcessFunction Timed of task 'KeyedProcess \(2\/2\)' returned a Promise from onTimer\(\)/);
  });

  it('sync functions - async flatMap and map on a KeyedStream, and an async reduce, fail the task', async () => {
    class FM extends RichFlatMapFunction<string, string> {
      async flatMap(r: string, out: Collector<string>): Promise<void> {
        await null;
        out.collect(r);
      }
    }
    class M extends RichMapFunction<string, Promise<string>> {
      async map(r: string): Promise<string> {
        return r;
      }
    }
    const keyed = async (op: StreamOperator, backend: HeapKeyedStateBackend) => {
      op.setKeyContext(backend, (x) => x);
      return start(op);
    };
    let c = contextOf('Flat Map');
    const fm = await keyed(new FlatMapOperator(c.ctx, new FM()), c.backend);
    expect(failure(() => fm.processElement('a'))).toMatch(/^MF_ERR_INVALID_PROGRAM: The FlatMapFunction FM of task 'Flat Map \(2\/2\)' returned a Promise from flatMap\(\): user functions must be synchronous/);
    c = contextOf('Map');
    const m = await keyed(new MapOperator(c.ctx, new M()), c.backend);
    expect(failure(() => m.processElement('a'))).toMatch(/^MF_ERR_INVALID_PROGRAM: The MapFunction M of task 'Map \(2\/2\)' returned a Promise from map\(\)/);
    c = contextOf('Keyed Reduce');
    const sum = async (a: number, b: number) => a + b;
    const r = await start(new ReduceOperator(c.ctx, sum, () => 'k'));
    r.processElement(1);
    expect(failure(() => r.processElement(2))).toMatch(/^MF_ERR_INVALID_PROGRAM: The ReduceFunction sum of task 'Keyed Reduce \(2\/2\)' returned a Promise from reduce\(\)/);
  });

  it('sync functions - an async filter fails the task, keyed or not: its promise is truthy, every record would pass', async () => {
    class F extends RichFilterFunction<string> {
      // @ts-expect-error the reproducer's async filter, which the types refuse
      async filter(r: string): Promise<boolean> {
        return r === 'keep';
      }
    }
    const out: unknown[] = [];
    const op = await start(new FilterOperator(contextOf('Filter', false).ctx, new F()), out);
    expect(failure(() => op.processElement('drop'))).toBe(
      "MF_ERR_INVALID_PROGRAM: The FilterFunction F of task 'Filter (2/2)' returned a Promise from filter(): user functions must be synchronous, as Flink's are (a Promise is always truthy, so every record would pass the filter). Do asynchronous work in a sink's invoke() (the task waits for it) or in a source's run().",
    );
    expect(out).toEqual([]);
    // Truthy and falsy answers that are no promise keep working as before.
    const plain = await start(new FilterOperator(contextOf('Filter', false).ctx, (r: unknown) => (r === 'x' ? 1 : '')), out);
    plain.processElement('x');
    plain.processElement('y');
    expect(out).toEqual(['x']);
  });

  it('sync functions - a keyed broadcast function: an async processElement or processBroadcastElement fails the task', async () => {
    const RULES = new MapStateDescriptor<string, number>('rules');
    class B extends KeyedBroadcastProcessFunction<string, string, number, string> {
      async processElement(_r: string, _ctx: KeyedReadOnlyBroadcastContext<string>): Promise<void> {}
      async processBroadcastElement(): Promise<void> {}
    }
    const c = contextOf('Co-Process-Broadcast-Keyed');
    const op = await start(new KeyedBroadcastProcessOperator(c.ctx, new B(), (x: string) => x, [RULES]));
    expect(failure(() => op.processElement('a'))).toMatch(/^MF_ERR_INVALID_PROGRAM: The KeyedBroadcastProcessFunction B of task 'Co-Process-Broadcast-Keyed \(2\/2\)' returned a Promise from processElement\(\)/);
    expect(failure(() => op.processElement2(1))).toMatch(/^MF_ERR_INVALID_PROGRAM: The KeyedBroadcastProcessFunction B of task .* returned a Promise from processBroadcastElement\(\)/);
  });

  it('sync functions - an async ProcessWindowFunction fails the task when its window fires', async () => {
    class Late extends ProcessWindowFunction<[string, number], string, string, TimeWindow> {
      async process(): Promise<void> {}
    }
    const stream = newEnv({ parallelism: 1 })
      .fromElements<[string, number]>(['x', 0])
      .keyBy((r) => r[0])
      .window(TumblingEventTimeWindows.of(10))
      .process(new Late());
    const h = await windowHarness(stream as DataStream<unknown>);
    h.element(['a', 1], 1);
    expect(failure(() => h.watermark(9))).toMatch(/^MF_ERR_INVALID_PROGRAM: The ProcessWindowFunction Late of task 'window \(1\/1\)' returned a Promise from process\(\)/);
  });

  it('sync functions - off a keyed stream too: async map, flatMap, process, co-functions and broadcast functions fail the task (their output left the task\'s order, or was lost)', async () => {
    const OUT_OF_ORDER = 'what it emits after an await would come after the records and checkpoint barriers the task passed on meanwhile, or be lost once the input ended';
    const plain = (task: string) => contextOf(task, false).ctx;
    const fm = await start(new FlatMapOperator(plain('Flat Map'), async (_r: string, _out: Collector<string>) => {}));
    expect(failure(() => fm.processElement('a'))).toBe(
      `MF_ERR_INVALID_PROGRAM: The FlatMapFunction (an anonymous function) of task 'Flat Map (2/2)' returned a Promise from flatMap(): user functions must be synchronous, as Flink's are (${OUT_OF_ORDER}). Do asynchronous work in a sink's invoke() (the task waits for it) or in a source's run().`,
    );
    const out: unknown[] = [];
    const m = await start(new MapOperator(plain('Map'), async (x: string) => x), out);
    expect(failure(() => m.processElement('a'))).toMatch(/^MF_ERR_INVALID_PROGRAM: The MapFunction .* returned a Promise from map\(\): user functions must be synchronous, as Flink's are \(the Promise itself would be the record it emits\)/);
    expect(out).toEqual([]);
    const p = await start(new ProcessOperator(plain('Process'), { processElement: async () => {} }));
    expect(failure(() => p.processElement('a'))).toContain(`returned a Promise from processElement(): user functions must be synchronous, as Flink's are (${OUT_OF_ORDER})`);
    const cp = await start(new CoProcessOperator(plain('Co-Process'), { processElement1: async () => {}, processElement2: async () => {} }));
    expect(failure(() => cp.processElement('a'))).toMatch(/The CoProcessFunction .* returned a Promise from processElement1\(\)/);
    expect(failure(() => cp.processElement2('a'))).toMatch(/The CoProcessFunction .* returned a Promise from processElement2\(\)/);
    const cm = await start(new CoMapOperator(plain('Co-Map'), { map1: async (x: string) => x, map2: (x: string) => x }, undefined, undefined));
    expect(failure(() => cm.processElement('a'))).toMatch(/The CoMapFunction .* returned a Promise from map1\(\): .*\(the Promise itself would be the record it emits\)/);
    const cf = await start(new CoFlatMapOperator(plain('Co-Flat Map'), { flatMap1: () => {}, flatMap2: async () => {} }, undefined, undefined));
    expect(failure(() => cf.processElement('a'))).toBe('no failure');
    expect(failure(() => cf.processElement2('a'))).toMatch(/The CoFlatMapFunction .* returned a Promise from flatMap2\(\)/);
    const RULES = new MapStateDescriptor<string, number>('rules');
    const b = await start(new BroadcastProcessOperator(plain('Co-Process-Broadcast'), { processElement: async () => {}, processBroadcastElement: async () => {} }, [RULES]));
    expect(failure(() => b.processElement('a'))).toMatch(/The BroadcastProcessFunction .* returned a Promise from processElement\(\): .*\(what it emits after an await/);
    expect(failure(() => b.processElement2(1))).toMatch(/The BroadcastProcessFunction .* returned a Promise from processBroadcastElement\(\)/);
  });

  it('sync functions - an async reduce or aggregate add of a window fails the task (its promise was the window\'s contents, printed as [object Promise])', async () => {
    const stream = newEnv({ parallelism: 1 })
      .fromElements<[string, number]>(['x', 0])
      .keyBy((r) => r[0])
      .window(TumblingEventTimeWindows.of(10))
      // @ts-expect-error an async reduce, which the types refuse (a JavaScript job has no types)
      .reduce(async (a: [string, number], b: [string, number]) => [a[0], a[1] + b[1]] as [string, number]);
    const h = await windowHarness(stream as DataStream<unknown>);
    h.element(['a', 1], 1);
    expect(failure(() => h.element(['a', 2], 2))).toMatch(/^MF_ERR_INVALID_PROGRAM: The ReduceFunction .* returned a Promise from reduce\(\)/);
    const agg = newEnv({ parallelism: 1 })
      .fromElements<[string, number]>(['x', 0])
      .keyBy((r) => r[0])
      .window(TumblingEventTimeWindows.of(10))
      // @ts-expect-error an async add, which the types refuse
      .aggregate({ createAccumulator: () => 0, add: async (r: [string, number], acc: number) => acc + r[1], getResult: (acc: number) => acc, merge: (a: number, b: number) => a + b });
    const g = await windowHarness(agg as DataStream<unknown>);
    expect(failure(() => g.element(['a', 1], 1))).toMatch(/^MF_ERR_INVALID_PROGRAM: The AggregateFunction .* returned a Promise from add\(\)/);
  });

  it('sync functions - a record whose class has a then() method is a record, not a promise', async () => {
    class Rule {
      constructor(readonly name: string) {}
      then(next: string): string {
        return `${this.name} then ${next}`;
      }
    }
    const out: unknown[] = [];
    const m = await start(new MapOperator(contextOf('Map', false).ctx, (x: string) => new Rule(x)), out);
    m.processElement('a');
    expect(out).toEqual([new Rule('a')]);
  });

  it('sync functions - what stays allowed: an async sink invoke (the task waits for it), synchronous keyed functions', async () => {
    const written: unknown[] = [];
    const c = contextOf('Sink', false);
    const sink = await start(new SinkOperator(c.ctx, async (v: unknown) => void written.push(await Promise.resolve(v))));
    sink.processElement('a');
    await Promise.all(c.tracked);
    expect(written).toEqual(['a']);
    const k = contextOf('KeyedProcess');
    class Sync extends KeyedProcessFunction<string, string, string> {
      processElement(r: string, ctx: KeyedProcessContext<string>, o: Collector<string>): void {
        o.collect(`${r}:${ctx.getCurrentKey()}`);
      }
    }
    const kout: unknown[] = [];
    const kp = await start(new KeyedProcessOperator(k.ctx, new Sync(), (x: string) => x), kout);
    kp.processElement('a');
    expect(kout).toEqual(['a:a']);
  });
});
