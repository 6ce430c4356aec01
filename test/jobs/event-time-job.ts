/**
 * Event time end to end (test/integration/event-time.test.ts works out what each run must print).
 *
 *   strategy <name> [fail <marker file>]
 *       A parallelism-1 source plays SCRIPT (event-time-settings.ts) through one of STRATEGIES, then
 *       Map (chained, parallelism 1) -> keyBy(k) -> KeyedProcessFunction -> rebalance -> ProcessFunction ->
 *       executeAndCollect. The keyed function prints, for each record, `k seq E t wm=<watermark>
 *       [late] ts=<ctx.timestamp()>` and sets an event-time timer TIMER_DELAY later; each timer
 *       prints `k seq T ts wm=<watermark> ts=<ctx.timestamp()>`; the last stage appends
 *       `><ctx.timestamp()>` as it sees the record after the exchange. Watermarks print as MIN and
 *       MAX when they are exactly Long.MIN_VALUE / Long.MAX_VALUE. With `fail`, checkpoints run
 *       every 50 ms, the source waits at MIDDLE for a completed checkpoint, and a map after the
 *       keyed function fails once (attempt 0) at `E b 4000`, writing the marker file.
 *   stop <savepoint dir> <name> / resume <name>
 *       stop: the script up to MIDDLE, then the source idles and the program stops the job with a
 *       savepoint (no drain), printing what came out (print()) and `SAVEPOINT <path>`. resume (with
 *       -s): the rest of the script, from the restored position (refuses to start without one).
 *   idle <A|B|C> <dir>
 *       A parallelism-2 source: subtask 0 plays a@1000, a@5000, waits until the timer at 2000 has
 *       fired (the keyed function writes <dir>/fired) or 1.5 s passed, then plays a@6000. Subtask 1
 *       emits nothing: A (addSource) it calls markAsTemporarilyIdle and subtask 0 emits its own
 *       watermarks (t - 1); B fromSource monotonous with withIdleness(200 ms); C fromSource
 *       monotonous without idleness.
 *   align <on|off> <dir>
 *       A parallelism-2 source via fromSource (monotonous, ts step 100 per event): subtask 0 emits an
 *       event every 5 ms, subtask 1 every 20 ms (it writes its last timestamp to <dir>/progress).
 *       Subtask 0 measures how far ahead of subtask 1 it gets; with `on` the strategy has
 *       withWatermarkAlignment('g', 500 ms, 10 ms). Prints `RESULT <max lead in ms>`.
 *   sequence
 *       The built-in SequenceSource (1..200) through fromSource, timestamps n * 10; prints each
 *       number with the timestamp a process function sees.
 *   rest <gate file> <monotonous|none>
 *       a@1000, b@5000, then the source waits for the gate file; keyBy -> process -> discard. For
 *       the REST test of /jobs/:id/vertices/:vid/watermarks.
 * Every mode but stop, align and rest prints `RESULT <json of the collected lines>`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DiscardingSink,
  Duration,
  KeyedProcessFunction,
  ListStateDescriptor,
  ProcessFunction,
  RestartStrategies,
  RichMapFunction,
  RichParallelSourceFunction,
  RichSourceFunction,
  SequenceSource,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  Watermark,
  WatermarkStrategy,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type ProcessContext,
  type SourceContext,
  type ValueState,
  type WatermarkGenerator,
  type DataStream,
} from 'miniflink';
import { INTERVAL_MS, MIDDLE, PAUSE_MS, SCRIPT, TIMER_DELAY, type Ev, type StrategyName } from './event-time-settings.js';

const [mode, a1, a2, a3] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Long.MIN_VALUE and Long.MAX_VALUE as JavaScript numbers (-2^63 and 2^63). */
const LONG_MIN = -(2 ** 63);
const LONG_MAX = 2 ** 63;
const fmt = (wm: number): string => (wm === LONG_MIN ? 'MIN' : wm === LONG_MAX ? 'MAX' : String(wm));

