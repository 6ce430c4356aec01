/**
 * The JobGraph as Flink's JSON plan (`GET /jobs/:id/plan`, `flink info`).
 */
import type { JobGraph } from './job-graph.js';
import { regionsByVertex } from './regions.js';

/** One input of a plan node. */
export interface PlanInput {
  /** Input index. */
  readonly num: number;
  /** Upstream vertex id. */
  readonly id: string;
  /** The partitioner. */
  readonly ship_strategy: string;
  /** The result partition type, lowercase. */
  readonly exchange: string;
}

/** One node of the plan. */
export interface PlanNode {
  /** Vertex id. */
  readonly id: string;
  /** Parallelism. */
  readonly parallelism: number;
  /** The chain name. */
  readonly operator: string;
  /** Unused in streaming jobs (empty, as Flink's). */
  readonly operator_strategy: string;
  /** HTML-escaped chain name. */
  readonly description: string;
  /** Inputs; omitted when there are none. */
  readonly inputs?: PlanInput[];
  /** Always {}. */
  readonly optimizer_properties: Record<string, never>;
  /** miniflink: the pipelined region of each subtask (by subtask index), which a region failover restarts together. */
  readonly pipelined_regions: number[];
}

/** Flink's plan object. */
export interface JsonPlan {
  /** Job id. */
  readonly jid: string;
  /** Job name. */
  readonly name: string;
  /** Always STREAMING here. */
  readonly type: 'STREAMING';
  /** The vertices. */
  readonly nodes: PlanNode[];
}

/** HTML-escapes text as Flink's StringEscapeUtils.escapeHtml4 does for the common characters. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Builds the JSON plan of a JobGraph. */
export function jsonPlan(job: JobGraph, jobId: string): JsonPlan {
  const regions = regionsByVertex(job);
  return {
    jid: jobId,
    name: job.jobName,
    type: 'STREAMING',
    nodes: job.vertices.map((v) => {
      const node: PlanNode = {
        id: v.id,
        parallelism: v.parallelism,
        operator: v.name,
        operator_strategy: '',
        description: escapeHtml(v.name),
        optimizer_properties: {},
        pipelined_regions: regions.get(v.id)!,
      };
      const inputs = v.inputs.map((edgeId, num) => {
        const e = job.edges[edgeId]!;
        return { num, id: e.sourceVertex, ship_strategy: e.shipStrategy, exchange: 'pipelined_bounded' };
      });
      return inputs.length > 0 ? { ...node, inputs } : node;
    }),
  };
}
