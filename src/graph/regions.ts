/**
 * Pipelined regions (Flink's SchedulingPipelinedRegion in streaming mode): every exchange of a
 * streaming job is pipelined, so a region is a connected component of the subtasks and the
 * channels between them. An all-to-all exchange (HASH, REBALANCE, BROADCAST, ...) joins every
 * subtask of both vertices into one region; a pointwise one (FORWARD, RESCALE) only the subtasks it
 * connects, so two parallel pipelines chained end to end are two regions, and disconnected
 * pipelines are regions of their own. Region failover restarts the regions of a failed subtask.
 */
import { consumersOf } from './connections.js';
import type { JobGraph } from './job-graph.js';

/** A subtask of a vertex. */
export interface SubtaskRef {
  readonly vertexId: string;
  readonly index: number;
}

/**
 * The job's pipelined regions, each a list of subtasks in vertex order (the JobGraph's, which is
 * topological) then by index; the regions ordered by their first subtask.
 */
export function pipelinedRegions(job: JobGraph): SubtaskRef[][] {
  const subtasks: SubtaskRef[] = [];
  const at = new Map<string, number>();
  for (const v of job.vertices) {
    for (let i = 0; i < v.parallelism; i++) {
      at.set(`${v.id}/${i}`, subtasks.length);
      subtasks.push({ vertexId: v.id, index: i });
    }
  }
  const parent = subtasks.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const parallelism = new Map(job.vertices.map((v) => [v.id, v.parallelism]));
  for (const e of job.edges) {
    const up = parallelism.get(e.sourceVertex)!;
    const down = parallelism.get(e.targetVertex)!;
    for (let i = 0; i < up; i++) for (const j of consumersOf(e.shipStrategy, up, down, i)) union(at.get(`${e.sourceVertex}/${i}`)!, at.get(`${e.targetVertex}/${j}`)!);
  }
  const regions = new Map<number, SubtaskRef[]>();
  subtasks.forEach((s, i) => {
    const r = find(i);
    let list = regions.get(r);
    if (!list) regions.set(r, (list = []));
    list.push(s);
  });
  return [...regions.entries()].sort((a, b) => a[0] - b[0]).map(([, list]) => list);
}

/** The region of each subtask of each vertex: by vertex id, the region index of subtask i at i. */
export function regionsByVertex(job: JobGraph): Map<string, number[]> {
  const out = new Map(job.vertices.map((v) => [v.id, new Array<number>(v.parallelism).fill(-1)]));
  pipelinedRegions(job).forEach((region, r) => {
    for (const s of region) out.get(s.vertexId)![s.index] = r;
  });
  return out;
}
