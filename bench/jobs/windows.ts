/**
 * Benchmark job: an event source (record n: key n % 10,000, value n & 7, event time n / 10 ms plus
 * a 5 s pause every 1,000,000 records, a watermark every 1,000 records) -> keyBy(key) -> one of:
 *   keyed     sum('value')                                             (the baseline: a rolling sum)
 *   tumbling  window(TumblingEventTimeWindows.of(60 s)).sum('value')   (60 records per key and window)
 *   session   window(EventTimeSessionWindows.withGap(2 s)).sum('value') (sessions end at each pause)
 * -> discarding sink. Object reuse on (as the keyed bench job's goal row).
 * Arguments: <records> <keyed|tumbling|session> [parallelism] [leveldb]
 */
import {
  DiscardingSink,
  EventTimeSessionWindows,
  LevelDbStateBackend,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Watermark,
  type SourceContext,
} from 'miniflink';

const [n, mode, p] = process.argv.slice(2);

type Event = { key: number; value: number };

/** The events, split over the source subtasks by record number. */
class EventSource extends RichParallelSourceFunction<Event> {
  private running = true;
  constructor(private readonly count: number) {
    super();
  }
  async run(ctx: SourceContext<Event>): Promise<void> {
    const rc = this.getRuntimeContext();
    const step = rc.getNumberOfParallelSubtasks();
    for (let i = rc.getIndexOfThisSubtask(), k = 0; i < this.count && this.running; i += step, k++) {
      const ts = Math.floor(i / 10) + 5000 * Math.floor(i / 1_000_000);
      const wait = ctx.collectWithTimestamp({ key: i % 10_000, value: i & 7 }, ts);
      if (k % 1000 === 999) ctx.emitWatermark(new Watermark(ts - 1));
      if (wait) await wait;
    }
  }
  cancel(): void {
    this.running = false;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(Number(p ?? 1));
env.getConfig().enableObjectReuse();
if (process.argv.includes('leveldb')) env.setStateBackend(new LevelDbStateBackend());
const keyed = env.addSource(new EventSource(Number(n))).keyBy((e) => e.key);
const out =
  mode === 'tumbling'
    ? keyed.window(TumblingEventTimeWindows.of(60_000)).sum('value')
    : mode === 'session'
      ? keyed.window(EventTimeSessionWindows.withGap(2000)).sum('value')
      : keyed.sum('value');
out.addSink(new DiscardingSink());
await env.execute(`bench-windows-${mode}`);
