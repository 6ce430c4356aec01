/** An endless parallel source of 0, 1, 2, ... (it stops only when canceled), for the test jobs that need one. */
import { RichParallelSourceFunction, type SourceContext } from 'miniflink';

export class Endless extends RichParallelSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    let i = 0;
    while (this.running) await ctx.collect(i++);
  }
  cancel(): void {
    this.running = false;
  }
}
