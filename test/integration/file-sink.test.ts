/**
 * FileSink defects found by a break-it review, each with the small job that showed it
 * (test/jobs/file-sink-job.ts): no checkpointing committed nothing; two sinks with the same default
 * names in one directory deleted each other's files on a restart; a failover to before a savepoint
 * deleted the savepoint's pending files; an Encoder's bytes of 0x80 and above were mangled.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-file-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const JOB = 'test/jobs/file-sink-job.ts';
async function run(args: string[], extra: string[] = []): Promise<void> {
  const all = ['run', '-t', 'local', ...extra, JOB, ...args];
  const r = await runCli(all, { timeoutMs: 120_000 });
  expect(r.code, explain(all, r)).toBe(0);
}
const committed = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '');
const hidden = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('.'));
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('FileSink', () => {
  it('file sink - without checkpointing every file is committed at the end of input', async () => {
    const out = join(root, 'nocp');
    await run(['nocp', out]);
    expect(committed(out).sort()).toEqual(range(1000).sort());
    expect(hidden(out)).toEqual([]);
  }, 60_000);

  it('file sink - an Encoder returning bytes has them written as they are', async () => {
    const out = join(root, 'bytes');
    await run(['bytes', out]);
    const read = (sub: string) => Buffer.concat(readdirSync(join(out, sub)).filter((f) => f.startsWith('part-')).map((f) => readFileSync(join(out, sub, f))));
    expect(read('utf8').toString('utf8').split('\n').sort()).toEqual(['', 'héllo', 'naïve €']);
    expect([...read('bin')]).toEqual([0x00, 0x7f, 0x80, 0xff, 0x0a]);
  }, 60_000);

  it('file sink - two sinks with the same default names in one directory: a restart of one leaves the other alone; each record once per sink', async () => {
    const out = join(root, 'two');
    const n = 10_000;
    await run(['two-sinks', out, String(n)]);
    const lines = committed(out);
    for (const tag of ['a', 'b']) expect(lines.filter((l) => l.endsWith(`,${tag}`)).map((l) => l.split(',')[0]!).sort(), tag).toEqual(range(n).sort());
  }, 120_000);

  it('file sink - a failover to before a savepoint keeps the savepoint pending files: a restore from it commits every record once', async () => {
    const [out, sp, flag] = [join(root, 'sp-out'), join(root, 'sp'), join(root, 'sp-flag')];
    const n = 20_000;
    await run(['savepoint', out, String(n), sp, flag, 'first']);
    const savepoint = readdirSync(sp).map((d) => join(sp, d))[0]!;
    expect(existsSync(join(savepoint, '_metadata'))).toBe(true);
    // The first job went on from the start after its failure and finished; the savepoint's pending files are still there, hidden.
    expect(committed(out).length).toBe(n);
    const pending = hidden(out).filter((f) => f.includes('.pending.'));
    expect(pending.length).toBeGreaterThan(0);
    const upToSavepoint = pending.flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n')).filter((l) => l !== '');
    const again = join(root, 'sp-again');
    await run(['savepoint', again, String(n), sp, flag, 'restore'], ['-s', savepoint]);
    // The restore committed them (where they were written) and wrote the records after the savepoint into its own directory.
    for (const f of pending) expect(existsSync(join(out, f.slice(1).replace(/\.pending\.[0-9a-f]+$/, ''))), f).toBe(true);
    const all = [...upToSavepoint, ...committed(again)].map((l) => l.split(',')[0]!);
    expect(all.sort()).toEqual(range(n).sort());
  }, 120_000);
});
