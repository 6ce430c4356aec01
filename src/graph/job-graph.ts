/**
 * JobGraph: operators chained into vertices by Flink's rules (StreamingJobGraphGenerator).
 *
 *   StreamGraph   src -> map -> filter =hash=> sum -> sink
 *   JobGraph      [Source: src -> Map -> Filter] =HASH=> [Keyed Aggregation -> Sink: x]
 *
 * A vertex's id is its head operator's id. Each chained operator lists the operators it calls
 * directly (chained outputs) and the job edges it writes to (network outputs).
 */
import { checkState } from '../core/errors.js';
import { stableHexId } from '../core/ids.js';
import type { PartitionerKind } from '../api/index.js';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.js';

/** Flink's ship strategy names. */
export type ShipStrategy = 'FORWARD' | 'HASH' | 'REBALANCE' | 'RESCALE' | 'BROADCAST' | 'GLOBAL' | 'SHUFFLE';

const SHIP: Record<PartitionerKind, ShipStrategy> = {
  forward: 'FORWARD',
  hash: 'HASH',
  rebalance: 'REBALANCE',
  rescale: 'RESCALE',
  broadcast: 'BROADCAST',
  global: 'GLOBAL',
  shuffle: 'SHUFFLE',
};

/** An operator inside a vertex's chain. */
export interface ChainedOperator {
  /** The StreamNode id (transformation id). */
  readonly nodeId: number;
  /** The stable operator id. */
  readonly operatorId: string;
  /** Operator name. */
  readonly name: string;
  /** Operator kind. */
  readonly type: StreamNode['type'];
  /** Node ids of the operators in the same chain this one calls. */
  readonly chainedOutputs: readonly number[];
  /** [OutputTag id, node id] of the chained operators that read a side output of this one. */
  readonly chainedSideOutputs: ReadonlyArray<readonly [string, number]>;
  /** Ids of the job edges this operator writes to. */
  readonly networkOutputs: readonly number[];
}

/** An edge between two vertices. */
export interface JobEdge {
  /** Index in JobGraph.edges. */
  readonly id: number;
  /** Upstream vertex id. */
  readonly sourceVertex: string;
  /** Downstream vertex id. */
  readonly targetVertex: string;
  /** The upstream operator (node id) that writes. */
  readonly sourceNode: number;
  /** The downstream operator (node id) that reads. */
  readonly targetNode: number;
  /** The partitioner. */
  readonly shipStrategy: ShipStrategy;
  /** For HASH edges, the partition transformation holding the key selector. */
  readonly partitionTransformationId: number | undefined;
  /** Which input of the target operator the edge feeds (1: the second input of a two-input operator). */
  readonly inputIndex: number;
  /** For a side output's edge, the OutputTag's id. */
  readonly outputTag: string | undefined;
}

/** A vertex: one chain, run as one task per subtask. */
export interface JobVertex {
  /** The head operator's id. */
  readonly id: string;
  /** Chain name as Flink writes it (`A -> B`, `A -> (B, C)`). */
  readonly name: string;
  /** Parallelism of every operator in the chain. */
  readonly parallelism: number;
  /** Max parallelism (of the head). */
  readonly maxParallelism: number;
  /** Whether the job set it (else a restore may take the snapshot's: see withMaxParallelism). */
  readonly maxParallelismConfigured: boolean;
  /** Slot sharing group. */
  readonly slotSharingGroup: string;
  /** Operators, head first, each before the operators it calls. */
  readonly operators: readonly ChainedOperator[];
  /** Ids of the job edges into this vertex, in input order. */
  readonly inputs: readonly number[];
}

/** The JobGraph. */
export interface JobGraph {
  /** The job's name. */
  readonly jobName: string;
  /** Vertices in topological order (sources first). */
  readonly vertices: readonly JobVertex[];
  /** All edges. */
  readonly edges: readonly JobEdge[];
  /** Hash of the graph's structure: slot threads check they rebuilt the same graph. */
  readonly fingerprint: string;
}

/** Flink's isChainable(edge): the one predicate deciding whether an edge is a chain link. */
export function isChainable(edge: StreamEdge, graph: StreamGraph, up: StreamNode, down: StreamNode): boolean {
  const inputsOfDown = graph.edges.filter((e) => e.target === down.id).length;
  return (
    graph.chainingEnabled &&
    inputsOfDown === 1 &&
    up.slotSharingGroup === down.slotSharingGroup &&
    edge.partitioner === 'forward' &&
    up.parallelism === down.parallelism &&
    up.chainingStrategy !== 'NEVER' &&
    (down.chainingStrategy === 'ALWAYS' || (down.chainingStrategy === 'HEAD_WITH_SOURCES' && up.type === 'source'))
  );
}

