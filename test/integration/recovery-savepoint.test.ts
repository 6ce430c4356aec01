/**
 * Issue #9 (A4), end to end: an intermediate savepoint does not call notifyCheckpointComplete, and
 * a failure after it restarts the job from the latest checkpoint, not from the savepoint (Flink
 * 1.15+, FLINK-25191).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadata } from '../../src/checkpoint/index.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-recovery-sp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('recovery - savepoints', () => {
  it('recovery - an intermediate savepoint is not notified, and a failure after it restores the latest checkpoint', async () => {
    const log = join(root, 'log');
    const r = await runCli(['run', '-t', 'local', 'test/jobs/recovery-savepoint-job.ts', log, join(root, 'savepoints')], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DONE');
    const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l.length > 0);
    const path = lines.find((l) => l.startsWith('savepoint '))!.slice('savepoint '.length);
    const savepointId = readMetadata(path).metadata.checkpointId;
    const ids = (word: string) => lines.filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.slice(word.length + 1)));
    // The sink snapshotted for the savepoint, but was never told it completed.
    expect(ids('snapshot')).toContain(savepointId);
    expect(ids('notify')).not.toContain(savepointId);
    // The restart restored a completed (notified) checkpoint, not the savepoint.
    const restored = ids('restored');
    expect(restored).toHaveLength(1);
    expect(restored[0]).not.toBe(savepointId);
    expect(ids('notify')).toContain(restored[0]);
  }, 100_000);
});
