/**
 * Windows that fire while an endless source runs: the job never ends by itself, so every result
 * executeAndCollect(limit) gets was emitted by a window during the run (then the job is canceled).
 *   event       event n: key k<n % 3>, value n, timestamp n * 10, the watermark n * 10 after it;
 *               tumbling event-time windows of 100, sum of value         -> [key, start, sum]
 *   processing  no timestamps; tumbling processing-time windows of 200 ms, count per key
 *                                                                         -> [key, start, count]
 * Arguments: <event|processing> <limit>. Prints `RESULT <json>`.
 */
import {
  RichSourceFunction,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  Watermark,
  type Collector,
  type SourceContext,
  type TimeWindow,
} from 'miniflink';

const [mode, limit] = process.argv.slice(2);

class Endless extends RichSourceFunction<{ key: string; value: number }> {
  private running = true;
  async run(ctx: SourceContext<{ key: string; value: number }>): Promise<void> {
    for (let n = 0; this.running; n++) {
      const e = { key: `k${n % 3}`, value: n };
      if (mode === 'event') {
        await ctx.collectWithTimestamp(e, n * 10);
        ctx.emitWatermark(new Watermark(n * 10));
      } else {
        await ctx.collect(e);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
// The collect sink ships its records at each checkpoint (or every 1,024 records).
env.enableCheckpointing(100);
const keyed = env.addSource(new Endless()).keyBy((e) => e.key);
const windowed =
  mode === 'event'
    ? keyed.window(TumblingEventTimeWindows.of(100)).reduce(
        (a, b) => ({ key: a.key, value: a.value + b.value }),
        (key: string, w: TimeWindow, input: Iterable<{ value: number }>, out: Collector<[string, number, number]>) => {
          for (const s of input) out.collect([key, w.getStart(), s.value]);
        },
      )
    : keyed.window(TumblingProcessingTimeWindows.of(200)).process((key: string, ctx, elements: Iterable<unknown>, out: Collector<[string, number, number]>) => {
        out.collect([key, ctx.window().getStart(), [...elements].length]);
      });
const results = await windowed.executeAndCollect(Number(limit));
console.log(`RESULT ${JSON.stringify(results)}`);
