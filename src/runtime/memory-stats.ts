/**
 * Memory and garbage collection of one thread (a V8 isolate), as the REST API reports them in
 * Flink's JVM metric names: the JobManager is the main thread, a TaskManager the sum of its slot
 * threads. Heap = the V8 heap; direct = memory outside it held by buffers (external + array buffers).
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One thread's memory and GC counts. */
export interface MemoryStats {
  readonly heapUsed: number;
  readonly heapCommitted: number;
  readonly heapMax: number;
  /** Bytes held outside the heap by buffers and array buffers. */
  readonly directUsed: number;
  /** Collections so far by kind (Scavenge, MarkSweepCompact, ...): count and total ms. */
  readonly gc: Readonly<Record<string, { count: number; time: number }>>;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'Scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'MarkSweepCompact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'IncrementalMarking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'WeakCallbacks',
};

const gc: Record<string, { count: number; time: number }> = {};
let observer: PerformanceObserver | undefined;

/** Starts counting this thread's garbage collections (once per thread). */
export function watchGarbageCollection(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = GC_KINDS[((e as unknown as { detail?: { kind?: number } }).detail?.kind) ?? -1] ?? 'Other';
      const g = (gc[kind] ??= { count: 0, time: 0 });
      g.count++;
      g.time += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** Runs a full garbage collection of this thread's heap (for measurements: the soak test). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** This thread's memory now. */
export function memoryStats(): MemoryStats {
  const h = getHeapStatistics();
  const m = process.memoryUsage();
  return {
    heapUsed: h.used_heap_size,
    heapCommitted: h.total_heap_size,
    heapMax: h.heap_size_limit,
    directUsed: m.external + m.arrayBuffers,
    gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, { count: v.count, time: Math.round(v.time) }])),
  };
}

/** The sum of several threads' stats (a TaskManager's slots). */
export function sumMemoryStats(all: readonly MemoryStats[]): MemoryStats {
  const gcSum: Record<string, { count: number; time: number }> = {};
  for (const s of all) {
    for (const [k, v] of Object.entries(s.gc)) {
      const g = (gcSum[k] ??= { count: 0, time: 0 });
      g.count += v.count;
      g.time += v.time;
    }
  }
  const sum = (f: (s: MemoryStats) => number) => all.reduce((a, s) => a + f(s), 0);
  return { heapUsed: sum((s) => s.heapUsed), heapCommitted: sum((s) => s.heapCommitted), heapMax: sum((s) => s.heapMax), directUsed: sum((s) => s.directUsed), gc: gcSum };
}
