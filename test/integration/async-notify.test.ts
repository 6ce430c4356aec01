/**
 * An asynchronous notifyCheckpointComplete runs as Flink's mailbox runs a notification: alone, with
 * no invoke, snapshot or other notification meanwhile (found by a review: a hand-written
 * two-phase-commit sink whose commit was slower than the checkpoint interval committed each
 * transaction several times). test/jobs/async-notify-job.ts, the sink chained to its source and
 * behind a keyBy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-notify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('asynchronous checkpoint notifications', () => {
  it.each(['chained', 'keyed', 'concurrent', 'asyncinvoke', 'unaligned', 'unaligned-async', 'overlapping', 'finish'])('notify - a slow async commit in notifyCheckpointComplete runs alone; each record committed once (%s)', async (mode) => {
    // concurrent, unaligned: 100,000 records from a source that never sleeps (they hung before the fixes).
    const n = mode === 'concurrent' || mode.startsWith('unaligned') ? 100_000 : mode === 'asyncinvoke' ? 3000 : 2000;
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', join(root, mode), String(n), mode];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(JSON.parse(/OVERLAPS (.*)/.exec(r.stdout)![1]!)).toEqual({ snapshot: 0, invoke: 0, notify: 0, close: 0, finish: 0 });
    expect(resultOf(r)).toEqual({ lines: n, distinct: n });
  }, 90_000);

  it('notify - a stop with a savepoint during a slow async commit: the savepoint\'s own notification commits before close(), nothing left uncommitted', async () => {
    const out = join(root, 'stop');
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', out, '1000000', 'stop'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const closed = JSON.parse(/CLOSED (.*)/.exec(r.stdout)![1]!) as { received: number; uncommitted: number };
    expect(closed.uncommitted).toBe(0);
    expect(closed.received).toBeGreaterThan(0);
    expect(resultOf(r)).toEqual({ lines: closed.received, distinct: closed.received });
  }, 90_000);

  it('notify - the stop\'s savepoint commit failing fails the stop, and the failed attempt runs no notification after the failure', async () => {
    const out = join(root, 'stopfail');
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', out, '1000000', 'stopfail'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    // A commit failing in the stopped task was ignored (the stop succeeded with commits missing).
    expect(JSON.parse(/STOP (.*)/.exec(r.stdout)![1]!) as string).toMatch(/^failed: .*commit \d+ failed/);
    const log = JSON.parse(/LOG (.*)/.exec(r.stdout)![1]!) as string[];
    const thrown = log.findIndex((l) => l.startsWith('THROW'));
    expect(thrown, log.join('\n')).toBeGreaterThan(0);
    // Before the fix the savepoint's own notification still ran in attempt 0 after the failure.
    expect(log.slice(thrown + 1).filter((l) => l.endsWith('attempt=0'))).toEqual([]);
  }, 90_000);

  it('notify - a cancel during a slow async commit: close() runs after the commit returned, not beside it', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', join(root, 'cancel'), '1000000', 'cancel'];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(JSON.parse(/OVERLAPS (.*)/.exec(r.stdout)![1]!)).toEqual({ snapshot: 0, invoke: 0, notify: 0, close: 0, finish: 0 });
  }, 90_000);

  it('notify - a cancel during an async finish(): finish() ends, then close() runs, then the job is CANCELED', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', join(root, 'cancelfinish'), '200', 'cancelfinish'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(JSON.parse(/LOG (.*)/.exec(r.stdout)![1]!)).toEqual(['finish start', 'cancel', 'finish end', 'close', 'CANCELED']);
  }, 60_000);

  it('notify - a stop with a savepoint during an async finish(): the savepoint is the last snapshot, notified before close()', async () => {
    const out = join(root, 'stopfinish');
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', out, '200', 'stopfinish'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const log = JSON.parse(/LOG (.*)/.exec(r.stdout)![1]!) as string[];
    const tail = log.slice(log.indexOf('stop'));
    // After the stop: finish() ends, then the savepoint's snapshot, its notification, close().
    const last = tail.filter((l) => l.startsWith('snapshot ')).at(-1)!.slice('snapshot '.length);
    expect(tail.filter((l) => !l.startsWith('notify ') || l === `notify ${last}`).filter((l) => !l.startsWith('snapshot ') || l === `snapshot ${last}`), log.join('\n')).toEqual(['stop', 'finish end', `snapshot ${last}`, `notify ${last}`, 'close', 'stopped']);
  }, 60_000);
  it('notify - the input ends while a stop\'s savepoint is in flight and the savepoint fails: the job takes its final checkpoint and finishes, every record committed', async () => {
    const out = join(root, 'stopfinishfail');
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', out, '200', 'stopfinishfail'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const log = JSON.parse(/LOG (.*)/.exec(r.stdout)![1]!) as string[];
    // finish() (and so the input) ended before the stop's savepoint failed (it timed out in a slow snapshotState).
    expect(log.indexOf('finish end'), log.join('\n')).toBeLessThan(log.indexOf('stop failed'));
    expect(log.slice(-2)).toEqual(['close', 'FINISHED']);
    expect(resultOf(r)).toEqual({ lines: 200, distinct: 200 });
  }, 60_000);
});
