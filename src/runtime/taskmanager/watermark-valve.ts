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
export class StatusWatermarkValve {
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
