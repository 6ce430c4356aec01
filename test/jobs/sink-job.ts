// print() and a RichSinkFunction appending to a file (argument), plus accumulators; run with -c.
import { appendFileSync } from 'node:fs';
import { IntCounter, RichMapFunction, RichSinkFunction, StreamExecutionEnvironment } from 'miniflink';

class FileAppender extends RichSinkFunction<string> {
  constructor(private readonly file: string) {
    super();
  }
  invoke(v: string): void {
    appendFileSync(this.file, `${v}\n`);
  }
}

class Counting extends RichMapFunction<number, string> {
  private readonly seen = new IntCounter();
  override open(): void {
    this.getRuntimeContext().addAccumulator('seen', this.seen);
  }
  map(v: number): string {
    this.seen.add(1);
    return `n${v}`;
  }
}

/** The entry point for `-c main`. */
export async function main(args: string[]): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const s = env.fromSequence(1, 6).map(new Counting());
  s.print();
  s.addSink(new FileAppender(args[0]!));
  const r = await env.execute('sinks');
  console.log(`RESULT ${JSON.stringify({ seen: r.getAccumulatorResult('seen') })}`);
}
