/**
 * Watermark alignment of one source subtask (Flink's SourceOperator with WatermarkAlignmentParams,
 * plus the part of its SourceCoordinator that aggregates a group's watermarks):
 *
 *   every updateInterval (in the task's mailbox), once the subtask has emitted a watermark:
 *     report(idle ? MAX : latest)  ──► shared slot of this subtask (watermark-table.ts)
 *     maxDesired = min over the group's reported slots + maxAllowedWatermarkDrift
 *   latest > maxDesired  ──► WAITING_FOR_ALIGNMENT: the source's collect() returns a promise that
 *                            resolves once a later update lets it go on (or the task is canceled)
 *
 * A subtask that finished reports MAX, so that it holds nothing back (Flink keeps its last report).
 */
import { MAX_WATERMARK, MIN_WATERMARK } from '../../core/watermarks.js';
import type { WatermarkAlignmentParams } from '../../api/index.js';
import type { AlignmentGroupView } from '../watermark-table.js';
import { PeriodicAction, type Scheduler } from './timestamps-and-watermarks.js';

/** The alignment state of one source subtask. */
export class SourceWatermarkAlignment {
  /** The highest watermark the group allows this subtask (Flink's currentMaxDesiredWatermark). */
  private maxDesired = MAX_WATERMARK;
  /** The last watermark this subtask emitted (MIN: none yet, nothing reported). */
  private latest = MIN_WATERMARK;
  private idle = false;
  /** Set while the subtask waits for the group to catch up. */
  private waiting: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  private readonly periodic: PeriodicAction;

  constructor(
    private readonly params: WatermarkAlignmentParams,
    /** The group as this subtask sees it; undefined: alone (never waits). */
    private readonly view: AlignmentGroupView | undefined,
    mailbox: (action: () => void) => void,
    schedule?: Scheduler,
  ) {
    this.periodic = new PeriodicAction(params.getUpdateInterval(), () => this.update(), mailbox, schedule);
  }

  /** Starts the periodic updates. */
  start(): void {
    this.periodic.start();
  }

  /** A promise to await before emitting more, while the subtask is ahead of its group; else undefined. */
  get wait(): Promise<void> | undefined {
    return this.waiting?.promise;
  }

  /** The subtask emitted a watermark. */
  onWatermark(watermark: number): void {
    this.latest = watermark;
    this.check();
  }

  /** The subtask became idle or active. */
  onIdle(idle: boolean): void {
    this.idle = idle;
  }

  /** Reports and learns the group's minimum (Flink: ReportedWatermarkEvent, then WatermarkAlignmentEvent). */
  update(): void {
    if (this.latest === MIN_WATERMARK) return; // Nothing emitted yet: nothing to report, nothing announced.
    const reported = this.idle ? MAX_WATERMARK : this.latest;
    this.view?.report(reported);
    const min = this.view ? this.view.minimum() : reported;
    // Saturating, as Flink's Math.addExact fallback: an all-idle group allows everything.
    this.maxDesired = min >= MAX_WATERMARK ? MAX_WATERMARK : min + this.params.getMaxAllowedWatermarkDrift();
    this.check();
  }

  /** The subtask ended (input over, canceled, failed): it holds nothing back, and waits no more. */
  finish(): void {
    this.periodic.stop();
    this.view?.report(MAX_WATERMARK);
    this.release();
  }

  private check(): void {
    const shouldWait = this.maxDesired < this.latest;
    if (shouldWait && !this.waiting) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiting = { promise, resolve };
    } else if (!shouldWait) {
      this.release();
    }
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve();
  }
}
