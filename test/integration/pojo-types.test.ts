/**
 * Records keep their types (as Flink keeps POJO types): a user class with methods through a chain
 * copy, a keyBy exchange, keyed ValueState, a failure and a restore on both backends, and
 * executeAndCollect; print() with a record's toString, Maps and Sets; an unregistered class.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-pojo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const JOB = 'test/jobs/pojo-job.ts';

/** Every running total of test/jobs/pojo-job.ts, as its client prints them. */
function expectedTotals(): string[] {
  const lines: string[] = [];
  for (const w of ['a', 'bb', 'ccc', 'dddd']) for (let c = 1; c <= 100; c++) lines.push(`${w}:${c}:${w.length}:${w}${c}`);
  return lines.sort();
}

describe('pojo types', () => {
  // Failed before, on both backends: the chain copy (structuredClone) made a plain object of the
  // Word, so the next map's check (w.len()) failed; with that fixed alone, the keyBy exchange and
  // the state restore (and, on LevelDB, every state read) did the same.
  for (const backend of ['hashmap', 'leveldb']) {
    it(`pojo types - a class with methods survives a chain copy, a keyBy exchange, keyed state, a failure and its restore (${backend}), and executeAndCollect`, async () => {
      const out = mkdtempSync(join(root, `${backend}-`));
      const args = ['run', '-t', 'local', JOB, 'state', out, backend];
      const r = await runCli(args, { timeoutMs: 90_000 });
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r)).toEqual(expectedTotals());
      // The failure happened (after a completed checkpoint), so the state was restored from it.
      expect(existsSync(join(out, 'failed')), explain(args, r)).toBe(true);
      expect(r.stderr).not.toContain('registerPojoType');
    });
  }

  // Failed before: the Word printed as {"word":"a",...} (its toString ignored), the Map as {} and the Set as {}.
  it("pojo types - print() uses a record's own toString, and prints Maps and Sets as Java does", async () => {
    const args = ['run', '-t', 'local', JOB, 'print'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const printed = r.stdout.split('\n').filter((l) => !/^(Job |Program execution finished)/.test(l) && l !== '');
    expect(printed).toEqual(['Word(a, 1)', '{k=1, w=Word(b, 2)}', '[1, x]', '{"plain":[1,2]}']);
  });

  it('pojo types - an unregistered class becomes a plain object at the first copy, with one warning naming it and the fix', async () => {
    const args = ['run', '-t', 'local', JOB, 'unregistered'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(resultOf(r)).toEqual(['plain:{"n":1}', 'plain:{"n":2}', 'plain:{"n":3}']);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('class Loose'));
    expect(warnings).toEqual([
      'miniflink: records of class Loose are not of a registered POJO type, so they become plain objects (without the class and its methods) when copied between chained operators, sent to another task, or kept in state (the hashmap backend holds the instance until a restore, LevelDB until it leaves its cache). Register the class in the job: env.getConfig().registerPojoType(Loose).',
    ]);
  });

  it('pojo types - with -c, a class the job module exports keeps its class without registration', async () => {
    const args = ['run', '-t', 'local', '-c', 'main', 'test/jobs/pojo-entry-job.ts'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(resultOf(r)).toEqual(['Point:12', 'Point:15', 'Point:18', 'Point:3', 'Point:6', 'Point:9']);
    expect(r.stderr).toBe('');
  });

  it('pojo types - without -c, a class the job module exports keeps its class without registration (through the keyBy exchange and executeAndCollect)', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/pojo-exports-job.ts'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(resultOf(r)).toEqual(['Vec:12', 'Vec:15', 'Vec:18', 'Vec:3', 'Vec:6', 'Vec:9']);
    expect(r.stderr).toBe('');
  });

  it('pojo types - sum, max and a nested sum on records of an exported class keep the class, object reuse on and off (with reuse, sum and the nested sum made plain objects)', async () => {
    const expected = [
      ...['1:1', '0:2', '1:4', '0:6', '1:9', '0:12'].map((s) => `sum Vec:${s}:${s.split(':')[1]}`),
      ...['1:1', '0:2', '1:3', '0:4', '1:5', '0:6'].map((s) => `max Vec:${s}`),
      ...['1:10', '0:20', '1:40', '0:60', '1:90', '0:120'].map((s) => `nested Vec:${s}`),
    ].sort();
    for (const reuse of ['reuse', 'copy']) {
      const args = ['run', '-t', 'local', 'test/jobs/sum-class-job.ts', reuse];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r), reuse).toEqual(expected);
    }
  });
});
