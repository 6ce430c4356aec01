/**
 * A job whose metrics the tests check through REST.
 *
 *   count <n>   fromSequence(1, n) -> Map (user metrics) -> keyBy -> Map -> Sink "counting sink":
 *               bounded; every count is exact once it finished (the sink's numRecordsIn = n; its
 *               operator metrics are `Sink__counting_sink.*` in REST, the operator name filtered as
 *               Flink's MetricQueryService does).
 *   slow        an endless source -> keyBy -> a sink that takes 2 ms per record: the source's task
 *               is backpressured most of the time, the sink's task busy.
 *
 * The user metrics of the first Map: counter `mine.seen` (in group `mine`), gauge `lastValue`,
 * meter `seenPerSecond`, histogram `valueHistogram` (window of 100), and a key-value group
 * `k.v.inKv` (counter `inKv` under `addGroup("k", "v")`).
 */
import { DescriptiveStatisticsHistogram, MeterView, RichMapFunction, RichSourceFunction, StreamExecutionEnvironment, type Counter, type SourceContext } from 'miniflink';

const [mode, nText] = process.argv.slice(2);

class WithMetrics extends RichMapFunction<number, number> {
  private seen!: Counter;
  private inKv!: Counter;
  private last = 0;
  private histogram!: DescriptiveStatisticsHistogram;
  override open(): void {
    const g = this.getRuntimeContext().getMetricGroup();
    this.seen = g.addGroup('mine').counter('seen');
    g.gauge('lastValue', { getValue: () => this.last });
    g.meter('seenPerSecond', new MeterView(this.seen));
    this.histogram = g.histogram('valueHistogram', new DescriptiveStatisticsHistogram(100));
    this.inKv = g.addGroup('k', 'v').counter('inKv');
  }
  map(x: number): number {
    this.seen.inc();
    this.inKv.inc();
    this.last = x;
    this.histogram.update(x % 100);
    return x;
  }
}

class Endless extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; this.running; i++) await ctx.collect(i);
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (mode === 'count') {
  env
    .fromSequence(1, Number(nText))
    .map(new WithMetrics())
    .keyBy((x) => x % 4)
    .map((x) => x)
    .addSink({ invoke: () => {} })
    .name('counting sink');
  await env.execute('metrics count');
} else {
  env
    .addSource(new Endless())
    .keyBy((x) => x % 2)
    .addSink({
      invoke: () => {
        const until = Date.now() + 2;
        while (Date.now() < until) {
          // A slow sink: 2 ms of work per record.
        }
      },
    })
    .name('slow sink');
  await env.execute('metrics slow');
}
