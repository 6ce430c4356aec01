/**
 * Benchmark job: sequence -> map -> filter -> keyBy -> sum -> discarding sink (10,000 integer keys).
 * Arguments: <records> <parallelism> [reuse] [checkpoint=<ms>] [leveldb]
 */
import { DiscardingSink, LevelDbStateBackend, StreamExecutionEnvironment } from 'miniflink';
import { benchFilter, benchMap } from '../baseline/functions.js';

const [n, p, reuse] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(p));
if (reuse === 'reuse') env.getConfig().enableObjectReuse();
const checkpoint = process.argv.find((a) => a.startsWith('checkpoint='));
if (checkpoint) env.enableCheckpointing(Number(checkpoint.slice('checkpoint='.length)));
if (process.argv.includes('leveldb')) env.setStateBackend(new LevelDbStateBackend());
env
  .fromSequence(1, Number(n))
  .map(benchMap)
  .filter(benchFilter)
  .keyBy((r) => r.key)
  .sum('value')
  .addSink(new DiscardingSink());
await env.execute('bench-keyed');
