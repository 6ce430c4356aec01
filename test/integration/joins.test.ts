/**
 * The three joins through the real CLI (test/jobs/joins-job.ts): window join (JoinFunction on
 * tumbling windows, RichFlatJoinFunction on sliding ones), window coGroup with allowed lateness,
 * and the interval join with its late side output, over in-order, out-of-order and late events,
 * compared line for line (with each result's timestamp) with what joins-oracle.ts computes from the
 * events: at parallelism 1..4 on both backends, and across a failure restored from a checkpoint.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';
import { expectedJoinLines } from './joins-oracle.js';

const JOB = 'test/jobs/joins-job.ts';
const root = mkdtempSync(join(tmpdir(), 'miniflink-joins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const expected = { late: expectedJoinLines(true), inOrder: expectedJoinLines(false) };

function readParts(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
}

function check(dir: string, want: string[], why: string): void {
  const got = readParts(dir).sort();
  if (got.length !== want.length || got.some((l, i) => l !== want[i])) {
    const missing = want.filter((l) => !got.includes(l)).slice(0, 10);
    const extra = got.filter((l) => !want.includes(l)).slice(0, 10);
    expect({ count: got.length, missing, extra }, why).toEqual({ count: want.length, missing: [], extra: [] });
  }
}

describe('joins through the CLI', () => {
  it('joins - the expected output has every kind of result, and the late events change it', () => {
    const kinds = (lines: string[]) => [...new Set(lines.map((l) => l[0]))].sort().join('');
    expect(kinds(expected.late)).toBe('FGIJX');
    expect(kinds(expected.inOrder)).toBe('FGIJ');
    // Late events within the coGroup's allowed lateness fire windows again, with the late record in them.
    expect(expected.late.some((l) => l.startsWith('G,') && /XL|XR/.test(l))).toBe(true);
    // A late event joins in a window that has not fired yet; in one that has, the window join
    // (no allowed lateness) drops it while the coGroup (lateness 100) fires the window again with it.
    const idsIn = (prefix: string) => new Set(expected.late.filter((l) => l.startsWith(prefix)).flatMap((l) => l.match(/X[LR]\d+/g) ?? []));
    const inJoin = idsIn('J,');
    const inCoGroup = idsIn('G,');
    expect(inJoin.size).toBeGreaterThan(0);
    expect([...inCoGroup].some((id) => !inJoin.has(id))).toBe(true);
    // The interval join drops every late event (late left ones go to its side output).
    expect(idsIn('I,').size).toBe(0);
    expect(expected.late.filter((l) => l.startsWith('X,')).length).toBeGreaterThan(5);
    const joins = (lines: string[]) => lines.filter((l) => /^[JFI],/.test(l) && !/X[LR]/.test(l));
    expect(joins(expected.late)).toEqual(joins(expected.inOrder));
    expect(joins(expected.late).length).toBeGreaterThan(1000);
  });

  const cases: Array<[string, string, number, boolean]> = [
    ['late events', 'hashmap', 1, false],
    ['late events', 'leveldb', 2, false],
    ['late events', 'hashmap', 3, false],
    ['late events', 'leveldb', 4, false],
    ['a failure restored from a checkpoint', 'hashmap', 2, true],
    ['a failure restored from a checkpoint', 'leveldb', 3, true],
  ];
  it.each(cases)('joins - %s on %s at parallelism %i: the exact output', async (_what, backend, p, fail) => {
    const dir = join(root, `${backend}-${p}-${fail ? 'fail' : 'late'}`);
    const args = ['run', '-t', 'local', '-p', String(p), JOB, dir, backend, fail ? '1' : '0', fail ? '0' : '1'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    const why = explain(args, r);
    expect(r.code, why).toBe(0);
    if (fail) expect(existsSync(join(dir, 'failed.txt')), `the job did not fail\n${why}`).toBe(true);
    check(dir, fail ? expected.inOrder : expected.late, why);
  }, 120_000);

  it('joins - a record whose class has a then() method is a record: every pair of a window join and every coGroup comes out (they were dropped silently; found by a review)', async () => {
    const r = await runCli(['run', '-t', 'local', 'test/jobs/thenable-join-job.ts'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const names = JSON.parse(/names (\[.*\])/.exec(r.stdout)![1]!) as string[];
    expect(names).toEqual(['f1-1', 'f1-3', 'f2-2', 'f3-1', 'f3-3', 'g1,3|1,3', 'g2|2', 'j1-1', 'j1-3', 'j2-2', 'j3-1', 'j3-3']);
  }, 90_000);
});
