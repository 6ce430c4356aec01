/**
 * Keyed and operator state as Flink programs use them, over the sensor source of examples/sensors.ts
 * (offsets per partition in operator list state, plus a count of emitted readings in a second
 * split list state, as a source with metrics in state would):
 *   alert      keyBy(id) -> TemperatureAlertFunction (keyed ValueState from open() in a RichFlatMapFunction)
 *   counter    keyBy(id) -> HighTempCounter (keyed state and operator state in a CheckpointedFunction)
 *   functions  keyBy(id) -> RichMapFunction (ValueState) -> keyBy -> RichFilterFunction (MapState)
 *              -> keyBy -> RichFlatMapFunction (ListState) -> keyBy -> reduce (ReducingState read in
 *              a RichReduceFunction) -> keyBy -> KeyedProcessFunction (AggregatingState) -> keyBy
 *              -> RichMapFunction with state from CheckpointedFunction.initializeState's keyed store
 * Each ends in a map that fails once, on the first attempt after the first completed checkpoint
 * (when `fail` is 1), then a FileSink (exactly once). On every restore the source writes
 * `restore-<subtask>-<attempt>.txt`: the sum of its restored offsets and of its restored counts.
 * Arguments: <mode> <out dir> <backend hashmap|leveldb> <fail 0|1> [gate file: the source holds at
 * half until it exists]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AggregatingStateDescriptor,
  BasePathBucketAssigner,
  FileSink,
  KeyedProcessFunction,
  LevelDbStateBackend,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  RestartStrategies,
  RichFilterFunction,
  RichFlatMapFunction,
  RichMapFunction,
  RichReduceFunction,
  SimpleStringEncoder,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type AggregatingState,
  type CheckpointListener,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type KeyedProcessContext,
  type ListState,
  type MapState,
  type ReducingState,
  type ValueState,
} from 'miniflink';
import { HighTempCounter, SensorSource, TemperatureAlertFunction, type SensorReading } from '../../examples/sensors.js';
import { SETTINGS } from './keyed-state-settings.js';

const [mode, out, backend, fail, gate] = process.argv.slice(2);

/** The sensor source, also counting its readings in a second split list state. */
class CountingSensorSource extends SensorSource implements CheckpointListener {
  private count = 0;
  private countState!: ListState<number>;
  override initializeState(ctx: FunctionInitializationContext): void {
    super.initializeState(ctx);
    this.countState = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('emitted'));
    if (!ctx.isRestored()) return;
    this.count = [...this.countState.get()].reduce((a, b) => a + b, 0);
    const rc = this.getRuntimeContext();
    mkdirSync(out!, { recursive: true });
    const offsets = this.offsets.reduce((a, [, o]) => a + o, 0);
    writeFileSync(join(out!, `restore-${rc.getIndexOfThisSubtask()}-${rc.getAttemptNumber()}.txt`), `${offsets},${this.count}`);
  }
  override snapshotState(): void {
    super.snapshotState();
    this.countState.update([this.count]);
  }
  protected override emitted(): void {
    this.count++;
  }
  private checkpointCompleted = false;
  notifyCheckpointComplete(): void {
    this.checkpointCompleted = true;
  }
  protected override async beforeReading(): Promise<void> {
    if (this.count !== Math.floor((SETTINGS.partitions * SETTINGS.perPartition) / 2 / this.getRuntimeContext().getNumberOfParallelSubtasks())) return;
    // A stop cancels the source while it waits here: it ends (a stop completes once its tasks did).
    if (gate) while (!existsSync(gate) && this.running) await new Promise((resolve) => setTimeout(resolve, 20));
    // With a failure to inject, half the readings wait for a completed checkpoint, so records
    // always flow after one however slow the machine is (FailOnce fails on such a record).
    if (fail === '1' && this.getRuntimeContext().getAttemptNumber() === 0) {
      while (!this.checkpointCompleted && this.running) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Fails once: on the first attempt, at the first record after a checkpoint completed. */
class FailOnce<T> extends RichMapFunction<T, T> implements CheckpointListener {
  private checkpointed = false;
  map(x: T): T {
    if (fail === '1' && this.checkpointed && this.getRuntimeContext().getAttemptNumber() === 0) throw new Error('injected failure after a checkpoint');
    return x;
  }
  notifyCheckpointComplete(): void {
    this.checkpointed = true;
  }
}

class CountPerKey extends RichMapFunction<SensorReading, { id: string; n: number; t: number }> {
  private count!: ValueState<number>;
  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count'));
  }
  map(r: SensorReading) {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return { id: r.id, n, t: r.temperature };
  }
}

type Counted = { id: string; n: number; t: number };

/** Keeps a record when it is the odd-numbered one of its decile of temperature for the key. */
class OddPerDecile extends RichFilterFunction<Counted> {
  private seen!: MapState<number, number>;
  override open(): void {
    this.seen = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, number>('per-decile'));
  }
  filter(r: Counted): boolean {
    const decile = Math.floor(r.t / 10);
    const c = (this.seen.get(decile) ?? 0) + 1;
    this.seen.put(decile, c);
    return c % 2 === 1;
  }
}

