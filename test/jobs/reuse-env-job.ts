// Builds and runs two jobs, then a third, on one environment: as Flink's execute() does, each run
// clears the environment's transformations, so the next job has only its own operators. Prints
// `RESULT [first records, second records, vertices of the third job's plan]`.
import { StreamExecutionEnvironment } from 'miniflink';

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const first = await env.fromElements(1, 2, 3).map((x) => x * 10).executeAndCollect();
env.setParallelism(2);
const second = await env.fromElements('x', 'y').map((s) => `${s}!`).executeAndCollect();
env.fromElements(7).map((x) => x + 1).addSink({ invoke: () => {} });
const third = await env.execute('reuse-env-third');
console.log(`RESULT ${JSON.stringify([first.sort(), second.sort(), third.getJobID().length])}`);
