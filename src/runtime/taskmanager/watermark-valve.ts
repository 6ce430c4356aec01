/**
 * Flink's StatusWatermarkValve: turns the watermarks and idle/active statuses of a task's input
 * channels into the task's own. The task's watermark is the minimum over the channels that are
 * active and aligned (caught up with it), emitted only when it advances; a channel that becomes
 * idle stops holding it back; when every channel is idle the task is idle downstream too (after
 * "flushing" the largest watermark of its channels, when the last active one held the minimum).
 */

import { MIN_WATERMARK } from '../../core/watermarks.js';

interface ChannelStatus {
  watermark: number;
  idle: boolean;
  aligned: boolean;
}

/** Where the valve's output goes. */
export interface ValveOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

/** The watermark valve of one task's input channels. */
export class StatusWatermarkValve implements InputWatermarks {
  private readonly channels: ChannelStatus[];
  private lastOutputWatermark = MIN_WATERMARK;
  private idle = false;

  constructor(
    numChannels: number,
    private readonly output: ValveOutput,
  ) {
    this.channels = Array.from({ length: numChannels }, () => ({ watermark: MIN_WATERMARK, idle: false, aligned: true }));
  }

  /** The last watermark the valve emitted. */
  get watermark(): number {
    return this.lastOutputWatermark;
  }

  /** A watermark arrived on a channel. */
  inputWatermark(watermark: number, channel: number): void {
    const c = this.channels[channel]!;
    // Ignored while the channel (or the whole valve) is idle, and when it does not advance the channel.
    if (this.idle || c.idle || watermark <= c.watermark) return;
    c.watermark = watermark;
    if (!c.aligned && watermark >= this.lastOutputWatermark) c.aligned = true;
    this.outputNewMinAcrossAligned();
  }

  /** A channel became idle or active. */
  inputWatermarkStatus(idle: boolean, channel: number): void {
    const c = this.channels[channel]!;
    if (idle && !c.idle) {
      c.idle = true;
      c.aligned = false;
      if (!this.channels.some((x) => !x.idle)) {
        if (c.watermark === this.lastOutputWatermark) this.outputMaxAcrossAll();
        this.idle = true;
        this.output.emitWatermarkStatus(true);
      } else if (c.watermark === this.lastOutputWatermark) {
        this.outputNewMinAcrossAligned();
      }
    } else if (!idle && c.idle) {
      c.idle = false;
      if (c.watermark >= this.lastOutputWatermark) c.aligned = true;
      if (this.idle) {
        this.idle = false;
        this.output.emitWatermarkStatus(false);
      }
    }
  }

  private outputNewMinAcrossAligned(): void {
    let min = Infinity;
    let any = false;
    for (const c of this.channels) {
      if (!c.aligned) continue;
      any = true;
      if (c.watermark < min) min = c.watermark;
    }
    if (any && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.output.emitWatermark(min);
    }
  }

  private outputMaxAcrossAll(): void {
    let max = MIN_WATERMARK;
    for (const c of this.channels) if (c.watermark > max) max = c.watermark;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      this.output.emitWatermark(max);
    }
  }
}

/** What a task's input turns watermarks and statuses of its channels into (one valve, or one per input). */
export interface InputWatermarks {
  /** The last watermark emitted. */
  readonly watermark: number;
  inputWatermark(watermark: number, channel: number): void;
  inputWatermarkStatus(idle: boolean, channel: number): void;
}

/**
 * The watermarks of a two-input task, as Flink's StreamTwoInputProcessor and
 * AbstractStreamOperator's CombinedWatermarkStatus have them: one StatusWatermarkValve per input
 * over that input's channels (flushing its largest watermark when all of them go idle), then the
 * operator's watermark is the minimum over the inputs that are active. While every input is idle
 * it does not advance (an idle input's flushed watermark never moves it past an input that was
 * holding it), and the task is idle downstream.
 */
export class TwoInputWatermarkValve implements InputWatermarks {
  private readonly valves: StatusWatermarkValve[];
  /** Per channel of the gate: its input, and its index among that input's channels. */
  private readonly inputOf: readonly number[];
  private readonly indexInInput: readonly number[];
  private readonly inputs = [
    { watermark: MIN_WATERMARK, idle: false },
    { watermark: MIN_WATERMARK, idle: false },
  ];
  private combined = MIN_WATERMARK;
  private idle = false;

  /** `inputOf[c]`: the input (0 or 1) channel `c` feeds. */
  constructor(
    inputOf: readonly number[],
    private readonly output: ValveOutput,
  ) {
    this.inputOf = inputOf;
    const counts = [0, 0];
    this.indexInInput = inputOf.map((i) => counts[i]!++);
    this.valves = [0, 1].map(
      (i) =>
        new StatusWatermarkValve(counts[i]!, {
          emitWatermark: (wm) => {
            this.inputs[i]!.watermark = wm;
            this.update();
          },
          emitWatermarkStatus: (idle) => {
            const wasIdle = this.idle;
            this.inputs[i]!.idle = idle;
            this.update();
            if (wasIdle !== this.idle) this.output.emitWatermarkStatus(this.idle);
          },
        }),
    );
  }

  get watermark(): number {
    return this.combined;
  }

  inputWatermark(watermark: number, channel: number): void {
    this.valves[this.inputOf[channel]!]!.inputWatermark(watermark, this.indexInInput[channel]!);
  }

  inputWatermarkStatus(idle: boolean, channel: number): void {
    this.valves[this.inputOf[channel]!]!.inputWatermarkStatus(idle, this.indexInInput[channel]!);
  }

  /** Flink's CombinedWatermarkStatus.updateCombinedWatermark. */
  private update(): void {
    let min = Infinity;
    let allIdle = true;
    for (const p of this.inputs) {
      if (p.idle) continue;
      allIdle = false;
      if (p.watermark < min) min = p.watermark;
    }
    this.idle = allIdle;
    if (!allIdle && min > this.combined) {
      this.combined = min;
      this.output.emitWatermark(min);
    }
  }
}
