/**
 * Flink's window join and window coGroup (JoinedStreams, CoGroupedStreams):
 *
 *   first.join(second).where(key1).equalTo(key2).window(assigner).apply(JoinFunction | FlatJoinFunction)
 *   first.coGroup(second).where(key1).equalTo(key2).window(assigner).apply(CoGroupFunction)
 *
 * Built as Flink builds them: each side is tagged by a `Map` (parallelism of its input), the two
 * tagged streams are unioned, keyed by the side's own key, and windowed; the window function
 * (CoGroupWindowFunction) splits each window's records by side and calls the CoGroupFunction, or,
 * for a join, the JoinFunction for every pair (an inner join: a key with records on one side only
 * emits nothing). So everything a window does applies: triggers, evictors, allowed lateness, event
 * and processing time, merging (session) windows, checkpointing of the window contents, and the
 * output carries the window's max timestamp. The plan shows `Map`, `Map` and
 * `Window(<assigner>, <trigger>, CoGroupWindowFunction)`, as Flink's does.
 */
import { isPromiseLike } from '../core/promise-like.js';
import type { DataStream } from './data-stream.js';
import { toCallable, type Collector, type KeySelector } from './functions/functions.js';
import { isFlatJoinFunction, type CoGroupFunction, type JoinFunctionLike } from './functions/join-functions.js';
import { AbstractRichFunction, isRichFunction, type OpenContext } from './functions/rich-function.js';
import type { RuntimeContext } from './functions/runtime-context.js';
import { isCheckpointedFunction, isCheckpointListener, type FunctionInitializationContext, type FunctionSnapshotContext } from './functions/checkpointed-function.js';
import type { DurationLike } from './time.js';
import type { Evictor } from './windowing/evictors.js';
import type { Trigger } from './windowing/trigger.js';
import type { WindowAssigner } from './windowing/window-assigner.js';
import type { Window } from './windowing/windows.js';

/** A record of either side on its way to the window (Flink's TaggedUnion): `tag` 1 is the first stream. */
export interface TaggedUnion<T1, T2> {
  readonly tag: 1 | 2;
  readonly value: T1 | T2;
}

/** Flink's CoGroupedStreams: `first.coGroup(second)`. */
export class CoGroupedStreams<T1, T2> {
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
  ) {
    if (input1.env !== input2.env) throw new TypeError('coGroup() takes a stream of the same StreamExecutionEnvironment');
  }

  /** The key of the first stream's records. */
  where<K>(keySelector: KeySelector<T1, K>): { equalTo(keySelector: KeySelector<T2, K>): { window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): CoGroupedWithWindow<T1, T2, K, W> } } {
    const key1 = checkKey(keySelector, 'where');
    return {
      equalTo: (keySelector2) => {
        const key2 = checkKey(keySelector2, 'equalTo');
        return { window: (assigner) => new CoGroupedWithWindow(this.input1, this.input2, key1, key2, assigner) };
      },
    };
  }
}

/** Flink's JoinedStreams: `first.join(second)`, an inner join of the records of each window. */
export class JoinedStreams<T1, T2> {
  constructor(
    readonly input1: DataStream<T1>,
    readonly input2: DataStream<T2>,
  ) {
    if (input1.env !== input2.env) throw new TypeError('join() takes a stream of the same StreamExecutionEnvironment');
  }

  /** The key of the first stream's records. */
  where<K>(keySelector: KeySelector<T1, K>): { equalTo(keySelector: KeySelector<T2, K>): { window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): JoinedWithWindow<T1, T2, K, W> } } {
    const key1 = checkKey(keySelector, 'where');
    return {
      equalTo: (keySelector2) => {
        const key2 = checkKey(keySelector2, 'equalTo');
        return { window: (assigner) => new JoinedWithWindow(this.input1, this.input2, key1, key2, assigner) };
      },
    };
  }
}

