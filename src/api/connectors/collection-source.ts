/**
 * fromElements / fromCollection: a non-parallel source over an in-program collection. Every slot
 * thread builds the same collection, since it runs the same program.
 */
import { RichSourceFunction, type SourceContext } from '../functions/source-function.js';
import type { CheckpointedFunction, FunctionInitializationContext } from '../functions/checkpointed-function.js';
import { ListStateDescriptor, type ListState } from '../state/state.js';

/** Emits the items in order. Checkpointed: the number of items emitted. */
export class CollectionSource<T> extends RichSourceFunction<T> implements CheckpointedFunction {
  private canceled = false;
  private readonly items: readonly T[];
  private next = 0;
  private state!: ListState<number>;
  constructor(items: Iterable<T>) {
    super();
    this.items = [...items];
  }
  /** Registers the position; a restore continues after the items already emitted. */
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('collection-offset'));
    if (ctx.isRestored()) this.next = Math.max(0, ...this.state.get());
  }

  /** Stores the position. */
  snapshotState(): void {
    this.state.update([this.next]);
  }

  /** Emits every item once. */
  async run(ctx: SourceContext<T>): Promise<void> {
    while (this.next < this.items.length && !this.canceled) {
      const wait = ctx.collect(this.items[this.next++]!);
      if (wait) await wait;
    }
  }
  /** Stops the loop. */
  cancel(): void {
    this.canceled = true;
  }
}
