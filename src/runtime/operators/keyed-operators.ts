/**
 * Keyed one-input operators: rolling reduce (and the built-in aggregations) and
 * KeyedProcessFunction. Each sets the record's key on the keyed backend before user code runs.
 */
import {
  ListStateDescriptor,
  toCallable,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type TimerService as TimerServiceApi,
  type ValueState,
} from '../../api/index.js';
import { assignToKeyGroup } from '../../core/key-groups.js';
import { TimerService, type TimeDomain, type Timer } from './timer-service.js';
import { checkState } from '../../core/errors.js';
import type { AbstractKeyedStateBackend } from '../../state/index.js';
import { StreamOperator, type OperatorContext, type OperatorRestore, type OperatorSnapshotRef } from './stream-operator.js';
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
  private readonly timers: TimerServiceApi;
  private readonly timerService: TimerService;
  private timerState!: ListState<[TimeDomain, unknown, number]>;
  private readonly context: KeyedProcessContext<unknown>;
  constructor(
    ctx: OperatorContext,
    private readonly fn: unknown,
    keySelector: unknown,
  ) {
    super(ctx, keySelector);
    this.userFunction = fn;
    this.call = toCallable(fn, 'processElement', 'KeyedProcessFunction');
    const svc = new TimerService(ctx.now, (t) => this.onTimer(t), ctx.mailbox);
    this.timerService = svc;
    const key = () => this.backend.getCurrentKey();
    this.timers = {
      currentProcessingTime: () => this.ctx.now(),
      currentWatermark: () => svc.watermark,
      registerProcessingTimeTimer: (ts) => svc.register('PROCESSING_TIME', key(), ts),
      registerEventTimeTimer: (ts) => svc.register('EVENT_TIME', key(), ts),
      deleteProcessingTimeTimer: (ts) => svc.delete('PROCESSING_TIME', key(), ts),
      deleteEventTimeTimer: (ts) => svc.delete('EVENT_TIME', key(), ts),
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

  private onTimer(t: Timer): void {
    this.backend.setCurrentKey(t.key);
    const f = this.fn as { onTimer?: (ts: number, ctx: OnTimerContext<unknown>, out: Collector<unknown>) => void };
    if (typeof f?.onTimer !== 'function') return;
    const ctx: OnTimerContext<unknown> = { ...this.context, timestamp: () => t.timestamp, timeDomain: () => t.domain };
    f.onTimer.call(this.fn, t.timestamp, ctx, this.collector);
  }

  /** Restores the timers of this subtask's key groups (kept as union operator state). */
  override async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    await super.initializeState(restore, index, parallelism);
    this.timerState = this.stateStore.getUnionListState(new ListStateDescriptor<[TimeDomain, unknown, number]>(TIMERS));
    const range = this.backend.keyGroupRange;
    const mine = [...this.timerState.get()].filter(([, key]) => range.contains(assignToKeyGroup(key, this.backend.maxParallelism)));
    this.timerService.restore(mine.map(([domain, key, timestamp]) => ({ domain, key, timestamp })));
  }

  override snapshotState(checkpointId: number, timestamp: number): OperatorSnapshotRef | Promise<OperatorSnapshotRef> {
    this.timerState.update(this.timerService.all().map((t) => [t.domain, t.key, t.timestamp]));
    return super.snapshotState(checkpointId, timestamp);
  }

  /** The final watermark of a bounded input fires every event-time timer; processing time stops. */
  override endInput(): void {
    this.timerService.quiesce();
    this.timerService.advanceWatermark(Number.MAX_SAFE_INTEGER);
  }

  override close(): Promise<void> {
    this.timerService.quiesce();
    return closeUserFunction(this.fn);
  }
}

/** The operator state holding a keyed operator's timers. */
const TIMERS = '__timers';
