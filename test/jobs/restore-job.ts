/**
 * savepoint-job.ts with bigger state (each key's count kept with 60 bytes of padding), so that
 * every subtask's state file is larger than the inline threshold even when the savepoint comes
 * early (restore-state.test.ts deletes state files).
 * A long sequence through keyBy (many keys) and a counting KeyedProcessFunction into a FileSink.
 * Arguments: <out dir> <records> <keys> stop <savepoint dir>   -> runs, stops with a savepoint
 *            <out dir> <records> <keys> run                    -> runs to the end (also with -s)
 */
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ValueState,
} from 'miniflink';

const [out, n, keys, mode, savepointDir] = process.argv.slice(2);
const K = Number(keys);
const SLOW = process.argv.includes('slow');
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
const PAD = 'x'.repeat(60);

class Count extends KeyedProcessFunction<number, number, string> {
  private count!: ValueState<[number, string]>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<[number, string]>('count'));
  }
  processElement(x: number, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    // 'slow': at most ~200,000 records/s per subtask, so a cluster test can act while it runs.
    if (SLOW && x % 1000 === 0) Atomics.wait(PAUSE, 0, 0, 5);
    const c = (this.count.value()?.[0] ?? 0) + 1;
    this.count.update([c, PAD]);
    outc.collect(`${x},${ctx.getCurrentKey()},${c}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(200);
env
  .fromSequence(1, Number(n))
  .uid('numbers')
  .keyBy((x) => x % K)
  .process(new Count())
  .uid(process.argv.includes('rename') ? 'count-renamed' : 'count')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
if (mode === 'stop') {
  const client = await env.executeAsync('restore-job');
  await new Promise((resolve) => setTimeout(resolve, 400));
  // A savepoint needs every task running: on a busy machine deployment may take longer than the pause.
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
} else {
  await env.execute('restore-job');
}
