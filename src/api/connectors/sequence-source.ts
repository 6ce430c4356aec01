/**
 * fromSequence(from, to): Flink's NumberSequenceSource. The range is split into one contiguous part
 * per subtask, so each number is emitted exactly once at any parallelism.
 */
import { RichParallelSourceFunction, type SourceContext } from '../functions/source-function.js';

/** The part [from, to] of a sequence that one of `parallelism` subtasks emits. */
export function sequenceSplit(from: number, to: number, parallelism: number, index: number): [number, number] {
  const total = to - from + 1;
  const start = from + Math.floor((total * index) / parallelism);
  const end = from + Math.floor((total * (index + 1)) / parallelism) - 1;
  return [start, end];
}

/** Emits the numbers from..to (inclusive). */
export class SequenceSource extends RichParallelSourceFunction<number> {
  private canceled = false;
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    super();
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new TypeError(`fromSequence needs integer bounds, got ${from} and ${to}`);
    if (from > to) throw new RangeError(`fromSequence: 'from' (${from}) must not be greater than 'to' (${to})`);
  }

  /** Emits this subtask's part of the range. */
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    const [start, end] = sequenceSplit(this.from, this.to, rc.getNumberOfParallelSubtasks(), rc.getIndexOfThisSubtask());
    for (let n = start; n <= end && !this.canceled; n++) {
      const wait = ctx.collect(n);
      if (wait) await wait;
    }
  }

  /** Stops the loop. */
  cancel(): void {
    this.canceled = true;
  }
}
