/**
 * Benchmark job: sequence -> keyBy(x) -> KeyedProcessFunction -> discarding sink, one key per
 * record. With `timers`, each record registers one event-time timer for its key (timestamp: a
 * permutation of the records, so not in registration order) and the final watermark fires them
 * all; without, the function does nothing (the baseline). Arguments: <records> timers|none [leveldb]
 */
import { DiscardingSink, KeyedProcessFunction, LevelDbStateBackend, StreamExecutionEnvironment, type Collector, type KeyedProcessContext, type OnTimerContext } from 'miniflink';

const [n, mode] = process.argv.slice(2);
const N = Number(n);
const BASE = 1_764_892_800_000;

class OneTimerPerKey extends KeyedProcessFunction<number, number, number> {
  private fired = 0;
  processElement(x: number, ctx: KeyedProcessContext<number>): void {
    if (mode === 'timers') ctx.timerService().registerEventTimeTimer(BASE + ((x * 7919) % N));
  }
  override onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<number>): void {
    if (++this.fired === N) out.collect(this.fired);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.getConfig().enableObjectReuse();
if (process.argv.includes('leveldb')) env.setStateBackend(new LevelDbStateBackend());
env
  .fromSequence(1, N)
  .keyBy((x) => x)
  .process(new OneTimerPerKey())
  .addSink(new DiscardingSink());
await env.execute('bench-timers');
