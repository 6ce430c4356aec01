/**
 * The watermarks of one job attempt, in memory shared by its JobManager and its slot threads (all
 * threads of one process): one SharedArrayBuffer per attempt, allocated by the scheduler and sent
 * with every deployment. No message carries a watermark: a subtask writes its slot, others read.
 *
 *   BigInt64Array, one slot per subtask, vertices in JobGraph order:
 *
 *     [ src#0  src#1 | map#0 map#1 map#2 | sink#0 ]
 *       ^ source vertex: the watermark the subtask reports for watermark alignment
 *         (Long.MIN_VALUE: none reported yet; Long.MAX_VALUE: idle or finished, holds nothing back)
 *                      ^ other vertex: the subtask's current input watermark (what the task's
 *                        valve last emitted; Long.MIN_VALUE before any), read by REST
 *                        /jobs/:id/vertices/:vid/watermarks
 *
 * Flink's equivalents: a source reader's ReportedWatermarkEvent to its SourceCoordinator, which
 * aggregates the group's minimum across coordinators (the CoordinatorStore) and announces
 * `minimum + maxAllowedWatermarkDrift` in a WatermarkAlignmentEvent; and the task's
 * `currentInputWatermark` gauge that the metric fetcher polls. Here each aligned source subtask
 * writes its report and reads its group's minimum itself, every update interval.
 *
 * Slots are written with Atomics on 64-bit integers, so a reader never sees half a value.
 * Watermarks are JavaScript numbers: ±2^63 (MIN_WATERMARK, MAX_WATERMARK) clamp to Long's range.
 */
import type { Transformation } from '../api/index.js';
import type { JobGraph } from '../graph/index.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../core/watermarks.js';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** A watermark (ms) as a Java long. */
function toLong(watermark: number): bigint {
  if (watermark >= MAX_WATERMARK) return LONG_MAX;
  if (watermark <= MIN_WATERMARK || Number.isNaN(watermark)) return LONG_MIN;
  return BigInt(Math.trunc(watermark));
}

/** A Java long as a watermark (ms): the extremes come back as MIN_WATERMARK and MAX_WATERMARK. */
function fromLong(value: bigint): number {
  if (value === LONG_MAX) return MAX_WATERMARK;
  if (value === LONG_MIN) return MIN_WATERMARK;
  return Number(value);
}

/** The shared watermark slots of one job attempt. */
export class WatermarkTable {
  private readonly slots: BigInt64Array;
  /** First slot of each vertex. */
  private readonly offsets = new Map<string, number>();
  /** Parallelism of each vertex. */
  private readonly parallelisms = new Map<string, number>();

  /**
   * A view of `buffer` for `job`; the JobManager and every slot thread build the same graph, so
   * the same layout.
   */
  constructor(
    /** The shared memory (8 bytes per subtask). */
    readonly buffer: SharedArrayBuffer,
    job: JobGraph,
  ) {
    let offset = 0;
    for (const v of job.vertices) {
      this.offsets.set(v.id, offset);
      this.parallelisms.set(v.id, v.parallelism);
      offset += v.parallelism;
    }
    if (buffer.byteLength < offset * 8) throw new RangeError(`The watermark table holds ${buffer.byteLength / 8} slots, the job has ${offset} subtasks (this is a bug in miniflink)`);
    this.slots = new BigInt64Array(buffer, 0, offset);
  }

  /** A new table for a job: every slot Long.MIN_VALUE. */
  static allocate(job: JobGraph): WatermarkTable {
    const size = job.vertices.reduce((n, v) => n + v.parallelism, 0);
    const table = new WatermarkTable(new SharedArrayBuffer(Math.max(1, size) * 8), job);
    table.slots.fill(LONG_MIN);
    return table;
  }

  /** The slot of a subtask. Throws for a vertex not in the job. */
  indexOf(vertexId: string, subtaskIndex: number): number {
    const offset = this.offsets.get(vertexId);
    if (offset === undefined) throw new RangeError(`Vertex ${vertexId} is not in the watermark table (this is a bug in miniflink)`);
    return offset + subtaskIndex;
  }

