/**
 * Benchmark job of bench/failover.ts: a backpressured keyed pipeline for checkpoints under
 * backpressure, aligned against unaligned.
 *
 *   records (source, p=2) -> keyBy -> count -> slow (about 0.4 ms per record) -> discard
 *
 * The sources emit 100-byte records as fast as credit allows, so every queue between them and the
 * slow operator is full: an aligned barrier waits behind them; an unaligned one overtakes them.
 * Arguments: none; the checkpoint mode comes from the configuration.
 */
import { DiscardingSink, KeyedProcessFunction, RichMapFunction, RichParallelSourceFunction, StreamExecutionEnvironment, ValueStateDescriptor, type Collector, type KeyedProcessContext, type SourceContext, type ValueState } from 'miniflink';

const PAD = 'x'.repeat(90);

class Records extends RichParallelSourceFunction<string> {
  private running = true;
  async run(ctx: SourceContext<string>): Promise<void> {
    let i = 0;
    while (this.running) {
      const p = ctx.collect(`${i++ % 1000}:${PAD}`);
      if (p) await p;
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Count extends KeyedProcessFunction<string, string, string> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(r: string, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    out.collect(r);
  }
}

class Slow extends RichMapFunction<string, number> {
  map(r: string): number {
    const until = performance.now() + 0.4;
    while (performance.now() < until);
    return r.length;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
// The benchmark triggers its checkpoints itself.
env.enableCheckpointing(3_600_000);
env.addSource(new Records()).uid('records').keyBy((r) => r.slice(0, r.indexOf(':'))).process(new Count()).uid('count').map(new Slow()).uid('slow').addSink(new DiscardingSink()).uid('discard');
await env.execute('bench-backpressure');
