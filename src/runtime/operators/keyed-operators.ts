/**
 * Keyed one-input operators: rolling reduce (and the built-in aggregations) and
 * KeyedProcessFunction. Each sets the record's key on the keyed backend before user code runs.
 */
import { toCallable, ValueStateDescriptor, type Collector, type KeyedProcessContext, type TimerService, type ValueState } from '../../api/index.js';
import { checkState } from '../../core/errors.js';
import type { AbstractKeyedStateBackend } from '../../state/index.js';
import { StreamOperator, type OperatorContext } from './stream-operator.js';
import { closeUserFunction, openUserFunction } from './user-function.js';

abstract class KeyedOperator extends StreamOperator {
  protected readonly backend: AbstractKeyedStateBackend;
  protected readonly keyOf: (v: unknown) => unknown;
  constructor(ctx: OperatorContext, keySelector: unknown) {
    super(ctx);
    checkState(ctx.keyedBackend !== undefined, 'A keyed operator needs a keyed state backend');
    this.backend = ctx.keyedBackend;
    this.keyOf = toCallable(keySelector, 'getKey', 'key selector');
  }
}

/** Flink's StreamGroupedReduceOperator: emits the new reduced value after every record. */
export class ReduceOperator extends KeyedOperator {
  private readonly call: (a: unknown, b: unknown) => unknown;
  private state!: ValueState<unknown>;
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
    keySelector: unknown,
  ) {
    super(ctx, keySelector);
    this.userFunction = fn;
    this.call = toCallable(fn, 'reduce', 'reduce');
  }
  override async open(): Promise<void> {
    this.state = this.backend.getValueState(new ValueStateDescriptor<unknown>('_op_state'));
    await openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(record: unknown): void {
    this.backend.setCurrentKey(this.keyOf(record));
    const current = this.state.value();
    const next = current === undefined ? record : this.call(current, record);
    this.state.update(next);
    this.output.collect(next);
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}

/** Flink's KeyedProcessOperator. */
export class KeyedProcessOperator extends KeyedOperator {
  private readonly call: (v: unknown, ctx: KeyedProcessContext<unknown>, out: Collector<unknown>) => void;
  private readonly collector: Collector<unknown> = { collect: (r) => this.output.collect(r) };
  private readonly timers: TimerService;
  private readonly context: KeyedProcessContext<unknown>;
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
    keySelector: unknown,
  ) {
    super(ctx, keySelector);
    this.userFunction = fn;
    this.call = toCallable(fn, 'processElement', 'KeyedProcessFunction');
    const noTimers = (): never => {
      throw new Error('Timers in KeyedProcessFunction arrive with the checkpointing issue (#3); only currentProcessingTime() and currentWatermark() work now');
    };
    this.timers = {
      currentProcessingTime: () => this.ctx.now(),
      currentWatermark: () => Number.MIN_SAFE_INTEGER,
      registerProcessingTimeTimer: noTimers,
      registerEventTimeTimer: noTimers,
      deleteProcessingTimeTimer: noTimers,
      deleteEventTimeTimer: noTimers,
    };
    this.context = {
      timestamp: () => null,
      timerService: () => this.timers,
      output: () => {
        throw new Error('Side outputs (OutputTag) are not supported yet');
      },
      getCurrentKey: () => this.backend.getCurrentKey(),
    };
  }
  override open(): Promise<void> {
    return openUserFunction(this.fn, this.ctx.runtimeContext);
  }
  processElement(record: unknown): void {
    this.backend.setCurrentKey(this.keyOf(record));
    this.call(record, this.context, this.collector);
  }
  override close(): Promise<void> {
    return closeUserFunction(this.fn);
  }
}
