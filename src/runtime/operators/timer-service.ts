/**
 * Keyed timers of one operator subtask (Flink's InternalTimerServiceImpl): at most one timer per
 * key, timestamp and namespace in each time domain. Any keyed operator makes one with its clock,
 * a firing callback, its mailbox and its keyed backend; the timers live in two queues the backend
 * owns (so they are checkpointed per key group with the keyed state and restored at any
 * parallelism), named as Flink names them:
 *
 *   register / delete ──► _timer_state/event_<name>       (KeyGroupPartitionedPriorityQueue)
 *                    └──► _timer_state/processing_<name>  (same)
 *
 *   advanceWatermark(w):   while head.timestamp <= w: poll, make its key current, fire
 *   processing time:       one setTimeout for the head of the processing-time queue; when it goes
 *                          off, the mailbox fires every timer <= now, then arms one for the new head
 *
 * Registering or deleting costs O(log n); firing takes the head, O(log n), never a sort. Timers
 * registered while firing fire in the same pass when they are due (a timer set from onTimer at or
 * before the watermark fires before advanceWatermark returns), as in Flink. Ties between timers of
 * the same timestamp fire in no particular order, as in Flink. Event-time timers fire when the
 * watermark passes them (the final watermark of a bounded input fires them all).
 */
import type { TimerService as TimerServiceApi } from '../../api/index.js';
import { MiniFlinkError } from '../../core/errors.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../core/watermarks.js';
import { assignToKeyGroup } from '../../core/key-groups.js';
import { normalizeKey, type AbstractKeyedStateBackend, type InternalTimer, type NormalizedKey, type TimerQueue } from '../../state/index.js';

/** The two time domains. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** Fires one timer: its key is already the backend's current key. */
export type TimerCallback = (timer: InternalTimer, domain: TimeDomain) => void;

/** The longest delay setTimeout takes (a longer one would fire at once); later timers re-arm. */
const MAX_DELAY = 2 ** 31 - 1;

/** The timers of one keyed operator subtask (one timer service of its operator). */
export class TimerService {
  /** The current watermark (Flink's Long.MIN_VALUE before any). */
  watermark = MIN_WATERMARK;
  private readonly eventTimers: TimerQueue;
  private readonly processingTimers: TimerQueue;
  /** The armed wake-up for processing-time timers, if any, and the time it is for. */
  private scheduled: NodeJS.Timeout | undefined;
  private scheduledFor = Infinity;
  /** No more processing-time firing (end of input, close). */
  private quiesced = false;
  /** What locate() found (fields, not a returned pair: registering allocates nothing). */
  private nk: NormalizedKey = 0;
  private kg = 0;

  constructor(
    /** Current processing time. */
    private readonly now: () => number,
    /** Fires one timer (the key is set; call the user's onTimer). */
    private readonly fire: TimerCallback,
    /** Runs the firing of processing-time timers in the task's order; an error there fails the task. */
    private readonly mailbox: (action: () => void) => void,
    /** The keyed backend: the current key, and the timer queues. */
    private readonly backend: AbstractKeyedStateBackend,
    /** The service's name (Flink's: `user-timers` for process functions, `window-timers` for windows). */
    readonly name = 'user-timers',
  ) {
    this.eventTimers = backend.createTimerQueue(`_timer_state/event_${name}`);
    this.processingTimers = backend.createTimerQueue(`_timer_state/processing_${name}`);
  }

  /**
   * Arms the wake-up for the earliest processing-time timer: call once state is restored (Flink's
   * startTimerService), so that restored timers fire.
   */
  start(): void {
    this.scheduleNext();
  }

  /**
   * Registers a timer for a key (normally the current key); a no-op when it exists.
   * @throws MF_ERR_INVALID_ARGUMENT without a key, or for a timestamp that is not a number from
   *   Long.MIN_VALUE to Long.MAX_VALUE (-2^63 and 2^63 here).
   */
  register(domain: TimeDomain, key: unknown, timestamp: number, namespace?: unknown): void {
    this.locate(key, timestamp);
    const nk = this.nk;
    const kg = this.kg;
    const nsNorm = namespace === undefined ? undefined : normalizeKey(namespace);
    if (domain === 'EVENT_TIME') {
      this.eventTimers.add(kg, key, nk, timestamp, namespace, nsNorm);
    } else if (this.processingTimers.add(kg, key, nk, timestamp, namespace, nsNorm)) {
      // A new earliest processing-time timer: wake up for it.
      this.scheduleNext();
    }
  }

  /** Deletes a timer of a key (normally the current key); a no-op when there is none. */
  delete(domain: TimeDomain, key: unknown, timestamp: number, namespace?: unknown): void {
    this.locate(key, timestamp);
    const nk = this.nk;
    const kg = this.kg;
    // A processing-time wake-up armed for a deleted timer finds nothing due and re-arms (Flink's way).
    (domain === 'EVENT_TIME' ? this.eventTimers : this.processingTimers).remove(kg, nk, timestamp, namespace === undefined ? undefined : normalizeKey(namespace));
  }

