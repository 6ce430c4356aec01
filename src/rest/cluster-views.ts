/**
 * Flink's REST bodies for TaskManagers and the JVM-style memory metrics of the JobManager and
 * TaskManagers. A TaskManager here is a group of slot threads in the cluster process: its memory
 * is the sum of its threads' V8 heaps and buffers (MemoryStats), its hardware the machine's.
 */
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { JobMaster, MemoryStats, TaskManagerInfo } from '../runtime/index.js';
import { TERMINAL } from './job-views.js';

/** What a TaskManager view needs of the cluster. */
export interface SlotUse {
  /** Which job holds each held slot. */
  readonly owners: ReadonlyMap<number, string>;
  /** The cluster's jobs. */
  readonly jobs: readonly JobMaster[];
}

/** Flink's ResourceProfileInfo with only CPU cores (slots) set: miniflink does not size memory per slot. */
function resource(cpuCores: number) {
  return { cpuCores, taskHeapMemory: 0, taskOffHeapMemory: 0, managedMemory: 0, networkMemory: 0, extendedResources: {} };
}

/** Flink's TaskManagerInfo (GET /taskmanagers, one item). */
export function taskManagerInfo(tm: TaskManagerInfo, use: SlotUse): Record<string, unknown> {
  const free = tm.slots.filter((s) => !use.owners.has(s)).length;
  const slots = new Set(tm.slots);
  let assigned = 0;
  for (const j of use.jobs) for (const s of j.subtasks.values()) if (slots.has(s.slot) && !TERMINAL.has(s.state)) assigned++;
  return {
    id: tm.id,
    path: `miniflink://taskmanager/${tm.id}`,
    dataPort: -1,
    jmxPort: -1,
    timeSinceLastHeartbeat: Date.now(),
    slotsNumber: tm.slots.length,
    freeSlots: free,
    totalResource: resource(tm.slots.length),
    freeResource: resource(free),
    hardware: { cpuCores: availableParallelism(), physicalMemory: totalmem(), freeMemory: freemem(), managedMemory: 0 },
    assignedTasks: assigned,
  };
}

/** Flink's TaskManagerDetailsInfo (GET /taskmanagers/:tmid): the list fields, memory and allocated slots. */
export function taskManagerDetails(tm: TaskManagerInfo, use: SlotUse, memory: MemoryStats): Record<string, unknown> {
  return {
    ...taskManagerInfo(tm, use),
    metrics: {
      heapUsed: memory.heapUsed,
      heapCommitted: memory.heapCommitted,
      heapMax: memory.heapMax,
      // V8 has no non-heap, mapped memory or network memory segments: reported as 0.
      nonHeapUsed: 0,
      nonHeapCommitted: 0,
      nonHeapMax: 0,
      directCount: 0,
      directUsed: memory.directUsed,
      directMax: -1,
      mappedCount: 0,
      mappedUsed: 0,
      mappedMax: 0,
      memorySegmentsAvailable: 0,
      memorySegmentsTotal: 0,
      garbageCollectors: Object.entries(memory.gc).map(([name, g]) => ({ name, count: g.count, time: g.time })),
    },
    // The only configured size is the V8 heap limit of the slot threads.
    memoryConfiguration: {
      frameworkHeap: 0,
      taskHeap: memory.heapMax,
      frameworkOffHeap: 0,
      taskOffHeap: 0,
      networkMemory: 0,
      managedMemory: 0,
      jvmMetaspace: 0,
      jvmOverhead: 0,
      totalFlinkMemory: memory.heapMax,
      totalProcessMemory: memory.heapMax,
    },
    allocatedSlots: tm.slots.filter((s) => use.owners.has(s)).map((s) => ({ jobId: use.owners.get(s)!, resource: resource(1) })),
  };
}

/** Memory metrics under Flink's JVM metric names (`Status.JVM.*`). */
export function jvmMetrics(memory: MemoryStats): Record<string, number> {
  const out: Record<string, number> = {
    'Status.JVM.Memory.Heap.Used': memory.heapUsed,
    'Status.JVM.Memory.Heap.Committed': memory.heapCommitted,
    'Status.JVM.Memory.Heap.Max': memory.heapMax,
    'Status.JVM.Memory.Direct.MemoryUsed': memory.directUsed,
  };
  for (const [name, g] of Object.entries(memory.gc)) {
    out[`Status.JVM.GarbageCollector.${name}.Count`] = g.count;
    out[`Status.JVM.GarbageCollector.${name}.Time`] = g.time;
  }
  return out;
}

/** Flink's EnvironmentInfo (the JobManager's, also under a job): Node.js stands in for the JVM; there is no classpath. */
export function environmentInfo(): Record<string, unknown> {
  return { jvm: { version: `Node.js ${process.version}`, arch: process.arch, options: process.execArgv }, classpath: [] };
}

/** The process's CPU as of the last call, for the load between calls. */
let lastCpu = { at: performance.now(), usage: process.cpuUsage() };

/**
 * Flink's `Status.JVM.CPU.Time` (ns of CPU the process used) and `Status.JVM.CPU.Load` (its share
 * of the machine's cores since the previous call, 0..1). The JobManager and every TaskManager are
 * threads of one process: each reports the process's figures.
 */
export function cpuMetrics(): Record<string, number> {
  const now = performance.now();
  const usage = process.cpuUsage();
  const usedUs = usage.user + usage.system - (lastCpu.usage.user + lastCpu.usage.system);
  const wallUs = (now - lastCpu.at) * 1000;
  const load = wallUs > 0 ? Math.min(1, Math.max(0, usedUs / wallUs / availableParallelism())) : 0;
  if (now - lastCpu.at > 1000) lastCpu = { at: now, usage };
  return { 'Status.JVM.CPU.Time': (usage.user + usage.system) * 1000, 'Status.JVM.CPU.Load': load };
}
