/**
 * Real faults of a slot thread (issue #9, A7/A8/B1), one per mode (the first argument):
 *   exit <out> <N> <marks>      a map calls process.exit(3) once, on attempt 0, at the middle record
 *   uncaught <out> <N> <marks>  a map schedules a timer that throws (an uncaught exception) once
 *   block <out> <N> <marks>     a map blocks its thread for 5 s once (Atomics.wait): with a short
 *                               heartbeat.timeout the thread is taken as hung
 *   hang-sink                   a sink whose invoke never resolves after the first record: cancel
 *                               cannot end it (the cancellation watchdog must)
 *   gated <out> <N> <gate>      1..N through a keyBy, held at the middle until the gate file exists
 *                               (a test kills a TaskManager meanwhile)
 * The fault modes run 1..N (split over the subtasks, position in list state) through the map into a
 * FileSink (exactly once), parallelism 2, checkpoints every 50 ms; on attempt 0 the source holds the
 * middle record until a checkpoint completed, so the fault comes after one. Each map subtask appends
 * `<attempt> <subtask> <threadId>` to <marks> when it opens: a restart and a replaced thread show there.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import {
  BasePathBucketAssigner,
  FileSink,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  RichSinkFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  type CheckpointListener,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
} from 'miniflink';

const [mode, out, n, extra] = process.argv.slice(2);
const N = Number(n);
const MIDDLE = Math.floor(N / 4); // Subtask 0's range is 1..N/2: its middle.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 1..N split as fromSequence splits it, its position in list state; paced, so checkpoints happen while it runs. */
class Numbers extends RichParallelSourceFunction<number> implements CheckpointedFunction, CheckpointListener {
  private ranges: Array<[number, number]> | undefined;
  private state!: ListState<[number, number]>;
  private running = true;
  private checkpointed: (() => void) | undefined;
  private readonly firstCheckpoint = new Promise<void>((resolve) => (this.checkpointed = resolve));
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('ranges'));
    if (ctx.isRestored()) this.ranges = [...this.state.get()];
  }
  snapshotState(): void {
    this.state.update((this.ranges ?? []).filter(([a, b]) => a <= b));
  }
  notifyCheckpointComplete(): void {
    this.checkpointed?.();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const rc = this.getRuntimeContext();
    if (!this.ranges) {
      const p = rc.getNumberOfParallelSubtasks();
      const i = rc.getIndexOfThisSubtask();
      this.ranges = [[1 + Math.floor((N * i) / p), Math.floor((N * (i + 1)) / p)]];
    }
    for (const range of this.ranges) {
      while (range[0] <= range[1] && this.running) {
        const x = range[0];
        if (x === MIDDLE && rc.getAttemptNumber() === 0) await this.firstCheckpoint;
        if (mode === 'gated' && x === MIDDLE) while (!existsSync(extra!) && this.running) await sleep(20);
        if (x % 50 === 0) await sleep(5);
        range[0]++;
        await ctx.collect(x);
      }
    }
  }
  cancel(): void {
    this.running = false;
    this.checkpointed?.();
  }
}

/** Marks each attempt's thread; on attempt 0 causes the mode's fault at the middle record. */
class Fault extends RichMapFunction<number, number> {
  override open(): void {
    const rc = this.getRuntimeContext();
    if (mode !== 'gated') appendFileSync(extra!, `${rc.getAttemptNumber()} ${rc.getIndexOfThisSubtask()} ${threadId}\n`);
  }
  map(x: number): number {
    if (x !== MIDDLE || this.getRuntimeContext().getAttemptNumber() !== 0) return x;
    if (mode === 'exit') process.exit(3);
    if (mode === 'uncaught') {
      setTimeout(() => {
        throw new Error(`uncaught error thrown from a timer at record ${x}`);
      }, 0);
    }
    if (mode === 'block') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);
    return x;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (mode === 'hang-sink') {
  /** Every record after the first waits forever: the task cannot end when canceled. */
  class Hang extends RichSinkFunction<number> {
    private seen = 0;
    async invoke(): Promise<void> {
      if (++this.seen > 1) await new Promise<void>(() => {});
    }
  }
  env.setParallelism(1);
  env.fromSequence(1, 1_000_000).addSink(new Hang());
  await env.execute('hang-sink');
} else {
  env.setParallelism(2);
  env.enableCheckpointing(50);
  env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  const numbers = env.addSource(new Numbers(), 'Numbers').uid('numbers');
  // gated: through a keyed exchange, so the restarted attempt needs the data plane between replaced threads.
  (mode === 'gated' ? numbers.keyBy((x) => x % 7) : numbers)
    .map(new Fault())
    .uid('fault')
    .sinkTo(FileSink.forRowFormat<number>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
    .uid('files');
  await env.execute(`faults-${mode}`);
}
