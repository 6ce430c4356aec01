/**
 * Keys by value across a failure and a restore: 1..N (split over the subtasks, position in list
 * state, paced) through a map that fails once, on attempt 0 at the middle record after a checkpoint
 * completed, into two KeyedProcessFunctions keyed by
 *   date       new Date(x % 2)
 *   composite  ['g', BigInt(x % 3), new Map([['parity', x % 2]])]
 * Each sums its key's records in ValueState, emitting the running sum, and registers an event-time
 * timer at its key's first record only (so after the restore, a restored key's timer is the
 * restored one), which fires at the end of the input and reports the key as ctx.getCurrentKey()
 * gives it there: its type, its value, the sum, and the attempt.
 * Prints `RESULT {"sums": {"<tag> <key>": final running sum}, "keyTypes": [types processElement
 * saw], "timers": [reports]}`. Arguments: <backend hashmap|leveldb> <N>
 */
import {
  HashMapStateBackend,
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const [backend, n] = process.argv.slice(2);
const N = Number(n ?? 2000);
const MIDDLE = Math.floor(N / 4); // Subtask 0's range is 1..N/p: early in it at any parallelism.
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

/** Fails once: on attempt 0, at the middle record (which waited for a completed checkpoint). */
class FailOnce extends RichMapFunction<number, number> {
  map(x: number): number {
    if (x === MIDDLE && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error(`injected failure at record ${x}`);
    return x;
  }
}

type Report = { tag: string; type: string; key: string; sum: number | null; attempt: number; timer: boolean };

/** What a key is, for the report: its type and value. */
function describeKey(k: unknown): [string, string] {
  if (k instanceof Date) return ['Date', String(k.getTime())];
  if (Array.isArray(k) && k.length === 3 && typeof k[1] === 'bigint' && k[2] instanceof Map) return ['[string,bigint,Map]', `${String(k[0])},${k[1]}n,${JSON.stringify([...k[2]])}`];
  return [Object.prototype.toString.call(k), String(k)];
}

class SumAtEnd extends KeyedProcessFunction<unknown, number, Report> {
  private sum!: ValueState<number>;
  constructor(private readonly tag: string) {
    super();
  }
  override open(): void {
    this.sum = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('sum'));
  }
  processElement(x: number, ctx: KeyedProcessContext<unknown>, out: Collector<Report>): void {
    const [type, key] = describeKey(ctx.getCurrentKey());
    const s = this.sum.value();
    // Empty state reads null (Flink's) or undefined.
    if (s === undefined || s === null) ctx.timerService().registerEventTimeTimer(1);
    this.sum.update((s ?? 0) + x);
    out.collect({ tag: this.tag, type, key, sum: (s ?? 0) + x, attempt: this.getRuntimeContext().getAttemptNumber(), timer: false });
  }
  override onTimer(_ts: number, ctx: OnTimerContext<unknown>, out: Collector<Report>): void {
    const [type, key] = describeKey(ctx.getCurrentKey());
    out.collect({ tag: this.tag, type, key, sum: this.sum.value() ?? null, attempt: this.getRuntimeContext().getAttemptNumber(), timer: true });
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
env.setStateBackend(backend === 'leveldb' ? new LevelDbStateBackend() : new HashMapStateBackend());
const numbers = env.addSource(new Numbers(), 'Numbers').uid('numbers').map(new FailOnce()).uid('fail-once');
const byDate = numbers
  .keyBy((x) => new Date(x % 2))
  .process(new SumAtEnd('date'))
  .uid('by-date');
const byComposite = numbers
  .keyBy((x) => ['g', BigInt(x % 3), new Map([['parity', x % 2]])])
  .process(new SumAtEnd('composite'))
  .uid('by-composite');
const rows = await byDate.union(byComposite).executeAndCollect('keys-restore');
const sums: Record<string, number> = {};
const keyTypes = new Set<string>();
for (const r of rows.filter((x) => !x.timer)) {
  sums[`${r.tag} ${r.key}`] = Math.max(sums[`${r.tag} ${r.key}`] ?? 0, r.sum!);
  keyTypes.add(`${r.tag} ${r.type}`);
}
const timers = rows.filter((x) => x.timer).sort((a, b) => (a.tag + a.key < b.tag + b.key ? -1 : 1));
console.log(`RESULT ${JSON.stringify({ sums, keyTypes: [...keyTypes].sort(), timers })}`);
