/**
 * Sensor readings with event time, for the window examples of "Stream Processing with Apache
 * Flink" (chapter 6). The book's SensorSource assigns timestamps as it reads and its examples add a
 * bounded-out-of-orderness watermark assigner; this source does both itself (SourceContext's
 * collectWithTimestamp and emitWatermark) and is deterministic, so results can be checked exactly:
 *
 *   round n: reading n of every sensor `sensor_<s>` at event time n * intervalMs + s, then the
 *            watermark n * intervalMs - boundMs (no reading older than that follows, but the late
 *            ones: with `lateEvery`, every lateEvery-th reading of a sensor is `lateByMs` older)
 *
 * The round to read next is operator list state, so after a restore every reading is emitted once
 * and the watermarks are the same.
 */
import { ListStateDescriptor, RichSourceFunction, Watermark, type CheckpointedFunction, type FunctionInitializationContext, type ListState, type SourceContext } from 'miniflink';
import { temperatureOf, type SensorReading } from './sensors.js';

/** The settings of a TimedSensorSource. */
export interface TimedSensorSettings {
  readonly sensors: number;
  /** Readings per sensor. */
  readonly readings: number;
  /** Event time between two readings of a sensor. */
  readonly intervalMs: number;
  /** How far the watermark stays behind the latest round. */
  readonly boundMs: number;
  /** Every lateEvery-th reading of a sensor is late (0: none). */
  readonly lateEvery?: number;
  /** How much older a late reading is. */
  readonly lateByMs?: number;
}

/** The readings of each window example (shared with their tests, which compute the expected output). */
export const EXAMPLE_SETTINGS = {
  /** window-functions.ts. */
  windowFunctions: { sensors: 4, readings: 300, intervalMs: 200, boundMs: 1000 },
  /** custom-window.ts. */
  customWindow: { sensors: 3, readings: 400, intervalMs: 250, boundMs: 500 },
  /** late-data.ts: every 7th reading of a sensor is 12 s late. */
  lateData: { sensors: 3, readings: 200, intervalMs: 300, boundMs: 500, lateEvery: 7, lateByMs: 12_000 },
} satisfies Record<string, TimedSensorSettings>;

/** Reading n of sensor s. */
export function timedReading(s: TimedSensorSettings, sensor: number, n: number): SensorReading {
  let timestamp = n * s.intervalMs + sensor;
  if (s.lateEvery && n % s.lateEvery === s.lateEvery - 1) timestamp -= s.lateByMs ?? 0;
  return { id: `sensor_${sensor}`, timestamp, temperature: temperatureOf(sensor, n) };
}

/** The watermark after round n. */
export function watermarkAfter(s: TimedSensorSettings, n: number): number {
  return n * s.intervalMs - s.boundMs;
}

/** Every reading with the watermark in force when it arrives, in the order the source emits them. */
export function timedReadings(s: TimedSensorSettings): Array<{ reading: SensorReading; watermark: number }> {
  const out: Array<{ reading: SensorReading; watermark: number }> = [];
  for (let n = 0; n < s.readings; n++) {
    for (let sensor = 0; sensor < s.sensors; sensor++) out.push({ reading: timedReading(s, sensor, n), watermark: n === 0 ? -(2 ** 63) : watermarkAfter(s, n - 1) });
  }
  return out;
}

/** A non-parallel source of timed readings that emits its own watermarks. */
export class TimedSensorSource extends RichSourceFunction<SensorReading> implements CheckpointedFunction {
  private round = 0;
  private state!: ListState<number>;
  private running = true;
  constructor(private readonly settings: TimedSensorSettings) {
    super();
  }
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('round'));
    if (ctx.isRestored()) this.round = [...this.state.get()][0] ?? 0;
  }
  snapshotState(): void {
    this.state.update([this.round]);
  }
  async run(ctx: SourceContext<SensorReading>): Promise<void> {
    const s = this.settings;
    // After a restore, the watermark emitted last comes first.
    if (this.round > 0) ctx.emitWatermark(new Watermark(watermarkAfter(s, this.round - 1)));
    while (this.round < s.readings && this.running) {
      const n = this.round++;
      const waits = [];
      for (let sensor = 0; sensor < s.sensors; sensor++) {
        const r = timedReading(s, sensor, n);
        waits.push(ctx.collectWithTimestamp(r, r.timestamp));
      }
      ctx.emitWatermark(new Watermark(watermarkAfter(s, n)));
      for (const w of waits) if (w) await w;
    }
  }
  cancel(): void {
    this.running = false;
  }
}
