/**
 * A hand-written two-phase-commit sink (Flink's TwoPhaseCommitSinkFunction pattern) whose commit
 * in notifyCheckpointComplete is asynchronous and slower (40 ms) than the checkpoint interval
 * (20 ms): records buffered per transaction, pre-committed at snapshotState, appended to <out> at
 * commit. As in Flink's mailbox, a notification must run alone: no invoke, snapshot or other
 * notification while it runs (found by a review: each transaction was committed several times).
 * Prints `RESULT {lines, distinct}` and the overlaps seen.
 *   stop  (chained) the job is stopped with a savepoint into <out>.sp after 1.5 s, its commit taking
 *         300 ms: the savepoint's own notification runs (and commits) before close(), as Flink's
 *         synchronous savepoint has it; prints `CLOSED {received, uncommitted}`
 * Arguments: <out file> <N> chained|keyed|stop
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import {
  ListStateDescriptor,
  RichSinkFunction,
  RichSourceFunction,
  StreamExecutionEnvironment,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [out, n, mode] = process.argv.slice(2);
const N = Number(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Paced extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let x = 1; x <= N && this.running; x++) {
      await ctx.collect(x);
      if (x % 50 === 0) await sleep(10);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

let inNotify = 0;
const overlaps = { snapshot: 0, invoke: 0, notify: 0 };

class TwoPhase extends RichSinkFunction<number> {
  private tx: number[] = [];
  private readonly pending = new Map<number, number[]>();
  private state!: ListState<[number, number[]]>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number[]]>('pending'));
    for (const [id, tx] of this.state.get()) this.pending.set(id, tx);
  }
  private received = 0;
  invoke(x: number): void {
    if (inNotify > 0) overlaps.invoke++;
    this.received++;
    this.tx.push(x);
  }
  snapshotState(ctx: FunctionSnapshotContext): void {
    if (inNotify > 0) overlaps.snapshot++;
    this.pending.set(ctx.getCheckpointId(), this.tx);
    this.tx = [];
    this.state.update([...this.pending]);
  }
  async notifyCheckpointComplete(id: number): Promise<void> {
    if (inNotify > 0) overlaps.notify++;
    inNotify++;
    try {
      for (const [cid, tx] of [...this.pending]) {
        if (cid > id) continue;
        await sleep(mode === 'stop' ? 300 : 40);
        if (tx.length > 0) appendFileSync(out!, `${tx.join('\n')}\n`);
        this.pending.delete(cid);
      }
    } finally {
      inNotify--;
    }
  }
  override close(): void {
    console.log(`OVERLAPS ${JSON.stringify(overlaps)}`);
    console.log(`CLOSED ${JSON.stringify({ received: this.received, uncommitted: this.tx.length + [...this.pending.values()].reduce((n, t) => n + t.length, 0) })}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(mode === 'stop' ? 100 : 20);
const numbers = env.addSource(new Paced());
(mode === 'keyed' ? numbers.keyBy((x) => x % 3) : numbers).addSink(new TwoPhase());
if (mode === 'stop') {
  const client = await env.executeAsync('async notify stop');
  await sleep(1500);
  await client.stopWithSavepoint(false, `${out}.sp`);
} else {
  await env.execute(`async notify ${mode}`);
}
const lines = existsSync(out!) ? readFileSync(out!, 'utf8').split('\n').filter((l) => l !== '') : [];
console.log(`RESULT ${JSON.stringify({ lines: lines.length, distinct: new Set(lines).size })}`);
