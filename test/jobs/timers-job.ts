/**
 * Event-time timers at scale and across restores. A parallelism-1 source sends commands (register
 * or delete the event-time timer `ts` of key `k`) into a KeyedProcessFunction that applies them;
 * at the end of input the final watermark fires what is left, and each firing is collected as
 * `<subtask>|<key as JSON>|<timestamp>`. A timer of slot 0 registers a follow-up timer 1,000,000
 * later from onTimer, which the same final watermark fires. Commands come in two phases; the
 * source keeps its position in operator list state.
 *
 * Arguments: <mode> <keys> [<savepoint dir>]
 *   run     both phases, then the end of input
 *   fail    checkpoints every 50 ms; on attempt 0 the source waits at phase 2 for a completed
 *           checkpoint, then throws a few commands later, noting it in <marker file> (third
 *           argument). The restarted source refuses to start before phase 2: every phase-1 timer
 *           must come from the checkpoint
 *   stop    phase 1, then the source idles; the job stops with a savepoint (no drain: nothing
 *           fires) and prints `SAVEPOINT <path>`
 *   resume  run with -s <savepoint of stop>: the source goes on with phase 2 (it refuses to start
 *           without restored state, so every phase-1 timer must come from the savepoint)
 *   many    one processing-time timer an hour ahead and one event-time timer per key, for many
 *           keys: the job must end in seconds (prints `RESULT <number of timers fired>`)
 * Every mode but stop and many prints `RESULT <json of the collected firings, in arrival order>`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import {
  KeyedProcessFunction,
  ListStateDescriptor,
  RestartStrategies,
  RichSourceFunction,
  StreamExecutionEnvironment,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type SourceContext,
} from 'miniflink';

// savepointDir: the savepoint directory (stop), or the marker file (fail).
const [mode, keysArg, savepointDir] = process.argv.slice(2);
const K = Number(keysArg);

type Key = string | number;
type Command = { k: Key; op: 'reg' | 'del'; ts: number };

/** Key number i: strings and numbers mixed. */
const keyOf = (i: number): Key => (i % 2 === 0 ? i : `k${i}`);
/** Timer slot j of key number i (timers of different keys interleave). */
const tsOf = (i: number, j: number): number => 1000 + i * 3 + j * 10;

/** Phase 1 and phase 2 of the commands (timers.test.ts works out what survives). */
function phases(keys: number): [Command[], Command[]] {
  const one: Command[] = [];
  const two: Command[] = [];
  for (let i = 0; i < keys; i++) {
    const k = keyOf(i);
    for (const j of [3, 0, 5, 1, 2, 4, 0, 3]) one.push({ k, op: 'reg', ts: tsOf(i, j) }); // 0 and 3 twice
    one.push({ k, op: 'del', ts: tsOf(i, 2) });
  }
  for (let i = 0; i < keys; i++) {
    const k = keyOf(i);
    for (const j of [7, 6, 0, 8]) two.push({ k, op: 'reg', ts: tsOf(i, j) }); // 0 again, after the restore
    two.push({ k, op: 'del', ts: tsOf(i, 4) }); // a timer of phase 1
    two.push({ k, op: 'del', ts: tsOf(i, 8) });
    two.push({ k, op: 'del', ts: tsOf(i, 99) }); // none
  }
  return [one, two];
}

/** Commands of phase 1. */
const PHASE1 = phases(K)[0].length;

