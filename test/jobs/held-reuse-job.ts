/**
 * A source that reuses its output object and emits from its own timer without awaiting collect()
 * (both allowed), with an asynchronous snapshotState, checkpoints every 20 ms: records it emits
 * while a checkpoint holds it back must keep the values they had when emitted (found by a review:
 * they were held by reference, so later values replaced them). Prints `RESULT {records, distinct}`.
 * Arguments: <N>
 */
import {
  ListStateDescriptor,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const N = Number(process.argv[2]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Reusing extends RichParallelSourceFunction<{ x: number }> implements CheckpointedFunction {
  private pos = 1;
  private state!: ListState<number>;
  private running = true;
  private readonly out = { x: 0 };
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('pos'));
    for (const p of this.state.get()) this.pos = p;
  }
  async snapshotState(): Promise<void> {
    await sleep(2);
    this.state.update([this.pos]);
  }
  async run(ctx: SourceContext<{ x: number }>): Promise<void> {
    while (this.running && this.pos <= N) {
      await sleep(1);
      for (let k = 0; k < 20 && this.pos <= N; k++) {
        this.out.x = this.pos++;
        void ctx.collect(this.out);
      }
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(20);
const xs = await env
  .addSource(new Reusing())
  .map((r) => r.x)
  .executeAndCollect();
console.log(`RESULT ${JSON.stringify({ records: xs.length, distinct: new Set(xs).size })}`);
