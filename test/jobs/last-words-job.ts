// For the slot output test: a map prints a line and logs an error, then the slot thread exits
// (process.exit in user code): both lines must reach the output, not be lost with the thread.
import { RichMapFunction, StreamExecutionEnvironment, type Logger } from 'miniflink';

class LastWords extends RichMapFunction<number, number> {
  private log!: Logger;
  override open(): void {
    this.log = this.getRuntimeContext().getLogger('com.example.LastWords');
  }
  map(x: number): number {
    if (x === 2) {
      console.log(`last words ${x}`);
      this.log.error(`last log line ${x}`);
      process.exit(3);
    }
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.fromSequence(1, 3).map(new LastWords()).addSink({ invoke: () => {} });
await env.execute('last words');
