/**
 * Flink's AllWindowedStream: a whole (non-keyed) stream cut into windows (`stream.windowAll(...)`).
 * As in Flink it is a window operator keyed by one constant key (NullByteKeySelector) at
 * parallelism 1 (max parallelism 1): every record goes to that one subtask.
 */
import { MiniFlinkError } from '../../core/errors.js';
import { aggregationReducer, type AggregationType, type FieldExpression } from '../aggregations.js';
import { DataStream } from '../data-stream.js';
import { toCallable, type KeySelector, type ReduceFunction } from '../functions/functions.js';
import type { KeyedStream } from '../keyed-stream.js';
import type { AggregateFunction } from '../state/state.js';
import type { WindowAssigner } from './window-assigner.js';
import { ProcessAllWindowFunction, type AllWindowFunction, type ProcessAllWindowFunctionLike } from './window-functions.js';
import { checkAggregateFunction, checkNotRich, simpleName, type WindowContentsSpec, type WindowFunctionSpec } from './window-spec.js';
import { WindowSettings } from './window-settings.js';
import type { Window } from './windows.js';

/** Flink's NullByteKeySelector: the one key of a non-keyed window. */
export const nullByteKeySelector = (): number => 0;

const STATE_DESCRIPTOR: Record<WindowContentsSpec['kind'], string> = { reduce: 'ReducingStateDescriptor', aggregate: 'AggregatingStateDescriptor', list: 'ListStateDescriptor' };

/** Flink's AllWindowedStream<T, W>. */
export class AllWindowedStream<T, W extends Window> extends WindowSettings<T, W> {
  /** The input keyed by the null key. */
  readonly input: KeyedStream<T, number>;
  constructor(input: DataStream<T>, windowAssigner: WindowAssigner<T, W>) {
    super(windowAssigner);
    this.input = input.keyBy(nullByteKeySelector);
  }

  /** Reduces each window incrementally; emits the reduced value when the window fires. */
  reduce(reduceFunction: ReduceFunction<T>): DataStream<T>;
  /** Reduces each window incrementally, then evaluates it with a window function given the reduced value. */
  reduce<R>(reduceFunction: ReduceFunction<T>, windowFunction: AllWindowFunction<T, R, W> | ProcessAllWindowFunctionLike<T, R, W>): DataStream<R>;
  reduce<R>(reduceFunction: ReduceFunction<T>, windowFunction?: AllWindowFunction<T, R, W> | ProcessAllWindowFunctionLike<T, R, W>): DataStream<R> {
    checkNotRich(
      reduceFunction,
      windowFunction === undefined ? 'ReduceFunction of reduce can not be a RichFunction. Please use reduce(ReduceFunction, WindowFunction) instead.' : 'ReduceFunction of apply can not be a RichFunction.',
    );
    const fn = toCallable<(a: unknown, b: unknown) => unknown>(reduceFunction, 'reduce', 'reduce');
    return this.build({ kind: 'reduce', fn }, windowFunction, 'reduce');
  }

