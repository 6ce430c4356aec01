/**
 * Flink's functions of two connected streams (`first.connect(second)`): CoMapFunction,
 * CoFlatMapFunction and their rich variants, CoProcessFunction and KeyedCoProcessFunction. Each
 * has one method per input (`...1` for the first stream, `...2` for the second).
 */
import { AbstractRichFunction } from './rich-function.js';
import type { Collector } from './functions.js';
import type { KeyedProcessContext, OnTimerContext, ProcessContext } from './process-function.js';

/** Flink's CoMapFunction: one record of either input to one record. */
export interface CoMapFunction<IN1, IN2, OUT> {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** Flink's CoFlatMapFunction: one record of either input to any number of records. */
export interface CoFlatMapFunction<IN1, IN2, OUT> {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** Flink's RichCoMapFunction: a CoMapFunction with open/close and the runtime context (keyed state after keyBy). */
export abstract class RichCoMapFunction<IN1, IN2, OUT> extends AbstractRichFunction implements CoMapFunction<IN1, IN2, OUT> {
  abstract map1(value: IN1): OUT;
  abstract map2(value: IN2): OUT;
}

/** Flink's RichCoFlatMapFunction: a CoFlatMapFunction with open/close and the runtime context (keyed state after keyBy). */
export abstract class RichCoFlatMapFunction<IN1, IN2, OUT> extends AbstractRichFunction implements CoFlatMapFunction<IN1, IN2, OUT> {
  abstract flatMap1(value: IN1, out: Collector<OUT>): void;
  abstract flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** Flink's CoProcessFunction: both inputs with their context (timers only on keyed streams). */
export abstract class CoProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): void;
  /** Called when a timer fires (on keyed connected streams). */
  onTimer(_timestamp: number, _ctx: OnTimerContext<unknown>, _out: Collector<OUT>): void {}
}

/** Flink's KeyedCoProcessFunction: both inputs keyed, sharing keyed state and timers by key. */
export abstract class KeyedCoProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  /** Called when a timer fires; keyed state is scoped to the timer's key. */
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<OUT>): void {}
}
