/**
 * Nexmark queries (examples/nexmark/q*.ts) through the CLI at parallelism 1 and 3, each result
 * checked record for record against the same query as a plain single-threaded loop over the same
 * events (examples/nexmark/reference.ts). q4 emits a running average per category: its last
 * update per category is what the reference computes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromArgs } from '../../examples/nexmark/generator.js';
import { REFERENCE } from '../../examples/nexmark/reference.js';
import type { QueryName } from '../../examples/nexmark/queries.js';
import { explain, runCli } from '../helpers/cli.js';

const EVENTS = '30000';
const RATE = '1000';
const root = mkdtempSync(join(tmpdir(), 'miniflink-nexmark-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
}

/** q4's last update per category (the one with the most auctions). */
function lastPerCategory(got: string[]): string[] {
  const last = new Map<number, { category: number; count: number }>();
  for (const l of got) {
    const r = JSON.parse(l) as { category: number; count: number };
    if ((last.get(r.category)?.count ?? -1) < r.count) last.set(r.category, r);
  }
  return [...last.values()].map((r) => JSON.stringify(r));
}

describe('Nexmark queries', () => {
  const queries: QueryName[] = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8'];
  const expected = new Map(queries.map((q) => [q, REFERENCE[q](configFromArgs([EVENTS, RATE])).map((r) => JSON.stringify(r)).sort()]));

  it('nexmark - every query has results on these events', () => {
    for (const q of queries) expect(expected.get(q)!.length, q).toBeGreaterThan(2);
  });

  // With pipeline.local-exchange.by-reference, the stateful queries (their keyBy exchanges within a thread by reference).
  const byReference = ['q3', 'q4', 'q5', 'q7', 'q8'] as const;
  const cases = [...queries.flatMap((q) => [1, 3].map((p) => [q, p, ''] as const)), ...byReference.flatMap((q) => [1, 3].map((p) => [q, p, ' (local exchange by reference)'] as const))];
  it.each(cases)('nexmark - %s at parallelism %i%s: the same records as the single-threaded query', async (q, p, how) => {
    const dir = join(root, `${q}-${p}${how === '' ? '' : '-by-reference'}`);
    const args = ['run', '-t', 'local', '-p', String(p), ...(how === '' ? [] : ['-D', 'pipeline.local-exchange.by-reference=true']), `examples/nexmark/${q}.ts`, EVENTS, RATE, dir];
    const r = await runCli(args, { timeoutMs: 90_000 });
    const why = explain(args, r);
    expect(r.code, why).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Nexmark ${q}: ${EVENTS} events in \\d+ ms`));
    let got = lines(dir);
    if (q === 'q4') got = lastPerCategory(got);
    got.sort();
    const want = expected.get(q)!;
    if (got.length !== want.length || got.some((l, i) => l !== want[i])) {
      const missing = want.filter((l) => !got.includes(l)).slice(0, 5);
      const extra = got.filter((l) => !want.includes(l)).slice(0, 5);
      expect({ count: got.length, missing, extra }, why).toEqual({ count: want.length, missing: [], extra: [] });
    }
  }, 120_000);
});
