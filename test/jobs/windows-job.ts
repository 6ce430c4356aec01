/**
 * Windows of every kind over the events of windows-data.ts, as a Flink program writes them; one
 * FileSink (exactly once) gets a line per result, prefixed by the pipeline:
 *   T  tumbling 100, allowed lateness 50, reduce + ProcessWindowFunction      T,key,start,sum
 *   L  T's late side output                                                  L,key,ts
 *   S  sliding 300 / 100, aggregate + WindowFunction                         S,key,end,count,sum
 *   G  event-time sessions, gap 55, ProcessWindowFunction over the elements  G,key,start,end,count,min,max
 *   C  countWindow(5).sum                                                    C,key,sum
 *   E  countWindow(4, 2).sum (CountEvictor)                                  E,key,sum
 *   U  tumbling 200 with ContinuousEventTimeTrigger.of(50), sum              U,key,start,sum
 *   V  tumbling 200 with TimeEvictor.of(100), apply                          V,key,start,count,sum
 *   A  windowAll tumbling 100, ProcessAllWindowFunction                      A,start,count,sum
 * Mode `windows`: one source subtask (non-parallel) with late events, so that lateness is exact at
 * any parallelism of the windows. Mode `parallel`: a parallel source (a subtask per partition,
 * no late events) and every pipeline but U (whose early firings follow the watermarks' timing).
 * The source keeps its offsets in operator list state and, on restore, emits the watermark it had
 * emitted last, so a replay is the same sequence of events and watermarks. A map fails once, on
 * the first attempt after the first completed checkpoint, when `fail` is 1.
 * Arguments: <mode windows|parallel> <out dir> <backend hashmap|leveldb> <fail 0|1> [gate file:
 * the source holds at half until it exists]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BasePathBucketAssigner,
  ContinuousEventTimeTrigger,
  EventTimeSessionWindows,
  FileSink,
  LevelDbStateBackend,
  ListStateDescriptor,
  OutputTag,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  RestartStrategies,
  RichMapFunction,
  RichSourceFunction,
  SimpleStringEncoder,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TimeEvictor,
  TumblingEventTimeWindows,
  Watermark,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type DataStream,
  type FunctionInitializationContext,
  type ListState,
  type ProcessWindowContext,
  type SourceContext,
  type TimeWindow,
} from 'miniflink';
import { eventOf, SETTINGS, watermarkAfterRound, type WindowDataSettings, type WindowEvent } from './windows-data.js';

const [mode, out, backend, fail, gate] = process.argv.slice(2);

/** Reads its partitions in rounds, emitting timestamps and watermarks itself. */
class RoundsSource extends RichSourceFunction<WindowEvent> implements CheckpointedFunction, CheckpointListener {
  /** [partition, next offset] of each partition this subtask reads. */
  private offsets: Array<[number, number]> = [];
  private state!: ListState<[number, number]>;
  private running = true;
  private checkpointCompleted = false;
  constructor(private readonly settings: WindowDataSettings) {
    super();
  }
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<[number, number]>('partition-offsets'));
    if (ctx.isRestored()) this.offsets = [...this.state.get()].map(([p, o]) => [p, o]);
  }
  snapshotState(): void {
    this.state.update(this.offsets.map(([p, o]) => [p, o]));
  }
  override open(): void {
    if (this.offsets.length > 0 || [...this.state.get()].length > 0) return;
    const rc = this.getRuntimeContext();
    for (let p = rc.getIndexOfThisSubtask(); p < this.settings.partitions; p += rc.getNumberOfParallelSubtasks()) this.offsets.push([p, 0]);
  }
  async run(ctx: SourceContext<WindowEvent>): Promise<void> {
    if (this.offsets.length === 0) return;
    this.offsets.sort((a, b) => a[0] - b[0]);
    let round = Math.min(...this.offsets.map(([, o]) => o));
    // What this subtask emitted last before the snapshot: a replay starts where the run was.
    if (round > 0) ctx.emitWatermark(new Watermark(watermarkAfterRound(round - 1)));
    const half = Math.floor(this.settings.perPartition / 2);
    while (round < this.settings.perPartition && this.running) {
      // A stop cancels the source while it waits here: it ends (a stop completes once its tasks did).
      if (gate && round === half) while (!existsSync(gate) && this.running) await new Promise((resolve) => setTimeout(resolve, 20));
      // With a failure to inject, the second half waits for a completed checkpoint, so records
      // always flow after one however slow the machine is (FailOnce fails on such a record).
      if (fail === '1' && round === half && this.getRuntimeContext().getAttemptNumber() === 0) {
        while (!this.checkpointCompleted && this.running) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // A whole round and its watermark in one step: a checkpoint never cuts a round.
      const waits: Array<void | Promise<void>> = [];
      for (const entry of this.offsets) {
        if (entry[1] !== round) continue;
        const e = eventOf(this.settings, entry[0], entry[1]++);
        waits.push(ctx.collectWithTimestamp(e, e.ts));
      }
      ctx.emitWatermark(new Watermark(watermarkAfterRound(round)));
      for (const w of waits) if (w) await w;
      round++;
      if (round % 30 === 0 && this.settings.pauseMs) await new Promise((resolve) => setTimeout(resolve, this.settings.pauseMs));
    }
  }
  notifyCheckpointComplete(): void {
    this.checkpointCompleted = true;
  }
  cancel(): void {
    this.running = false;
  }
}

