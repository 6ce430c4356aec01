// Reports, from inside its tasks, how the configuration made the job run: each record becomes
// `<parallelism of the map>/<attempt>`. The first attempt fails, so the job finishes only under a
// restart strategy that allows a restart (from config.yaml or -D; none is the default). Prints
// `RESULT <distinct values>` from executeAndCollect.
import { RichMapFunction, StreamExecutionEnvironment } from 'miniflink';

class Report extends RichMapFunction<number, string> {
  map(): string {
    const ctx = this.getRuntimeContext();
    if (ctx.getAttemptNumber() === 0) throw new Error('the first attempt fails');
    return `${ctx.getNumberOfParallelSubtasks()}/${ctx.getAttemptNumber()}`;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const seen = await env.fromSequence(1, 8).map(new Report()).executeAndCollect();
console.log(`RESULT ${JSON.stringify([...new Set(seen)].sort())}`);
