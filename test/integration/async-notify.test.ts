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
  it.each(['chained', 'keyed'])('notify - a slow async commit in notifyCheckpointComplete runs alone; each record committed once (%s)', async (mode) => {
    const args = ['run', '-t', 'local', 'test/jobs/async-notify-job.ts', join(root, mode), '2000', mode];
    const r = await runCli(args, { timeoutMs: 90_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(JSON.parse(/OVERLAPS (.*)/.exec(r.stdout)![1]!)).toEqual({ snapshot: 0, invoke: 0, notify: 0 });
    expect(resultOf(r)).toEqual({ lines: 2000, distinct: 2000 });
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
});
