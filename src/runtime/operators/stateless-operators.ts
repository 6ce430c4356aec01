/**
 * The one-input operators without state: map, flatMap, filter, and ProcessFunction.
 */
import { toCallable, type Collector, type ProcessContext } from '../../api/index.js';
import { StreamOperator, type OperatorContext } from './stream-operator.js';
import { closeUserFunction, openUserFunction } from './user-function.js';

/** Base of operators that wrap one user function. */
abstract class UserFunctionOperator extends StreamOperator {
  constructor(
    ctx: OperatorContext,
    /** The user's function or object. */
    protected readonly fn: unknown,
  ) {
    super(ctx);
    this.userFunction = fn;
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Flink's StreamMap. */
export class MapOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown) => unknown>(this.fn, 'map', 'map');
  processElement(record: unknown): void {
    this.output.collect(this.call(record));
  }
}

/** Flink's StreamFlatMap. */
export class FlatMapOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown, out: Collector<unknown>) => void>(this.fn, 'flatMap', 'flatMap');
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r) };
  processElement(record: unknown): void {
    this.call(record, this.collector);
  }
}

/** Flink's StreamFilter. */
export class FilterOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown) => boolean>(this.fn, 'filter', 'filter');
  processElement(record: unknown): void {
    if (this.call(record)) this.output.collect(record);
  }
}

/** Flink's ProcessOperator (non-keyed ProcessFunction). */
export class ProcessOperator extends UserFunctionOperator {
  private readonly call = toCallable<(v: unknown, ctx: ProcessContext, out: Collector<unknown>) => void>(this.fn, 'processElement', 'process');
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r) };
  private readonly context: ProcessContext = {
    timestamp: () => null,
    timerService: () => {
      throw new Error('Timers are only available on keyed streams: use keyBy(...).process(KeyedProcessFunction)');
    },
    output: () => {
      throw new Error('Side outputs (OutputTag) are not supported yet');
    },
  };
  processElement(record: unknown): void {
    this.call(record, this.context, this.collector);
  }
}
