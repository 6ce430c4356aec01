/**
 * Window operators are named as Flink names them (WindowOperatorBuilder's
 * `Window(assigner, trigger class, [evictor class, ]function[, window function])`), and show so in
 * the plan; the API's checks throw Flink's messages.
 */
import { describe, expect, it } from 'vitest';
import {
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  ProcessWindowFunction,
  RichReduceFunction,
  SlidingProcessingTimeWindows,
  Time,
  TumblingEventTimeWindows,
  type Collector,
  type TimeWindow,
} from '../../../src/api/index.js';
import { jobGraphOf, newEnv, vertexNames } from '../graph/fixtures.js';

type R = { id: string; v: number };

class MaxTemp extends ProcessWindowFunction<R, number, string, TimeWindow> {
  process(_k: string, _c: unknown, els: Iterable<R>, out: Collector<number>): void {
    out.collect(Math.max(...[...els].map((e) => e.v)));
  }
}

describe('window operator names', () => {
  it('window names - reduce, sum, process, aggregate with a window function, evictor, count windows', () => {
    const env = newEnv({ parallelism: 2 });
    const keyed = env.fromElements<R>({ id: 'a', v: 1 }).keyBy((r) => r.id);
    const five = TumblingEventTimeWindows.of(Time.seconds(5));
    expect(keyed.window(five).reduce((a, b) => ({ ...a, v: a.v + b.v })).getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, ReduceFunction$1, PassThroughWindowFunction)');
    const named = function sumReadings(a: R, b: R): R {
      return { ...a, v: a.v + b.v };
    };
    expect(keyed.window(five).reduce(named).getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, sumReadings, PassThroughWindowFunction)');
    expect(keyed.window(five).sum('v').getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, SumAggregator, PassThroughWindowFunction)');
    expect(keyed.window(five).maxBy('v').getName()).toBe('Window(TumblingEventTimeWindows(5000), EventTimeTrigger, ComparableAggregator, PassThroughWindowFunction)');
    expect(keyed.window(EventTimeSessionWindows.withGap(Time.minutes(1))).process(new MaxTemp()).getName()).toBe('Window(EventTimeSessionWindows(60000), EventTimeTrigger, MaxTemp)');
    expect(keyed.window(SlidingProcessingTimeWindows.of(10_000, 1000)).reduce((a) => a, new MaxTemp()).getName()).toBe(
      'Window(SlidingProcessingTimeWindows(10000, 1000), ProcessingTimeTrigger, ReduceFunction$2, MaxTemp)',
    );
    expect(keyed.countWindow(3).sum('v').getName()).toBe('Window(GlobalWindows(), PurgingTrigger, SumAggregator, PassThroughWindowFunction)');
    expect(keyed.countWindow(3, 1).sum('v').getName()).toBe('Window(GlobalWindows(), CountTrigger, CountEvictor, SumAggregator, PassThroughWindowFunction)');
    const last = keyed.window(five).trigger(CountTrigger.of(2)).evictor(CountEvictor.of(1)).apply((_k: string, _w: TimeWindow, _i: Iterable<R>, _o: Collector<string>) => {});
    expect(last.getName()).toBe('Window(TumblingEventTimeWindows(5000), CountTrigger, CountEvictor, WindowFunction$3)');
    last.print();
    // The plan: each window operator after a HASH exchange, with its name in the chain.
    expect(vertexNames(jobGraphOf(env))).toContain('Window(TumblingEventTimeWindows(5000), CountTrigger, CountEvictor, WindowFunction$3) -> Sink: Print to Std. Out');
  });

  it('window names - Flink’s checks: rich reduce and aggregate functions, negative lateness, merging without a merging trigger', () => {
    const keyed = newEnv().fromElements<R>({ id: 'a', v: 1 }).keyBy((r) => r.id);
    class Rich extends RichReduceFunction<R> {
      reduce(a: R): R {
        return a;
      }
    }
    const w = keyed.window(TumblingEventTimeWindows.of(5));
    expect(() => w.reduce(new Rich())).toThrow('ReduceFunction of reduce can not be a RichFunction. Please use reduce(ReduceFunction, WindowFunction) instead.');
    expect(() => w.allowedLateness(-1)).toThrow('The allowed lateness cannot be negative.');
    expect(() => w.aggregate({ createAccumulator: () => 0, add: () => 0, getResult: () => 0 } as never)).toThrow('merge() is missing');
    expect(() => w.apply(new MaxTemp() as never)).toThrow('use process() for a ProcessWindowFunction');
  });
});
