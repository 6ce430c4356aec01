/**
 * The expected output of test/jobs/windows-job.ts, computed straight from the events and
 * watermarks in the order the one source emits them, with Flink's rules written out plainly
 * (window start and end, lateness, cleanup, merging sessions, count triggers and evictors,
 * continuous triggers), independently of the runtime's window operator.
 */
import { eventOf, watermarkAfterRound, type WindowDataSettings, type WindowEvent } from '../jobs/windows-data.js';

const MAX = 2 ** 63;
const startOf = (ts: number, size: number) => {
  const r = ts % size;
  return r < 0 ? ts - (r + size) : ts - r;
};

/** One pipeline: it sees each event with the watermark before it, and each watermark. */
interface Pipeline {
  element(e: WindowEvent, wm: number): void;
  watermark(wm: number): void;
}

/** T and L: tumbling 100, allowed lateness 50, sum; late elements to the side output. */
function tumbling(out: string[]): Pipeline {
  const windows = new Map<string, { key: string; start: number; sum: number; endTimer: boolean }>();
  return {
    element(e, wm) {
      const start = startOf(e.ts, 100);
      const max = start + 99;
      if (max + 50 <= wm) {
        out.push(`L,${e.key},${e.ts}`);
        return;
      }
      const id = `${e.key}|${start}`;
      const w = windows.get(id) ?? { key: e.key, start, sum: 0, endTimer: false };
      windows.set(id, w);
      w.sum += e.value;
      // EventTimeTrigger: a window the watermark passed fires at once, else at its end.
      if (max <= wm) out.push(`T,${e.key},${start},${w.sum}`);
      else w.endTimer = true;
    },
    watermark(wm) {
      for (const [id, w] of windows) {
        if (w.endTimer && w.start + 99 <= wm) {
          out.push(`T,${w.key},${w.start},${w.sum}`);
          w.endTimer = false;
        }
        if (w.start + 149 <= wm) windows.delete(id);
      }
    },
  };
}

/** Windows (tumbling or sliding, no lateness) whose contents fire once at the end. */
function fixedWindows(size: number, slide: number, keyOf: (e: WindowEvent) => string, emit: (key: string, start: number, es: WindowEvent[]) => void): Pipeline {
  const windows = new Map<string, { key: string; start: number; es: WindowEvent[] }>();
  return {
    element(e, wm) {
      for (let start = startOf(e.ts, slide); start > e.ts - size; start -= slide) {
        if (start + size - 1 <= wm) continue;
        const id = `${keyOf(e)}|${start}`;
        const w = windows.get(id) ?? { key: keyOf(e), start, es: [] };
        windows.set(id, w);
        w.es.push(e);
      }
    },
    watermark(wm) {
      for (const [id, w] of windows) {
        if (w.start + size - 1 > wm) continue;
        emit(w.key, w.start, w.es);
        windows.delete(id);
      }
    },
  };
}

/** G: sessions with a gap of 55 per key. */
function sessions(out: string[]): Pipeline {
  const open = new Map<string, Array<{ start: number; end: number; vs: number[] }>>();
  return {
    element(e, wm) {
      let w = { start: e.ts, end: e.ts + 55, vs: [e.value] };
      const rest = [];
      let merged = false;
      for (const s of open.get(e.key) ?? []) {
        if (s.start <= w.end && s.end >= w.start) {
          w = { start: Math.min(s.start, w.start), end: Math.max(s.end, w.end), vs: [...s.vs, ...w.vs] };
          merged = true;
        } else {
          rest.push(s);
        }
      }
      // Merging comes first: a late element joins a session that is still open.
      if (!merged && w.end - 1 <= wm) return;
      open.set(e.key, [...rest, w]);
    },
    watermark(wm) {
      for (const [key, list] of open) {
        for (const s of list.filter((x) => x.end - 1 <= wm)) out.push(`G,${key},${s.start},${s.end},${s.vs.length},${Math.min(...s.vs)},${Math.max(...s.vs)}`);
        open.set(
          key,
          list.filter((x) => x.end - 1 > wm),
        );
      }
    },
  };
}