/** Builds the JobGraph of a StreamGraph. */
export function generateJobGraph(graph: StreamGraph): JobGraph {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const chainable = (e: StreamEdge) => isChainable(e, graph, byId.get(e.source)!, byId.get(e.target)!);
  const outEdges = (id: number) => graph.edges.filter((e) => e.source === id);
  const heads = graph.nodes.filter((n) => !graph.edges.some((e) => e.target === n.id && chainable(e)));

  // Chain membership: each node belongs to the chain of the head it is reached from by chain links.
  const headOf = new Map<number, number>();
  const chainName = new Map<number, string>();
  const nameOf = (id: number): string => {
    const cached = chainName.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    const chained = outEdges(id).filter(chainable);
    let name = node.name;
    if (chained.length === 1) name = `${node.name} -> ${nameOf(chained[0]!.target)}`;
    else if (chained.length > 1) name = `${node.name} -> (${chained.map((e) => nameOf(e.target)).join(', ')})`;
    chainName.set(id, name);
    return name;
  };

  const chains = heads.map((head) => {
    const members: StreamNode[] = [];
    const visit = (id: number) => {
      headOf.set(id, head.id);
      members.push(byId.get(id)!);
      for (const e of outEdges(id).filter(chainable)) visit(e.target);
    };
    visit(head.id);
    return { head, members };
  });

  // Job edges: every non-chainable stream edge, in stream-edge order.
  const edges: JobEdge[] = [];
  for (const e of graph.edges) {
    if (chainable(e)) continue;
    edges.push({
      id: edges.length,
      sourceVertex: byId.get(headOf.get(e.source)!)!.operatorId,
      targetVertex: byId.get(headOf.get(e.target)!)!.operatorId,
      sourceNode: e.source,
      targetNode: e.target,
      shipStrategy: SHIP[e.partitioner],
      partitionTransformationId: e.partitionTransformationId,
      inputIndex: e.inputIndex,
      outputTag: e.outputTag,
    });
  }

  const vertices = chains.map(({ head, members }): JobVertex => ({
    id: head.operatorId,
    name: nameOf(head.id),
    parallelism: head.parallelism,
    maxParallelism: head.maxParallelism,
    maxParallelismConfigured: head.maxParallelismConfigured,
    // Slot sharing off: a group per vertex (named after the job's group, so the plan still shows it).
    slotSharingGroup: graph.slotSharingEnabled === false ? `${head.slotSharingGroup}/${head.operatorId}` : head.slotSharingGroup,
    operators: members.map((m) => ({
      nodeId: m.id,
      operatorId: m.operatorId,
      name: m.name,
      type: m.type,
      chainedOutputs: outEdges(m.id)
        .filter((e) => chainable(e) && e.outputTag === undefined)
        .map((e) => e.target),
      chainedSideOutputs: outEdges(m.id)
        .filter((e) => chainable(e) && e.outputTag !== undefined)
        .map((e) => [e.outputTag!, e.target] as const),
      networkOutputs: edges.filter((je) => je.sourceNode === m.id).map((je) => je.id),
    })),
    inputs: edges.filter((je) => headOf.get(je.targetNode) === head.id).map((je) => je.id),
  }));

  const sorted = topologicalOrder(vertices, edges);
  return { jobName: graph.jobName, vertices: sorted, edges, fingerprint: fingerprintOf(sorted, edges) };
}

function fingerprintOf(vertices: readonly JobVertex[], edges: readonly JobEdge[]): string {
  return stableHexId(JSON.stringify({ v: vertices, e: edges }));
}

/**
 * The job graph with the max parallelism of some vertices (by vertex id) replaced: what a job that
 * did not set max parallelism takes from the snapshot it restores. The JobManager and every slot
 * thread apply the same values, so they build the same graph (and fingerprint).
 */
export function withMaxParallelism(job: JobGraph, byVertex: Readonly<Record<string, number>> | undefined): JobGraph {
  if (!byVertex || !job.vertices.some((v) => byVertex[v.id] !== undefined && byVertex[v.id] !== v.maxParallelism)) return job;
  const vertices = job.vertices.map((v) => (byVertex[v.id] !== undefined ? { ...v, maxParallelism: byVertex[v.id]! } : v));
  return { ...job, vertices, fingerprint: fingerprintOf(vertices, job.edges) };
}

function topologicalOrder(vertices: JobVertex[], edges: JobEdge[]): JobVertex[] {
  const indeg = new Map(vertices.map((v) => [v.id, 0]));
  for (const e of edges) indeg.set(e.targetVertex, indeg.get(e.targetVertex)! + 1);
  const ready = vertices.filter((v) => indeg.get(v.id) === 0);
  const out: JobVertex[] = [];
  while (ready.length > 0) {
    const v = ready.shift()!;
    out.push(v);
    for (const e of edges.filter((x) => x.sourceVertex === v.id)) {
      const d = indeg.get(e.targetVertex)! - 1;
      indeg.set(e.targetVertex, d);
      if (d === 0) ready.push(vertices.find((x) => x.id === e.targetVertex)!);
    }
  }
  checkState(out.length === vertices.length, 'The job graph has a cycle');
  return out;
}

/** Slots the job needs: the sum over slot sharing groups of the group's highest parallelism. */
export function requiredSlots(job: JobGraph): number {
  const perGroup = new Map<string, number>();
  for (const v of job.vertices) perGroup.set(v.slotSharingGroup, Math.max(perGroup.get(v.slotSharingGroup) ?? 0, v.parallelism));
  let sum = 0;
  for (const p of perGroup.values()) sum += p;
  return sum;
}
