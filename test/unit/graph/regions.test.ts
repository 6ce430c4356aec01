/**
 * Pipelined regions (src/graph/regions.ts): connected components of subtasks, as Flink's streaming
 * mode forms them: all-to-all exchanges join, pointwise ones connect only their subtasks, and
 * disconnected pipelines stay apart.
 */
import { describe, expect, it } from 'vitest';
import { jsonPlan, pipelinedRegions, regionsByVertex } from '../../../src/graph/index.js';
import { id, jobGraphOf, newEnv } from './fixtures.js';

describe('pipelined regions', () => {
  it('regions - a keyBy (all-to-all) joins every subtask into one region', () => {
    const env = newEnv();
    env.fromSequence(1, 10).setParallelism(2).keyBy((x) => x).map(id).setParallelism(3).print();
    const job = jobGraphOf(env);
    // Source 2 + map 3 + print 4 (the default parallelism: a rebalance, all-to-all, from the map).
    expect(pipelinedRegions(job)).toHaveLength(1);
    expect(pipelinedRegions(job)[0]).toHaveLength(9);
  });

  it('regions - a chained pipeline at parallelism 4 is four regions, one per subtask', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).print();
    const job = jobGraphOf(env);
    expect(job.vertices).toHaveLength(1);
    expect(pipelinedRegions(job).map((r) => r.map((s) => s.index))).toEqual([[0], [1], [2], [3]]);
  });

  it('regions - a rescale from 2 to 4 connects producer i only to its consumers', () => {
    const env = newEnv();
    env.fromSequence(1, 10).setParallelism(2).rescale().map(id).setParallelism(4).print();
    const job = jobGraphOf(env);
    const [source, map] = job.vertices;
    expect(regionsByVertex(job).get(source!.id)).toEqual([0, 1]);
    expect(regionsByVertex(job).get(map!.id)).toEqual([0, 0, 1, 1]);
  });

  it('regions - two disconnected pipelines are regions of their own, and the plan shows them', () => {
    const env = newEnv();
    env.fromSequence(1, 10).setParallelism(1).keyBy((x) => x).map(id).setParallelism(2).print();
    env.fromSequence(1, 10).setParallelism(1).rebalance().map(id).setParallelism(2).print();
    const job = jobGraphOf(env);
    const regions = pipelinedRegions(job);
    expect(regions).toHaveLength(2);
    // Each: source 1 + map 2 + print 4.
    expect(regions.map((r) => r.length)).toEqual([7, 7]);
    const plan = jsonPlan(job, '0'.repeat(32));
    expect(plan.nodes.map((n) => n.pipelined_regions)).toEqual(job.vertices.map((v) => (regions[0]!.some((s) => s.vertexId === v.id) ? new Array(v.parallelism).fill(0) : new Array(v.parallelism).fill(1))));
  });
});
