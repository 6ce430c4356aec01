/**
 * The sensor readings of "Stream Processing with Apache Flink" (chapter 7), and the functions its
 * stateful examples use, shared by examples/temperature-alert.ts and examples/high-temp-counter.ts
 * (and their tests).
 *
 * The source is deterministic, so results can be checked exactly: `partitions` partitions of
 * `perPartition` readings each, reading n of partition p from sensor `sensor_${p}_${n % sensors}`
 * (each sensor belongs to one partition, so its readings arrive in order) at temperature
 * `temperatureOf(p, n)`. Like a Kafka consumer it keeps one offset per partition it
 * reads in operator list state, so that after a restore (at any parallelism) every reading is
 * emitted exactly once.
 */
import {
  ListStateDescriptor,
  RichFlatMapFunction,
  RichParallelSourceFunction,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type Collector,
  type FunctionInitializationContext,
  type ListState,
  type SourceContext,
  type ValueState,
} from 'miniflink';

/** One reading. */
export interface SensorReading {
  readonly id: string;
  readonly timestamp: number;
  readonly temperature: number;
}

/** The settings of a SensorSource. */
export interface SensorSourceSettings {
  readonly partitions: number;
  readonly perPartition: number;
  /** Sensors per partition. */
  readonly sensors: number;
  /** Pause this many ms after every 50 readings of a subtask (0: none), so checkpoints happen while it runs. */
  readonly pauseMs?: number;
}

/** The temperature of reading n of partition p: a deterministic wave between about 60 and 140. */
export function temperatureOf(partition: number, n: number): number {
  return Math.round((100 + 40 * Math.sin(partition * 1.3 + n * 0.37)) * 10) / 10;
}

/** Reading n of partition p. */
export function readingOf(settings: SensorSourceSettings, partition: number, n: number): SensorReading {
  return { id: `sensor_${partition}_${n % settings.sensors}`, timestamp: partition * 1_000_000 + n, temperature: temperatureOf(partition, n) };
}

/** Every reading of every partition, partition by partition (what a test compares with). */
export function allReadings(settings: SensorSourceSettings): SensorReading[] {
  const out: SensorReading[] = [];
  for (let p = 0; p < settings.partitions; p++) for (let n = 0; n < settings.perPartition; n++) out.push(readingOf(settings, p, n));
  return out;
}

/** A parallel source of partitioned sensor readings whose per-partition offsets are operator list state. */
export class SensorSource extends RichParallelSourceFunction<SensorReading> implements CheckpointedFunction {
  /** [partition, next offset] of each partition this subtask reads. */
  protected offsets: Array<[number, number]> = [];
  private state!: ListState<[number, number]>;
  /** False once canceled (a stop, a drain or a cancel): the source's loops end. */
  protected running = true;
  constructor(private readonly settings: SensorSourceSettings) {
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
    const p = rc.getNumberOfParallelSubtasks();
    for (let partition = rc.getIndexOfThisSubtask(); partition < this.settings.partitions; partition += p) this.offsets.push([partition, 0]);
  }
  /** Called before each reading; the source waits for a returned promise (nothing is in flight then). */
  protected beforeReading(): void | Promise<void> {}
  /** Called as each reading is handed over, in the same step as its offset advances. */
  protected emitted(): void {}
  async run(ctx: SourceContext<SensorReading>): Promise<void> {
    let emitted = 0;
    for (const entry of this.offsets) {
      while (entry[1] < this.settings.perPartition && this.running) {
        const wait = this.beforeReading();
        if (wait) await wait;
        // The offset moves on as the record is handed over, with no await between them (a
        // checkpoint taken while collect waits for the network covers the record: its barrier
        // follows it).
        const reading = readingOf(this.settings, entry[0], entry[1]++);
        this.emitted();
        await ctx.collect(reading);
        if (++emitted % 50 === 0 && this.settings.pauseMs) await new Promise((resolve) => setTimeout(resolve, this.settings.pauseMs));
      }
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/**
 * The book's TemperatureAlertFunction: emits (id, temperature, difference) when a sensor's
 * temperature changed by more than `threshold` since its last reading, keeping the last
 * temperature in keyed ValueState obtained in open().
 */
export class TemperatureAlertFunction extends RichFlatMapFunction<SensorReading, [string, number, number]> {
  private lastTempState!: ValueState<number>;
  constructor(private readonly threshold: number) {
    super();
  }
  override open(): void {
    this.lastTempState = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('lastTemp'));
  }
  flatMap(reading: SensorReading, out: Collector<[string, number, number]>): void {
    const lastTemp = this.lastTempState.value();
    if (lastTemp !== null && lastTemp !== undefined) {
      const tempDiff = Math.abs(reading.temperature - lastTemp);
      if (tempDiff > this.threshold) out.collect([reading.id, reading.temperature, Math.round(tempDiff * 10) / 10]);
    }
    this.lastTempState.update(reading.temperature);
  }
}

/**
 * The book's HighTempCounter (CheckpointedFunction): counts readings above the threshold per sensor
 * in keyed state and per subtask in operator list state, emitting (id, count of the sensor, count
 * of the subtask) for each.
 */
export class HighTempCounter implements CheckpointedFunction {
  private opHighTempCnt = 0;
  private keyedCntState!: ValueState<number>;
  private opCntState!: ListState<number>;
  constructor(private readonly threshold: number) {}
  flatMap(v: SensorReading, out: Collector<[string, number, number]>): void {
    if (v.temperature > this.threshold) {
      this.opHighTempCnt += 1;
      const keyHighTempCnt = (this.keyedCntState.value() ?? 0) + 1;
      this.keyedCntState.update(keyHighTempCnt);
      out.collect([v.id, keyHighTempCnt, this.opHighTempCnt]);
    }
  }
  initializeState(initContext: FunctionInitializationContext): void {
    this.keyedCntState = initContext.getKeyedStateStore().getState(new ValueStateDescriptor<number>('keyedCnt'));
    this.opCntState = initContext.getOperatorStateStore().getListState(new ListStateDescriptor<number>('opCnt'));
    this.opHighTempCnt = [...this.opCntState.get()].reduce((a, b) => a + b, 0);
  }
  snapshotState(): void {
    this.opCntState.clear();
    this.opCntState.add(this.opHighTempCnt);
  }
}
