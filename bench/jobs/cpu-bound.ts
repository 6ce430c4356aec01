/**
 * Benchmark job: sequence -> a CPU-heavy map -> discarding sink, fully chained: at parallelism p,
 * p independent pipelines with no exchange, so p=2 should run twice as fast as p=1 on 2 cores.
 * Arguments: <records> <parallelism>
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { cpuWork } from '../baseline/functions.js';

const [n, p] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(p));
env.fromSequence(1, Number(n)).map(cpuWork).addSink(new DiscardingSink());
await env.execute('bench-cpu-bound');
