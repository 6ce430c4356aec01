/**
 * Issue #9 (A4): an intermediate savepoint is neither told to CheckpointListeners nor what a
 * restart restores. A paced sequence into a sink that logs `snapshot <id>` at each snapshot,
 * `notify <id>` on notifyCheckpointComplete, and `restored <id>` (the id of the snapshot its state
 * came from) on restore. The program waits for a completed checkpoint, takes a savepoint (logging
 * `savepoint <path>`), then makes the sink fail once; the job restarts and runs to the end.
 * Arguments: <log file (new)> <savepoint dir>
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  ListStateDescriptor,
  RestartStrategies,
  RichSinkFunction,
  RichSourceFunction,
  StreamExecutionEnvironment,
  type CheckpointedFunction,
  type CheckpointListener,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [log, savepointDir] = process.argv.slice(2) as [string, string];
const flag = `${log}.fail`;
const N = 600;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 1..N, one record every 5 ms, the next one in operator state. */
class Paced extends RichSourceFunction<number> implements CheckpointedFunction {
  private next = 1;
  private running = true;
  private state!: ListState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    if (ctx.isRestored()) this.next = [...this.state.get()][0] ?? 1;
  }
  snapshotState(): void {
    this.state.update([this.next]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.next <= N) {
      await ctx.collect(this.next++);
      await sleep(5);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/** Logs snapshots, completions and restores; fails once on the first attempt once the flag file exists. */
class Recorder extends RichSinkFunction<number> implements CheckpointedFunction, CheckpointListener {
  private state!: ListState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('snapshot-id'));
    if (ctx.isRestored()) appendFileSync(log, `restored ${[...this.state.get()][0]}\n`);
  }
  snapshotState(ctx: FunctionSnapshotContext): void {
    this.state.update([ctx.getCheckpointId()]);
    appendFileSync(log, `snapshot ${ctx.getCheckpointId()}\n`);
  }
  notifyCheckpointComplete(checkpointId: number): void {
    appendFileSync(log, `notify ${checkpointId}\n`);
  }
  invoke(x: number): void {
    if (this.getRuntimeContext().getAttemptNumber() === 0 && existsSync(flag)) throw new Error(`injected failure at record ${x}, after the savepoint`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(150);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 100));
env.addSource(new Paced(), 'Paced').uid('paced').addSink(new Recorder()).uid('recorder');
// Top-level code also runs in slot threads (to rebuild the graph): the log is appended to, never truncated.
const client = await env.executeAsync('recovery-savepoint');
while (!existsSync(log) || !readFileSync(log, 'utf8').includes('notify ')) await sleep(20);
let path = '';
for (let i = 0; path === ''; i++) {
  try {
    path = await client.triggerSavepoint(savepointDir);
  } catch (e) {
    if (i >= 50) throw e;
    await sleep(50);
  }
}
writeFileSync(flag, '');
appendFileSync(log, `savepoint ${path}\n`);
await client.getJobExecutionResult();
console.log('DONE');
