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
 *   concurrent  (chained) two checkpoints in progress at once (max-concurrent 2), every 10 ms, each
 *         commit 30 ms: records go on between notifications (found by a re-review: the source
 *         waited for every notification, and new ones kept coming, so it never resumed)
 *   stopfail  (keyed) as stop, but a notification of attempt 0 for a checkpoint before the first one
 *         snapshot after the stop was asked for throws: the task fails, and no later notification of attempt 0 runs (found by a
 *         re-review: the stopped task's queued notifications, the savepoint's among them, still
 *         committed beside the next attempt); each notification is logged to <out>.log
 *   asyncinvoke  (keyed) the sink's invoke is async too (1 ms): no record is taken while a notification
 *         runs (found by a re-review: a notification that started as an invoke settled ran beside the next record)
 *   cancel  (chained) the job is canceled after 1.5 s, during a 300 ms commit: close() runs after the
 *         commit returned, not beside it (found by a review); counted as `close` in the overlaps
 *   unaligned  (keyed) unaligned checkpoints every 10 ms, each commit 50 ms, a source that never
 *         sleeps: records go on between notifications (found by a re-review: the sink took the
 *         unaligned barriers between back-to-back notifications and no record; 100,000 did not end in 60 s)
 *   unaligned-async  as unaligned, with an async snapshotState (3 ms) and 30 ms commits (found by a
 *         review: the notification waiting for a snapshot started as it ended, before any record)
 *   overlapping  (chained) three checkpoints at once (max-concurrent 3) every 10 ms, an async snapshotState
 *         of 15 ms (longer than the interval, so snapshots come back to back) and 30 ms commits: the
 *         notifications still run (found by a review: none ran, and the job never finished)
 *   finish  (chained) the sink's finish() is async (300 ms), checkpoints every 10 ms: no snapshot or
 *         notification runs during it (Flink runs finish() in the mailbox); counted as `finish`
 *   cancelfinish  (chained) the job is canceled during the sink's async finish() (1.5 s): finish()
 *         ends, then close() runs, and only then is the job CANCELED (a review saw CANCELED without
 *         close(), which its harness had not waited for); the order goes to <out>.log, printed as LOG
 *   stopfinish  (chained) as cancelfinish, but the job is stopped with a savepoint (no drain): the
 *         savepoint is the last snapshot, and it is notified before close() (a review once saw a
 *         checkpoint after the stop's savepoint, never notified); snapshots and notifications logged
 *   stopfinishfail  as stopfinish, with a finish() of 300 ms, an async snapshotState of 1 s (the first one after finish()) and
 *         checkpoints that time out after 500 ms: the input ends while the stop's savepoint is in
 *         flight, the savepoint fails, and the job then takes its final checkpoint and finishes,
 *         every record committed
 * Arguments: <out file> <N> chained|keyed|stop|concurrent|stopfail|asyncinvoke|cancel|unaligned|unaligned-async|overlapping|finish|cancelfinish|stopfinish|stopfinishfail
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

const [out, n, mode = ''] = process.argv.slice(2);

/** Each mode's job: sink behind a keyBy or chained, checkpoint interval, commit and snapshotState times (ms), checkpoints at once, unaligned, a source that sleeps 10 ms every 50 records. */
type Settings = { keyed: boolean; interval: number; commitMs: number; snapshotMs: number; maxConcurrent: number; unaligned: boolean; paced: boolean };
const base: Settings = { keyed: false, interval: 20, commitMs: 40, snapshotMs: 0, maxConcurrent: 1, unaligned: false, paced: true };
const MODES: Record<string, Partial<Settings>> = {
  chained: {},
  keyed: { keyed: true },
  stop: { interval: 100, commitMs: 300 },
  concurrent: { interval: 10, commitMs: 30, maxConcurrent: 2, paced: false },
  stopfail: { keyed: true, interval: 100, commitMs: 300 },
  asyncinvoke: { keyed: true },
  cancel: { interval: 100, commitMs: 300 },
  unaligned: { keyed: true, interval: 10, commitMs: 50, unaligned: true, paced: false },
  'unaligned-async': { keyed: true, interval: 10, commitMs: 30, snapshotMs: 3, unaligned: true, paced: false },
  overlapping: { interval: 10, commitMs: 30, snapshotMs: 15, maxConcurrent: 3 },
  finish: { interval: 10 },
  cancelfinish: { interval: 100 },
  stopfinish: { interval: 100 },
  stopfinishfail: { interval: 100 },
};
if (!(mode in MODES)) throw new Error(`unknown mode ${mode}: one of ${Object.keys(MODES).join('|')}`);
const settings: Settings = { ...base, ...MODES[mode] };
const N = Number(n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Paced extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let x = 1; x <= N && this.running; x++) {
      await ctx.collect(x);
      if (x % 50 === 0 && settings.paced) await sleep(10);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

let inNotify = 0;
const overlaps = { snapshot: 0, invoke: 0, notify: 0, close: 0, finish: 0 };
let inFinish = 0;

class TwoPhase extends RichSinkFunction<number> {
  private tx: number[] = [];
  private readonly pending = new Map<number, number[]>();
  private state!: ListState<[number, number[]]>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number[]]>('pending'));
    for (const [id, tx] of this.state.get()) this.pending.set(id, tx);
  }
  private received = 0;
  invoke(x: number): void | Promise<void> {
    if (inNotify > 0) overlaps.invoke++;
    this.received++;
    if (mode === 'asyncinvoke') return sleep(1).then(() => void this.tx.push(x));
    this.tx.push(x);
  }
  private snapshotAfterStop: number | undefined;
  private finished = false;
  private slowed = false;
  snapshotState(ctx: FunctionSnapshotContext): void | Promise<void> {
    if (inNotify > 0) overlaps.snapshot++;
    if (inFinish > 0) overlaps.finish++;
    if (mode === 'stopfail' && existsSync(`${out}.stopping`)) this.snapshotAfterStop ??= ctx.getCheckpointId();
    if (mode.startsWith('stopfinish')) appendFileSync(`${out}.log`, `snapshot ${ctx.getCheckpointId()}\n`);
    this.pending.set(ctx.getCheckpointId(), this.tx);
    this.tx = [];
    this.state.update([...this.pending]);
    // A pre-commit that takes a while.
    if (settings.snapshotMs > 0) return sleep(settings.snapshotMs).then(() => undefined);
    if (mode === 'stopfinishfail' && this.finished && !this.slowed) {
      this.slowed = true;
      return sleep(1000).then(() => undefined);
    }
  }
  async notifyCheckpointComplete(id: number): Promise<void> {
    if (inNotify > 0) overlaps.notify++;
    if (inFinish > 0) overlaps.finish++;
    inNotify++;
    const attempt = this.getRuntimeContext().getAttemptNumber();
    if (mode === 'stopfail') appendFileSync(`${out}.log`, `NOTIFY ${id} attempt=${attempt}\n`);
    if (mode.startsWith('stopfinish')) appendFileSync(`${out}.log`, `notify ${id}\n`);
    try {
      // The notification of the stop's savepoint (or of a checkpoint taken after the stop was asked for) fails.
      if (mode === 'stopfail' && attempt === 0 && this.snapshotAfterStop !== undefined && id >= this.snapshotAfterStop) {
        await sleep(300);
        appendFileSync(`${out}.log`, `THROW ${id} attempt=${attempt}\n`);
        throw new Error(`commit ${id} failed`);
      }
      for (const [cid, tx] of [...this.pending]) {
        if (cid > id) continue;
        await sleep(settings.commitMs);
        if (tx.length > 0) appendFileSync(out!, `${tx.join('\n')}\n`);
        this.pending.delete(cid);
      }
    } finally {
      inNotify--;
    }
  }
  override async finish(): Promise<void> {
    if (mode === 'cancelfinish' || mode.startsWith('stopfinish')) {
      appendFileSync(`${out}.log`, 'finish start\n');
      await sleep(mode === 'stopfinishfail' ? 300 : 1500);
      appendFileSync(`${out}.log`, 'finish end\n');
      this.finished = true;
      return;
    }
    if (mode !== 'finish') return;
    inFinish++;
    try {
      await sleep(300);
    } finally {
      inFinish--;
    }
  }
  override close(): void {
    if (mode === 'cancelfinish' || mode.startsWith('stopfinish')) appendFileSync(`${out}.log`, 'close\n');
    if (inNotify > 0) overlaps.close++;
    console.log(`OVERLAPS ${JSON.stringify(overlaps)}`);
    console.log(`CLOSED ${JSON.stringify({ received: this.received, uncommitted: this.tx.length + [...this.pending.values()].reduce((n, t) => n + t.length, 0) })}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.enableCheckpointing(settings.interval);
if (settings.unaligned) env.getCheckpointConfig().enableUnalignedCheckpoints();
if (mode === 'stopfinishfail') {
  env.getCheckpointConfig().setCheckpointTimeout(500);
  env.getCheckpointConfig().setTolerableCheckpointFailureNumber(100);
}
if (settings.maxConcurrent > 1) env.getCheckpointConfig().setMaxConcurrentCheckpoints(settings.maxConcurrent);
const numbers = env.addSource(new Paced());
(settings.keyed ? numbers.keyBy((x) => x % 3) : numbers).addSink(new TwoPhase());
if (mode === 'stop') {
  const client = await env.executeAsync('async notify stop');
  await sleep(1500);
  await client.stopWithSavepoint(false, `${out}.sp`);
} else if (mode === 'cancel') {
  const client = await env.executeAsync('async notify cancel');
  await sleep(1500);
  await client.cancel();
  // The canceled sink's close() prints its OVERLAPS line.
  await sleep(1000);
  process.exit(0);
} else if (mode === 'cancelfinish' || mode.startsWith('stopfinish')) {
  // The order of what happens in the slot thread and here goes to one log.
  const log = (line: string) => appendFileSync(`${out}.log`, `${line}\n`);
  const client = await env.executeAsync(`async notify ${mode}`);
  while (!(existsSync(`${out}.log`) && readFileSync(`${out}.log`, 'utf8').includes('finish start'))) await sleep(20);
  if (mode === 'cancelfinish') {
    log('cancel');
    await client.cancel();
    for (let status = await client.getJobStatus(); status !== 'CANCELED'; status = await client.getJobStatus()) await sleep(20);
    log('CANCELED');
  } else {
    log('stop');
    const stop = await client.stopWithSavepoint(false, `${out}.sp`).then(
      () => 'stopped',
      () => 'stop failed',
    );
    log(stop);
    if (mode === 'stopfinishfail') {
      await client.getJobExecutionResult();
      log('FINISHED');
    }
  }
  console.log(`LOG ${JSON.stringify(readFileSync(`${out}.log`, 'utf8').split('\n').filter((l) => l !== ''))}`);
  if (mode !== 'stopfinishfail') process.exit(0);
} else if (mode === 'stopfail') {
  const client = await env.executeAsync('async notify stop failing');
  await sleep(1500);
  writeFileSync(`${out}.stopping`, '');
  const stop = await client.stopWithSavepoint(false, `${out}.sp`).then(
    () => 'stopped',
    (e: unknown) => `failed: ${(e as Error).message}`,
  );
  console.log(`STOP ${JSON.stringify(stop)}`);
  await client.cancel().catch(() => {});
  // Anything the old attempt still ran after its failure lands in the log meanwhile.
  await sleep(1000);
  console.log(`LOG ${JSON.stringify(readFileSync(`${out}.log`, 'utf8').split('\n').filter((l) => l !== ''))}`);
  process.exit(0);
} else {
  await env.execute(`async notify ${mode}`);
}
const lines = existsSync(out!) ? readFileSync(out!, 'utf8').split('\n').filter((l) => l !== '') : [];
console.log(`RESULT ${JSON.stringify({ lines: lines.length, distinct: new Set(lines).size })}`);
