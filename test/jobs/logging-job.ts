// An endless job for the logging tests: a source ticking every 10 ms, a map that logs through its
// task logger (getRuntimeContext().getLogger(): an INFO line at open, a DEBUG line per record) and
// prints each record, a discarding sink. Checkpoints every 100 ms; a fixed-delay restart strategy.
import { RestartStrategies, RichMapFunction, RichSourceFunction, StreamExecutionEnvironment, type Logger, type SourceContext } from 'miniflink';

class Ticker extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    let i = 0;
    while (this.running) {
      await ctx.collect(i++);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Logging extends RichMapFunction<number, number> {
  private log!: Logger;
  override open(): void {
    this.log = this.getRuntimeContext().getLogger('com.example.TickLogger');
    this.log.info('TickLogger opened in subtask {} (attempt {})', this.getRuntimeContext().getIndexOfThisSubtask(), this.getRuntimeContext().getAttemptNumber());
  }
  map(x: number): number {
    this.log.debug('tick {}', x);
    if (x % 50 === 0) console.log(`tick-out ${x}`);
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(100);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
env.addSource(new Ticker()).map(new Logging()).addSink({ invoke: () => {} });
await env.execute('logging-job');