class History extends RichFlatMapFunction<Counted, { id: string; n: number; t: number; kept: number }> {
  private kept!: ListState<number>;
  override open(): void {
    this.kept = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('kept'));
  }
  flatMap(r: Counted, outc: Collector<{ id: string; n: number; t: number; kept: number }>): void {
    this.kept.add(r.n);
    outc.collect({ ...r, kept: [...this.kept.get()].length });
  }
}

type Kept = { id: string; n: number; t: number; kept: number };

/** A rolling reduce that also sums the temperatures per key in ReducingState. */
class MaxN extends RichReduceFunction<Kept> {
  private sum!: ReducingState<number>;
  override open(): void {
    this.sum = this.getRuntimeContext().getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => Math.round((a + b) * 10) / 10));
  }
  reduce(_current: Kept, b: Kept): Kept {
    this.sum.add(b.t);
    return { ...b, t: this.sum.get() ?? 0 };
  }
}

class Average extends KeyedProcessFunction<string, Kept, string> {
  private avg!: AggregatingState<number, number>;
  override open(): void {
    this.avg = this.getRuntimeContext().getAggregatingState(
      new AggregatingStateDescriptor<number, [number, number], number>('avg', {
        createAccumulator: () => [0, 0],
        add: (v, [s, c]) => [s + v, c + 1],
        getResult: ([s, c]) => Math.round((s / c) * 1000) / 1000,
        merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
      }),
    );
  }
  processElement(r: Kept, ctx: KeyedProcessContext<string>, outc: Collector<string>): void {
    this.avg.add(r.kept);
    outc.collect(`${ctx.getCurrentKey()},${r.n},${r.kept},${r.t},${this.avg.get()}`);
  }
}

/** Keyed state registered in initializeState through the keyed state store. */
class Numbered extends RichMapFunction<string, string> implements CheckpointedFunction {
  private seq!: ValueState<number>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.seq = ctx.getKeyedStateStore().getState(new ValueStateDescriptor<number>('seq'));
  }
  snapshotState(): void {}
  map(line: string): string {
    const s = (this.seq.value() ?? 0) + 1;
    this.seq.update(s);
    return `${line},${s}`;
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.enableCheckpointing(50);
env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 50));
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const readings = env.addSource(new CountingSensorSource(SETTINGS)).uid('sensors');
const keyOf = (r: { id: string }) => r.id;
let lines;
if (mode === 'alert') {
  lines = readings
    .keyBy(keyOf)
    .flatMap(new TemperatureAlertFunction(1.7))
    .uid('alerts')
    .map(([id, t, d]) => `${id},${t},${d}`);
} else if (mode === 'counter') {
  lines = readings
    .keyBy(keyOf)
    .flatMap(new HighTempCounter(120))
    .uid('counter')
    .map(([id, k, o]) => `${id},${k},${o}`);
} else {
  lines = readings
    .keyBy(keyOf)
    .map(new CountPerKey())
    .uid('count')
    .keyBy(keyOf)
    .filter(new OddPerDecile())
    .uid('filter')
    .keyBy(keyOf)
    .flatMap(new History())
    .uid('history')
    .keyBy(keyOf)
    .reduce(new MaxN())
    .uid('reduce')
    .keyBy(keyOf)
    .process(new Average())
    .uid('average')
    .keyBy((line) => line.split(',')[0]!)
    .map(new Numbered())
    .uid('numbered');
}
lines
  .map(new FailOnce<string>())
  .uid('fail')
  .sinkTo(FileSink.forRowFormat<string>(out!, new SimpleStringEncoder()).withBucketAssigner(new BasePathBucketAssigner()).build())
  .uid('files');
await env.execute(`keyed state ${mode} ${backend}`);
