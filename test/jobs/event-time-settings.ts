/**
 * The events of test/jobs/event-time-job.ts and the strategies it runs them through, shared with
 * test/integration/event-time.test.ts. `pause` makes the source sleep long enough for a periodic
 * watermark (auto-watermark interval 20 ms) to go out before the next record: the periodic emit and
 * the source's sleep are timers of the same thread, so the emit always comes first.
 */

/** One event: key, event time, and for the punctuated strategies a watermark that follows it. */
export type Ev = { readonly k: string; readonly t: number; readonly wm?: number };

/** The script: in order, out of order (b@1200) and late (a@2100) events, with pauses. */
export const SCRIPT: ReadonlyArray<Ev | 'pause'> = [
  { k: 'a', t: 1000 },
  { k: 'b', t: 1500 },
  'pause',
  { k: 'a', t: 2600, wm: 2500 },
  { k: 'b', t: 1200 },
  'pause',
  { k: 'b', t: 4000, wm: 3000 },
  'pause',
  { k: 'a', t: 2100 },
  'pause',
  { k: 'a', t: 6000, wm: 5000 },
];

/** Where a `fail` run waits for a completed checkpoint, and `stop` stops: after the second pause. */
export const MIDDLE = 6;

/** The auto-watermark interval of the job, and how long a pause lasts. */
export const INTERVAL_MS = 20;
export const PAUSE_MS = 150;

/** Each event-time timer is set this far after its record. */
export const TIMER_DELAY = 1000;

/**
 * The strategies:
 *   monotonous  fromSource, forMonotonousTimestamps().withTimestampAssigner(e => e.t)
 *   bounded     fromSource, forBoundedOutOfOrderness(500 ms).withTimestampAssigner(e => e.t)
 *   punctuated  fromSource, forGenerator(a generator emitting e.wm from onEvent)
 *   none        fromSource, noWatermarks().withTimestampAssigner(e => e.t)
 *   assigner    addSource without timestamps, then assignTimestampsAndWatermarks(monotonous)
 *   legacy      addSource; the source calls collectWithTimestamp and emitWatermark(e.wm) itself
 */
export const STRATEGIES = ['monotonous', 'bounded', 'punctuated', 'none', 'assigner', 'legacy'] as const;
/** A strategy's name. */
export type StrategyName = (typeof STRATEGIES)[number];
