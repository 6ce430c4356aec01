// Its top-level code never reaches execute() outside the working directory given as its first
// argument: the client (run from there) submits it, the cluster's capture (elsewhere) hangs, and
// logs from there, which the cluster must not print.
import { StreamExecutionEnvironment } from 'miniflink';

if (process.cwd() !== process.argv[2]) {
  await new Promise(() => setInterval(() => console.warn('capture-hang-job still waiting'), 200));
}
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements(1).addSink({ invoke: () => {} });
await env.execute('capture-hang-job');
