// For the min-pause test: fromSequence(1, n) -> a map whose snapshotState awaits <snapshotMs> ->
// a sink awaiting each record, checkpoints every 50 ms with max-concurrent-checkpoints 3 and a
// minimum pause of <pauseMs>. The map prints its snapshots' start and end times at close, the sink
// the number of records it got.
import { ListStateDescriptor, RichMapFunction, RichSinkFunction, StreamExecutionEnvironment, type FunctionInitializationContext, type ListState } from 'miniflink';

const n = Number(process.argv[2] ?? '20000');
const snapshotMs = Number(process.argv[3] ?? '150');
const pauseMs = Number(process.argv[4] ?? '100');

class SlowSnapshots extends RichMapFunction<number, number> {
  private state!: ListState<number>;
  private seen = 0;
  private readonly snapshots: Array<[number, number]> = [];
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('seen'));
  }
  async snapshotState(): Promise<void> {
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, snapshotMs));
    this.state.update([this.seen]);
    this.snapshots.push([start, Date.now()]);
  }
  map(x: number): number {
    this.seen++;
    return x;
  }
  override close(): void {
    console.log(`snapshots ${JSON.stringify(this.snapshots)}`);
  }
}

class Counting extends RichSinkFunction<number> {
  private got = 0;
  async invoke(): Promise<void> {
    this.got++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  override close(): void {
    console.log(`records ${this.got}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.getCheckpointConfig().setMaxConcurrentCheckpoints(3);
env.getCheckpointConfig().setMinPauseBetweenCheckpoints(pauseMs);
env.fromSequence(1, n).map(new SlowSnapshots()).addSink(new Counting());
await env.execute('min pause job');
