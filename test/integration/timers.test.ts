/**
 * Event-time timers through the real CLI (test/jobs/timers-job.ts), exact results: each surviving
 * (key, timestamp) fires once, on the subtask owning the key, in timestamp order per subtask (so
 * per key); duplicates fire once, deleted timers never; a timer set from onTimer fires at the same
 * final watermark. At parallelism 1..4 on both backends, across a failure restored from a
 * checkpoint, and across a savepoint restored at another parallelism on the other backend.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignKeyToParallelOperator } from '../../src/core/key-groups.js';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const JOB = 'test/jobs/timers-job.ts';
const KEYS = 300;
const root = mkdtempSync(join(tmpdir(), 'miniflink-timers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const keyOf = (i: number): string | number => (i % 2 === 0 ? i : `k${i}`);
const tsOf = (i: number, j: number): number => 1000 + i * 3 + j * 10;

/** What must fire: slots 0 1 3 5 6 7 of every key (2 and 4 deleted, 8 deleted as set), and 0's follow-up. */
function expected(): string[] {
  const out: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    for (const j of [0, 1, 3, 5, 6, 7]) out.push(`${JSON.stringify(keyOf(i))}|${tsOf(i, j)}`);
    out.push(`${JSON.stringify(keyOf(i))}|${tsOf(i, 0) + 1_000_000}`);
  }
  return out.sort();
}

/** Checks the firings of one run at parallelism p: the exact set, owners, timestamp order per subtask. */
function check(firings: string[], p: number, why: string): void {
  const parsed = firings.map((f) => {
    const [subtask, key, ts] = f.split('|');
    return { subtask: Number(subtask), key: JSON.parse(key!) as string | number, ts: Number(ts) };
  });
  expect(parsed.map((f) => `${JSON.stringify(f.key)}|${f.ts}`).sort(), why).toEqual(expected());
  const misplaced = parsed.filter((f) => f.subtask !== assignKeyToParallelOperator(f.key, 128, p));
  expect(misplaced.slice(0, 5), why).toEqual([]);
  for (let s = 0; s < p; s++) {
    const ts = parsed.filter((f) => f.subtask === s).map((f) => f.ts);
    expect(ts, `subtask ${s} fired out of timestamp order\n${why}`).toEqual([...ts].sort((a, b) => a - b));
  }
}

async function run(p: number, backend: string, mode: string, extra: string[] = []) {
  const third = mode === 'stop' ? [join(root, `sp-${p}-${backend}`)] : mode === 'fail' ? [join(root, `failed-${p}-${backend}`)] : [];
  const args = ['run', '-t', 'local', '-p', String(p), '-D', `state.backend.type=${backend}`, ...extra, JOB, mode, String(KEYS), ...third];
  const r = await runCli(args, { timeoutMs: 120_000 });
  return { r, why: explain(args, r) };
}

const matrix: Array<[number, string]> = [];
for (const backend of ['hashmap', 'leveldb']) for (const p of [1, 2, 3, 4]) matrix.push([p, backend]);

describe('timers', () => {
  it.concurrent.each(matrix)('timers - parallelism %i on %s: each surviving timer fires once, in timestamp order, on its key’s subtask; timers set from onTimer fire too', async (p, backend) => {
    const { r, why } = await run(p, backend, 'run');
    expect(r.code, why).toBe(0);
    check(resultOf(r) as string[], p, why);
  });

  it.concurrent.each([
    [2, 'hashmap'],
    [3, 'leveldb'],
  ])('timers - a failure at parallelism %i on %s restores the timers from the checkpoint: the same exact firings', async (p, backend) => {
    const { r, why } = await run(p, backend, 'fail');
    expect(r.code, why).toBe(0);
    expect(existsSync(join(root, `failed-${p}-${backend}`)), `the source did not fail\n${why}`).toBe(true);
    check(resultOf(r) as string[], p, why);
  });

  it.concurrent.each([
    [2, 'hashmap', 3, 'leveldb'],
    [3, 'leveldb', 1, 'hashmap'],
    [1, 'hashmap', 4, 'hashmap'],
  ])('timers - a savepoint taken at parallelism %i on %s restores at parallelism %i on %s: timers by key group, deletions and duplicates after the restore', async (p1, b1, p2, b2) => {
    const stop = await run(p1, b1, 'stop');
    expect(stop.r.code, stop.why).toBe(0);
    expect(stop.r.stdout, stop.why).not.toContain('|');
    const savepoint = /SAVEPOINT (\S+)/.exec(stop.r.stdout)?.[1];
    expect(savepoint, stop.why).toBeDefined();
    const { r, why } = await run(p2, b2, 'resume', ['-s', savepoint!]);
    expect(r.code, why).toBe(0);
    check(resultOf(r) as string[], p2, why);
  });

  it('timers - 200,000 keys, each with a processing-time and an event-time timer: the job ends in seconds', async () => {
    const args = ['run', '-t', 'local', '-p', '1', JOB, 'many', '200000'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(resultOf(r)).toBe(200);
  });
});
