/**
 * The baseline of bench/timers.ts: the timer service as it was before the timer queues (a copy of
 * src/runtime/operators/timer-service.ts at commit aae823f, only its import changed). Keyed timers
 * of one operator subtask (Flink's InternalTimerService): at most one timer per key,
 * time and domain. Processing-time timers fire from the task's clock; event-time timers fire when
 * the watermark passes them (watermarks arrive with the event-time issue; the final watermark of a
 * bounded input fires them all). Timers are checkpointed with the operator.
 */
import { normalizeKey, type NormalizedKey } from 'miniflink/internal';

/** The two time domains. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** One timer. */
export interface Timer {
  readonly domain: TimeDomain;
  readonly key: unknown;
  readonly timestamp: number;
}

const id = (domain: TimeDomain, nk: NormalizedKey, ts: number) => `${domain === 'EVENT_TIME' ? 'e' : 'p'}|${ts}|${typeof nk}|${String(nk)}`;

/** The timers of one keyed operator subtask: a Map, a scan per processing-time registration, a sort per firing. */
export class MapTimerService {
  private readonly timers = new Map<string, Timer>();
  private scheduled: NodeJS.Timeout | undefined;
  private scheduledFor = Infinity;
  private quiesced = false;
  /** The current watermark. */
  watermark = Number.MIN_SAFE_INTEGER;

  constructor(
    private readonly now: () => number,
    /** Fires one timer (sets the key, calls onTimer). */
    private readonly fire: (t: Timer) => void,
    /** Runs the firing of processing-time timers in the task's order; an error there fails the task. */
    private readonly mailbox: (action: () => void) => void = (action) => action(),
  ) {}

  /** Registers a timer (a no-op when it exists). */
  register(domain: TimeDomain, key: unknown, timestamp: number): void {
    this.timers.set(id(domain, normalizeKey(key), timestamp), { domain, key, timestamp });
    if (domain === 'PROCESSING_TIME') this.schedule();
  }

  /** Deletes a timer. */
  delete(domain: TimeDomain, key: unknown, timestamp: number): void {
    this.timers.delete(id(domain, normalizeKey(key), timestamp));
  }

  private schedule(): void {
    if (this.quiesced) return;
    let next = Infinity;
    for (const t of this.timers.values()) if (t.domain === 'PROCESSING_TIME' && t.timestamp < next) next = t.timestamp;
    if (next === Infinity || next >= this.scheduledFor) return;
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduledFor = next;
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      this.scheduledFor = Infinity;
      this.mailbox(() => {
        try {
          this.fireDue('PROCESSING_TIME', this.now());
        } finally {
          // The timers after one that threw stay scheduled (the task is failing, but until it closes they are its timers).
          this.schedule();
        }
      });
    }, Math.max(0, next - this.now()));
  }

  private fireDue(domain: TimeDomain, upTo: number): void {
    const due = [...this.timers.entries()].filter(([, t]) => t.domain === domain && t.timestamp <= upTo).sort((a, b) => a[1].timestamp - b[1].timestamp);
    for (const [k, t] of due) {
      if (!this.timers.delete(k)) continue; // Deleted by an earlier timer of this round.
      this.fire(t);
    }
  }

  /** Advances the watermark and fires the event-time timers it passed. */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    this.fireDue('EVENT_TIME', watermark);
  }

  /** Stops processing-time timers (end of input, close). */
  quiesce(): void {
    this.quiesced = true;
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = undefined;
  }

  /** Every timer, for a snapshot. */
  all(): Timer[] {
    return [...this.timers.values()];
  }

  /** Restores timers (those of this subtask's keys) and schedules them. */
  restore(timers: readonly Timer[]): void {
    for (const t of timers) this.timers.set(id(t.domain, normalizeKey(t.key), t.timestamp), t);
    this.schedule();
  }
}
