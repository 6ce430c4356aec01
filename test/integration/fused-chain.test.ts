/**
 * Chains whose chained outputs compile map, filter and sink in (FusedElement) and copy records by
 * the layout of the last one: they behave as processElement does (test/jobs/fused-chain-job.ts).
 */
import { describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const run = async (mode: string) => {
  const args = ['run', '-t', 'local', 'test/jobs/fused-chain-job.ts', mode];
  const r = await runCli(args, { timeoutMs: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return { ...r, why: explain(args, r), result: line !== undefined ? (JSON.parse(line.slice(7)) as unknown) : undefined };
};

describe('fused chains', () => {
  it('fused - a map returning records of a class with a then() method passes them on as records', async () => {
    const r = await run('then');
    expect(r.code, r.why).toBe(0);
    expect(r.result).toEqual(['r1 then x', 'r3 then x']);
  });

  it('fused - a filter returning values other than booleans passes the records whose value is truthy', async () => {
    const r = await run('truthy');
    expect(r.code, r.why).toBe(0);
    expect(r.result).toEqual([0, 3, 7]);
  });

  it('fused - an async map or filter in a chain fails the task naming the function', async () => {
    const m = await run('async-map');
    expect(m.code, m.why).toBe(1);
    expect(m.stderr).toMatch(/MF_ERR_INVALID_PROGRAM\]: The MapFunction .* returned a Promise from map\(\)/);
    const f = await run('async-filter');
    expect(f.code, f.why).toBe(1);
    expect(f.stderr).toMatch(/MF_ERR_INVALID_PROGRAM\]: The FilterFunction .* returned a Promise from filter\(\)/);
  });

  it('fused - a record of a known layout with a function in a field fails the copy naming the operator and the field', async () => {
    const r = await run('bad-field');
    expect(r.code, r.why).toBe(1);
    expect(r.stderr).toContain('MF_ERR_SERIALIZATION');
    expect(r.stderr).toContain("Operator 'Map' (1/1): Could not copy record");
    expect(r.stderr).toContain('record.f is a function');
  });

  it('fused - plain records and instances of a class with the same fields, alternating, each keep their kind through copying outputs', async () => {
    const r = await run('classes');
    expect(r.code, r.why).toBe(0);
    expect(r.result).toEqual(Array.from({ length: 100 }, (_, i) => `${(i + 1) % 2 === 0 ? 'Point' : 'plain'}:${i + 1}`));
  });

  it('fused - a filter that changes its record changes its own copy, not the object the map kept', async () => {
    const r = await run('mutate');
    expect(r.code, r.why).toBe(0);
    expect(r.result).toEqual({ out: ['-1'], count: 50, changed: 0, kept: 50 });
  });

  it('fused - an async sink behind a map and a filter invokes each record once, in order', async () => {
    const r = await run('async-sink');
    expect(r.code, r.why).toBe(0);
    const kept = Array.from({ length: 500 }, (_, i) => i + 1).filter((n) => n % 5 !== 0);
    expect(r.result).toEqual({ count: kept.length, ordered: true, sum: kept.reduce((a, b) => a + b, 0) });
  });

  it('fused - plain functions as map, filter and sink get the operator as this, compiled into the chain or not (found by a review)', async () => {
    const r = await run('this');
    expect(r.code, r.why).toBe(0);
    // The sink counts its own calls across both inputs; each map counts its three records.
    const lines = r.result as string[];
    expect(lines.map((l) => l.split('@')[0]).sort()).toEqual(['1#1', '1#1', '2#2', '2#2', '3#3', '3#3']);
    expect(lines.map((l) => Number(l.split('@')[1])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fused - a SequenceSource run with a context made from the task\'s (spread, Object.create) emits through that context\'s collect (found by a review)', async () => {
    const r = await run('wrapped');
    expect(r.code, r.why).toBe(0);
    expect(r.result).toEqual([100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000]);
  });
});
