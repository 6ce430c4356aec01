/**
 * An endless, checkpointed source (its position is operator state) collected with a limit: the
 * limit cancels the job; with RETAIN_ON_CANCELLATION its latest checkpoint stays on disk.
 * Arguments: <limit>. Prints the first and last records collected.
 */
import { ListStateDescriptor, RichSourceFunction, StreamExecutionEnvironment, type CheckpointedFunction, type FunctionInitializationContext, type ListState, type SourceContext } from 'miniflink';

class Counter extends RichSourceFunction<number> implements CheckpointedFunction {
  private next = 0;
  private running = true;
  private state!: ListState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.next]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running) {
      await ctx.collect(this.next++);
      if (this.next % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.getCheckpointConfig().setExternalizedCheckpointCleanup('RETAIN_ON_CANCELLATION');
const out = await env.addSource(new Counter()).uid('counter').map((x) => x).executeAndCollect(Number(process.argv[2]));
console.log(`RESULT ${JSON.stringify({ first: out[0], last: out[out.length - 1], n: out.length })}`);
