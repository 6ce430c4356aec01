// Runs two jobs one after the other, as a client program does: the first collects its records
// back (executeAndCollect), the second counts records in an accumulator; the program prints what
// came back and the -D setting it sees. Used with `run -m` (the program runs in the client) and -t local.
import { IntCounter, RichMapFunction, StreamExecutionEnvironment } from 'miniflink';

class Counting extends RichMapFunction<number, number> {
  private readonly seen = new IntCounter();
  override open(): void {
    this.getRuntimeContext().addAccumulator('seen', this.seen);
  }
  map(v: number): number {
    this.seen.add(1);
    return v;
  }
}

const n = Number(process.argv[2] ?? 1000);
const first = StreamExecutionEnvironment.getExecutionEnvironment();
const squares = await first
  .fromSequence(1, n)
  .map((x) => ({ x, sq: x * x }))
  .keyBy((r) => r.x % 7)
  .executeAndCollect();
const second = StreamExecutionEnvironment.getExecutionEnvironment();
second.fromSequence(1, n * 2).map(new Counting()).addSink({ invoke: () => {} });
const r = await second.execute('client-job-second');
console.log(
  `RESULT ${JSON.stringify({
    collected: squares.length,
    sumSq: squares.reduce((a, s) => a + s.sq, 0),
    distinct: new Set(squares.map((s) => s.x)).size,
    seen: r.getAccumulatorResult('seen'),
    setting: second.configuration['pipeline.name.extra'] ?? null,
  })}`,
);
