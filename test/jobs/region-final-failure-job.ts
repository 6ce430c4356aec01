/**
 * Two pipelined regions (two disconnected pipelines, p=1) with checkpointing and region failover.
 * Region A's map fails on its first attempt after the job's final checkpoint completed: in
 * close() (`close`) or in notifyCheckpointComplete (`notify`); region B's tasks finish meanwhile.
 * Each sink prints what it received per attempt; the job must finish, with no record twice.
 * Arguments: close|notify
 */
import { RestartStrategies, RichMapFunction, RichSinkFunction, StreamExecutionEnvironment, type CheckpointListener } from 'miniflink';

const mode = process.argv[2] ?? 'close';

class FailsAfterFinalCheckpoint extends RichMapFunction<number, number> implements CheckpointListener {
  map(x: number): number {
    return x;
  }
  notifyCheckpointComplete(id: number): void {
    if (mode === 'notify' && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`injected failure in notifyCheckpointComplete(${id})`);
  }
  override close(): void {
    if (mode === 'close' && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error('injected failure in close() after the final checkpoint');
  }
}

class SumSink extends RichSinkFunction<number> {
  private sum = 0;
  private n = 0;
  constructor(private readonly label: string) {
    super();
  }
  invoke(x: number): void {
    this.sum += x;
    this.n++;
  }
  override close(): void {
    console.log(`${this.label} attempt ${this.getRuntimeContext().getAttemptNumber()}: n=${this.n} sum=${this.sum}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(100);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
env.fromSequence(1, 1000).map(new FailsAfterFinalCheckpoint()).name('A-map').addSink(new SumSink('A')).name('A-sink');
env.fromSequence(1, 100).map((x) => x).name('B-map').addSink(new SumSink('B')).name('B-sink');
await env.execute(`region-final-failure ${mode}`);