  /** Advances the watermark and fires, in timestamp order, the event-time timers it passed. */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    this.fireUpTo(this.eventTimers, 'EVENT_TIME', watermark);
  }

  /** Stops processing-time timers (end of input, close); event time still advances. */
  quiesce(): void {
    this.quiesced = true;
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduled = undefined;
    this.scheduledFor = Infinity;
  }

  /**
   * The end of the input: processing time stops, and the final watermark fires every event-time
   * timer left (as Flink's operators do at endInput).
   */
  endOfInput(): void {
    this.quiesce();
    if (this.watermark < MAX_WATERMARK) this.advanceWatermark(MAX_WATERMARK);
  }

  /** Number of event-time timers. */
  numEventTimeTimers(): number {
    return this.eventTimers.size;
  }

  /** Number of processing-time timers. */
  numProcessingTimeTimers(): number {
    return this.processingTimers.size;
  }

  /**
   * The user-facing TimerService (Flink's SimpleTimerService): timers of the current key, void
   * namespace. What a process function's `ctx.timerService()` returns.
   */
  forCurrentKey(): TimerServiceApi {
    const key = () => this.backend.getCurrentKey();
    return {
      currentProcessingTime: () => this.now(),
      currentWatermark: () => this.watermark,
      registerProcessingTimeTimer: (ts) => this.register('PROCESSING_TIME', key(), whole(ts)),
      registerEventTimeTimer: (ts) => this.register('EVENT_TIME', key(), whole(ts)),
      deleteProcessingTimeTimer: (ts) => this.delete('PROCESSING_TIME', key(), whole(ts)),
      deleteEventTimeTimer: (ts) => this.delete('EVENT_TIME', key(), whole(ts)),
    };
  }

  /**
   * Sets `nk` and `kg` to the key's normalized form and key group: the backend's when it is the current key.
   * @throws MF_ERR_INVALID_ARGUMENT for a timestamp outside Long's range (NaN, ±Infinity, Number.MAX_VALUE).
   */
  private locate(key: unknown, timestamp: number): void {
    // Flink's timestamps are longs: NaN, ±Infinity and numbers beyond Long's range have no timer.
    if (typeof timestamp !== 'number' || !(timestamp >= MIN_WATERMARK && timestamp <= MAX_WATERMARK)) throw badTimestamp(timestamp);
    const b = this.backend;
    if (key === undefined || key === null) {
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'Timers need a current key: set them in processElement or onTimer of a function on a keyed stream');
    }
    if (key === b.getCurrentKey()) {
      this.nk = b.getCurrentNormalizedKey()!;
      this.kg = b.getCurrentKeyGroup();
    } else {
      this.nk = normalizeKey(key);
      this.kg = assignToKeyGroup(key, b.maxParallelism);
    }
  }

  /** Fires the queue's timers up to `time`, including those registered meanwhile. */
  private fireUpTo(queue: TimerQueue, domain: TimeDomain, time: number): void {
    const processing = domain === 'PROCESSING_TIME';
    for (let t = queue.pollUpTo(time); t !== undefined; t = queue.pollUpTo(time)) {
      this.backend.setCurrentKeyAndKeyGroup(t.key, t.normalizedKey, t.keyGroup);
      this.fire(t, domain);
      if (processing && this.quiesced) return;
    }
  }

  /** Arms the wake-up for the earliest processing-time timer unless one is armed for it or earlier. */
  private scheduleNext(): void {
    if (this.quiesced) return;
    const head = this.processingTimers.headTimestamp();
    if (head === Infinity || head >= this.scheduledFor) return;
    if (this.scheduled) clearTimeout(this.scheduled);
    this.scheduledFor = head;
    this.scheduled = setTimeout(
      () => {
        this.scheduled = undefined;
        this.scheduledFor = Infinity;
        this.mailbox(() => {
          try {
            this.fireUpTo(this.processingTimers, 'PROCESSING_TIME', this.now());
          } finally {
            // The timers after one that threw stay armed (the task is failing, but until it closes they are its timers).
            this.scheduleNext();
          }
        });
      },
      Math.min(MAX_DELAY, Math.max(0, head - this.now())),
    );
  }
}

/**
 * A timestamp a process function passes to its TimerService: a whole number of milliseconds, as
 * Flink's are longs (1.5 would fire at the watermark 1.5, which no Flink job can have). Window
 * triggers keep fractional timestamps, which windows of fractional record timestamps have.
 */
function whole(ts: number): number {
  if (!Number.isInteger(ts)) throw badTimestamp(ts);
  return ts;
}

function badTimestamp(ts: unknown): MiniFlinkError {
  return new MiniFlinkError(
    'MF_ERR_INVALID_ARGUMENT',
    `A timer's timestamp must be a number of milliseconds, a whole number from Long.MIN_VALUE to Long.MAX_VALUE (-2^63 to 2^63 - 1) as Flink's timestamps are longs, got ${String(ts)}`,
  );
}

/**
 * The timer service of an operator on a stream that is not keyed (Flink's ProcessOperator,
 * CoProcessOperator): it tells the time; setting or deleting a timer throws Flink's message.
 */
export function timeOnlyTimerService(now: () => number, watermark: () => number): TimerServiceApi {
  const keyedOnly = (): never => {
    throw new Error('Setting timers is only supported on a keyed streams.');
  };
  return {
    currentProcessingTime: now,
    currentWatermark: watermark,
    registerProcessingTimeTimer: keyedOnly,
    registerEventTimeTimer: keyedOnly,
    deleteProcessingTimeTimer: keyedOnly,
    deleteEventTimeTimer: keyedOnly,
  };
}
