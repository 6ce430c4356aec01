/**
 * A job that fails once (on its first attempt, at record 100) and restarts: what `miniflink bench`
 * must refuse to time. Arguments: <n> [restart delay in ms, default 10] [norestart: no restart, the job fails]
 */
import { DiscardingSink, RestartStrategies, RichMapFunction, StreamExecutionEnvironment } from 'miniflink';

class FailOnce extends RichMapFunction<number, number> {
  map(x: number): number {
    if (x === 100 && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error('injected failure');
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setRestartStrategy(process.argv[4] === 'norestart' ? RestartStrategies.noRestart() : RestartStrategies.fixedDelayRestart(3, Number(process.argv[3] ?? 10)));
env.fromSequence(1, Number(process.argv[2] ?? 1000)).map(new FailOnce()).addSink(new DiscardingSink());
await env.execute('bench fail job');
