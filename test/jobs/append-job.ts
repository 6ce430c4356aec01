/**
 * A sequence appended record by record to a file by a plain (not two-phase-commit) sink, stopped
 * with a savepoint after a while. With Flink's synchronous stop-with-savepoint the source emits
 * nothing after the savepoint's barrier, so a job restored from the savepoint goes on exactly
 * where the file ends: no record twice, none lost.
 * Arguments: <file> <savepoint dir> [<pause ms>]. Prints `SAVEPOINT <path>` and `STATES <json>`.
 */
import { appendFileSync } from 'node:fs';
import { RichSinkFunction, StreamExecutionEnvironment } from 'miniflink';

const [file, savepointDir, pauseText] = process.argv.slice(2);
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

class Appender extends RichSinkFunction<number> {
  invoke(v: number): void {
    appendFileSync(file!, `${v}\n`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(100);
env
  .fromSequence(1, 1_000_000_000)
  .uid('numbers')
  .map((x) => {
    if (x % 100 === 0) Atomics.wait(PAUSE, 0, 0, 2); // ~50,000 records/s
    return x;
  })
  .addSink(new Appender())
  .uid('append');
const client = await env.executeAsync('append-job');
await new Promise((resolve) => setTimeout(resolve, Number(pauseText ?? 600)));
let path = '';
for (let i = 0; path === ''; i++) {
  try {
    path = await client.stopWithSavepoint(false, savepointDir);
  } catch (e) {
    if (i >= 50 || !String((e as Error).message).includes('Not all tasks')) throw e;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
await client.getJobExecutionResult();
console.log(`SAVEPOINT ${path}`);
