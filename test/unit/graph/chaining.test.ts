import { describe, expect, it } from 'vitest';
import { all, discard, id, jobGraphOf, newEnv, shipStrategies, vertexNames } from './fixtures.js';

describe('chaining', () => {
  it('chaining - source, map, filter and sink with equal parallelism form one vertex', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).filter(all).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source -> Map -> Filter -> Sink: Print to Std. Out']);
    expect(job.edges).toEqual([]);
    expect(job.vertices[0]!.parallelism).toBe(4);
    expect(job.vertices[0]!.inputs).toEqual([]);
  });

  it('chaining - the chain lists its operators head first, each with the operator it calls', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).filter(all).addSink(discard).name('out');
    const [vertex] = jobGraphOf(env).vertices;
    expect(vertex!.operators.map((o) => [o.name, o.type, o.chainedOutputs, o.networkOutputs])).toEqual([
      ['Source: Sequence Source', 'source', [2], []],
      ['Map', 'map', [3], []],
      ['Filter', 'filter', [4], []],
      ['Sink: out', 'sink', [], []],
    ]);
  });

  it('chaining - the vertex id is the head operator id', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).print();
    const [vertex] = jobGraphOf(env).vertices;
    expect(vertex!.id).toBe(vertex!.operators[0]!.operatorId);
    expect(vertex!.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('chaining - keyBy breaks the chain with a HASH edge', () => {
    const env = newEnv();
    const keyed = env.fromSequence(1, 10).map(id).keyBy((x) => x % 2);
    keyed.reduce((a, b) => a + b).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source -> Map', 'Keyed Reduce -> Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['HASH']);
    expect(job.edges[0]!.partitionTransformationId).toBe(keyed.transformation.id);
  });

  it('chaining - a HASH edge connects the writing and reading operators of the two vertices', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).keyBy((x) => x).sum(0).print();
    const job = jobGraphOf(env);
    const [up, down] = job.vertices;
    expect(job.edges).toEqual([
      { id: 0, sourceVertex: up!.id, targetVertex: down!.id, sourceNode: 2, targetNode: 4, shipStrategy: 'HASH', partitionTransformationId: 3, inputIndex: 0 },
    ]);
    expect(up!.operators[1]!.networkOutputs).toEqual([0]);
    expect(down!.inputs).toEqual([0]);
  });

  it('chaining - a parallelism change without partitioner is a REBALANCE edge and no chain', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).setParallelism(2).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Map', 'Sink: Print to Std. Out']);
    expect(job.vertices.map((v) => v.parallelism)).toEqual([4, 2, 4]);
    expect(shipStrategies(job)).toEqual(['REBALANCE', 'REBALANCE']);
  });

  it('chaining - a parallelism 1 collection source feeds a parallel map through REBALANCE', () => {
    const env = newEnv();
    env.fromElements(1, 2, 3).map(id).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Collection Source', 'Map -> Sink: Print to Std. Out']);
    expect(job.vertices.map((v) => v.parallelism)).toEqual([1, 4]);
    expect(shipStrategies(job)).toEqual(['REBALANCE']);
  });

  it('chaining - explicit forward() between different parallelisms throws when the graph is built', () => {
    const env = newEnv();
    env.fromSequence(1, 10).forward().map(id).setParallelism(2).print();
    expect(() => jobGraphOf(env)).toThrow(
      'Forward partitioning does not allow change of parallelism. Upstream operation: Source: Sequence Source parallelism: 4, downstream operation: Map parallelism: 2',
    );
  });

  it('chaining - explicit forward() between equal parallelisms chains', () => {
    const env = newEnv();
    env.fromSequence(1, 10).forward().map(id).print();
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source -> Map -> Sink: Print to Std. Out']);
  });

  it.each([
    ['rebalance', 'REBALANCE'],
    ['rescale', 'RESCALE'],
    ['shuffle', 'SHUFFLE'],
    ['broadcast', 'BROADCAST'],
    ['global', 'GLOBAL'],
  ] as const)('chaining - %s() breaks the chain with a %s edge', (partitioner, strategy) => {
    const env = newEnv();
    env.fromSequence(1, 10)[partitioner]().map(id).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Map -> Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual([strategy]);
  });

  it('chaining - a union target is never chained, even with equal parallelism', () => {
    const env = newEnv();
    const a = env.fromSequence(1, 10);
    const b = env.fromSequence(11, 20);
    a.union(b).map(id).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Source: Sequence Source', 'Map -> Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['FORWARD', 'FORWARD']);
    expect(job.vertices[2]!.inputs).toEqual([0, 1]);
  });

  it('chaining - disableChaining isolates the operator on both sides', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).disableChaining().filter(all).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Map', 'Filter -> Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['FORWARD', 'FORWARD']);
  });

  it('chaining - disableChaining on a sink isolates the sink', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).print().disableChaining();
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source -> Map', 'Sink: Print to Std. Out']);
  });

  it('chaining - startNewChain starts a chain that its successors join', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).filter(all).startNewChain().map(id).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source -> Map', 'Filter -> Map -> Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['FORWARD']);
  });

  it('chaining - env.disableOperatorChaining() makes one vertex per operator', () => {
    const env = newEnv();
    env.disableOperatorChaining();
    env.fromSequence(1, 10).map(id).filter(all).print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Map', 'Filter', 'Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['FORWARD', 'FORWARD', 'FORWARD']);
  });

  it("chaining - 'pipeline.operator-chaining.enabled: false' makes one vertex per operator", () => {
    const env = newEnv({ configuration: { 'pipeline.operator-chaining.enabled': 'false' } });
    env.fromSequence(1, 10).map(id).print();
    expect(env.isChainingEnabled()).toBe(false);
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source', 'Map', 'Sink: Print to Std. Out']);
  });

  it("chaining - 'pipeline.operator-chaining.enabled: true' keeps chaining on", () => {
    const env = newEnv({ configuration: { 'pipeline.operator-chaining.enabled': 'true' } });
    env.fromSequence(1, 10).map(id).print();
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source -> Map -> Sink: Print to Std. Out']);
  });

  it("chaining - the deprecated 'pipeline.operator-chaining: false' also disables chaining", () => {
    const env = newEnv({ configuration: { 'pipeline.operator-chaining': 'false' } });
    env.fromSequence(1, 10).map(id);
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source', 'Map']);
  });

  it('chaining - operators with different max parallelism still chain (Flink default)', () => {
    const env = newEnv();
    env.fromSequence(1, 10).setMaxParallelism(64).map(id).setMaxParallelism(256);
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source -> Map']);
  });

  it('chaining - a different slot sharing group breaks the chain with a FORWARD edge', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).slotSharingGroup('other').print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Map -> Sink: Print to Std. Out']);
    expect(job.vertices.map((v) => v.slotSharingGroup)).toEqual(['default', 'other']);
    expect(shipStrategies(job)).toEqual(['FORWARD']);
  });

  it("chaining - fan-out is named 'A -> (B, C)'", () => {
    const env = newEnv();
    const source = env.fromSequence(1, 10);
    source.map(id).name('B');
    source.filter(all).name('C');
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source -> (B, C)']);
    expect(job.vertices[0]!.operators[0]!.chainedOutputs).toEqual([2, 3]);
  });

  it('chaining - fan-out names nest the chains of each branch', () => {
    const env = newEnv();
    const mapped = env.fromSequence(1, 10).map(id);
    mapped.filter(all).addSink(discard).name('a');
    mapped.map(id).addSink(discard).name('b');
    expect(vertexNames(jobGraphOf(env))).toEqual(['Source: Sequence Source -> Map -> (Filter -> Sink: a, Map -> Sink: b)']);
  });

  it('chaining - a fan-out branch that cannot chain becomes its own vertex', () => {
    const env = newEnv();
    const source = env.fromSequence(1, 10);
    source.map(id).name('B');
    source.rebalance().filter(all).name('C');
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source -> B', 'C']);
    expect(shipStrategies(job)).toEqual(['REBALANCE']);
  });

  it('chaining - vertices are in topological order, sources first', () => {
    const env = newEnv();
    env
      .fromSequence(1, 10)
      .keyBy((x) => x)
      .sum(0)
      .setParallelism(2)
      .print();
    const job = jobGraphOf(env);
    expect(vertexNames(job)).toEqual(['Source: Sequence Source', 'Keyed Aggregation', 'Sink: Print to Std. Out']);
    expect(shipStrategies(job)).toEqual(['HASH', 'REBALANCE']);
    const position = new Map(job.vertices.map((v, i) => [v.id, i]));
    for (const e of job.edges) expect(position.get(e.sourceVertex)!).toBeLessThan(position.get(e.targetVertex)!);
  });
});