  /** Aggregates each window incrementally; emits the result when the window fires. */
  aggregate<ACC, V>(aggregateFunction: AggregateFunction<T, ACC, V>): DataStream<V>;
  /** Aggregates each window incrementally, then evaluates it with a window function given the result. */
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction: AllWindowFunction<V, R, W> | ProcessAllWindowFunctionLike<V, R, W>): DataStream<R>;
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction?: AllWindowFunction<V, R, W> | ProcessAllWindowFunctionLike<V, R, W>): DataStream<R> {
    checkNotRich(aggregateFunction, 'This aggregate function cannot be a RichFunction.');
    return this.build({ kind: 'aggregate', fn: checkAggregateFunction(aggregateFunction) }, windowFunction, 'aggregate');
  }

  /** Evaluates each window with an AllWindowFunction given all its elements. */
  apply<R>(windowFunction: AllWindowFunction<T, R, W>): DataStream<R> {
    return this.append({ kind: 'list' }, allFunction(windowFunction, 'allWindow'), 'apply');
  }

  /** Evaluates each window with a ProcessAllWindowFunction given all its elements and a context. */
  process<R>(processWindowFunction: ProcessAllWindowFunctionLike<T, R, W>): DataStream<R> {
    return this.append({ kind: 'list' }, allFunction(processWindowFunction, 'processAll'), 'process');
  }

  /** Sum of a field per window; other fields are the first element's. */
  sum(field: FieldExpression): DataStream<T> {
    return this.aggregation('sum', field);
  }
  /** Minimum of a field per window; other fields are the first element's. */
  min(field: FieldExpression): DataStream<T> {
    return this.aggregation('min', field);
  }
  /** Maximum of a field per window; other fields are the first element's. */
  max(field: FieldExpression): DataStream<T> {
    return this.aggregation('max', field);
  }
  /** The element with the minimum field per window (the first on a tie). */
  minBy(field: FieldExpression): DataStream<T> {
    return this.aggregation('minBy', field);
  }
  /** The element with the maximum field per window (the first on a tie). */
  maxBy(field: FieldExpression): DataStream<T> {
    return this.aggregation('maxBy', field);
  }

  private aggregation(type: AggregationType, field: FieldExpression): DataStream<T> {
    if (typeof field !== 'number' && (typeof field !== 'string' || field.length === 0)) throw new TypeError(`${type} needs a field name or position`);
    return this.build({ kind: 'reduce', fn: aggregationReducer(type, field) }, undefined, 'aggregate');
  }

  private build<R>(contents: WindowContentsSpec, windowFunction: unknown, method: string): DataStream<R> {
    return this.append(contents, windowFunction === undefined ? { kind: 'passThrough' } : allFunction(windowFunction, undefined), method);
  }

  /** Appends the operator, named as Flink's AllWindowedStream names it: `TriggerWindow(assigner, state, trigger, [evictor, ]udf)`. */
  private append<R>(contents: WindowContentsSpec, windowFunction: WindowFunctionSpec, method: string): DataStream<R> {
    const state = this.windowEvictor ? 'ListStateDescriptor' : STATE_DESCRIPTOR[contents.kind];
    const evictor = this.windowEvictor ? `${simpleName(this.windowEvictor)}, ` : '';
    const name = `TriggerWindow(${this.windowAssigner.toString()}, ${state}{name=window-contents}, ${this.windowTrigger.toString()}, ${evictor}AllWindowedStream.${method})`;
    const env = this.input.env;
    const keySelector = nullByteKeySelector as KeySelector<unknown, unknown>;
    const t = env.addTransformation('oneInput', name, [this.input.transformation], { type: 'window', keySelector, window: this.spec(contents, windowFunction) }, undefined, {
      parallelism: 1,
      parallelismLocked: true,
    });
    // Flink's forceNonParallel(): parallelism and max parallelism 1.
    t.maxParallelism = 1;
    t.stateKeySelector = keySelector;
    return new DataStream<R>(env, t);
  }
}

/** Which all-window function a function is (see keyedFunction in windowed-stream.ts). */
function allFunction(fn: unknown, plain: 'allWindow' | 'processAll' | undefined): WindowFunctionSpec {
  if (typeof fn === 'function') return { kind: plain ?? 'allWindow', fn };
  if (fn instanceof ProcessAllWindowFunction || (typeof fn === 'object' && fn !== null && typeof (fn as { process?: unknown }).process === 'function')) {
    if (plain === 'allWindow') throw new TypeError('apply() needs an AllWindowFunction (apply(window, values, out)); use process() for a ProcessAllWindowFunction');
    return { kind: 'processAll', fn };
  }
  if (typeof fn === 'object' && fn !== null && typeof (fn as { apply?: unknown }).apply === 'function') {
    if (plain === 'processAll') throw new TypeError('process() needs a ProcessAllWindowFunction (process(context, elements, out)); use apply() for an AllWindowFunction');
    return { kind: 'allWindow', fn };
  }
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `A window function must be a function or an object with process() or apply(), got ${fn === null ? 'null' : typeof fn}`);
}