/** Plays SCRIPT from a position kept in operator state. */
class ScriptSource extends RichSourceFunction<Ev> implements CheckpointedFunction, CheckpointListener {
  private position = 0;
  private state!: ListState<number>;
  private running = true;
  private middleCheckpoint = Infinity;
  private checkpointed: (() => void) | undefined;
  private readonly checkpoint = new Promise<void>((resolve) => (this.checkpointed = resolve));
  constructor(
    /** legacy: collectWithTimestamp and emitWatermark(e.wm); plain: collect only. */
    private readonly legacy: boolean,
    private readonly stopAt: number | undefined,
    private readonly failing: boolean,
  ) {
    super();
  }
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('position'));
    if (ctx.isRestored()) this.position = [...this.state.get()][0] ?? 0;
    else if (mode === 'resume') throw new Error('resume needs restored state (run with -s)');
  }
  snapshotState(ctx: { getCheckpointId(): number }): void {
    this.state.update([this.position]);
    if (this.position >= MIDDLE) this.middleCheckpoint = Math.min(this.middleCheckpoint, ctx.getCheckpointId());
  }
  notifyCheckpointComplete(id: number): void {
    if (id >= this.middleCheckpoint) this.checkpointed?.();
  }
  async run(ctx: SourceContext<Ev>): Promise<void> {
    while (this.position < SCRIPT.length && this.running) {
      if (this.position === this.stopAt) {
        writeFileSync(`${a1}.ready`, '');
        while (this.running) await sleep(20);
        return;
      }
      if (this.failing && this.position === MIDDLE && this.getRuntimeContext().getAttemptNumber() === 0) await this.checkpoint;
      const item = SCRIPT[this.position]!;
      // Position first: a snapshot taken while collect waits counts the item as sent.
      this.position++;
      if (item === 'pause') {
        await sleep(PAUSE_MS);
      } else if (this.legacy) {
        await ctx.collectWithTimestamp(item, item.t);
        if (item.wm !== undefined) ctx.emitWatermark(new Watermark(item.wm));
      } else {
        await ctx.collect(item);
      }
    }
  }
  cancel(): void {
    this.running = false;
    this.checkpointed?.();
  }
}

/** The keyed function: a line per record and per timer, with a per-key sequence number. */
class Trace extends KeyedProcessFunction<string, Ev, string> {
  private seq!: ValueState<number>;
  constructor(private readonly firedMarker?: string) {
    super();
  }
  override open(): void {
    this.seq = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('seq'));
  }
  private next(): number {
    const n = (this.seq.value() ?? 0) + 1;
    this.seq.update(n);
    return n;
  }
  processElement(e: Ev, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const wm = ctx.timerService().currentWatermark();
    out.collect(`${e.k} ${this.next()} E ${e.t} wm=${fmt(wm)}${e.t <= wm ? ' late' : ''} ts=${ctx.timestamp()}`);
    ctx.timerService().registerEventTimeTimer(e.t + TIMER_DELAY);
  }
  override onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    if (this.firedMarker && ts === 2000) writeFileSync(this.firedMarker, '');
    out.collect(`${ctx.getCurrentKey()} ${this.next()} T ${ts} wm=${fmt(ctx.timerService().currentWatermark())} ts=${ctx.timestamp()}`);
  }
}

/** Appends the timestamp the record carries after the exchange. */
class AppendTimestamp extends ProcessFunction<string, string> {
  processElement(line: string, ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`${line}>${ctx.timestamp()}`);
  }
}

/** `n@<the timestamp it carries>`. */
class StampNumber extends ProcessFunction<number, string> {
  processElement(n: number, ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`${n}@${ctx.timestamp()}`);
  }
}

/** Fails once, on attempt 0, at `E b 4000`. */
class FailOnce extends RichMapFunction<string, string> {
  map(line: string): string {
    if (this.getRuntimeContext().getAttemptNumber() === 0 && / E 4000 /.test(line)) {
      writeFileSync(a3!, 'failed\n');
      throw new Error('failing once, as planned');
    }
    return line;
  }
}

