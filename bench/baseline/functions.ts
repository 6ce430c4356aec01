/**
 * The user functions of the benchmark jobs, shared with the hand-written baselines so both do the
 * same work.
 */

/** A benchmark record. */
export interface BenchRecord {
  key: number;
  value: number;
}

/** map: a number to a record with one of 10,000 integer keys. */
export function benchMap(n: number): BenchRecord {
  return { key: n % 10_000, value: n & 7 };
}

/** filter: keeps 7 of 8 records. */
export function benchFilter(r: BenchRecord): boolean {
  return (r.value & 7) !== 3;
}

/** A CPU-bound map: about 2 µs of arithmetic per record here, no allocation. */
export function cpuWork(n: number): number {
  let x = n;
  for (let i = 0; i < 2000; i++) x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
  return x & 0xff;
}
