/**
 * Restores (issue 9): a job that did not set max parallelism takes it from the snapshot (A13); a
 * restoring subtask reads only the state files whose key groups overlap its own, and `_metadata`
 * of version 1 (no operator-state flag on its handles) still restores, reading every file (A11).
 * Each restore ends with every record once and exact counts.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMetadata, type CheckpointMetadata } from '../../src/checkpoint/metadata.js';
import { packValue } from '../../src/core/serde.js';
import { restoreFor } from '../../src/runtime/taskmanager/task-state-io.js';
import type { RestoreSpec } from '../../src/runtime/protocol.js';
import { explain, runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-restore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const N = 1_000_000;
const K = 20_000;
const JOB = 'test/jobs/restore-job.ts';

/** Runs the savepoint job; with 'stop' returns its savepoint's directory. */
async function run(args: string[], mode: 'stop' | 'run', out: string, savepoints = join(root, 'savepoints')): Promise<string> {
  const all = ['run', '-t', 'local', ...args, JOB, out, String(N), String(K), mode, ...(mode === 'stop' ? [savepoints, 'slow'] : [])];
  const r = await runCli(all, { timeoutMs: 120_000 });
  expect(r.code, explain(all, r)).toBe(0);
  expect(r.stderr, explain(all, r)).toBe('');
  return mode === 'stop' ? /SAVEPOINT file:(\S+)/.exec(r.stdout)![1]! : '';
}

/** Every record once, and each key's counts 1..n with n its number of records. */
function checkOutput(out: string): void {
  const counts = new Map<number, number[]>();
  const seen = new Uint8Array(N + 1);
  let twice = 0;
  let total = 0;
  for (const f of readdirSync(out).filter((x) => x.startsWith('part-'))) {
    for (const l of readFileSync(join(out, f), 'utf8').split('\n')) {
      if (!l) continue;
      const [x, k, c] = l.split(',').map(Number) as [number, number, number];
      if (seen[x]) twice++;
      seen[x] = 1;
      total++;
      let a = counts.get(k);
      if (!a) counts.set(k, (a = []));
      a.push(c);
    }
  }
  expect(twice).toBe(0);
  expect(total).toBe(N);
  let wrong = 0;
  for (const [k, a] of counts) {
    const expected = Math.floor((N - k) / K) + (k === 0 ? 0 : 1);
    a.sort((p, q) => p - q);
    if (a.length !== expected || a.some((c, i) => c !== i + 1)) wrong++;
  }
  expect(counts.size).toBe(K);
  expect(wrong).toBe(0);
}

const countOperator = (m: CheckpointMetadata) => m.operators.find((o) => o.uid === 'count')!;

describe('restore: max parallelism from the snapshot', () => {
  const out = join(root, 'out-maxp');
  let first = '';

  it('restore - a savepoint taken with pipeline.max-parallelism=256 restores in a job that does not set it (default 128): 256 kept, exact counts', async () => {
    first = await run(['-p', '2', '-D', 'pipeline.max-parallelism=256'], 'stop', out);
    expect(countOperator(readMetadata(first).metadata).maxParallelism).toBe(256);

    // Set explicitly to another value: refused.
    const refused = ['run', '-t', 'local', '-p', '2', '-s', first, '-D', 'pipeline.max-parallelism=128', JOB, join(root, 'unused'), String(N), String(K), 'run'];
    const r = await runCli(refused);
    expect(r.code, explain(refused, r)).toBe(1);
    expect(r.stderr).toContain('The maximum parallelism (128) of the restored job is not identical to the maximum parallelism (256)');

    // Not set: the job runs with 256 key groups, and its own savepoint keeps them.
    const second = await run(['-p', '2', '-s', first], 'stop', out);
    expect(countOperator(readMetadata(second).metadata).maxParallelism).toBe(256);
    await run(['-p', '3', '-s', second], 'run', out);
    checkOutput(out);
  }, 300_000);
});

describe('restore: only the state files a subtask needs', () => {
  const out = join(root, 'out-kg');

  it('restore - a savepoint at p=4 restored at p=2: each subtask reads only the files of overlapping key groups; version 1 _metadata reads every file and restores exactly', async () => {
    const savepoint = await run(['-p', '4'], 'stop', out, join(root, 'savepoints-4'));
    const { metadata, dir } = readMetadata(savepoint);
    expect(metadata.version).toBe(2);
    const count = countOperator(metadata);
    expect(count.maxParallelism).toBe(128);
    const handles = [...count.handles].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    expect(handles.map((h) => h.keyGroupRange)).toEqual([
      [0, 31],
      [32, 63],
      [64, 95],
      [96, 127],
    ]);
    expect(handles.map((h) => [h.file !== undefined, h.hasOperatorState])).toEqual(handles.map(() => [true, false]));
    const spec = (d: string, m: CheckpointMetadata): RestoreSpec => ({ dir: d, checkpointId: m.checkpointId, handles: Object.fromEntries(m.operators.map((o) => [o.operatorId, o.handles])) });
    const entries = (r: ReturnType<typeof restoreFor>, lo: number, hi: number) =>
      r!.keyed.flatMap((s) => s.states.flatMap((st) => st.groups.filter(([kg]) => kg >= lo && kg <= hi).flatMap(([, e]) => e))).length;

    // Both new subtasks together restore every entry of the four files.
    const intact = spec(dir, metadata);
    const all = [0, 1, 2, 3].reduce((sum, i) => sum + entries(restoreFor(intact, count.operatorId, i, 4, 128), 32 * i, 32 * i + 31), 0);
    expect(all).toBeGreaterThan(1000);
    expect(entries(restoreFor(intact, count.operatorId, 0, 2, 128), 0, 63) + entries(restoreFor(intact, count.operatorId, 1, 2, 128), 64, 127)).toBe(all);

    // Without the files of key groups 64..127, subtask 0 of 2 (key groups 0..63) still restores.
    const partial = join(root, 'partial');
    cpSync(dir, partial, { recursive: true });
    for (const h of handles.slice(2)) rmSync(join(partial, h.file!));
    const zero = restoreFor(spec(partial, metadata), count.operatorId, 0, 2, 128)!;
    expect(zero.keyed.map((s) => [s.startKeyGroup, s.endKeyGroup])).toEqual([
      [0, 31],
      [32, 63],
    ]);
    expect(() => restoreFor(spec(partial, metadata), count.operatorId, 1, 2, 128)).toThrow(/is missing/);

    // Version 1 _metadata (written by an older miniflink): handles do not say whether they hold
    // operator state, so every file is read, as before.
    const old: CheckpointMetadata = { ...metadata, version: 1, operators: metadata.operators.map((o) => ({ ...o, handles: o.handles.map(({ hasOperatorState: _, ...h }) => h) })) };
    const v1 = (d: string) => writeFileSync(join(d, '_metadata'), Buffer.concat([Buffer.from('MFCK'), Buffer.from([1]), packValue(old)]));
    v1(partial);
    const readBack = readMetadata(partial).metadata;
    expect(readBack.version).toBe(1);
    expect(() => restoreFor(spec(partial, readBack), count.operatorId, 0, 2, 128)).toThrow(/is missing/);

    const oldFormat = join(root, 'old-format');
    cpSync(dir, oldFormat, { recursive: true });
    v1(oldFormat);
    await run(['-p', '2', '-s', oldFormat], 'run', out);
    checkOutput(out);
  }, 300_000);
});
