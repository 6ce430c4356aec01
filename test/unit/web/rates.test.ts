/**
 * The job page's throughput rates (src/web/rates.js): taken between distinct counts, held, brought
 * to 0 when the counts stop, started anew on a drop or on a source found late.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain browser module of the web UI, without types
import { addRate } from '../../../src/web/rates.js';

interface Samples {
  out: Array<{ t: number; v: number }>;
  last?: { t: number; n: number; gap: number };
  rate?: number;
}
const rates = (s: Samples) => s.out.map((p) => p.v);
const opts = { running: true, refreshMs: 300 };

describe('web UI throughput rates', () => {
  it('web rates - a rate between distinct counts, held while the count waits for the next fetch, 0 once it stops or the job ends', () => {
    const s: Samples = { out: [] };
    addRate(s, 0, 0, opts);
    addRate(s, 100, 1000, opts); // 100 records in 1 s
    addRate(s, 100, 1300, opts); // same count: held
    addRate(s, 250, 2000, opts); // 150 in 1 s (from the last distinct count at 1000)
    expect(rates(s)).toEqual([100, 100, 150]);
    addRate(s, 250, 4100, opts); // no change for longer than twice the usual gap: stopped
    expect(rates(s).at(-1)).toBe(0);
    const ended: Samples = { out: [] };
    addRate(ended, 0, 0, opts);
    addRate(ended, 50, 500, opts);
    addRate(ended, 50, 700, { ...opts, running: false });
    expect(rates(ended)).toEqual([100, 0]);
  });

  it('web rates - a source whose metric is found late adds its whole count at once: the rate starts anew instead of spiking', () => {
    const s: Samples = { out: [] };
    addRate(s, 0, 0, opts);
    addRate(s, 100, 1000, opts); // one source: 100/s
    // A second source found now, with 5,000 records already out: without `anew` this read 16,433/s.
    addRate(s, 5_030, 1300, { ...opts, anew: true });
    addRate(s, 5_090, 1600, opts); // both sources: 60 in 0.3 s
    expect(rates(s)).toEqual([100, 100, 200]);
  });

  it('web rates - a count that drops (a restart) starts anew, and at most 200 points are kept', () => {
    const s: Samples = { out: [] };
    addRate(s, 500, 0, opts);
    addRate(s, 600, 1000, opts);
    addRate(s, 10, 1300, opts); // restarted: held, baseline anew
    addRate(s, 40, 1600, opts);
    expect(rates(s)).toEqual([100, 100, 100]);
    for (let i = 0; i < 300; i++) addRate(s, 40 + i * 10, 1900 + i * 100, opts);
    expect(s.out).toHaveLength(200);
  });
});
