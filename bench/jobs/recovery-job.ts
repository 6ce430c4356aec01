/**
 * Benchmark job of bench/recovery.ts: a keyed count with one ValueState<number> per key.
 *
 *   keys (source, p=1) -> keyBy(k) -> count (KeyedProcessFunction) -> marker sink (chained)
 *
 * The source emits the keys 0..K-1 once as fast as the job takes them (K keys of state), then one
 * record every 10 ms, cycling over the keys again; its position is operator state, so a restored
 * attempt goes on where the checkpoint left it. The count emits [key, count] for every record.
 * The sink appends to the marker file (lines of `<word> <attempt> <Date.now()> ...`):
 *   first <attempt> <ts> <key> <count>   the first record of each attempt (count 2 or more after a
 *                                        restore from a checkpoint holding every key once)
 *   loaded 0 <ts>                        the K-th record of attempt 0: every key has state
 *   hang <attempt> <ts>                  the source blocks its thread (the hang file appeared)
 *   stall -1 <ts> <ms>                   the slot thread's event loop was blocked for <ms> (over
 *                                        200 ms) until <ts>: no heartbeat is answered meanwhile
 * The hang file makes the source block its slot thread for 60 s (a hang that only the heartbeat
 * finds); it deletes the file first, so the next attempt runs normally.
 * Arguments: <keys> <marker file> <hang file>. The backend, checkpoint directory and restart
 * strategy come from the configuration (state.backend.type, ...).
 */
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import {
  KeyedProcessFunction,
  ListStateDescriptor,
  RichParallelSourceFunction,
  RichSinkFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const [keys, marker, hang] = process.argv.slice(2);
const K = Number(keys);
/** Pause between records once every key was emitted, ms. */
const SLOW_MS = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// In a slot thread, once per thread (the module is loaded again for every attempt): a timer every
// 50 ms notes each time the event loop was blocked for longer than 200 ms.
const watch = globalThis as { benchStallWatch?: boolean };
if (!isMainThread && watch.benchStallWatch !== true) {
  watch.benchStallWatch = true;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 250) appendFileSync(marker!, `stall -1 ${Date.now()} ${Math.round(now - last - 50)}\n`);
    last = now;
  }, 50).unref();
}

class Keys extends RichParallelSourceFunction<number> implements CheckpointedFunction {
  private position = 0;
  private state!: ListState<number>;
  private running = true;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('position'));
    if (ctx.isRestored()) this.position = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.position]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.position < K) {
      const p = ctx.collect(this.position++);
      if (p) await p;
    }
    while (this.running) {
      if (existsSync(hang!)) {
        rmSync(hang!, { force: true });
        appendFileSync(marker!, `hang ${this.getRuntimeContext().getAttemptNumber()} ${Date.now()}\n`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      }
      const p = ctx.collect(this.position++ % K);
      if (p) await p;
      await sleep(SLOW_MS);
    }
  }
  cancel(): void {
    this.running = false;
  }
}

class Count extends KeyedProcessFunction<number, number, [number, number]> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(key: number, _ctx: KeyedProcessContext<number>, out: Collector<[number, number]>): void {
    const c = (this.count.value() ?? 0) + 1;
    this.count.update(c);
    out.collect([key, c]);
  }
}

class MarkerSink extends RichSinkFunction<[number, number]> {
  private seen = 0;
  private attempt = 0;
  override open(): void {
    this.attempt = this.getRuntimeContext().getAttemptNumber();
  }
  invoke([key, count]: [number, number]): void {
    this.seen++;
    if (this.seen === 1) appendFileSync(marker!, `first ${this.attempt} ${Date.now()} ${key} ${count}\n`);
    if (this.seen === K && this.attempt === 0) appendFileSync(marker!, `loaded 0 ${Date.now()}\n`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.getConfig().enableObjectReuse();
// The benchmark triggers its one checkpoint itself, once every key has state.
env.enableCheckpointing(3_600_000);
// A record of the slow phase waits at most this long in the keyBy exchange's buffer (default 100 ms).
env.setBufferTimeout(5);
env.addSource(new Keys()).uid('keys').keyBy((k) => k).process(new Count()).uid('count').addSink(new MarkerSink()).uid('marker');
await env.execute('bench-recovery');
