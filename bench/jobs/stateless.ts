/**
 * Benchmark job: sequence -> map -> filter -> discarding sink, fully chained.
 * Arguments: <records> [reuse]
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { benchFilter, benchMap } from '../baseline/functions.js';

const [n, reuse] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
if (reuse === 'reuse') env.getConfig().enableObjectReuse();
env.fromSequence(1, Number(n)).map(benchMap).filter(benchFilter).addSink(new DiscardingSink());
await env.execute('bench-stateless');
