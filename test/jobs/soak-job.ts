/**
 * The soak test's job: an endless paced source (its position in list state) -> keyBy -> a counting
 * KeyedProcessFunction -> a discarding sink, checkpointing every 100 ms, restarting forever.
 * Arguments: <backend hashmap|leveldb>
 */
import {
  DiscardingSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  RestartStrategies,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Endless extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private next = 0;
  private state!: ListState<number>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    if (ctx.isRestored()) this.next = Math.max(0, ...this.state.get());
  }
  snapshotState(): void {
    this.state.update([this.next]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running) {
      await ctx.collect(this.next++);
      if (this.next % 500 === 0) await sleep(5);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_x: number, _ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect(c);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
env.enableCheckpointing(100);
env.getCheckpointConfig().setTolerableCheckpointFailureNumber(1_000_000);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1_000_000, 100));
if (process.argv[2] === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
env
  .addSource(new Endless())
  .uid('endless')
  .keyBy((x) => x % 10_000)
  .process(new Count())
  .uid('count')
  .addSink(new DiscardingSink<number>());
await env.execute('soak');