/** A punctuated generator: the event's `wm`, right after it. */
const punctuated = (): WatermarkGenerator<Ev> => ({
  onEvent: (e, _ts, out) => {
    if (e.wm !== undefined) out.emitWatermark(new Watermark(e.wm));
  },
  onPeriodicEmit: () => {},
});

/** The events of SCRIPT with event time, by strategy. */
function events(env: StreamExecutionEnvironment, name: StrategyName, source: ScriptSource): DataStream<Ev> {
  const byT = (e: Ev) => e.t;
  switch (name) {
    case 'monotonous':
      return env.fromSource(source, WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner(byT), 'Script');
    case 'bounded':
      return env.fromSource(source, WatermarkStrategy.forBoundedOutOfOrderness<Ev>(Duration.ofMillis(500)).withTimestampAssigner(byT), 'Script');
    case 'punctuated':
      return env.fromSource(source, WatermarkStrategy.forGenerator(punctuated).withTimestampAssigner(byT), 'Script');
    case 'none':
      return env.fromSource(source, WatermarkStrategy.noWatermarks<Ev>().withTimestampAssigner(byT), 'Script');
    case 'assigner':
      return env.addSource(source, 'Script').assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner(byT));
    case 'legacy':
      return env.addSource(source, 'Script');
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.getConfig().setAutoWatermarkInterval(INTERVAL_MS);

if (mode === 'strategy' || mode === 'stop' || mode === 'resume') {
  const name = (mode === 'stop' ? a2 : a1) as StrategyName;
  const failing = mode === 'strategy' && a2 === 'fail';
  if (failing) {
    env.enableCheckpointing(50);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
  }
  const source = new ScriptSource(name === 'legacy', mode === 'stop' ? MIDDLE : undefined, failing);
  let traced = events(env, name, source)
    .uid('script')
    .setParallelism(1)
    // Chained to the source (same parallelism): each keyed subtask has one input channel, so what it
    // sees is the source's order; with two, the valve would wait for both channels' watermarks.
    .map((e) => e)
    .setParallelism(1)
    .keyBy((e) => e.k)
    .process(new Trace())
    .uid('trace');
  if (failing) traced = traced.map(new FailOnce());
  const lines = traced.rebalance().process(new AppendTimestamp());
  if (mode === 'stop') {
    lines.print();
    const client = await env.executeAsync('event-time-stop');
    while (!existsSync(`${a1}.ready`)) await sleep(20);
    // Let the periodic watermark after the last record go out before the savepoint.
    await sleep(PAUSE_MS);
    let path = '';
    for (let i = 0; path === ''; i++) {
      try {
        path = await client.stopWithSavepoint(false, a1);
      } catch (e) {
        if (i >= 50 || !String((e as Error).message).includes('Not all tasks')) throw e;
        await sleep(100);
      }
    }
    await client.getJobExecutionResult();
    console.log(`SAVEPOINT ${path}`);
  } else {
    console.log(`RESULT ${JSON.stringify(await lines.executeAndCollect(`event-time-${name}`))}`);
  }
} else if (mode === 'idle') {
  const variant = a1 as 'A' | 'B' | 'C';
  const dir = a2!;
  class Split extends RichParallelSourceFunction<Ev> {
    private running = true;
    async run(ctx: SourceContext<Ev>): Promise<void> {
      const emit = async (t: number) => {
        if (variant === 'A') {
          await ctx.collectWithTimestamp({ k: 'a', t }, t);
          ctx.emitWatermark(new Watermark(t - 1));
        } else {
          await ctx.collect({ k: 'a', t });
        }
      };
      if (this.getRuntimeContext().getIndexOfThisSubtask() === 1) {
        if (variant === 'A') ctx.markAsTemporarilyIdle();
        writeFileSync(join(dir, 'idle-declared'), '');
        while (this.running && !existsSync(join(dir, 'done'))) await sleep(20);
        // Subtask 0 ends right after its last record: let that record (and subtask 0's end) reach
        // the keyed process first, or this subtask's end (watermark MAX) could overtake it.
        await sleep(300);
        return;
      }
      // Subtask 1 has started (and, in A, declared itself idle) before anything flows.
      while (!existsSync(join(dir, 'idle-declared'))) await sleep(20);
      await sleep(PAUSE_MS);
      await emit(1000);
      await emit(5000);
      const deadline = Date.now() + 1500;
      while (this.running && !existsSync(join(dir, 'fired')) && Date.now() < deadline) await sleep(20);
      await emit(6000);
      writeFileSync(join(dir, 'done'), '');
    }
    cancel(): void {
      this.running = false;
    }
  }
  const monotonous = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t);
  const source =
    variant === 'A'
      ? env.addSource(new Split(), 'Split')
      : env.fromSource(new Split(), variant === 'B' ? monotonous.withIdleness(Duration.ofMillis(200)) : monotonous, 'Split');
  const lines = source
    .setParallelism(2)
    .keyBy((e) => e.k)
    .process(new Trace(join(dir, 'fired')))
    .setParallelism(2)
    .rebalance()
    .process(new AppendTimestamp());
  console.log(`RESULT ${JSON.stringify(await lines.executeAndCollect(`event-time-idle-${variant}`))}`);
} else if (mode === 'align') {
  const dir = a2!;
  const progress = join(dir, 'progress');
  const N = 100;
  class Paced extends RichParallelSourceFunction<Ev> {
    private running = true;
    async run(ctx: SourceContext<Ev>): Promise<void> {
      const me = this.getRuntimeContext().getIndexOfThisSubtask();
      writeFileSync(join(dir, `started-${me}`), '');
      while (!existsSync(join(dir, `started-${1 - me}`))) await sleep(5);
      let lead = 0;
      let other = 0;
      for (let i = 0; i < N && this.running; i++) {
        const t = i * 100;
        if (me === 0) {
          // An empty read: subtask 1 is rewriting the file; its last value stands.
          const text = existsSync(progress) ? readFileSync(progress, 'utf8') : '';
          if (text !== '') other = Number(text);
          lead = Math.max(lead, t - other);
        }
        await ctx.collect({ k: String(me), t });
        if (me === 1) writeFileSync(progress, String(t));
        await sleep(me === 0 ? 5 : 20);
      }
      if (me === 0) writeFileSync(join(dir, 'lead'), String(lead));
    }
    cancel(): void {
      this.running = false;
    }
  }
  let strategy = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t);
  if (a1 === 'on') strategy = strategy.withWatermarkAlignment('g', Duration.ofMillis(500), Duration.ofMillis(10));
  env.getConfig().setAutoWatermarkInterval(10);
  env.fromSource(new Paced(), strategy, 'Paced').setParallelism(2).addSink(new DiscardingSink());
  await env.execute('event-time-align');
  console.log(`RESULT ${readFileSync(join(dir, 'lead'), 'utf8')}`);
} else if (mode === 'sequence') {
  // A built-in source through fromSource: timestamps assigned inside the (parallel) source.
  const stamped = env
    .fromSource(new SequenceSource(1, 200), WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n * 10), 'Numbers')
    .process(new StampNumber());
  console.log(`RESULT ${JSON.stringify(await stamped.executeAndCollect('event-time-sequence'))}`);
} else if (mode === 'rest') {
  const gate = a1!;
  class Gated extends RichSourceFunction<Ev> {
    private running = true;
    async run(ctx: SourceContext<Ev>): Promise<void> {
      await ctx.collect({ k: 'a', t: 1000 });
      await ctx.collect({ k: 'b', t: 5000 });
      while (this.running && !existsSync(gate)) await sleep(20);
    }
    cancel(): void {
      this.running = false;
    }
  }
  const strategy = a2 === 'none' ? WatermarkStrategy.noWatermarks<Ev>() : WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.t);
  env
    .fromSource(new Gated(), strategy, 'Gated')
    .keyBy((e) => e.k)
    .process(new Trace())
    .setParallelism(2)
    .addSink(new DiscardingSink());
  await env.execute('event-time-rest');
} else {
  throw new Error(`unknown mode ${mode}`);
}