class Commands extends RichSourceFunction<Command> implements CheckpointedFunction, CheckpointListener {
  private position = 0;
  private state!: ListState<number>;
  private running = true;
  private checkpointed: (() => void) | undefined;
  /** Resolves once a checkpoint taken at phase 2 or later completed. */
  private readonly checkpoint = new Promise<void>((resolve) => (this.checkpointed = resolve));
  /** The first checkpoint taken at phase 2 or later. */
  private phase2Checkpoint = Infinity;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('position'));
    if (ctx.isRestored()) this.position = [...this.state.get()][0] ?? 0;
    else if (mode === 'resume') throw new Error('resume needs restored state (run with -s)');
  }
  snapshotState(ctx: { getCheckpointId(): number }): void {
    this.state.update([this.position]);
    if (this.position >= PHASE1) this.phase2Checkpoint = Math.min(this.phase2Checkpoint, ctx.getCheckpointId());
  }
  notifyCheckpointComplete(id: number): void {
    if (id >= this.phase2Checkpoint) this.checkpointed?.();
  }
  async run(ctx: SourceContext<Command>): Promise<void> {
    const [one, two] = phases(K);
    const all = [...one, ...two];
    const attempt = this.getRuntimeContext().getAttemptNumber();
    if (mode === 'fail' && attempt > 0 && this.position < one.length) throw new Error(`restored at command ${this.position}, before phase 2`);
    while (this.position < all.length && this.running) {
      if (this.position === one.length) {
        if (mode === 'stop') {
          writeFileSync(`${savepointDir}.ready`, '');
          while (this.running) await new Promise((resolve) => setTimeout(resolve, 20));
          return;
        }
        if (mode === 'fail' && attempt === 0) await this.checkpoint;
      }
      if (mode === 'fail' && attempt === 0 && this.position === one.length + 5) {
        writeFileSync(savepointDir!, 'failed\n');
        throw new Error('failing once, as planned');
      }
      // Position first: a snapshot taken while collect waits counts the command as sent.
      const c = all[this.position++]!;
      await ctx.collect(c);
      if (this.position % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
  cancel(): void {
    this.running = false;
    this.checkpointed?.();
  }
}

class Apply extends KeyedProcessFunction<Key, Command, string> {
  processElement(c: Command, ctx: KeyedProcessContext<Key>): void {
    const timers = ctx.timerService();
    if (c.op === 'reg') timers.registerEventTimeTimer(c.ts);
    else timers.deleteEventTimeTimer(c.ts);
  }
  override onTimer(ts: number, ctx: OnTimerContext<Key>, out: Collector<string>): void {
    const i = typeof ctx.getCurrentKey() === 'number' ? (ctx.getCurrentKey() as number) : Number(String(ctx.getCurrentKey()).slice(1));
    if (ts === tsOf(i, 0)) ctx.timerService().registerEventTimeTimer(ts + 1_000_000);
    out.collect(`${this.getRuntimeContext().getIndexOfThisSubtask()}|${JSON.stringify(ctx.getCurrentKey())}|${ts}`);
  }
}

/** 'many': per key, a processing-time timer an hour ahead and an event-time timer; counts firings. */
class Many extends KeyedProcessFunction<number, number, number> {
  processElement(x: number, ctx: KeyedProcessContext<number>): void {
    const timers = ctx.timerService();
    timers.registerProcessingTimeTimer(timers.currentProcessingTime() + 3_600_000 + (x % 1000));
    timers.registerEventTimeTimer(x);
  }
  override onTimer(ts: number, _ctx: OnTimerContext<number>, out: Collector<number>): void {
    if (ts % 1000 === 0) out.collect(ts);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (mode === 'many') {
  const fired = await env.fromSequence(1, K).keyBy((x) => x).process(new Many()).executeAndCollect('timers-many');
  console.log(`RESULT ${fired.length}`);
} else {
  if (mode === 'fail') {
    env.enableCheckpointing(50);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  }
  const firings = env
    .addSource(new Commands(), 'Commands')
    .uid('commands')
    .setParallelism(1)
    .keyBy((c) => c.k)
    .process(new Apply())
    .uid('apply');
  if (mode === 'stop') {
    firings.print();
    const client = await env.executeAsync('timers-stop');
    while (!existsSync(`${savepointDir}.ready`)) await new Promise((resolve) => setTimeout(resolve, 20));
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
    console.log(`RESULT ${JSON.stringify(await firings.executeAndCollect(`timers-${mode}`))}`);
  }
}
