/**
 * The LevelDB backend writes its batches in order (issue 9, A9): classic-level runs batches on the
 * thread pool and does not order concurrent ones, so a large batch followed at once by a small one
 * for the same key could land second and leave the stale value in LevelDB. One batch is in flight
 * at a time; reads see the newest value through the buffer and the batch in flight; a failed
 * batch reaches the task (onError) and every later operation throws it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValueStateDescriptor, type ValueState } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { canonicalKeyedSnapshot, LevelDbKeyedStateBackend } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-leveldb-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dbs = 0;
async function open(options: { cacheEntries?: number } = {}): Promise<{ backend: LevelDbKeyedStateBackend; state: ValueState<string> }> {
  const backend = new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), 128, new KeyGroupRange(0, 127), options);
  await backend.open();
  return { backend, state: backend.getValueState(new ValueStateDescriptor<string>('v')) };
}

type BatchFn = (ops: unknown[]) => Promise<void>;
/** Replaces the database's batch() (the backend's private `db`) by a wrapper around it. */
function wrapBatch(backend: LevelDbKeyedStateBackend, wrapper: (real: BatchFn, ops: unknown[]) => Promise<void>): void {
  const db = (backend as unknown as { db: { batch: BatchFn } }).db;
  const real = db.batch.bind(db) as BatchFn;
  db.batch = (ops) => wrapper(real, ops);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function put(backend: LevelDbKeyedStateBackend, state: ValueState<string>, key: number, value: string): void {
  backend.setCurrentKey(key);
  state.update(value);
}

function get(backend: LevelDbKeyedStateBackend, state: ValueState<string>, key: number): string | null {
  backend.setCurrentKey(key);
  return state.value();
}

describe('LevelDB backend batches', () => {
  it('leveldb - a 2,000-entry batch followed at once by a one-entry batch for the same key: LevelDB keeps the newer value (300 rounds)', async () => {
    const { backend, state } = await open();
    const stale: number[] = [];
    for (let r = 0; r < 300; r++) {
      put(backend, state, 0, `old ${r}`);
      for (let i = 1; i < 2000; i++) put(backend, state, i, `filler ${r}`);
      const first = backend.flush();
      put(backend, state, 0, `new ${r}`);
      const second = backend.flush();
      await Promise.all([first, second]);
      // Nothing buffered or in flight: the read goes to LevelDB (getSync).
      if (get(backend, state, 0) !== `new ${r}`) stale.push(r);
    }
    await backend.dispose();
    expect(stale).toEqual([]);
  }, 60_000);

  it('leveldb - batches started by a full buffer never overlap, even when LevelDB is slow; reads see the newest value meanwhile', async () => {
    // A cache of one key: every write of another key stages the one before (evicted).
    const { backend, state } = await open({ cacheEntries: 1 });
    let active = 0;
    let most = 0;
    let calls = 0;
    // The first batch of each pair takes longer, as a busy thread pool would make it.
    wrapBatch(backend, async (real, ops) => {
      active++;
      most = Math.max(most, active);
      const n = calls++;
      try {
        if (n % 2 === 0) await sleep(30);
        await real(ops);
      } finally {
        active--;
      }
    });
    for (let r = 0; r < 3; r++) {
      put(backend, state, 0, `old ${r}`);
      for (let i = 1; i < 8192; i++) put(backend, state, 100_000 * r + i, 'a');
      // The buffer was full: the batch with the old value is in flight.
      expect(get(backend, state, 0)).toBe(`old ${r}`);
      put(backend, state, 0, `new ${r}`);
      for (let i = 1; i < 8192; i++) put(backend, state, 100_000 * r + 50_000 + i, 'b');
      expect(get(backend, state, 0)).toBe(`new ${r}`);
      await backend.flush();
      expect(get(backend, state, 0)).toBe(`new ${r}`);
    }
    expect(calls).toBeGreaterThanOrEqual(6);
    expect(most).toBe(1);
    // A snapshot sees the newest values too.
    const snapshot = canonicalKeyedSnapshot(await backend.toCanonical(backend.snapshot()));
    const entries = snapshot.states[0]!.groups.flatMap(([, e]) => e);
    expect(entries.find(([k]) => k === 0)?.[1]).toBe('new 2');
    expect(entries.length).toBe(1 + 3 * 2 * 8191);
    await backend.dispose();
  }, 60_000);

  it('leveldb - a failed batch calls onError once, and every later operation throws it', async () => {
    const { backend, state } = await open();
    const errors: Error[] = [];
    backend.onError = (e) => errors.push(e);
    wrapBatch(backend, async () => {
      throw new Error('disk full');
    });
    put(backend, state, 1, 'x');
    await expect(backend.flush()).rejects.toThrow(/LevelDB write failed in .*disk full/);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(join(root, `db-${dbs - 1}`));
    expect(() => put(backend, state, 2, 'y')).toThrow(/disk full/);
    expect(() => get(backend, state, 1)).toThrow(/disk full/);
    expect(() => backend.snapshot()).toThrow(/disk full/);
    await backend.dispose();
    expect(errors).toHaveLength(1);
  });

  it('leveldb - a failed batch that no one has seen is thrown by dispose', async () => {
    const { backend, state } = await open({ cacheEntries: 1 });
    wrapBatch(backend, async () => {
      throw new Error('disk full');
    });
    for (let i = 0; i <= 8192; i++) put(backend, state, i, 'x');
    await sleep(20);
    await expect(backend.dispose()).rejects.toThrow(/LevelDB write failed in .*disk full/);
  });
});
