/**
 * Benchmark job for the buffer timeout (issue #16): a source -> keyBy(key) -> a keyed process
 * function (a count per key in ValueState; the record goes on) -> a sink, parallelism 1, with
 * `env.setBufferTimeout(ms)` (0: every record is sent at once; -1: only full buffers). The keyBy is
 * an exchange: at p=1 the source task and the keyed task share one slot thread, and the records
 * still cross it as msgpackr batches, sent when full or when the buffer timeout fires.
 * Records are `{key, seq, t}` (1,000 keys), `t` the emit time as `performance.timeOrigin +
 * performance.now()` (comparable across threads).
 *   throughput  the source emits <records> records as fast as credit allows; the sink discards them.
 *   latency     the source emits <records> records at <rate> records/s, in small bursts paced by the
 *               clock (each burst catches up to the records due by then, then the source sleeps 1 ms);
 *               the sink adds each record's latency (sink time - t, ms) to the accumulator `latencies`
 *               (every value: the benchmark takes exact percentiles), leaving out the first 10% of
 *               the records (warm-up); `emitMs` is the time the source took to emit them all, so
 *               that a source which fell behind its rate shows.
 * The phase of the bursts: the source's 1 ms sleep and a 1 ms flush timer are timers of the same
 * thread that fire in the same tick of the event loop, the source's first, so a burst emitted in
 * its timer callback is mostly flushed at once (the best case of a 1 ms timeout). With
 * `after-timers`, each burst waits for the tick's timers to have run (setImmediate), as records
 * that arrive by I/O do, and is flushed by the next tick's timer (the worst case).
 * Arguments: <bufferTimeoutMs> <throughput|latency> <records> [rate, default 20000] [after-timers]
 */
import {
  KeyedProcessFunction,
  RichSinkFunction,
  RichSourceFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Accumulator,
  type Collector,
  type KeyedProcessContext,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const [timeoutArg, mode, n, rateArg, phase] = process.argv.slice(2);
const KEYS = 1000;
const records = Number(n);
const rate = mode === 'latency' ? Number(rateArg ?? 20_000) : undefined;
/** Records the sink leaves out of the latencies (JIT and deployment warm-up). */
const warmUp = Math.floor(records / 10);

type Rec = { key: number; seq: number; t: number };
const wallNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const afterTimers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every value added, as they came (merged across subtasks by concatenation). */
class ValueList implements Accumulator<number, number[]> {
  private readonly values: number[] = [];
  add(value: number): void {
    this.values.push(value);
  }
  getLocalValue(): number[] {
    return this.values;
  }
}

/** `count` records, as fast as credit allows, or at `rate` records/s in bursts paced by the clock. */
class StampingSource extends RichSourceFunction<Rec> {
  private running = true;
  private readonly emitMs = new ValueList();
  override open(): void {
    this.getRuntimeContext().addAccumulator('emitMs', this.emitMs);
  }
  async run(ctx: SourceContext<Rec>): Promise<void> {
    const start = performance.now();
    if (rate === undefined) {
      for (let i = 0; i < records && this.running; i++) {
        const wait = ctx.collect({ key: i % KEYS, seq: i, t: wallNow() });
        if (wait) await wait;
      }
    } else {
      const perMs = rate / 1000;
      let i = 0;
      while (i < records && this.running) {
        // The records due by now (one at least), then a sleep: the thread is free in between.
        const due = Math.min(records, Math.max(i + 1, Math.floor((performance.now() - start) * perMs)));
        while (i < due && this.running) {
          const wait = ctx.collect({ key: i % KEYS, seq: i, t: wallNow() });
          i++;
          if (wait) await wait;
        }
        if (i < records) await sleep(1);
        if (phase === 'after-timers') await afterTimers();
      }
    }
    this.emitMs.add(performance.now() - start);
  }
  cancel(): void {
    this.running = false;
  }
}

/** A count per key in keyed state; the record goes on unchanged. */
class CountPerKey extends KeyedProcessFunction<number, Rec, Rec> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(r: Rec, _ctx: KeyedProcessContext<number>, out: Collector<Rec>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    out.collect(r);
  }
}

/** Discards the records; in latency mode adds each one's latency (ms) to `latencies`. */
class LatencySink extends RichSinkFunction<Rec> {
  private readonly latencies = new ValueList();
  override open(): void {
    this.getRuntimeContext().addAccumulator('latencies', this.latencies);
  }
  invoke(r: Rec): void {
    if (rate !== undefined && r.seq >= warmUp) this.latencies.add(wallNow() - r.t);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.setBufferTimeout(Number(timeoutArg));
env
  .addSource(new StampingSource(), 'Stamping Source')
  .keyBy((r) => r.key)
  .process(new CountPerKey())
  .addSink(new LatencySink());
await env.execute(`bench-latency-${mode}-${timeoutArg}ms`);