  /** Writes a slot. */
  set(index: number, watermark: number): void {
    Atomics.store(this.slots, index, toLong(watermark));
  }

  /** Reads a slot. */
  get(index: number): number {
    return fromLong(Atomics.load(this.slots, index));
  }

  /**
   * The slots of a vertex's subtasks as Flink's REST API prints longs (exact decimal strings);
   * undefined when the table was laid out for another graph (a rescale between its deployments).
   */
  vertexValues(vertexId: string, parallelism: number): string[] | undefined {
    const first = this.offsets.get(vertexId);
    if (first === undefined || this.parallelisms.get(vertexId) !== parallelism) return undefined;
    return Array.from({ length: parallelism }, (_, i) => String(Atomics.load(this.slots, first + i)));
  }
}

/** What a subtask's task and operators write to and read from the table. */
export interface SubtaskWatermarks {
  /** The task's current input watermark advanced (the valve emitted it). */
  setInputWatermark(watermark: number): void;
  /** The alignment group `group` as this (source) subtask sees it; undefined when the job's graph puts it in no such group. */
  alignmentGroup(group: string): AlignmentGroupView | undefined;
}

/** One source subtask's view of its watermark alignment group. */
export interface AlignmentGroupView {
  /** Reports this subtask's watermark (MAX_WATERMARK: idle or finished; holds nothing back). */
  report(watermark: number): void;
  /** The lowest watermark reported in the group (MIN_WATERMARK when none reported yet). */
  minimum(): number;
}

/**
 * The table as one subtask uses it. `groups` maps each alignment group to the slots of every
 * source subtask in it (alignmentGroups).
 */
export function subtaskWatermarks(table: WatermarkTable, vertexId: string, subtaskIndex: number, groups: ReadonlyMap<string, readonly number[]>): SubtaskWatermarks {
  const me = table.indexOf(vertexId, subtaskIndex);
  let last = MIN_WATERMARK;
  return {
    setInputWatermark: (watermark) => {
      if (watermark === last) return;
      last = watermark;
      table.set(me, watermark);
    },
    alignmentGroup: (group) => {
      const members = groups.get(group);
      if (!members?.includes(me)) return undefined;
      return {
        report: (watermark) => table.set(me, watermark),
        minimum: () => {
          let min = MAX_WATERMARK;
          let any = false;
          for (const i of members) {
            const w = table.get(i);
            // Long.MIN_VALUE: that subtask has reported nothing yet, so it does not count (as in
            // Flink, whose coordinator aggregates only the watermarks reported to it).
            if (w === MIN_WATERMARK) continue;
            any = true;
            if (w < min) min = w;
          }
          return any ? min : MIN_WATERMARK;
        },
      };
    },
  };
}

/**
 * The slots of the source subtasks in each watermark alignment group of a job: the sources created
 * with `env.fromSource` whose strategy has `withWatermarkAlignment(group, ...)`. A group spans
 * every such source of the job (Flink's CoordinatorStore is per job).
 */
export function alignmentGroups(job: JobGraph, transformations: readonly Transformation[], table: WatermarkTable): Map<string, number[]> {
  const byId = new Map(transformations.map((t) => [t.id, t]));
  const groups = new Map<string, number[]>();
  for (const v of job.vertices) {
    const spec = byId.get(v.operators[0]!.nodeId)?.operator;
    if (spec?.type !== 'source' || spec.watermarkStrategy === undefined) continue;
    const params = (spec.watermarkStrategy as { getAlignmentParameters?: () => { isEnabled(): boolean; getWatermarkGroup(): string } }).getAlignmentParameters?.();
    if (!params?.isEnabled()) continue;
    const members = groups.get(params.getWatermarkGroup()) ?? [];
    for (let i = 0; i < v.parallelism; i++) members.push(table.indexOf(v.id, i));
    groups.set(params.getWatermarkGroup(), members);
  }
  return groups;
}
