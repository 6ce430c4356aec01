/**
 * Flink's WindowedStream: a KeyedStream cut into windows by a WindowAssigner
 * (`keyedStream.window(assigner)`), configured with trigger, evictor, allowed lateness and a late
 * side output, then evaluated by reduce, aggregate, apply, process or a built-in aggregation.
 * Each of those appends one window operator (see window-spec.ts) keyed like the stream.
 */
import { aggregationReducer, type AggregationType, type FieldExpression } from '../aggregations.js';
import { DataStream } from '../data-stream.js';
import { toCallable, type KeySelector, type ReduceFunction } from '../functions/functions.js';
import type { KeyedStream } from '../keyed-stream.js';
import type { AggregateFunction } from '../state/state.js';
import type { WindowAssigner } from './window-assigner.js';
import { ProcessWindowFunction, type ProcessWindowFunctionLike, type WindowFunction } from './window-functions.js';
import { checkAggregateFunction, checkNotRich, functionName, simpleName, type WindowContentsSpec, type WindowFunctionSpec } from './window-spec.js';
import { WindowSettings } from './window-settings.js';
import type { Window } from './windows.js';

/** Flink's WindowedStream<T, K, W>. */
export class WindowedStream<T, K, W extends Window> extends WindowSettings<T, W> {
  constructor(
    /** The keyed stream being windowed. */
    readonly input: KeyedStream<T, K>,
    windowAssigner: WindowAssigner<T, W>,
  ) {
    super(windowAssigner);
  }

  /** Reduces each window incrementally; emits the reduced value when the window fires. */
  reduce(reduceFunction: ReduceFunction<T>): DataStream<T>;
  /** Reduces each window incrementally, then evaluates it with a window function given the reduced value. */
  reduce<R>(reduceFunction: ReduceFunction<T>, windowFunction: WindowFunction<T, R, K, W> | ProcessWindowFunctionLike<T, R, K, W>): DataStream<R>;
  reduce<R>(reduceFunction: ReduceFunction<T>, windowFunction?: WindowFunction<T, R, K, W> | ProcessWindowFunctionLike<T, R, K, W>): DataStream<R> {
    checkNotRich(
      reduceFunction,
      windowFunction === undefined ? 'ReduceFunction of reduce can not be a RichFunction. Please use reduce(ReduceFunction, WindowFunction) instead.' : 'ReduceFunction of reduce can not be a RichFunction.',
    );
    const fn = toCallable<(a: unknown, b: unknown) => unknown>(reduceFunction, 'reduce', 'reduce');
    return this.build({ kind: 'reduce', fn }, functionName(this.input.env, reduceFunction, 'ReduceFunction'), windowFunction);
  }

