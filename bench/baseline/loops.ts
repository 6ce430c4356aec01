/**
 * Hand-written single-thread loops doing what the benchmark jobs do, in the benchmark's process:
 * the baselines every figure is compared against.
 */
import { Packr, Unpackr } from 'msgpackr';
import { benchFilter, benchMap, cpuWork, type BenchRecord } from './functions.js';

let sink: unknown;

/** sequence -> map -> filter -> discard. */
export function statelessLoop(n: number): number {
  let kept = 0;
  for (let i = 1; i <= n; i++) {
    const r = benchMap(i);
    if (benchFilter(r)) {
      sink = r;
      kept++;
    }
  }
  return kept;
}

/** sequence -> map -> filter -> keyed running sum -> discard, with no serialization. */
export function keyedLoop(n: number): number {
  const sums = new Map<number, BenchRecord>();
  for (let i = 1; i <= n; i++) {
    const r = benchMap(i);
    if (!benchFilter(r)) continue;
    const cur = sums.get(r.key);
    const next = cur === undefined ? r : { ...cur, value: cur.value + r.value };
    sums.set(r.key, next);
    sink = next;
  }
  return sums.size;
}

/**
 * The serialization floor of a keyBy: the keyed loop, but every record is packed and unpacked with
 * msgpackr in batches of ~32 KB first, as a network exchange must.
 */
export function keyedSerializingLoop(n: number, batch = 2048): number {
  const opts = { useRecords: true, moreTypes: true };
  const packr = new Packr(opts);
  const unpackr = new Unpackr(opts);
  const sums = new Map<number, BenchRecord>();
  let pending: BenchRecord[] = [];
  const drain = () => {
    const bytes = new Uint8Array(packr.pack(pending));
    pending = [];
    const records = unpackr.unpack(bytes) as BenchRecord[];
    for (const r of records) {
      const cur = sums.get(r.key);
      const next = cur === undefined ? r : { ...cur, value: cur.value + r.value };
      sums.set(r.key, next);
      sink = next;
    }
  };
  for (let i = 1; i <= n; i++) {
    const r = benchMap(i);
    if (!benchFilter(r)) continue;
    pending.push(r);
    if (pending.length >= batch) drain();
  }
  if (pending.length > 0) drain();
  return sums.size;
}

/** sequence -> a CPU-heavy map -> discard (the CPU-bound job's work on one thread). */
export function cpuBoundLoop(n: number): number {
  let acc = 0;
  for (let i = 1; i <= n; i++) acc += cpuWork(i);
  sink = acc;
  return acc;
}

/** Keeps the optimizer from dropping the loops' work. */
export function blackhole(): unknown {
  return sink;
}
