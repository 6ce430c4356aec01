import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonPlan } from '../../../src/graph/index.js';
import { all, id, jobGraphOf, newEnv } from './fixtures.js';

const JID = '0123456789abcdef0123456789abcdef';

describe('json plan', () => {
  it('json plan - the plan has jid, name, type STREAMING and one node per vertex', () => {
    const env = newEnv();
    env.fromSequence(1, 10).rebalance().map(id).print();
    const job = jobGraphOf(env, 'My Job');
    const plan = jsonPlan(job, JID);
    expect(Object.keys(plan)).toEqual(['jid', 'name', 'type', 'nodes']);
    expect([plan.jid, plan.name, plan.type]).toEqual([JID, 'My Job', 'STREAMING']);
    expect(plan.nodes.map((n) => n.id)).toEqual(job.vertices.map((v) => v.id));
  });

  it('json plan - a source node has no inputs field', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).print();
    const [node] = jsonPlan(jobGraphOf(env), JID).nodes;
    expect(node).toEqual({
      id: jobGraphOf(env).vertices[0]!.id,
      parallelism: 4,
      operator: 'Source: Sequence Source -> Map -> Sink: Print to Std. Out',
      operator_strategy: '',
      description: 'Source: Sequence Source -&gt; Map -&gt; Sink: Print to Std. Out',
      optimizer_properties: {},
      pipelined_regions: [0, 1, 2, 3],
    });
    expect('inputs' in node!).toBe(false);
  });

  it('json plan - an input has num, id, ship_strategy and exchange', () => {
    const env = newEnv();
    env.fromSequence(1, 10).keyBy((x) => x).sum(0).setParallelism(2).print();
    const job = jobGraphOf(env);
    const [source, sum] = jsonPlan(job, JID).nodes;
    expect(sum!.parallelism).toBe(2);
    expect(sum!.inputs).toEqual([{ num: 0, id: source!.id, ship_strategy: 'HASH', exchange: 'pipelined_bounded' }]);
  });

  it('json plan - the inputs of a union target are numbered in input order', () => {
    const env = newEnv();
    const a = env.fromSequence(1, 10);
    const b = env.fromSequence(1, 10).setParallelism(2);
    a.union(b).map(id).print();
    const [sourceA, sourceB, target] = jsonPlan(jobGraphOf(env), JID).nodes;
    expect([sourceA!.parallelism, sourceB!.parallelism, target!.operator]).toEqual([4, 2, 'Map -> Sink: Print to Std. Out']);
    expect(target!.inputs).toEqual([
      { num: 0, id: sourceA!.id, ship_strategy: 'FORWARD', exchange: 'pipelined_bounded' },
      { num: 1, id: sourceB!.id, ship_strategy: 'REBALANCE', exchange: 'pipelined_bounded' },
    ]);
  });

  it('json plan - the description is the HTML-escaped chain name', () => {
    const env = newEnv();
    env.fromSequence(1, 10).map(id).name('a<b> & "c"').filter(all);
    const [node] = jsonPlan(jobGraphOf(env), JID).nodes;
    expect(node!.operator).toBe('Source: Sequence Source -> a<b> & "c" -> Filter');
    expect(node!.description).toBe('Source: Sequence Source -&gt; a&lt;b&gt; &amp; &quot;c&quot; -&gt; Filter');
  });

  it('json plan - escapeHtml escapes the ampersand first', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('json plan - the plan survives a JSON round trip unchanged', () => {
    const env = newEnv();
    env.fromSequence(1, 10).keyBy((x) => x).sum(0).print();
    const plan = jsonPlan(jobGraphOf(env), JID);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});
