/**
 * The three joins over the events of joins-data.ts, as a Flink program writes them; one FileSink
 * (exactly once) gets a line per result, `@<timestamp>` appended (the result's record timestamp):
 *   J  window join, tumbling 100, JoinFunction                               J,key,leftId,rightId
 *   F  window join, sliding 200 / 100, RichFlatJoinFunction (pairs l.ts <= r.ts) F,key,leftId,rightId
 *   G  window coGroup, tumbling 100, allowed lateness 100                    G,key,leftIds|rightIds
 *   I  interval join, right in [l - 30, l + 20), ProcessJoinFunction          I,key,leftId,rightId
 *   X  the interval join's late left records (side output)                   X,leftId
 * One non-parallel source emits both sides, its position in list state; a replay re-emits the
 * watermark it emitted last. With `late`, a late event waits until the probe (after the joins)
 * has seen the watermark before it. With `fail`, a map fails once, at the first record after a
 * completed checkpoint.
 * Arguments: <out dir> <backend hashmap|leveldb> <fail 0|1> <late 0|1>
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  OutputTag,
  ProcessFunction,
  ProcessJoinFunction,
  RestartStrategies,
  RichFlatJoinFunction,
  RichMapFunction,
  RichSourceFunction,
  SimpleStringEncoder,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  Watermark,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type ProcessContext,
  type ProcessJoinContext,
  type SourceContext,
  type ValueState,
} from 'miniflink';
import { awaitedWatermarks, joinItems, type JoinEvent } from './joins-data.js';

const [out, backend, fail, lateArg] = process.argv.slice(2);
const late = lateArg === '1';
const markers = `${out!}.markers`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Emits joinItems() from its position; a late event waits for the marker of the watermark before it. */
class JoinEventsSource extends RichSourceFunction<JoinEvent> implements CheckpointedFunction, CheckpointListener {
  private offset = 0;
  private state!: ListState<number>;
  private running = true;
  private checkpointCompleted = false;
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('offset'));
    if (ctx.isRestored()) this.offset = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.offset]);
  }
  async run(ctx: SourceContext<JoinEvent>): Promise<void> {
    const items = joinItems(late);
    let lastWatermark: number | undefined;
    for (let i = 0; i < this.offset; i++) {
      const item = items[i]!;
      if ('watermark' in item) lastWatermark = item.watermark;
    }
    if (lastWatermark !== undefined) ctx.emitWatermark(new Watermark(lastWatermark));
    const half = Math.floor(items.length / 2);
    while (this.offset < items.length && this.running) {
      if (fail === '1' && this.offset === half && this.getRuntimeContext().getAttemptNumber() === 0) {
        while (!this.checkpointCompleted && this.running) await sleep(10);
      }
      const item = items[this.offset]!;
      if ('watermark' in item) {
        ctx.emitWatermark(new Watermark(item.watermark));
        lastWatermark = item.watermark;
        this.offset++;
      } else {
        if (item.late) while (!existsSync(join(markers, `wm-${lastWatermark}`)) && this.running) await sleep(5);
        if (!this.running) break;
        // The position moves with the emit (a snapshot taken while collect waits must not replay it).
        const w = ctx.collectWithTimestamp(item.event, item.event.ts);
        this.offset++;
        if (w) await w;
      }
      if (this.offset % 60 === 0) await sleep(5);
    }
  }
  notifyCheckpointComplete(): void {
    this.checkpointCompleted = true;
  }
  cancel(): void {
    this.running = false;
  }
}

/** F: pairs whose left record is not after the right one. */
class OrderedPairs extends RichFlatJoinFunction<JoinEvent, JoinEvent, string> {
  private subtask = -1;
  override open(): void {
    this.subtask = this.getRuntimeContext().getIndexOfThisSubtask();
  }
  join(l: JoinEvent, r: JoinEvent, outc: Collector<string>): void {
    if (this.subtask < 0) throw new Error('open() was not called');
    if (l.ts <= r.ts) outc.collect(`F,${l.key},${l.id},${r.id}`);
  }
}

