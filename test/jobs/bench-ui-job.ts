/**
 * A small keyed job for the scheduling benchmark from the web UI: a sequence of <n> numbers, a
 * map, keyBy, a running sum, a discarding sink. Its parallelism is the environment's (the
 * benchmark's parallelism dimension). Arguments: <n>
 */
import { DiscardingSink, StreamExecutionEnvironment } from 'miniflink';

const n = Number(process.argv[2] ?? 10_000);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromSequence(1, n)
  .map((x) => ({ key: x % 100, value: x }))
  .keyBy((r) => r.key)
  .sum('value')
  .addSink(new DiscardingSink());
await env.execute('bench ui job');
