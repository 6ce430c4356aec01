/**
 * Local recovery's copies of keyed state (issue #14): a heap copy is the snapshot's frozen maps,
 * which neither the live backend nor a backend restored from the copy may change, so every
 * restore from it sees the checkpoint's state, however values are changed in place; a LevelDB copy
 * is a database of the snapshot's raw entries, restored by opening it. Both restore exactly what
 * the canonical snapshot holds, timers included; the store keeps and drops copies by checkpoint.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { HeapKeyedStateBackend } from '../../../src/state/heap-keyed-state-backend.js';
import { LevelDbKeyedStateBackend } from '../../../src/state/leveldb-keyed-state-backend.js';
import { digestFiles, LocalStateStore, verifyLevelDbCopy, type LocalCopy } from '../../../src/checkpoint/local-recovery.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-local-copy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const RANGE = new KeyGroupRange(0, 127);
const V = new ValueStateDescriptor<{ n: number }>('v');
const M = new MapStateDescriptor<string, number>('m');

/** Every key's value and map of a backend, sorted. */
async function contents(b: HeapKeyedStateBackend | LevelDbKeyedStateBackend): Promise<Array<[string, number | undefined, number | undefined]>> {
  const v = b.getValueState(V);
  const m = b.getMapState(M);
  const keys = (await b.getKeys('v')) as string[];
  const out: Array<[string, number | undefined, number | undefined]> = [];
  for (const k of keys.sort()) {
    b.setCurrentKey(k);
    out.push([k, (await v.value())?.n, (await m.get('x')) ?? undefined]);
  }
  return out;
}

function fill(b: HeapKeyedStateBackend | LevelDbKeyedStateBackend, n: number): void {
  const v = b.getValueState(V);
  const m = b.getMapState(M);
  for (let i = 0; i < n; i++) {
    b.setCurrentKey(`k${i}`);
    void v.update({ n: i });
    void m.put('x', -i);
  }
}