/** I: each pair the interval join matched. */
class IntervalPairs extends ProcessJoinFunction<JoinEvent, JoinEvent, string> {
  processElement(l: JoinEvent, r: JoinEvent, ctx: ProcessJoinContext, outc: Collector<string>): void {
    if (ctx.getLeftTimestamp() !== l.ts || ctx.getRightTimestamp() !== r.ts || ctx.getTimestamp() !== Math.max(l.ts, r.ts)) throw new Error('wrong timestamps in the ProcessJoinFunction context');
    outc.collect(`I,${l.key},${l.id},${r.id}`);
  }
}

/** Appends the record's timestamp. */
class Stamp extends ProcessFunction<string, string> {
  processElement(line: string, ctx: ProcessContext, outc: Collector<string>): void {
    outc.collect(`${line}@${ctx.timestamp()}`);
  }
}

/** Writes a marker when the watermark passes each awaited one (it has then passed every join). */
class Probe extends KeyedProcessFunction<number, string, string> {
  private armed!: ValueState<boolean>;
  override open(): void {
    this.armed = this.getRuntimeContext().getState(new ValueStateDescriptor<boolean>('armed'));
  }
  processElement(line: string, ctx: KeyedProcessContext<number>, outc: Collector<string>): void {
    if (late && !this.armed.value()) {
      this.armed.update(true);
      for (const w of awaitedWatermarks(true)) ctx.timerService().registerEventTimeTimer(w);
    }
    outc.collect(line);
  }
  override onTimer(ts: number, _ctx: OnTimerContext<number>, _out: Collector<string>): void {
    mkdirSync(markers, { recursive: true });
    writeFileSync(join(markers, `wm-${ts}`), '');
  }
}

/** Fails once: on the first attempt, at the first record after a checkpoint completed. */
class FailOnce extends RichMapFunction<string, string> implements CheckpointListener {
  private checkpointed = false;
  map(x: string): string {
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

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const events = env.addSource(new JoinEventsSource()).uid('events');
const left = events.filter((e) => e.side === 'L').name('left');
const right = events.filter((e) => e.side === 'R').name('right');
const byKey = (e: JoinEvent) => e.key;

const joined = left
  .join(right)
  .where(byKey)
  .equalTo(byKey)
  .window(TumblingEventTimeWindows.of(100))
  .apply((l: JoinEvent, r: JoinEvent) => `J,${l.key},${l.id},${r.id}`)
  .uid('join');
const flatJoined = left.join(right).where(byKey).equalTo(byKey).window(SlidingEventTimeWindows.of(200, 100)).apply(new OrderedPairs()).uid('flat-join');
const coGrouped = left
  .coGroup(right)
  .where(byKey)
  .equalTo(byKey)
  .window(TumblingEventTimeWindows.of(100))
  .allowedLateness(100)
  .apply((ls: JoinEvent[], rs: JoinEvent[], outc: Collector<string>) => {
    const key = (ls[0] ?? rs[0])!.key;
    const ids = (es: JoinEvent[]) =>
      es
        .map((e) => e.id)
        .sort()
        .join(' ');
    outc.collect(`G,${key},${ids(ls)}|${ids(rs)}`);
  })
  .uid('cogroup');
const lateLeft = new OutputTag<JoinEvent>('late-left');
const interval = left.keyBy(byKey).intervalJoin(right.keyBy(byKey)).between(-30, 20).upperBoundExclusive().sideOutputLeftLateData(lateLeft).process(new IntervalPairs()).uid('interval');

joined
  .union(flatJoined, coGrouped, interval, interval.getSideOutput(lateLeft).map((e) => `X,${e.id}`))
  .process(new Stamp())
  .keyBy(() => 0)
  .process(new Probe())
  .uid('probe')
  .map(new FailOnce())
  .uid('fail')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute(`joins ${backend}`);
