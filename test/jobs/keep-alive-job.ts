/**
 * A sink whose open() starts a setInterval it never clears (a client library's keep-alive, say):
 * execute() must return when the job ends, not after the cluster's grace period for a slot thread
 * that does not exit (5 s; found by a review). Prints `RESULT {waitedMs}`: the time execute() took
 * beyond the job's net runtime (starting the slot threads, stopping them).
 */
import { RichSinkFunction, StreamExecutionEnvironment } from 'miniflink';

class KeepAlive extends RichSinkFunction<number> {
  override open(): void {
    setInterval(() => {}, 1000);
  }
  invoke(): void {}
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.fromSequence(1, 10).addSink(new KeepAlive());
const t0 = Date.now();
const result = await env.execute('keep-alive');
console.log(`RESULT ${JSON.stringify({ waitedMs: Date.now() - t0 - result.getNetRuntime() })}`);
