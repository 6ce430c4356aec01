// For the reporter tests: <n> numbers from a parallel source that then idles until canceled (the
// job keeps running, so its metrics are reported), through two chained flatMaps both named "X"
// (the first emits each number twice, the second keeps one of the two) into "counting sink". The
// map before them counts in a user counter `mine.seen`, and per subtask in `seenHere` under the
// key-value group addGroup('shard', <subtask index>); and counters under odd keys (see open()).
import { RichMapFunction, RichParallelSourceFunction, StreamExecutionEnvironment, type Collector, type Counter, type SourceContext } from 'miniflink';

const n = Number(process.argv[2] ?? '1000');

class Numbers extends RichParallelSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    for (let x = rc.getIndexOfThisSubtask(); x < n && this.running; x += rc.getNumberOfParallelSubtasks()) await ctx.collect(x);
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  cancel(): void {
    this.running = false;
  }
}

class Seen extends RichMapFunction<number, number> {
  private seen!: Counter;
  private here!: Counter;
  override open(): void {
    const g = this.getRuntimeContext().getMetricGroup();
    this.seen = g.addGroup('mine').counter('seen');
    this.here = g.addGroup('shard', this.getRuntimeContext().getIndexOfThisSubtask()).counter('seenHere');
    // Odd keys: one named like a system label, one empty, one used twice on the path.
    g.addGroup('subtask_index', 'mine').counter('clash').inc(7);
    g.addGroup('', 'v').counter('emptyKey').inc(3);
    g.addGroup('twice', 'outer').addGroup('twice', 'inner').counter('nested').inc(5);
    // One Prometheus name, two label sets: a group `zone` and a key-value group `zone`.
    g.addGroup('zone').counter('hits').inc(1);
    g.addGroup('zone', 'z1').counter('hits').inc(2);
  }
  map(x: number): number {
    this.seen.inc();
    this.here.inc();
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .addSource(new Numbers())
  .name('Numbers')
  .map(new Seen())
  .flatMap((x: number, out: Collector<[number, string]>) => {
    out.collect([x, 'a']);
    out.collect([x, 'b']);
  })
  .name('X')
  .flatMap((p: [number, string], out: Collector<number>) => {
    if (p[1] === 'a') out.collect(p[0]);
  })
  .name('X')
  .addSink({ invoke: () => {} })
  .name('counting sink');
await env.execute('reporter job');
