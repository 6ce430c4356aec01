/**
 * Benchmark job: sequence -> map -> filter -> keyBy -> sum -> discarding sink (10,000 integer keys).
 * Arguments: <records> <parallelism> [reuse]
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { benchFilter, benchMap } from '../baseline/functions.js';

const [n, p, reuse] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(p));
if (reuse === 'reuse') env.getConfig().enableObjectReuse();
env
  .fromSequence(1, Number(n))
  .map(benchMap)
  .filter(benchFilter)
  .keyBy((r) => r.key)
  .sum('value')
  .addSink(new DiscardingSink());
await env.execute('bench-keyed');
