/**
 * The metrics of one subtask, with Flink's names: the task's I/O metrics (TaskIOMetricGroup:
 * records, bytes and buffers in and out with their per-second meters, busy, idle and
 * backpressured time, checkpoint alignment and start delay, the input watermark) and each chained
 * operator's (OperatorIOMetricGroup: records in and out, input and output watermarks; operators
 * add their own, such as a window's numLateRecordsDropped, and user code adds more).
 *
 * Counting is plain field increments in code the records pass anyway: records per buffer at the
 * task's input, per record in the chain's outputs (operator-chain.ts), bytes and buffers in the
 * record writers and the input loop. With `metrics.enabled: false` (a bench-only switch) none of
 * this exists and the chain's outputs count nothing.
 */
import { MAX_WATERMARK, MIN_WATERMARK } from '../../core/watermarks.js';
import { MeterView, operatorGroup, SimpleCounter, taskGroup, TimerGauge, type MetricDump, type MetricGroup, type MetricRegistry, type TaskScopeInfo } from '../../metrics/index.js';

/** Flink's Long.MIN_VALUE and Long.MAX_VALUE as its REST API prints them. */
const MIN_LONG_TEXT = '-9223372036854775808';
const MAX_LONG_TEXT = '9223372036854775807';

/** A watermark as a gauge shows it (Flink's long). */
export function watermarkText(wm: number): string {
  if (wm <= MIN_WATERMARK) return MIN_LONG_TEXT;
  if (wm >= MAX_WATERMARK) return MAX_LONG_TEXT;
  return String(wm);
}

/** One chained operator's metrics. */
export class OperatorMetrics {
  readonly recordsIn = new SimpleCounter();
  readonly recordsOut = new SimpleCounter();
  inputWatermark = MIN_WATERMARK;
  outputWatermark = MIN_WATERMARK;
  constructor(readonly group: MetricGroup) {
    group.counter('numRecordsIn', this.recordsIn);
    group.counter('numRecordsOut', this.recordsOut);
    group.meter('numRecordsInPerSecond', new MeterView(this.recordsIn));
    group.meter('numRecordsOutPerSecond', new MeterView(this.recordsOut));
    group.gauge('currentInputWatermark', { getValue: () => watermarkText(this.inputWatermark) });
    group.gauge('currentOutputWatermark', { getValue: () => watermarkText(this.outputWatermark) });
  }
}

/** One subtask's metrics. */
export class TaskMetrics {
  readonly group: MetricGroup;
  readonly operators: OperatorMetrics[];
  /** The head operator's numRecordsIn (Flink's task numRecordsIn is the same counter). */
  readonly recordsIn: SimpleCounter;
  /** Records the chain wrote to the network. */
  readonly recordsOut = new SimpleCounter();
  readonly bytesIn = new SimpleCounter();
  readonly bytesOut = new SimpleCounter();
  readonly buffersIn = new SimpleCounter();
  readonly buffersOut = new SimpleCounter();
  /** Waiting for input. */
  readonly idle = new TimerGauge();
  /** Waiting for an output buffer (credit) downstream. */
  readonly backPressured = new TimerGauge();
  /** The last alignment's duration, ns. */
  alignmentNanos = 0;
  /**
   * Where the subtask's state came from at its start (miniflink): `none` (nothing restored),
   * `local` (every operator from its slot thread's local copy), `remote` (checkpoint storage), or `mixed`.
   */
  restoreSource: 'none' | 'local' | 'remote' | 'mixed' = 'none';
  /** How long restoring the subtask's state took, ms (miniflink). */
  restoreDurationMs = 0;
  /** From a checkpoint's trigger to its barrier reaching this task, ns (the last checkpoint's). */
  startDelayNanos = 0;
  private readonly started = performance.now();

  constructor(
    private readonly registry: MetricRegistry,
    readonly info: TaskScopeInfo,
    operators: ReadonlyArray<{ readonly id: string; readonly name: string }>,
  ) {
    const g = (this.group = taskGroup(registry, info));
    this.operators = operators.map((o) => new OperatorMetrics(operatorGroup(registry, info, o.id, o.name)));
    this.recordsIn = this.operators[0]!.recordsIn;
    g.counter('numRecordsIn', this.recordsIn);
    g.counter('numRecordsOut', this.recordsOut);
    g.counter('numBytesIn', this.bytesIn);
    g.counter('numBytesOut', this.bytesOut);
    g.counter('numBuffersIn', this.buffersIn);
    g.counter('numBuffersOut', this.buffersOut);
    g.meter('numRecordsInPerSecond', new MeterView(this.recordsIn));
    g.meter('numRecordsOutPerSecond', new MeterView(this.recordsOut));
    g.meter('numBytesInPerSecond', new MeterView(this.bytesIn));
    g.meter('numBytesOutPerSecond', new MeterView(this.bytesOut));
    g.meter('numBuffersInPerSecond', new MeterView(this.buffersIn));
    g.meter('numBuffersOutPerSecond', new MeterView(this.buffersOut));
    g.gauge('idleTimeMsPerSecond', this.idle);
    g.gauge('backPressuredTimeMsPerSecond', this.backPressured);
    // Flink: busy is what is neither idle nor backpressured.
    g.gauge('busyTimeMsPerSecond', { getValue: () => Math.max(0, 1000 - this.idle.getValue() - this.backPressured.getValue()) });
    g.gauge('isBackPressured', { getValue: () => this.backPressured.isMeasuring() });
    g.gauge('accumulatedIdleTimeMs', { getValue: () => Math.round(this.idle.getAccumulatedCount()) });
    g.gauge('accumulatedBackPressuredTimeMs', { getValue: () => Math.round(this.backPressured.getAccumulatedCount()) });
    g.gauge('accumulatedBusyTimeMs', { getValue: () => this.accumulatedBusyMs() });
    g.gauge('currentInputWatermark', { getValue: () => watermarkText(this.operators[0]!.inputWatermark) });
    g.gauge('checkpointAlignmentTime', { getValue: () => this.alignmentNanos });
    g.gauge('checkpointStartDelayNanos', { getValue: () => this.startDelayNanos });
    g.gauge('stateRestoreSource', { getValue: () => this.restoreSource });
    g.gauge('stateRestoreDurationMs', { getValue: () => this.restoreDurationMs });
  }

  /** Milliseconds neither idle nor backpressured since the task started. */
  accumulatedBusyMs(): number {
    return Math.max(0, Math.round(performance.now() - this.started - this.idle.getAccumulatedCount() - this.backPressured.getAccumulatedCount()));
  }

  /** Current values of this subtask's metrics (operators' and user metrics included). */
  dump(): MetricDump[] {
    const { jobId, vertexId, subtaskIndex, attempt } = this.info;
    return this.registry.dump((s) => (s.kind === 'task' || s.kind === 'operator') && s.jobId === jobId && s.vertexId === vertexId && s.subtask === subtaskIndex && s.attempt === attempt);
  }

  /** Removes the subtask's metrics from the registry (the task ended). */
  close(): void {
    for (const o of this.operators) o.group.close();
    this.group.close();
  }
}
