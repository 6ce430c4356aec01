/**
 * fromSequence(from, to): Flink's NumberSequenceSource. The range is split into one contiguous part
 * per subtask, so each number is emitted exactly once at any parallelism.
 */
import { EMIT_RANGE, RichParallelSourceFunction, type RangeSourceContext, type SourceContext } from '../functions/source-function.js';
import type { CheckpointedFunction, FunctionInitializationContext } from '../functions/checkpointed-function.js';
import { ListStateDescriptor, type ListState } from '../state/state.js';

/** The part [from, to] of a sequence that one of `parallelism` subtasks emits. */
export function sequenceSplit(from: number, to: number, parallelism: number, index: number): [number, number] {
  const total = to - from + 1;
  const start = from + Math.floor((total * index) / parallelism);
  const end = from + Math.floor((total * (index + 1)) / parallelism) - 1;
  return [start, end];
}

/**
 * Emits the numbers from..to (inclusive). Checkpointed: the ranges still to emit are split list
 * state, so a restore at another parallelism hands each range to one subtask. A union list state
 * says that the snapshot had this source at all: restored from one without it (an operator added
 * to a job, `-n`), the source starts afresh, as Flink's NumberSequenceSource does with no
 * enumerator state; restored from one with it, no range left means nothing left to emit.
 */
export class SequenceSource extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private canceled = false;
  /** Ranges [next, end] this subtask still has to emit; the first is in progress. */
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  /** Not empty in a snapshot of this source (one entry per subtask, every subtask gets all on restore). */
  private taken!: ListState<boolean>;
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new TypeError(`fromSequence needs integer bounds, got ${from} and ${to}`);
    if (from > to) throw new RangeError(`fromSequence: 'from' (${from}) must not be greater than 'to' (${to})`);
  }

  /** Registers the position state; a restore brings back the ranges not emitted yet. */
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('sequence-ranges'));
    this.taken = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<boolean>('sequence-snapshot'));
    // Snapshots before this marker existed (no entry) hold ranges when anything was left to emit.
    const restored = [...this.state.get()];
    if (ctx.isRestored() && ([...this.taken.get()].length > 0 || restored.length > 0)) this.ranges = restored.map(([a, b]) => [a, b]);
  }

  /** Stores the ranges not emitted yet. */
  snapshotState(): void {
    this.state.update((this.ranges ?? []).filter(([a, b]) => a <= b));
    this.taken.update([true]);
  }

  /** Emits this subtask's part of the range. */
  async run(ctx: SourceContext<number>): Promise<void> {
    if (this.ranges === undefined) {
      const rc = this.getRuntimeContext();
      this.ranges = [sequenceSplit(this.from, this.to, rc.getNumberOfParallelSubtasks(), rc.getIndexOfThisSubtask())];
    }
    const ranges = this.ranges;
    // The run emitter only of the context itself (not one inherited by a context made from it).
    const emitRange = Object.prototype.hasOwnProperty.call(ctx, EMIT_RANGE) ? (ctx as RangeSourceContext)[EMIT_RANGE] : undefined;
    while (ranges.length > 0 && !this.canceled) {
      const range = ranges[0]!;
      while (range[0] <= range[1] && !this.canceled) {
        // Advance the position before emitting: a snapshot taken while collect() waits must not
        // replay this number (the run emitter advances it past each number it emits).
        const wait = emitRange !== undefined ? emitRange.call(ctx, range) : ctx.collect(range[0]++);
        if (wait) await wait;
      }
      if (range[0] > range[1]) ranges.shift();
    }
  }

  /** Stops the loop. */
  cancel(): void {
    this.canceled = true;
  }
}