/** C and E: countWindow(5) and countWindow(4, 2) sums per key (never late). */
function counts(out: string[]): Pipeline {
  const tumbling = new Map<string, number[]>();
  const sliding = new Map<string, { kept: number[]; count: number }>();
  return {
    element(e) {
      const t = [...(tumbling.get(e.key) ?? []), e.value];
      if (t.length === 5) {
        out.push(`C,${e.key},${t.reduce((a, b) => a + b, 0)}`);
        tumbling.set(e.key, []);
      } else {
        tumbling.set(e.key, t);
      }
      const s = sliding.get(e.key) ?? { kept: [], count: 0 };
      sliding.set(e.key, s);
      s.kept.push(e.value);
      if (++s.count === 2) {
        s.count = 0;
        s.kept = s.kept.slice(-4);
        out.push(`E,${e.key},${s.kept.reduce((a, b) => a + b, 0)}`);
      }
    },
    watermark() {},
  };
}

/** U: tumbling 200 with ContinuousEventTimeTrigger.of(50): fires at each interval end and at the window's end. */
function continuous(out: string[]): Pipeline {
  const windows = new Map<string, { key: string; start: number; sum: number; next: number | undefined; endTimer: boolean }>();
  return {
    element(e, wm) {
      const start = startOf(e.ts, 200);
      const max = start + 199;
      if (max <= wm) return;
      const id = `${e.key}|${start}`;
      const w = windows.get(id) ?? { key: e.key, start, sum: 0, next: undefined, endTimer: true };
      windows.set(id, w);
      w.sum += e.value;
      if (w.next === undefined) w.next = Math.min(e.ts - (e.ts % 50) + 50, max);
    },
    watermark(wm) {
      for (const [id, w] of windows) {
        const max = w.start + 199;
        // Timers in timestamp order: interval firings (the next is set when one fires), then the end.
        while (w.next !== undefined && w.next <= wm && w.next < max) {
          out.push(`U,${w.key},${w.start},${w.sum}`);
          w.next = Math.min(w.next + 50, max);
        }
        if (max <= wm) {
          out.push(`U,${w.key},${w.start},${w.sum}`);
          windows.delete(id);
        }
      }
    },
  };
}

/** Every line the job writes for these settings (mode `windows`, or `parallel` without U). */
export function expectedLines(s: WindowDataSettings, withContinuous: boolean): string[] {
  const out: string[] = [];
  const sum = (es: WindowEvent[]) => es.reduce((a, e) => a + e.value, 0);
  const pipelines: Pipeline[] = [
    tumbling(out),
    fixedWindows(300, 100, (e) => e.key, (key, start, es) => out.push(`S,${key},${start + 300},${es.length},${sum(es)}`)),
    sessions(out),
    counts(out),
    fixedWindows(200, 200, (e) => e.key, (key, start, es) => {
      const max = Math.max(...es.map((e) => e.ts));
      const kept = es.filter((e) => e.ts > max - 100);
      out.push(`V,${key},${start},${kept.length},${sum(kept)}`);
    }),
    fixedWindows(100, 100, () => 'all', (_key, start, es) => out.push(`A,${start},${es.length},${sum(es)}`)),
  ];
  if (withContinuous) pipelines.push(continuous(out));
  let wm = -MAX;
  for (let n = 0; n < s.perPartition; n++) {
    for (let p = 0; p < s.partitions; p++) {
      const e = eventOf(s, p, n);
      for (const x of pipelines) x.element(e, wm);
    }
    wm = watermarkAfterRound(n);
    for (const x of pipelines) x.watermark(wm);
  }
  for (const x of pipelines) x.watermark(MAX);
  return out.sort();
}
