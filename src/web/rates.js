// The throughput chart's rates (pure, for the job page and its unit test).

/**
 * Adds one point to `s.out`, the sources' records out per second, one point per refresh, and
 * returns `s.out` (at most 200 points). `n`: the sources' records out so far, at `now`.
 * The counts change only when the cluster fetches metrics anew (metrics.fetcher.update-interval):
 * a rate is taken between two distinct counts and held until the next; a count that stops
 * changing for longer than its usual gap (or a job that is not running) brings the rate to 0; a
 * count that drops (a restart) or counts more sources than before (`anew`: a source whose metric
 * was found only now adds its whole count at once) starts anew.
 */
export function addRate(s, n, now, { running, refreshMs, anew = false }) {
  const last = s.last;
  let rate = s.rate ?? 0;
  if (!last || n < last.n || anew) s.last = { t: now, n, gap: 0 };
  else if (n > last.n) {
    rate = ((n - last.n) * 1000) / Math.max(1, now - last.t);
    s.last = { t: now, n, gap: now - last.t };
  } else if (!running || now - last.t > Math.max(3 * refreshMs, 2 * last.gap)) rate = 0;
  s.rate = rate;
  if (last) s.out.push({ t: now, v: rate });
  if (s.out.length > 200) s.out.shift();
  return s.out;
}
