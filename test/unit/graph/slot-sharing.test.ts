import { describe, expect, it } from 'vitest';
import { requiredSlots } from '../../../src/graph/index.js';
import { id, jobGraphOf, newEnv, streamGraphOf } from './fixtures.js';

/** [name, slot sharing group] of each StreamGraph node, in creation order. */
function groups(env: ReturnType<typeof newEnv>): Array<[string, string]> {
  return streamGraphOf(env).nodes.map((n) => [n.name, n.slotSharingGroup]);
}

const SOURCE = 'Source: Sequence Source';

describe('slot sharing', () => {
  it("slot sharing - a source without a group is in 'default'", () => {
    const env = newEnv();
    env.fromSequence(1, 10);
    expect(groups(env)).toEqual([[SOURCE, 'default']]);
  });

  it('slot sharing - an operator inherits the group of its input', () => {
    const env = newEnv();
    env.fromSequence(1, 10).slotSharingGroup('a').map(id).print();
    expect(groups(env)).toEqual([
      [SOURCE, 'a'],
      ['Map', 'a'],
      ['Sink: Print to Std. Out', 'a'],
    ]);
  });

  it('slot sharing - the group is inherited through a keyBy', () => {
    const env = newEnv();
    env.fromSequence(1, 10).slotSharingGroup('a').keyBy((x) => x).sum(0);
    expect(groups(env)).toEqual([
      [SOURCE, 'a'],
      ['Keyed Aggregation', 'a'],
    ]);
  });

  it('slot sharing - an explicit group wins over the inherited one', () => {
    const env = newEnv();
    env.fromSequence(1, 10).slotSharingGroup('a').map(id).name('m').slotSharingGroup('b').map(id).name('n');
    expect(groups(env)).toEqual([
      [SOURCE, 'a'],
      ['m', 'b'],
      ['n', 'b'],
    ]);
  });

  it("slot sharing - an operator with inputs in different groups gets 'default'", () => {
    const env = newEnv();
    const a = env.fromSequence(1, 10).slotSharingGroup('x');
    const b = env.fromSequence(1, 10).slotSharingGroup('y');
    a.union(b).map(id);
    expect(groups(env)).toEqual([
      [SOURCE, 'x'],
      [SOURCE, 'y'],
      ['Map', 'default'],
    ]);
  });

  it('slot sharing - an operator with all inputs in one group inherits it', () => {
    const env = newEnv();
    const a = env.fromSequence(1, 10).slotSharingGroup('x');
    const b = env.fromSequence(1, 10).slotSharingGroup('x');
    a.union(b).map(id);
    expect(groups(env)).toEqual([
      [SOURCE, 'x'],
      [SOURCE, 'x'],
      ['Map', 'x'],
    ]);
  });

  it('slot sharing - an explicit group on a sink wins', () => {
    const env = newEnv();
    env.fromSequence(1, 10).print().slotSharingGroup('sinks');
    expect(groups(env)).toEqual([
      [SOURCE, 'default'],
      ['Sink: Print to Std. Out', 'sinks'],
    ]);
  });

  it("slot sharing - the vertex's group is its chain's group", () => {
    const env = newEnv();
    env.fromSequence(1, 10).slotSharingGroup('a').map(id).print();
    const job = jobGraphOf(env);
    expect(job.vertices.map((v) => [v.name, v.slotSharingGroup])).toEqual([[`${SOURCE} -> Map -> Sink: Print to Std. Out`, 'a']]);
  });

  it('slot sharing - required slots of a one-group job is its highest parallelism', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).setParallelism(2).rebalance().map(id).setParallelism(3).print().setParallelism(1);
    const job = jobGraphOf(env);
    expect(job.vertices.map((v) => v.parallelism)).toEqual([4, 2, 3, 1]);
    expect(requiredSlots(job)).toBe(4);
  });

  it('slot sharing - required slots is the sum over groups of the highest parallelism in each', () => {
    const env = newEnv();
    env
      .fromSequence(1, 10)
      .setParallelism(2)
      .map(id)
      .setParallelism(3)
      .map(id)
      .setParallelism(5)
      .slotSharingGroup('b')
      .map(id)
      .setParallelism(2)
      .print()
      .setParallelism(1)
      .slotSharingGroup('c');
    const job = jobGraphOf(env);
    expect(job.vertices.map((v) => [v.slotSharingGroup, v.parallelism])).toEqual([
      ['default', 2],
      ['default', 3],
      ['b', 5],
      ['b', 2],
      ['c', 1],
    ]);
    expect(requiredSlots(job)).toBe(3 + 5 + 1);
  });

  it('slot sharing - required slots of one vertex is its parallelism', () => {
    const env = newEnv({ parallelism: 7 });
    env.fromSequence(1, 10).map(id).print();
    expect(requiredSlots(jobGraphOf(env))).toBe(7);
  });
});
