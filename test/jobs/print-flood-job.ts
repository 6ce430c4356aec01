// print() as fast as a source emits: `count` lines of 80 characters (`flood <n> xxx...`), then the
// job finishes. For the test that a cluster whose stdout is not read slows the printing task down
// instead of buffering without bound, and loses no line.
import { StreamExecutionEnvironment } from 'miniflink';

const count = Number(process.argv[2] ?? '1000');
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env
  .fromSequence(1, count)
  .map((n) => `flood ${n} ${'x'.repeat(60)}`)
  .print();
await env.execute('print-flood');
