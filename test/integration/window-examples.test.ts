/**
 * The book's chapter 6 window examples (examples/window-functions.ts, custom-window.ts,
 * late-data.ts) through the CLI at parallelism 2, against results computed here from the readings
 * (examples/timed-sensors.ts).
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_SETTINGS, timedReading, watermarkAfter, type TimedSensorSettings } from '../../examples/timed-sensors.js';
import type { SensorReading } from '../../examples/sensors.js';
import { explain, runCli } from '../helpers/cli.js';

/** Printed records (JSON after the `N> ` prefix), and other printed lines as strings. */
async function run(example: string, ...args: string[]): Promise<unknown[]> {
  const cmd = ['run', '-t', 'local', '-p', '2', `examples/${example}`, ...args];
  const r = await runCli(cmd, { timeoutMs: 60_000 });
  expect(r.code, explain(cmd, r)).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => /^\d+> /.test(l))
    .map((l) => l.replace(/^\d+> /, ''))
    .map((l) => (l.startsWith('[') ? (JSON.parse(l) as unknown) : l));
}

const sortJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();

/** Readings by sensor and tumbling window start, in the order they are emitted. */
function byWindow(s: TimedSensorSettings, size: number): Map<string, { id: string; start: number; readings: SensorReading[] }> {
  const m = new Map<string, { id: string; start: number; readings: SensorReading[] }>();
  for (let n = 0; n < s.readings; n++) {
    for (let sensor = 0; sensor < s.sensors; sensor++) {
      const r = timedReading(s, sensor, n);
      const start = Math.floor(r.timestamp / size) * size;
      const k = `${r.id}|${start}`;
      if (!m.has(k)) m.set(k, { id: r.id, start, readings: [] });
      m.get(k)!.readings.push(r);
    }
  }
  return m;
}

describe("the book's chapter 6 window examples", () => {
  const windows = [...byWindow(EXAMPLE_SETTINGS.windowFunctions, 15_000).values()];
  const temps = (w: { readings: SensorReading[] }) => w.readings.map((r) => r.temperature);

  it('examples - window-functions.ts min: the lowest temperature per sensor and 15 s window (ReduceFunction)', async () => {
    expect(sortJson(await run('window-functions.ts', 'min'))).toEqual(sortJson(windows.map((w) => [w.id, Math.min(...temps(w))])));
  });

  it('examples - window-functions.ts avg: the average temperature (AggregateFunction)', async () => {
    const avg = (w: { readings: SensorReading[] }) => Math.round((temps(w).reduce((a, b) => a + b, 0) / w.readings.length) * 100) / 100;
    expect(sortJson(await run('window-functions.ts', 'avg'))).toEqual(sortJson(windows.map((w) => [w.id, avg(w)])));
  });

  it.each(['highlow', 'incremental'])('examples - window-functions.ts %s: min, max and the window end (ProcessWindowFunction, alone and after a reduce)', async (mode) => {
    expect(sortJson(await run('window-functions.ts', mode))).toEqual(sortJson(windows.map((w) => [w.id, Math.min(...temps(w)), Math.max(...temps(w)), w.start + 15_000])));
  });

  it('examples - custom-window.ts: early firings every second of event time, counts growing to each window’s total', async () => {
    const out = (await run('custom-window.ts')) as Array<[string, number, number, number]>;
    const totals = byWindow(EXAMPLE_SETTINGS.customWindow, 30_000);
    const seen = new Map<string, number[]>();
    for (const [id, end, , count] of out) seen.set(`${id}|${end - 30_000}`, [...(seen.get(`${id}|${end - 30_000}`) ?? []), count]);
    expect([...seen.keys()].sort()).toEqual([...totals.keys()].sort());
    for (const [k, counts] of seen) {
      expect(counts, k).toEqual([...counts].sort((a, b) => a - b));
      expect(counts.at(-1), k).toBe(totals.get(k)!.readings.length);
      expect(counts.length, `${k}: early firings`).toBeGreaterThan(10);
    }
    // Early firings are evaluated at a watermark inside the window.
    expect(out.some(([, end, wm]) => wm < end - 1)).toBe(true);
  });

  /** What late-data.ts prints, computed from the readings in their order, with the watermark each one meets. */
  function lateData(mode: 'side' | 'update'): string[] {
    const s = EXAMPLE_SETTINGS.lateData;
    const lateness = mode === 'update' ? 5000 : 0;
    const out: unknown[] = [];
    const windows = new Map<string, { id: string; start: number; count: number; timer: boolean; fired: boolean }>();
    const advance = (wm: number) => {
      for (const [k, w] of windows) {
        if (w.timer && w.start + 9999 <= wm) {
          out.push(mode === 'side' ? [w.id, w.start + 10_000, w.count] : [w.id, w.start + 10_000, w.count, w.fired ? 'update' : 'first']);
          w.fired = true;
          w.timer = false;
        }
        if (w.start + 9999 + lateness <= wm) windows.delete(k);
      }
    };
    let wm = -(2 ** 63);
    for (let n = 0; n < s.readings; n++) {
      for (let sensor = 0; sensor < s.sensors; sensor++) {
        const r = timedReading(s, sensor, n);
        const start = Math.floor(r.timestamp / 10_000) * 10_000;
        if (start + 9999 + lateness <= wm) {
          if (mode === 'side') out.push(`late: ${JSON.stringify(r)}`);
          continue;
        }
        const k = `${r.id}|${start}`;
        const w = windows.get(k) ?? { id: r.id, start, count: 0, timer: false, fired: false };
        windows.set(k, w);
        w.count++;
        if (start + 9999 <= wm) {
          out.push([w.id, start + 10_000, w.count, w.fired ? 'update' : 'first']);
          w.fired = true;
        } else {
          w.timer = true;
        }
      }
      wm = watermarkAfter(s, n);
      advance(wm);
    }
    advance(2 ** 63);
    return sortJson(out);
  }

  it('examples - late-data.ts side: counts per 10 s window, late readings to a side output', async () => {
    const expected = lateData('side');
    expect(expected.filter((l) => l.includes('late:')).length).toBeGreaterThan(10);
    expect(sortJson(await run('late-data.ts', 'side'))).toEqual(expected);
  });

  it('examples - late-data.ts update: allowed lateness updates windows; per-window state tells first from update', async () => {
    const expected = lateData('update');
    expect(expected.filter((l) => l.includes('update')).length).toBeGreaterThan(10);
    expect(sortJson(await run('late-data.ts', 'update'))).toEqual(expected);
  });
});