  /** Aggregates each window incrementally (AggregateFunction); emits the result when the window fires. */
  aggregate<ACC, V>(aggregateFunction: AggregateFunction<T, ACC, V>): DataStream<V>;
  /** Aggregates each window incrementally, then evaluates it with a window function given the result. */
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction: WindowFunction<V, R, K, W> | ProcessWindowFunctionLike<V, R, K, W>): DataStream<R>;
  aggregate<ACC, V, R>(aggregateFunction: AggregateFunction<T, ACC, V>, windowFunction?: WindowFunction<V, R, K, W> | ProcessWindowFunctionLike<V, R, K, W>): DataStream<R> {
    checkNotRich(aggregateFunction, 'This aggregate function cannot be a RichFunction.');
    const fn = checkAggregateFunction(aggregateFunction);
    return this.build({ kind: 'aggregate', fn }, functionName(this.input.env, aggregateFunction, 'AggregateFunction'), windowFunction);
  }

  /** Evaluates each window with a WindowFunction given all its elements. */
  apply<R>(windowFunction: WindowFunction<T, R, K, W>): DataStream<R> {
    return this.append({ kind: 'list' }, keyedFunction(windowFunction, 'window'), [functionName(this.input.env, windowFunction, 'WindowFunction')]);
  }

  /** Evaluates each window with a ProcessWindowFunction given all its elements and a context. */
  process<R>(processWindowFunction: ProcessWindowFunctionLike<T, R, K, W>): DataStream<R> {
    return this.append({ kind: 'list' }, keyedFunction(processWindowFunction, 'process'), [functionName(this.input.env, processWindowFunction, 'ProcessWindowFunction')]);
  }

  /** Sum of a field per window; other fields are the first element's. */
  sum(field: FieldExpression): DataStream<T> {
    return this.aggregation('sum', field, 'SumAggregator');
  }
  /** Minimum of a field per window; other fields are the first element's. */
  min(field: FieldExpression): DataStream<T> {
    return this.aggregation('min', field, 'ComparableAggregator');
  }
  /** Maximum of a field per window; other fields are the first element's. */
  max(field: FieldExpression): DataStream<T> {
    return this.aggregation('max', field, 'ComparableAggregator');
  }
  /** The element with the minimum field per window (the first on a tie). */
  minBy(field: FieldExpression): DataStream<T> {
    return this.aggregation('minBy', field, 'ComparableAggregator');
  }
  /** The element with the maximum field per window (the first on a tie). */
  maxBy(field: FieldExpression): DataStream<T> {
    return this.aggregation('maxBy', field, 'ComparableAggregator');
  }

  private aggregation(type: AggregationType, field: FieldExpression, name: string): DataStream<T> {
    if (typeof field !== 'number' && (typeof field !== 'string' || field.length === 0)) throw new TypeError(`${type} needs a field name or position`);
    return this.build({ kind: 'reduce', fn: aggregationReducer(type, field) }, name, undefined);
  }

  /** An incremental window with an optional window function (PassThroughWindowFunction when none). */
  private build<R>(contents: WindowContentsSpec, incrementalName: string, windowFunction: unknown): DataStream<R> {
    if (windowFunction === undefined) return this.append(contents, { kind: 'passThrough' }, [incrementalName, 'PassThroughWindowFunction']);
    const spec = keyedFunction(windowFunction, undefined);
    return this.append(contents, spec, [incrementalName, functionName(this.input.env, windowFunction, spec.kind === 'process' ? 'ProcessWindowFunction' : 'WindowFunction')]);
  }

  private append<R>(contents: WindowContentsSpec, windowFunction: WindowFunctionSpec, names: string[]): DataStream<R> {
    const evictor = this.windowEvictor ? `${simpleName(this.windowEvictor)}, ` : '';
    const name = `Window(${this.windowAssigner.toString()}, ${simpleName(this.windowTrigger)}, ${evictor}${names.join(', ')})`;
    const env = this.input.env;
    const keySelector = this.input.keySelector as KeySelector<unknown, unknown>;
    const t = env.addTransformation('oneInput', name, [this.input.transformation], { type: 'window', keySelector, window: this.spec(contents, windowFunction) }, undefined);
    t.stateKeySelector = keySelector;
    return new DataStream<R>(env, t);
  }
}

/**
 * Which keyed window function a function is: a plain function is a WindowFunction (or, given to
 * process(), a ProcessWindowFunction); an object is what its method says.
 */
function keyedFunction(fn: unknown, plain: 'window' | 'process' | undefined): WindowFunctionSpec {
  if (typeof fn === 'function') return { kind: plain ?? 'window', fn };
  if (fn instanceof ProcessWindowFunction || (typeof fn === 'object' && fn !== null && typeof (fn as { process?: unknown }).process === 'function')) {
    if (plain === 'window') throw new TypeError('apply() needs a WindowFunction (apply(key, window, input, out)); use process() for a ProcessWindowFunction');
    return { kind: 'process', fn };
  }
  if (typeof fn === 'object' && fn !== null && typeof (fn as { apply?: unknown }).apply === 'function') {
    if (plain === 'process') throw new TypeError('process() needs a ProcessWindowFunction (process(key, context, elements, out)); use apply() for a WindowFunction');
    return { kind: 'window', fn };
  }
  throw new TypeError(`A window function must be a function or an object with process() or apply(), got ${fn === null ? 'null' : typeof fn}`);
}
