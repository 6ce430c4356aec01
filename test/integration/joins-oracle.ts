/**
 * The expected output of test/jobs/joins-job.ts, computed from its events (joins-data.ts) one item
 * at a time as Flink's operators define the joins: window joins and the coGroup as windows of
 * both sides (EventTimeTrigger: fire when the watermark passes the window's max timestamp, or at
 * once for a late element within the allowed lateness; state cleared at max timestamp + allowed
 * lateness; an element of a window already past that dropped), and the interval join with its
 * buffers, late records and cleanup by watermark (IntervalJoinOperator). The job's events are
 * built so that this order is what every subtask sees (see joins-data.ts).
 */
import { joinItems, type JoinEvent } from '../jobs/joins-data.js';

/** A window of the simulation: the records of both sides of one key. */
interface SimWindow {
  readonly key: string;
  readonly maxTs: number;
  readonly ls: JoinEvent[];
  readonly rs: JoinEvent[];
  timerFired: boolean;
}

/** Windows of one assigner (tumbling: slide = size) with allowed lateness; `fire` evaluates a window. */
class WindowSim {
  private readonly windows = new Map<string, SimWindow>();
  constructor(
    private readonly size: number,
    private readonly slide: number,
    private readonly lateness: number,
    private readonly fire: (w: SimWindow) => void,
  ) {}

  element(e: JoinEvent, wm: number): void {
    const lastStart = Math.floor(e.ts / this.slide) * this.slide;
    for (let start = lastStart; start > e.ts - this.size; start -= this.slide) {
      const maxTs = start + this.size - 1;
      if (maxTs + this.lateness <= wm) continue; // late for this window: dropped
      const id = `${e.key}|${start}`;
      let w = this.windows.get(id);
      if (!w) this.windows.set(id, (w = { key: e.key, maxTs, ls: [], rs: [], timerFired: false }));
      (e.side === 'L' ? w.ls : w.rs).push(e);
      if (maxTs <= wm) this.fire(w); // EventTimeTrigger.onElement: FIRE at once
    }
  }

  watermark(wm: number): void {
    for (const [id, w] of this.windows) {
      if (!w.timerFired && w.maxTs <= wm) {
        w.timerFired = true;
        this.fire(w);
      }
      if (w.maxTs + this.lateness <= wm) this.windows.delete(id);
    }
  }
}

/** The interval join, right records in [l + lower, l + upper] (inclusive bounds). */
class IntervalSim {
  private readonly left: Array<{ e: JoinEvent; cleanup: number }> = [];
  private readonly right: Array<{ e: JoinEvent; cleanup: number }> = [];
  constructor(
    private readonly lower: number,
    private readonly upper: number,
    private readonly emit: (l: JoinEvent, r: JoinEvent) => void,
    private readonly lateLeft: (l: JoinEvent) => void,
  ) {}

  element(e: JoinEvent, wm: number): void {
    if (wm > -Infinity && e.ts < wm) {
      if (e.side === 'L') this.lateLeft(e);
      return;
    }
    if (e.side === 'L') {
      this.left.push({ e, cleanup: this.upper > 0 ? e.ts + this.upper : e.ts });
      for (const { e: r } of this.right) if (r.key === e.key && r.ts >= e.ts + this.lower && r.ts <= e.ts + this.upper) this.emit(e, r);
    } else {
      this.right.push({ e, cleanup: -this.lower > 0 ? e.ts - this.lower : e.ts });
      for (const { e: l } of this.left) if (l.key === e.key && e.ts >= l.ts + this.lower && e.ts <= l.ts + this.upper) this.emit(l, e);
    }
  }

  watermark(wm: number): void {
    for (const buffer of [this.left, this.right]) {
      const keep = buffer.filter((b) => b.cleanup > wm);
      buffer.splice(0, buffer.length, ...keep);
    }
  }
}

/** Every line the job writes, sorted. */
export function expectedJoinLines(late: boolean): string[] {
  const out: string[] = [];
  const ids = (es: JoinEvent[]) =>
    es
      .map((e) => e.id)
      .sort()
      .join(' ');
  const sims = [
    new WindowSim(100, 100, 0, (w) => {
      for (const l of w.ls) for (const r of w.rs) out.push(`J,${l.key},${l.id},${r.id}@${w.maxTs}`);
    }),
    new WindowSim(200, 100, 0, (w) => {
      for (const l of w.ls) for (const r of w.rs) if (l.ts <= r.ts) out.push(`F,${l.key},${l.id},${r.id}@${w.maxTs}`);
    }),
    new WindowSim(100, 100, 100, (w) => out.push(`G,${w.key},${ids(w.ls)}|${ids(w.rs)}@${w.maxTs}`)),
    new IntervalSim(
      -30,
      19,
      (l, r) => out.push(`I,${l.key},${l.id},${r.id}@${Math.max(l.ts, r.ts)}`),
      (l) => out.push(`X,${l.id}@${l.ts}`),
    ),
  ];
  let wm = -Infinity;
  for (const item of joinItems(late)) {
    if ('watermark' in item) {
      wm = Math.max(wm, item.watermark);
      for (const s of sims) s.watermark(wm);
    } else for (const s of sims) s.element(item.event, wm);
  }
  for (const s of sims) s.watermark(Number.MAX_SAFE_INTEGER);
  return out.sort();
}
