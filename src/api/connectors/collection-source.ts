/**
 * fromElements / fromCollection: a non-parallel source over an in-program collection. Every slot
 * thread builds the same collection, since it runs the same program.
 */
import { RichSourceFunction, type SourceContext } from '../functions/source-function.js';

/** Emits the items in order. */
export class CollectionSource<T> extends RichSourceFunction<T> {
  private canceled = false;
  private readonly items: readonly T[];
  constructor(items: Iterable<T>) {
    super();
    this.items = [...items];
  }
  /** Emits every item once. */
  async run(ctx: SourceContext<T>): Promise<void> {
    for (let i = 0; i < this.items.length && !this.canceled; i++) {
      const wait = ctx.collect(this.items[i]!);
      if (wait) await wait;
    }
  }
  /** Stops the loop. */
  cancel(): void {
    this.canceled = true;
  }
}
