// For the checkpoint statistics test: two sources keeping their position in operator state emit
// as fast as they may into a map that takes 5 ms a record (rebalance), aligned checkpoints every
// 300 ms: a checkpoint stays in progress, its sources acknowledged, its barriers behind the backlog.
import { ListStateDescriptor, RichParallelSourceFunction, StreamExecutionEnvironment, DiscardingSink, type FunctionInitializationContext, type ListState, type SourceContext } from 'miniflink';

class Counting extends RichParallelSourceFunction<number> {
  private running = true;
  private position = 0;
  private state!: ListState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('position'));
  }
  snapshotState(): void {
    this.state.update([this.position]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running) {
      this.position++;
      await ctx.collect(this.position);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(300);
env
  .addSource(new Counting())
  .setParallelism(2)
  .rebalance()
  .map((x: number) => {
    const until = Date.now() + 5;
    while (Date.now() < until);
    return x;
  })
  .setParallelism(1)
  .addSink(new DiscardingSink())
  .setParallelism(1);
await env.execute('stuck checkpoint');
