/**
 * The events of test/jobs/joins-job.ts, shared with its test (which computes the expected output,
 * test/integration/joins-oracle.ts). One source emits both sides in rounds: round n is the left
 * event `L<n>` and the right event `R<n>` (keys a..d, timestamps near n * 10, out of order by up to
 * 40), then the watermark `watermarkAfter(n)`. Every non-late event's timestamp is above every
 * watermark emitted before it, so nothing but the late events depends on when a watermark reaches
 * the join. With `late`, some rounds first emit a late event (200 or 120 behind), and the source
 * emits it only once the watermark before it has passed all three joins (the job's probe writes a
 * marker then): so a late event is late by exactly the watermark it follows, at any parallelism.
 */

/** One event of either side. */
export interface JoinEvent {
  readonly side: 'L' | 'R';
  readonly id: string;
  readonly key: string;
  readonly ts: number;
}

/** What the source emits, in order. */
export type JoinItem = { readonly event: JoinEvent; readonly late: boolean } | { readonly watermark: number };

/** The rounds of the job. */
export const ROUNDS = 240;
const KEYS = ['a', 'b', 'c', 'd'];

/** The watermark after round n: below every later non-late event (which is at least (n + 1) * 10 - 40). */
export function watermarkAfter(n: number): number {
  return n * 10 - 41;
}

/**
 * Whether round n starts with a late left event (200 behind) or a late right event (120 behind):
 * from round 30 on, when results (of the first windows) have reached the probe that arms the markers.
 */
const lateLeft = (n: number): boolean => n >= 30 && n % 17 === 5;
const lateRight = (n: number): boolean => n >= 30 && n % 13 === 7;

/** Everything the source emits, in order. */
export function joinItems(late: boolean): JoinItem[] {
  const items: JoinItem[] = [];
  for (let n = 0; n < ROUNDS; n++) {
    if (late && lateLeft(n)) items.push({ event: { side: 'L', id: `XL${n}`, key: KEYS[n % 4]!, ts: n * 10 - 200 }, late: true });
    if (late && lateRight(n)) items.push({ event: { side: 'R', id: `XR${n}`, key: KEYS[(n + 1) % 4]!, ts: n * 10 - 120 }, late: true });
    items.push({ event: { side: 'L', id: `L${n}`, key: KEYS[n % 4]!, ts: n * 10 - ((n * 13) % 5) * 10 }, late: false });
    items.push({ event: { side: 'R', id: `R${n}`, key: KEYS[(n * 3 + 1) % 4]!, ts: n * 10 + 3 - ((n * 7) % 5) * 10 }, late: false });
    items.push({ watermark: watermarkAfter(n) });
  }
  return items;
}

/** The watermarks a late event waits for (the one emitted last before it). */
export function awaitedWatermarks(late: boolean): number[] {
  const out = new Set<number>();
  let last: number | undefined;
  for (const item of joinItems(late)) {
    if ('watermark' in item) last = item.watermark;
    else if (item.late && last !== undefined) out.add(last);
  }
  return [...out];
}