/** The window of a coGroup or join and its settings (Flink's WithWindow). */
abstract class WithWindow<T1, T2, K, W extends Window> {
  private windowTrigger: Trigger<any, any> | undefined;
  private windowEvictor: Evictor<any, any> | undefined;
  private lateness: DurationLike | undefined;

  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly key1: (v: T1) => K,
    private readonly key2: (v: T2) => K,
    private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>, W>,
  ) {}

  /** With this trigger (the assigner's default otherwise): a new WithWindow, this one unchanged (as in Flink). */
  trigger(trigger: Trigger<any, any>): this {
    return this.with({ windowTrigger: trigger });
  }

  /** With an evictor (it sees the tagged records, as in Flink): a new WithWindow. */
  evictor(evictor: Evictor<any, any>): this {
    return this.with({ windowEvictor: evictor });
  }

  /** Keeping windows `lateness` after their end (late records update the window and fire it again): a new WithWindow. */
  allowedLateness(lateness: DurationLike): this {
    return this.with({ lateness });
  }

  private with(changes: { windowTrigger?: Trigger<any, any>; windowEvictor?: Evictor<any, any>; lateness?: DurationLike }): this {
    return Object.assign(Object.create(Object.getPrototypeOf(this) as object) as this, this, changes);
  }

  /** The windowed union of both tagged sides, evaluated by the CoGroupWindowFunction. */
  protected build<OUT>(coGroup: CoGroupWindowFunction<T1, T2, OUT>): DataStream<OUT> {
    const tagged1 = tag<T1, T2>(this.input1, 1);
    const tagged2 = tag<T1, T2>(this.input2, 2);
    const key1 = this.key1;
    const key2 = this.key2;
    const unionKey = (u: TaggedUnion<T1, T2>): K => (u.tag === 1 ? key1(u.value as T1) : key2(u.value as T2));
    let windowed = tagged1.union(tagged2).keyBy(unionKey).window(this.assigner);
    if (this.windowTrigger !== undefined) windowed = windowed.trigger(this.windowTrigger);
    if (this.windowEvictor !== undefined) windowed = windowed.evictor(this.windowEvictor);
    if (this.lateness !== undefined) windowed = windowed.allowedLateness(this.lateness);
    return windowed.apply(coGroup);
  }
}

/** A coGroup's window (Flink's CoGroupedStreams.WithWindow). */
export class CoGroupedWithWindow<T1, T2, K, W extends Window> extends WithWindow<T1, T2, K, W> {
  /** Evaluates each window and key with a CoGroupFunction given both sides' records. */
  apply<OUT>(fn: CoGroupFunction<T1, T2, OUT>): DataStream<OUT> {
    const call = toCallable<(a: T1[], b: T2[], out: Collector<OUT>) => unknown>(fn, 'coGroup', 'CoGroupFunction');
    return this.build(new CoGroupWindowFunction<T1, T2, OUT>(fn, 'coGroup', 'CoGroupFunction', (a, b, out) => call(a, b, out)));
  }
}

/** A join's window (Flink's JoinedStreams.WithWindow). */
export class JoinedWithWindow<T1, T2, K, W extends Window> extends WithWindow<T1, T2, K, W> {
  /**
   * Evaluates each window and key with a JoinFunction (one record per pair) or a FlatJoinFunction
   * (any number per pair), for every pair of a first and a second record: an inner join.
   */
  apply<OUT>(fn: JoinFunctionLike<T1, T2, OUT>): DataStream<OUT> {
    if (isFlatJoinFunction(fn)) {
      const join = toCallable<(a: T1, b: T2, out: Collector<OUT>) => unknown>(fn, 'join', 'FlatJoinFunction');
      return this.build(
        new CoGroupWindowFunction<T1, T2, OUT>(fn, 'join', 'FlatJoinFunction', (first, second, out) => {
          for (const a of first) {
            for (const b of second) {
              const r = join(a, b, out);
              if (isPromiseLike(r)) return r;
            }
          }
          return undefined;
        }),
      );
    }
    const join = toCallable<(a: T1, b: T2) => OUT>(fn, 'join', 'JoinFunction');
    return this.build(
      new CoGroupWindowFunction<T1, T2, OUT>(fn, 'join', 'JoinFunction', (first, second, out) => {
        for (const a of first) {
          for (const b of second) {
            const r = join(a, b);
            if (isPromiseLike(r)) return r;
            out.collect(r);
          }
        }
        return undefined;
      }),
    );
  }
}