describe('local copies', () => {
  it('local - a heap copy keeps the checkpoint\'s state while the live backend and a restored one change values in place', async () => {
    const live = new HeapKeyedStateBackend(128, RANGE);
    fill(live, 50);
    const ref = live.snapshot();
    const expected = await contents(live);
    // The live backend goes on, changing values in place (a user function that mutates what it read).
    const v = live.getValueState(V);
    for (let i = 0; i < 50; i++) {
      live.setCurrentKey(`k${i}`);
      const x = v.value()!;
      x.n += 1000;
      v.update(x);
    }
    live.setCurrentKey('new');
    v.update({ n: 1 });
    // Restored twice from the copy: each sees the checkpoint, and changes in one reach neither the copy nor the other.
    const first = new HeapKeyedStateBackend(128, RANGE);
    first.restoreLocal({ ref });
    expect(await contents(first)).toEqual(expected);
    const fv = first.getValueState(V);
    for (let i = 0; i < 50; i += 2) {
      first.setCurrentKey(`k${i}`);
      fv.value()!.n = -1;
      fv.clear();
    }
    // A snapshot of the restored backend and its release (thawing) leave the borrowed maps alone.
    first.snapshot();
    first.releaseSnapshot();
    first.setCurrentKey('k1');
    fv.value()!.n = -7;
    const second = new HeapKeyedStateBackend(128, RANGE);
    second.restoreLocal({ ref });
    expect(await contents(second)).toEqual(expected);
    // The live backend thawing once the copy releases its snapshot changes no copy either.
    live.releaseSnapshot();
    const third = new HeapKeyedStateBackend(128, RANGE);
    third.restoreLocal({ ref });
    expect(await contents(third)).toEqual(expected);
  });

  it('local - a group copied from a heap copy keeps copying the values it shares with it, also after a snapshot thaws it', async () => {
    // One key group: every key shares it.
    const one = new KeyGroupRange(0, 0);
    const L = new ListStateDescriptor<number>('l');
    const live = new HeapKeyedStateBackend(1, one);
    const ll = live.getListState(L);
    for (const k of ['a', 'b']) {
      live.setCurrentKey(k);
      await ll.add(1);
    }
    const ref = live.snapshot();
    const restoreAndRead = async () => {
      const b = new HeapKeyedStateBackend(1, one);
      b.restoreLocal({ ref });
      const l = b.getListState(L);
      const out: Record<string, number[]> = {};
      for (const k of ['a', 'b']) {
        b.setCurrentKey(k);
        out[k] = [...((await l.get()) ?? [])];
      }
      return { b, l, out };
    };
    expect((await restoreAndRead()).out).toEqual({ a: [1], b: [1] });
    const b = new HeapKeyedStateBackend(1, one);
    b.restoreLocal({ ref });
    const l = b.getListState(L);
    // Key a's write copies the group; a snapshot of the restored backend is taken and released
    // (an aborted checkpoint's copy going): the group thaws in place.
    b.setCurrentKey('a');
    await l.add(2);
    b.snapshot();
    b.releaseSnapshot();
    // Key b's list is still the copy's: adding to it in place must not reach the copy.
    b.setCurrentKey('b');
    await l.add(2);
    expect((await restoreAndRead()).out).toEqual({ a: [1], b: [1] });
  });

  it('local - a LevelDB copy of the raw entries restores by opening it; a changed file fails verification', async () => {
    const live = new LevelDbKeyedStateBackend(join(root, 'live'), 128, RANGE);
    await live.open();
    fill(live, 3000);
    const ref = live.snapshot();
    const canonical = await live.toCanonical(ref);
    const dir = join(root, 'copy');
    const written = await live.writeLocalCopy(ref, dir);
    const copy = { kind: 'leveldb' as const, dir, digests: digestFiles(dir), ...written };
    expect(verifyLevelDbCopy(copy)).toBeUndefined();
    const restored = new LevelDbKeyedStateBackend(join(root, 'restored'), 128, RANGE);
    await restored.open();
    await restored.restoreLocal(copy);
    const fromCanonical = new LevelDbKeyedStateBackend(join(root, 'canonical'), 128, RANGE);
    await fromCanonical.open();
    await fromCanonical.restore([canonical]);
    const want = await contents(fromCanonical);
    expect(want).toHaveLength(3000);
    expect(await contents(restored)).toEqual(want);
    // Writes to the restored database do not reach the copy (its tables are linked, never changed).
    restored.setCurrentKey('k1');
    await restored.getValueState(V).update({ n: 99 });
    await restored.flush();
    expect(verifyLevelDbCopy(copy)).toBeUndefined();
    for (const b of [live, restored, fromCanonical]) await b.dispose();
    const [file] = Object.keys(copy.digests).filter((f) => f.endsWith('.ldb') || f.endsWith('.log'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, file!), 'garbage');
    expect(verifyLevelDbCopy(copy)).toMatch(/does not match \(the file is corrupt\)/);
    rmSync(dir, { recursive: true, force: true });
    expect(verifyLevelDbCopy(copy)).toMatch(/is missing/);
  });

  it('local - a LevelDB copy keeps whether each state has time-to-live cells: a snapshot taken before the state is registered again keeps it, and a restore without TTL is refused', async () => {
    const T = new ValueStateDescriptor<string>('t');
    T.enableTimeToLive(StateTtlConfig.newBuilder(60_000).build());
    const live = new LevelDbKeyedStateBackend(join(root, 'ttl-live'), 128, RANGE);
    await live.open();
    live.setCurrentKey('a');
    await live.getValueState(T).update('hello');
    const ref = live.snapshot();
    expect((await live.toCanonical(ref)).states.map((st) => [st.name, st.ttl])).toEqual([['t', true]]);
    const dir = join(root, 'ttl-copy');
    const written = await live.writeLocalCopy(ref, dir);
    const copy = { kind: 'leveldb' as const, dir, digests: digestFiles(dir), ...written };
    const restored = new LevelDbKeyedStateBackend(join(root, 'ttl-restored'), 128, RANGE);
    await restored.open();
    await restored.restoreLocal(copy);
    // Before the fix the flag was lost here (undefined), and a restore of this snapshot under a
    // descriptor without TTL handed out the internal cell {v, ts}.
    const again = restored.snapshot();
    const snap = await restored.toCanonical(again);
    restored.releaseSnapshot(again);
    expect(snap.states.map((st) => [st.name, st.ttl])).toEqual([['t', true]]);
    expect(() => restored.getValueState(new ValueStateDescriptor<string>('t'))).toThrow(/checkpointed with time-to-live and is now registered without it/);
    const into = new HeapKeyedStateBackend(128, RANGE);
    await into.restore([snap]);
    expect(() => into.getValueState(new ValueStateDescriptor<string>('t'))).toThrow(/checkpointed with time-to-live and is now registered without it/);
    for (const b of [live, restored]) await b.dispose();
  });

  it('local - while a LevelDB restore from a local copy reopens the database, the backend never holds one that is still opening', async () => {
    // A key scan on a database that is still opening makes a deferred iterator, created natively
    // later, outside the native guard's count (core/native-guard.ts).
    const live = new LevelDbKeyedStateBackend(join(root, 'live-opening'), 128, RANGE);
    await live.open();
    fill(live, 500);
    const ref = live.snapshot();
    await live.toCanonical(ref);
    const dir = join(root, 'copy-opening');
    const written = await live.writeLocalCopy(ref, dir);
    const copy = { kind: 'leveldb' as const, dir, digests: digestFiles(dir), ...written };
    const restored = new LevelDbKeyedStateBackend(join(root, 'restored-opening'), 128, RANGE);
    await restored.open();
    const seen = new Set<string>();
    let done = false;
    const restoring = restored.restoreLocal(copy).finally(() => (done = true));
    while (!done) {
      seen.add((restored as unknown as { db: { status: string } }).db.status);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await restoring;
    expect(seen.has('opening')).toBe(false);
    expect(await contents(restored)).toHaveLength(500);
    for (const b of [live, restored]) await b.dispose();
  });

  it.skipIf(!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(tmpdir()).dev)('local - a LevelDB copy on another file system restores (its tables copied, not linked)', async () => {
    const live = new LevelDbKeyedStateBackend(join(root, 'live-xdev'), 128, RANGE);
    await live.open();
    // Several times LevelDB's 4 MB write buffer, so that the copy has table files (.ldb), not only a log.
    const big = live.getValueState(new ValueStateDescriptor<string>('big'));
    for (let i = 0; i < 60_000; i++) {
      live.setCurrentKey(`k${i}`);
      await big.update(`${i}:${'x'.repeat(300)}`);
    }
    fill(live, 100);
    const ref = live.snapshot();
    await live.toCanonical(ref);
    const dir = mkdtempSync('/dev/shm/miniflink-local-copy-');
    try {
      const copy = { kind: 'leveldb' as const, dir, digests: {}, ...(await live.writeLocalCopy(ref, dir)) };
      expect(readdirSync(dir).some((f) => f.endsWith('.ldb'))).toBe(true);
      const restored = new LevelDbKeyedStateBackend(join(root, 'restored-xdev'), 128, RANGE);
      await restored.open();
      await restored.restoreLocal(copy);
      expect(await contents(restored)).toEqual(await contents(live));
      for (const b of [live, restored]) await b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('local - the store keeps copies until a newer checkpoint completes, drops aborted ones and a job\'s at its end', () => {
    const released: number[] = [];
    const copy = (jobId: string, checkpointId: number): LocalCopy => ({
      jobId,
      checkpointId,
      operatorId: 'op',
      subtaskIndex: 0,
      checksum: `c${checkpointId}`,
      keyGroupRange: [0, 127],
      keyed: { kind: 'heap', ref: {} as never, release: () => void released.push(checkpointId) },
      operator: undefined,
    });
    const store = new LocalStateStore();
    for (const id of [1, 2, 3]) store.put(copy('j', id));
    store.put(copy('other', 1));
    expect(store.find('j', 'op', 0, 2, 'c2')).toBeDefined();
    expect(store.find('j', 'op', 0, 2, 'wrong checksum')).toBeUndefined();
    store.confirm('j', 2);
    expect(released).toEqual([1]);
    store.abort('j', 3);
    expect(released).toEqual([1, 3]);
    expect(store.find('j', 'op', 0, 2, 'c2')).toBeDefined();
    store.discardJob('j');
    expect(released).toEqual([1, 3, 2]);
    expect(store.hasJob('j')).toBe(false);
    expect(store.size).toBe(1);
  });
});
