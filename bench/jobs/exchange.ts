/**
 * Benchmark job: the exchange between two threads alone. A sequence source in one slot, a
 * discarding sink in another slot sharing group (so another thread): every record crosses.
 * Arguments: <records> [objects]   (objects: records are {key, value} objects, else numbers)
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';
import { benchMap } from '../baseline/functions.js';

const [n, kind] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.getConfig().enableObjectReuse();
const source = env.fromSequence(1, Number(n));
const records = kind === 'objects' ? source.map(benchMap) : source;
records.rebalance().addSink(new DiscardingSink()).slotSharingGroup('other');
await env.execute('bench-exchange');