/** The same source, run by one subtask per partition. */
class ParallelRoundsSource extends RoundsSource {
  readonly isParallel = true;
}

/** Fails once: on the first attempt, at the first record after a checkpoint completed. */
class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
  private checkpointed = false;
  map(x: T): T {
    if (fail === '1' && this.checkpointed && this.getRuntimeContext().getAttemptNumber() === 0) {
      mkdirSync(out!, { recursive: true });
      writeFileSync(join(out!, 'failed.txt'), '');
      throw new Error('injected failure after a checkpoint');
    }
    return x;
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
  }
}

/** T: the reduced sum with the window's start. */
class TumblingResult extends ProcessWindowFunction<WindowEvent, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, sums: Iterable<WindowEvent>, outc: Collector<string>): void {
    for (const s of sums) outc.collect(`T,${key},${ctx.window().getStart()},${s.value}`);
  }
}

/** G: count, min and max of a session's values. */
class SessionStats extends ProcessWindowFunction<WindowEvent, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<WindowEvent>, outc: Collector<string>): void {
    const vs = [...elements].map((e) => e.value);
    outc.collect(`G,${key},${ctx.window().getStart()},${ctx.window().getEnd()},${vs.length},${Math.min(...vs)},${Math.max(...vs)}`);
  }
}

/** A: count and sum of all keys' values per window. */
class AllStats extends ProcessAllWindowFunction<WindowEvent, string, TimeWindow> {
  process(ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<WindowEvent>, outc: Collector<string>): void {
    const vs = [...elements].map((e) => e.value);
    outc.collect(`A,${ctx.window().getStart()},${vs.length},${vs.reduce((a, b) => a + b, 0)}`);
  }
}

const sumValues = (a: WindowEvent, b: WindowEvent): WindowEvent => ({ key: a.key, value: a.value + b.value, ts: a.ts });

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const parallel = mode === 'parallel';
const settings: WindowDataSettings = parallel ? { ...SETTINGS, late: false } : SETTINGS;
const events = env.addSource(parallel ? new ParallelRoundsSource(settings) : new RoundsSource(settings)).uid('events');
const keyed = () => events.keyBy((e) => e.key);

const late = new OutputTag<WindowEvent>('late');
const tumbling = keyed().window(TumblingEventTimeWindows.of(100)).allowedLateness(50).sideOutputLateData(late).reduce(sumValues, new TumblingResult()).uid('tumbling');
const lines: DataStream<string>[] = [
  tumbling,
  tumbling.getSideOutput(late).map((e) => `L,${e.key},${e.ts}`),
  keyed()
    .window(SlidingEventTimeWindows.of(300, 100))
    .aggregate(
      {
        createAccumulator: (): [number, number] => [0, 0],
        add: (e: WindowEvent, [c, s]: [number, number]): [number, number] => [c + 1, s + e.value],
        getResult: (acc: [number, number]) => acc,
        merge: ([c1, s1]: [number, number], [c2, s2]: [number, number]): [number, number] => [c1 + c2, s1 + s2],
      },
      (key: string, w: TimeWindow, input: Iterable<[number, number]>, outc: Collector<string>) => {
        for (const [c, s] of input) outc.collect(`S,${key},${w.getEnd()},${c},${s}`);
      },
    )
    .uid('sliding'),
  keyed().window(EventTimeSessionWindows.withGap(55)).process(new SessionStats()).uid('sessions'),
  keyed().countWindow(5).sum('value').uid('count').map((e) => `C,${e.key},${e.value}`),
  keyed().countWindow(4, 2).sum('value').uid('count-sliding').map((e) => `E,${e.key},${e.value}`),
  keyed()
    .window(TumblingEventTimeWindows.of(200))
    .evictor(TimeEvictor.of(100))
    .apply((key: string, w: TimeWindow, input: Iterable<WindowEvent>, outc: Collector<string>) => {
      const vs = [...input].map((e) => e.value);
      outc.collect(`V,${key},${w.getStart()},${vs.length},${vs.reduce((a, b) => a + b, 0)}`);
    })
    .uid('evicting'),
  events.windowAll(TumblingEventTimeWindows.of(100)).process(new AllStats()).uid('all'),
];
if (!parallel) {
  lines.push(
    keyed()
      .window(TumblingEventTimeWindows.of(200))
      .trigger(ContinuousEventTimeTrigger.of(50))
      .reduce(sumValues, (key: string, w: TimeWindow, input: Iterable<WindowEvent>, outc: Collector<string>) => {
        for (const s of input) outc.collect(`U,${key},${w.getStart()},${s.value}`);
      })
      .uid('continuous'),
  );
}
lines[0]!
  .union(...lines.slice(1))
  .map(new FailOnce<string>())
  .uid('fail')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute(`windows ${mode} ${backend}`);
