import { describe, expect, it } from 'vitest';
import type { StreamExecutionEnvironment } from '../../../src/api/index.js';
import { all, discard, id, jobGraphOf, newEnv, streamGraphOf } from './fixtures.js';

/** src -> map -> keyBy -> sum -> sink, the same every time it is called. */
function wordCountLike(env: StreamExecutionEnvironment): void {
  env
    .fromSequence(1, 10)
    .map(id)
    .keyBy((x) => x % 3)
    .sum(0)
    .addSink(discard)
    .name('out');
}

/** Operator ids of the StreamGraph, by node name. */
function operatorIds(env: StreamExecutionEnvironment): Record<string, string> {
  return Object.fromEntries(streamGraphOf(env).nodes.map((n) => [n.name, n.operatorId]));
}

describe('stream graph', () => {
  it('stream graph - partition and union steps are edges, not nodes', () => {
    const env = newEnv();
    const a = env.fromSequence(1, 10);
    const b = env.fromSequence(1, 10);
    a.union(b).keyBy((x) => x).sum(0).print();
    const graph = streamGraphOf(env, 'my job');
    expect(graph.jobName).toBe('my job');
    expect(graph.nodes.map((n) => [n.id, n.name, n.type, n.keyed])).toEqual([
      [1, 'Source: Sequence Source', 'source', false],
      [2, 'Source: Sequence Source', 'source', false],
      [5, 'Keyed Aggregation', 'reduce', true],
      [6, 'Sink: Print to Std. Out', 'sink', false],
    ]);
    expect(graph.edges).toEqual([
      { source: 1, target: 5, partitioner: 'hash', partitionTransformationId: 4, inputIndex: 0 },
      { source: 2, target: 5, partitioner: 'hash', partitionTransformationId: 4, inputIndex: 0 },
      { source: 5, target: 6, partitioner: 'forward', partitionTransformationId: undefined, inputIndex: 0 },
    ]);
  });

  it('stream graph - nodes resolve parallelism and max parallelism from the environment', () => {
    const env = newEnv({ parallelism: 3 });
    env.fromSequence(1, 10).map(id).setParallelism(5).setMaxParallelism(16);
    const graph = streamGraphOf(env);
    expect(graph.nodes.map((n) => [n.parallelism, n.maxParallelism])).toEqual([
      [3, 128],
      [5, 16],
    ]);
  });

  it('stream graph - the vertex carries the max parallelism of its head', () => {
    const env = newEnv();
    env.fromSequence(1, 10).setMaxParallelism(64).map(id);
    const job = jobGraphOf(env);
    expect(job.vertices.map((v) => [v.name, v.maxParallelism])).toEqual([['Source: Sequence Source -> Map', 64]]);
  });

  it('stream graph - chainingEnabled reflects env.disableOperatorChaining()', () => {
    const env = newEnv();
    env.fromSequence(1, 10);
    expect(streamGraphOf(env).chainingEnabled).toBe(true);
    env.disableOperatorChaining();
    expect(streamGraphOf(env).chainingEnabled).toBe(false);
  });

  it('stream graph - chaining strategies come from the API calls', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).disableChaining().filter(all).startNewChain().map(id);
    expect(streamGraphOf(env).nodes.map((n) => n.chainingStrategy)).toEqual(['HEAD', 'NEVER', 'HEAD', 'ALWAYS']);
  });

  it('stream graph - the same program built twice has the same fingerprint', () => {
    const first = newEnv();
    wordCountLike(first);
    const second = newEnv();
    wordCountLike(second);
    expect(jobGraphOf(second).fingerprint).toBe(jobGraphOf(first).fingerprint);
    expect(jobGraphOf(first).fingerprint).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stream graph - the same program built twice has the same operator and vertex ids', () => {
    const first = newEnv();
    wordCountLike(first);
    const second = newEnv();
    wordCountLike(second);
    expect(operatorIds(second)).toEqual(operatorIds(first));
    expect(jobGraphOf(second).vertices.map((v) => v.id)).toEqual(jobGraphOf(first).vertices.map((v) => v.id));
  });

  it('stream graph - operator ids are distinct 32-hex strings', () => {
    const env = newEnv();
    wordCountLike(env);
    const ids = Object.values(operatorIds(env));
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    for (const i of ids) expect(i).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stream graph - a different program has a different fingerprint', () => {
    const first = newEnv();
    wordCountLike(first);
    const second = newEnv();
    second.fromSequence(1, 10).map(id).setParallelism(2).keyBy((x) => x % 3).sum(0).addSink(discard).name('out');
    expect(jobGraphOf(second).fingerprint).not.toBe(jobGraphOf(first).fingerprint);
  });

  it('stream graph - a different parallelism changes the fingerprint', () => {
    const first = newEnv({ parallelism: 2 });
    wordCountLike(first);
    const second = newEnv({ parallelism: 3 });
    wordCountLike(second);
    expect(jobGraphOf(second).fingerprint).not.toBe(jobGraphOf(first).fingerprint);
  });

  it('stream graph - without uid an inserted operator changes the ids after it', () => {
    const first = newEnv();
    first.fromSequence(1, 10).map(id).name('m');
    const second = newEnv();
    second.fromSequence(1, 10).filter(all).map(id).name('m');
    expect(operatorIds(second)['m']).not.toBe(operatorIds(first)['m']);
  });

  it('stream graph - uid makes the operator id independent of its position', () => {
    const first = newEnv();
    first.fromSequence(1, 10).map(id).name('m').uid('my-map');
    const second = newEnv();
    second.fromSequence(1, 10).filter(all).map(id).setParallelism(2).name('m').uid('my-map');
    const node = streamGraphOf(second).nodes.find((n) => n.name === 'm')!;
    expect(node.operatorId).toBe(operatorIds(first)['m']);
    expect([node.hasUid, node.uid]).toEqual([true, 'my-map']);
  });

  it('stream graph - a uid on a sink makes its id independent of position', () => {
    const first = newEnv();
    first.fromSequence(1, 10).addSink(discard).name('out').uid('the-sink');
    const second = newEnv();
    second.fromElements(1).map(id).addSink(discard).name('out').uid('the-sink');
    expect(operatorIds(second)['Sink: out']).toBe(operatorIds(first)['Sink: out']);
  });

  it('stream graph - different uids give different ids', () => {
    const env = newEnv();
    env.fromSequence(1, 10).uid('a').map(id).uid('b');
    const ids = streamGraphOf(env).nodes.map((n) => n.operatorId);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('stream graph - a duplicate uid throws', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).name('first').uid('same').map(id).name('second').uid('same');
    expect(() => streamGraphOf(env)).toThrow(`Hash collision on user-specified ID "same": operators 'first' and 'second' share it.`);
  });

  it('stream graph - setParallelism(0) on an operator throws', () => {
    const env = newEnv();
    const mapped = env.fromSequence(1, 10).map(id);
    expect(() => mapped.setParallelism(0)).toThrow(RangeError);
    expect(() => mapped.setParallelism(0)).toThrow('The parallelism must be at least one');
  });

  it('stream graph - setParallelism(0) on a sink throws', () => {
    const env = newEnv();
    const sink = env.fromSequence(1, 10).print();
    expect(() => sink.setParallelism(0)).toThrow(RangeError);
  });

  it('stream graph - setParallelism(0) on the environment throws', () => {
    const env = newEnv();
    expect(() => env.setParallelism(0)).toThrow('The parallelism must be at least one');
  });

  it('stream graph - a parallelism above the operator max parallelism throws when the graph is built', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).setMaxParallelism(2).setParallelism(3);
    expect(() => streamGraphOf(env)).toThrow("The parallelism (3) of operator 'Map' must not be greater than its max parallelism (2)");
  });

  it('stream graph - a parallelism above the environment max parallelism throws at once', () => {
    const env = newEnv();
    env.setMaxParallelism(2);
    const source = env.fromSequence(1, 10);
    expect(() => source.setParallelism(3)).toThrow('The parallelism (3) must not be greater than the max parallelism (2)');
  });

  it('stream graph - a default parallelism above the environment max parallelism throws when the graph is built', () => {
    const env = newEnv({ parallelism: 4 });
    env.setMaxParallelism(2);
    env.fromSequence(1, 10);
    expect(() => streamGraphOf(env)).toThrow("The parallelism (4) of operator 'Source: Sequence Source' must not be greater than its max parallelism (2)");
  });

  it("stream graph - a default parallelism above 'pipeline.max-parallelism' throws when the environment is created", () => {
    expect(() => newEnv({ parallelism: 4, configuration: { 'pipeline.max-parallelism': '2' } })).toThrow(
      'The parallelism (4) must not be greater than the max parallelism (2) (parallelism.default)',
    );
  });

  it('stream graph - a non-parallel source rejects a parallelism above 1', () => {
    const env = newEnv();
    const source = env.fromElements(1, 2, 3);
    expect(() => source.setParallelism(2)).toThrow("The parallelism of non parallel operator 'Collection Source' must be 1.");
  });

  it('stream graph - the parallelism of a keyBy step cannot be set', () => {
    const env = newEnv();
    const keyed = env.fromSequence(1, 10).keyBy((x) => x);
    expect(() => keyed.setParallelism(2)).toThrow('Cannot set the parallelism of a partition step');
  });
});