/**
 * The window function of a coGroup or join (Flink's CoGroupWindowFunction around its
 * FlatJoinCoGroupFunction / JoinCoGroupFunction): splits a window's records by side. It wraps the
 * user's function as Flink's WrappingFunction does: the runtime context, open/close, and the
 * checkpoint hooks reach the user's function.
 */
export class CoGroupWindowFunction<T1, T2, OUT> extends AbstractRichFunction {
  /** The user's function (for its hooks). */
  readonly wrappedFunction: unknown;
  initializeState?: (context: FunctionInitializationContext) => void | Promise<void>;
  snapshotState?: (context: FunctionSnapshotContext) => void | Promise<void>;
  notifyCheckpointComplete?: (checkpointId: number) => void | Promise<void>;
  notifyCheckpointAborted?: (checkpointId: number) => void | Promise<void>;

  constructor(
    fn: unknown,
    /** The user function's method and kind, for the message when it returns a promise. */
    readonly wrappedMethod: string,
    readonly wrappedKind: string,
    /** Calls the user function; returns a promise it returned (the window operator fails the task with it). */
    private readonly coGroup: (first: T1[], second: T2[], out: Collector<OUT>) => unknown,
  ) {
    super();
    this.wrappedFunction = fn;
    if (isCheckpointedFunction(fn)) {
      this.initializeState = (c) => fn.initializeState(c);
      this.snapshotState = (c) => fn.snapshotState(c);
    }
    if (isCheckpointListener(fn)) {
      this.notifyCheckpointComplete = (id) => fn.notifyCheckpointComplete(id);
      const aborted = fn.notifyCheckpointAborted;
      if (aborted !== undefined) this.notifyCheckpointAborted = (id) => aborted.call(fn, id);
    }
  }

  override setRuntimeContext(ctx: RuntimeContext): void {
    super.setRuntimeContext(ctx);
    if (isRichFunction(this.wrappedFunction)) this.wrappedFunction.setRuntimeContext(ctx);
  }

  override open(openContext: OpenContext): void | Promise<void> {
    if (isRichFunction(this.wrappedFunction)) return this.wrappedFunction.open(openContext);
  }

  override close(): void | Promise<void> {
    if (isRichFunction(this.wrappedFunction)) return this.wrappedFunction.close();
  }

  /** The WindowFunction: the window's records, split by side in their order (a promise of the user's function returned). */
  apply(_key: unknown, _window: Window, values: Iterable<TaggedUnion<T1, T2>>, out: Collector<OUT>): unknown {
    const first: T1[] = [];
    const second: T2[] = [];
    for (const u of values) {
      if (u.tag === 1) first.push(u.value as T1);
      else second.push(u.value as T2);
    }
    return this.coGroup(first, second, out);
  }
}

/** Tags a side's records (Flink's Input1Tagger / Input2Tagger), at the parallelism of its input. */
function tag<T1, T2>(input: DataStream<T1> | DataStream<T2>, side: 1 | 2): DataStream<TaggedUnion<T1, T2>> {
  const tagged = (input as DataStream<T1 | T2>).map((value): TaggedUnion<T1, T2> => ({ tag: side, value }));
  const p = input.transformation.parallelism;
  if (p !== undefined) tagged.setParallelism(p);
  return tagged;
}

function checkKey<T, K>(keySelector: KeySelector<T, K>, method: string): (v: T) => K {
  if (keySelector === undefined || keySelector === null) throw new TypeError(`${method}() needs a KeySelector`);
  return toCallable<(v: T) => K>(keySelector, 'getKey', 'key selector');
}

