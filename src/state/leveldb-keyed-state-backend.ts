/**
 * The LevelDB backend's keyed state: one database per keyed operator subtask, in the TaskManager's
 * temporary directory. Values are serialized (msgpack) in LevelDB; the keys in use are read through
 * a bounded cache of decoded values, and writes reach LevelDB in batches.
 *
 *   LevelDB key:  [key group: 2 bytes, big endian][state id: 1 byte][msgpack(normalized key)]
 *   value:        msgpack(value)            (MapState: msgpack of its [userKey, value] pairs)
 *
 *   read(k)  -> cache (decoded) -> pending -> the batch in flight -> db.getSync, then cached
 *   write(k) -> cache (dirty)
 *   a full cache evicts its oldest keys: their dirty values, encoded, go to `pending`
 *   pending --bufferEntries--> db.batch (in flight, one at a time) --> LevelDB
 *
 * The cache holds up to `cacheEntries` keys (default 65,536), each with its values of every state.
 * A value handed out is dirty unless it is a primitive, because a user function may change an
 * object in place without calling update() (as the hashmap backend keeps such a change, so does
 * this one); evicting writes it back. A change made in place after the key left the cache is not
 * kept (the hashmap backend keeps it; RocksDB keeps no change made without update()). So a job
 * whose keys fit in the cache runs on decoded values
 * and writes to LevelDB only at checkpoints and evictions; a larger key space reads and writes
 * LevelDB per record, as before.
 *
 * One batch is in flight at a time: classic-level runs batches on the thread pool and does not
 * order concurrent ones (a large batch followed at once by a small one for the same key may land
 * second and leave the stale value). Writes staged while a batch is in flight stay in `pending`
 * and go in the next batch, started when the one in flight is written.
 *
 * A batch that fails leaves LevelDB behind the task's writes: the backend calls `onError` (the task
 * fails itself) and every later operation on it throws the failure; `dispose` throws it when no one
 * has seen it yet.
 *
 * A snapshot's synchronous part takes LevelDB's own snapshot (a consistent view), the staged and
 * in-flight writes, and the cache's dirty values (objects encoded then, so that a later change in
 * place cannot reach the snapshot; primitives as they are). The asynchronous part iterates the view
 * in batches while processing goes on, merges those writes in, and copies what it finds as it is,
 * without decoding: the snapshot's `rawGroups` (snapshot-format.ts). A restore from such a
 * snapshot puts the same bytes back.
 *
 * Timers are not in LevelDB: they stay in the heap timer queues every backend keeps (as Flink's
 * RocksDB backend with `state.backend.rocksdb.timer-service.factory: HEAP`, see
 * abstract-keyed-state-backend.ts) and go into the same keyed snapshot, per key group.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { StateKind } from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import { native, nativeSync } from '../core/native-guard.js';
import type { KeyGroupRange } from '../core/key-groups.js';
import { AbstractKeyedStateBackend, entriesToMap, mapToEntries } from './abstract-keyed-state-backend.js';
import { timerQueuesToCanonical, type TimerQueuesSnapshot } from './timer-queues.js';
import { denormalizeKey, normalizeKey, type NormalizedKey } from './key-normalizer.js';
import { packStateValue, StatePackr } from '../core/serde.js';
import { wellFormed } from '../core/utf16.js';
import { rawOffsets, RawGroupWriter, type KeyedSnapshot, type KeyedStateData, type KeyedTimersData, type RawKeyGroup } from './snapshot-format.js';

/** Puts per LevelDB batch when restoring. */
const RESTORE_BATCH = 10_000;
/** Staged writes that start a batch. */
const BUFFER_ENTRIES = 8192;
/** Keys whose values the cache holds decoded. */
const CACHE_ENTRIES = 65_536;
/** Entries per read of a snapshot's iterator. */
const SCAN_BATCH = 4096;
/** A cached state with no value for the key. */
const ABSENT = Symbol('absent');

/** A staged write: the LevelDB key and the encoded value (null: delete). */
type Staged = { readonly key: Buffer; readonly bytes: Buffer | null };
/**
 * A cached key: its key group, and its values (decoded, or ABSENT) and dirty flags by state id. The
 * same normalized key in another key group is another key (a window's composite key and a record
 * key spelled the same): its row hangs off `other`.
 */
type Row = { readonly kg: number; readonly values: unknown[]; readonly dirty: boolean[]; other?: Row };
type Db = ClassicLevel<Buffer, Buffer>;
/** A LevelDB put of a restore or a local copy. */
type Put = { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer };

/** The row of a key in one key group, from the head of the key's chain (cache rows, see Row). */
function inKeyGroup(head: Row | undefined, kg: number): Row | undefined {
  let row = head;
  while (row !== undefined && row.kg !== kg) row = row.other;
  return row;
}

/** A snapshot's synchronous part. */
interface LevelDbSnapshotRef {
  readonly view: ReturnType<Db['snapshot']>;
  /** The view's close, once started (by toCanonical or releaseSnapshot). */
  closing?: Promise<void>;
  /** Staged and in-flight writes (they may or may not be in the view), oldest first. */
  readonly staged: readonly Staged[];
  /**
   * The cache's dirty values: objects encoded at the snapshot (bytes; null: deleted), primitives
   * as they are (encoded by the asynchronous part: they cannot change in place).
   */
  readonly cells: ReadonlyArray<{ readonly id: number; readonly kg: number; readonly nk: NormalizedKey; readonly bytes?: Buffer | null; readonly value?: unknown }>;
  readonly names: readonly string[];
  readonly kinds: ReadonlyMap<string, StateKind>;
  /** Whether each state's values have time-to-live cells (KeyedStateData.ttl). */
  readonly ttl: ReadonlyMap<string, boolean>;
  /** The timer queues' key groups (shared copy-on-write). */
  readonly timers: TimerQueuesSnapshot;
  /** The snapshot's states in raw form, kept by toCanonical for a local copy. */
  raw?: readonly KeyedStateData[];
}

/** A key iteration's listing of the keys (latin1 LevelDB keys), and the writes made since it began. */
interface KeyListing {
  /** The keys with a value when the listing began, by state id. */
  readonly byState: Map<number, Set<string>>;
  /** Keys written (true) or removed (false) since it began. */
  readonly changes: Map<string, boolean>;
  /** Whether the scan is done. */
  complete: boolean;
}

/** Keyed state of one keyed operator subtask, in LevelDB. */
export class LevelDbKeyedStateBackend extends AbstractKeyedStateBackend {
  private db: Db;
  /** The database's opening, started with it. */
  private readonly opened: Promise<void>;
  private readonly packr = new StatePackr({ useRecords: false, moreTypes: true });
  private readonly names: string[] = [];
  /** Decoded values of the keys in use, oldest first. */
  private rows = new Map<NormalizedKey, Row>();
  /** Writes staged for the next batch, by latin1 LevelDB key. */
  private pending = new Map<string, Staged>();
  /** The writes of the batch LevelDB is writing, if any (one batch at a time). */
  private inFlight: Map<string, Staged> | undefined;
  /** Settles (never rejects) once the batch in flight is written or failed. */
  private writing: Promise<void> | undefined;
  /** A failed batch: every later operation throws it. */
  private failure: Error | undefined;
  /** Whether the failure reached someone (onError, or an operation that threw it). */
  private failureSeen = false;
  private disposed = false;
  /** Staged writes that start a batch. */
  private readonly bufferEntries: number;
  /** Keys the cache holds. */
  private readonly cacheEntries: number;
  /** The keys of every state, listed ahead by prepareKeyIteration, while a key iteration lasts. */
  private listed: KeyListing | undefined;

  constructor(
    /** The database's directory (deleted on dispose). */
    private readonly dir: string,
    maxParallelism: number,
    keyGroupRange: KeyGroupRange,
    options: { bufferEntries?: number; cacheEntries?: number } = {},
  ) {
    super(maxParallelism, keyGroupRange);
    this.bufferEntries = Math.max(1, options.bufferEntries ?? BUFFER_ENTRIES);
    this.cacheEntries = Math.max(1, options.cacheEntries ?? CACHE_ENTRIES);
    ({ db: this.db, opened: this.opened } = openLevel(dir));
  }

  override async open(): Promise<void> {
    await this.opened;
  }

  protected table(name: string): number {
    let id = this.names.indexOf(name);
    if (id < 0) {
      if (this.names.length >= 255) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'The LevelDB backend holds at most 255 keyed states per operator');
      id = this.names.push(name) - 1;
    }
    return id;
  }

  private dbKey(stateId: number, kg: number, nk: NormalizedKey): Buffer {
    // A string key with a lone surrogate goes as its code units (msgpack's UTF-8 would make it U+FFFD: two keys one).
    return prefixed(stateId, kg, typeof nk === 'string' && !wellFormed(nk) ? packStateValue(this.packr, nk) : this.packr.pack(nk));
  }

  /** Throws the failure of an earlier batch. */
  private checkFailure(): void {
    if (this.failure === undefined) return;
    this.failureSeen = true;
    throw this.failure;
  }

  /** A background LevelDB operation failed: later operations throw, the task hears of it. */
  private fail(e: unknown, what: string): void {
    if (this.failure !== undefined || this.disposed) return;
    const cause = e instanceof Error ? e : new Error(String(e));
    this.failure = new MiniFlinkError('MF_ERR_INTERNAL', `LevelDB ${what} failed in ${this.dir}: ${cause.message}`, { cause });
    if (!this.onError) return;
    try {
      this.onError(this.failure);
      this.failureSeen = true;
    } catch {
      // The handler's own failure: the next operation throws the LevelDB one.
    }
  }

  protected read(name: string, t: unknown): unknown {
    this.checkFailure();
    const nk = this.checkKey(name);
    const id = t as number;
    const row = inKeyGroup(this.rows.get(nk), this.currentKeyGroup);
    const cached = row?.values[id];
    if (cached !== undefined) {
      if (cached === ABSENT) return undefined;
      // Handed out: the caller may change it in place (and not call update).
      if (typeof cached === 'object') row!.dirty[id] = true;
      return cached;
    }
    const key = this.dbKey(id, this.currentKeyGroup, nk);
    const k = key.toString('latin1');
    const staged = this.pending.get(k) ?? this.inFlight?.get(k);
    const bytes = staged !== undefined ? staged.bytes : (this.db.getSync(key) ?? null);
    if (bytes === null) {
      this.cache(nk, id, ABSENT, false);
      return undefined;
    }
    const v = this.packr.unpack(bytes);
    const value = this.kinds.get(name) === 'map' ? entriesToMap(v) : v;
    this.cache(nk, id, value, typeof value === 'object' && value !== null);
    return value;
  }

  protected write(name: string, t: unknown, value: unknown): void {
    this.checkFailure();
    const nk = this.checkKey(name);
    // Always a value: the shared code removes the key for undefined or null (wrapWrite).
    this.cache(nk, t as number, value, true);
    if (this.listed !== undefined) this.listed.changes.set(this.dbKey(t as number, this.currentKeyGroup, nk).toString('latin1'), true);
  }

  protected remove(name: string, t: unknown): void {
    this.checkFailure();
    const nk = this.checkKey(name);
    this.cache(nk, t as number, ABSENT, true);
    if (this.listed !== undefined) this.listed.changes.set(this.dbKey(t as number, this.currentKeyGroup, nk).toString('latin1'), false);
  }

  /** Sets a cached value of the current key; a full cache evicts its oldest keys first. */
  private cache(nk: NormalizedKey, id: number, value: unknown, dirty: boolean): void {
    const kg = this.currentKeyGroup;
    const head = this.rows.get(nk);
    let row = inKeyGroup(head, kg);
    if (row === undefined) {
      row = { kg, values: [], dirty: [] };
      if (head !== undefined) {
        row.other = head.other;
        head.other = row;
      } else {
        if (this.rows.size >= this.cacheEntries) this.evict(Math.max(1, this.cacheEntries >> 3));
        this.rows.set(nk, row);
      }
    }
    row.values[id] = value;
    row.dirty[id] = dirty;
  }

  /** Evicts the `n` oldest keys of the cache: their dirty values are staged. */
  private evict(n: number): void {
    for (const [nk, head] of this.rows) {
      if (n-- <= 0) break;
      for (let row: Row | undefined = head; row !== undefined; row = row.other) this.stageRow(nk, row);
      this.rows.delete(nk);
    }
    this.maybeFlush();
  }

  /**
   * Stages a cached key's dirty values (encoded); all or none: a value that cannot be serialized
   * throws before any is staged.
   */
  private stageRow(nk: NormalizedKey, row: Row): void {
    let staged: Array<[string, Staged]> | undefined;
    for (let id = 0; id < row.values.length; id++) {
      if (row.dirty[id] !== true) continue;
      const key = this.dbKey(id, row.kg, nk);
      const v = row.values[id];
      const bytes = v === ABSENT ? null : this.encode(id, v);
      (staged ??= []).push([key.toString('latin1'), { key, bytes }]);
    }
    if (staged === undefined) return;
    for (const [k, s] of staged) this.pending.set(k, s);
    // Primitives cannot change in place: clean now. Objects stay dirty (see above).
    for (let id = 0; id < row.values.length; id++) {
      const v = row.values[id];
      if (row.dirty[id] === true && (typeof v !== 'object' || v === null)) row.dirty[id] = false;
    }
  }

  /** Starts a batch when enough writes are staged and none is in flight. */
  private maybeFlush(): void {
    if (this.pending.size >= this.bufferEntries && this.inFlight === undefined) this.startBatch();
  }

  /** Writes every staged write as one batch; only when no batch is in flight. */
  private startBatch(): void {
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    const ops = [...batch.values()].map((s) => (s.bytes === null ? { type: 'del' as const, key: s.key } : { type: 'put' as const, key: s.key, value: s.bytes }));
    this.writing = native(() => this.db.batch(ops)).then(
      () => {
        this.inFlight = undefined;
        this.writing = undefined;
        // Writes staged meanwhile go next, in order.
        if (this.disposed || this.failure !== undefined) return;
        this.maybeFlush();
      },
      (e: unknown) => {
        // The entries stay readable from inFlight; every later operation throws anyway.
        this.writing = undefined;
        this.fail(e, 'write');
      },
    );
  }

  /**
   * Writes everything cached and staged so far to LevelDB (after the batch in flight) and empties
   * the cache, so that later reads go to LevelDB; resolves once it is there; rejects with a failed
   * batch's error.
   */
  async flush(): Promise<void> {
    this.checkFailure();
    for (const [nk, head] of this.rows) {
      for (let row: Row | undefined = head; row !== undefined; row = row.other) this.stageRow(nk, row);
      this.rows.delete(nk);
    }
    if (this.writing) await this.writing;
    this.checkFailure();
    if (this.inFlight === undefined && this.pending.size > 0) this.startBatch();
    if (this.writing) await this.writing;
    this.checkFailure();
  }

  /**
   * Synchronous part: LevelDB's snapshot, the staged and in-flight writes, and the cache's dirty
   * values (objects encoded now, as a later change in place must not reach the snapshot).
   */
  snapshot(): LevelDbSnapshotRef {
    this.checkFailure();
    const cells: Array<LevelDbSnapshotRef['cells'][number]> = [];
    for (const [nk, head] of this.rows) {
      for (let row: Row | undefined = head; row !== undefined; row = row.other) {
        for (let id = 0; id < row.values.length; id++) {
          if (row.dirty[id] !== true) continue;
          const v = row.values[id];
          if (v === ABSENT) cells.push({ id, kg: row.kg, nk, bytes: null });
          else if (typeof v === 'object' && v !== null) cells.push({ id, kg: row.kg, nk, bytes: this.encode(id, v) });
          else cells.push({ id, kg: row.kg, nk, value: v });
        }
      }
    }
    const staged = [...(this.inFlight?.values() ?? []), ...this.pending.values()];
    return { view: nativeSync(() => this.db.snapshot()), staged, cells, names: [...this.names], kinds: new Map(this.kinds), ttl: new Map(this.ttl), timers: this.snapshotTimers() };
  }

  /** A value as LevelDB stores it. */
  private encode(id: number, v: unknown): Buffer {
    return packStateValue(this.packr, this.kinds.get(this.names[id]!) === 'map' ? mapToEntries(v) : v) as Buffer;
  }

  /**
   * Asynchronous part: iterates the snapshot's view in batches, merges the overlay in (both in key
   * order), and copies the entries by state and key group as they are (`rawGroups`), without
   * decoding. LevelDB's key order is key group, then state, so each group is one run.
   */
  async toCanonical(r: unknown): Promise<KeyedSnapshot> {
    const ref = r as LevelDbSnapshotRef;
    const byState = new Map<number, RawKeyGroup[]>();
    const writer = new RawGroupWriter();
    let run = -1;
    const emit = (key: Buffer, value: Buffer) => {
      const at = key[2]! * 65_536 + ((key[0]! << 8) | key[1]!);
      if (at !== run) {
        endRun();
        run = at;
      }
      writer.append(key, 3);
      writer.append(value);
    };
    const endRun = () => {
      if (writer.empty) return;
      const id = Math.floor(run / 65_536);
      let list = byState.get(id);
      if (list === undefined) byState.set(id, (list = []));
      list.push(writer.take(run % 65_536));
    };
    // What the view may not hold, newest last, in key order: each entry replaces or joins the view's at its place.
    const newest = new Map<string, readonly [Buffer, Buffer | null]>();
    for (const st of ref.staged) newest.set(st.key.toString('latin1'), [st.key, st.bytes]);
    for (const c of ref.cells) {
      const key = this.dbKey(c.id, c.kg, c.nk);
      newest.set(key.toString('latin1'), [key, c.bytes !== undefined ? c.bytes : (packStateValue(this.packr, c.value) as Buffer)]);
    }
    const overlay = [...newest.values()].sort((x, y) => Buffer.compare(x[0], y[0]));
    let next = 0;
    try {
      const it = nativeSync(() => this.db.iterator({ snapshot: ref.view, fillCache: false, highWaterMarkBytes: 1 << 20 }));
      try {
        for (;;) {
          const entries = await native(() => it.nextv(SCAN_BATCH));
          if (entries.length === 0) break;
          for (const [k, v] of entries) {
            let c = 1;
            while (next < overlay.length && (c = Buffer.compare(overlay[next]![0], k)) < 0) {
              const [ok, ov] = overlay[next++]!;
              if (ov !== null) emit(ok, ov);
            }
            if (c === 0 && next < overlay.length) {
              const [ok, ov] = overlay[next++]!;
              if (ov !== null) emit(ok, ov);
            } else emit(k, v);
          }
        }
      } finally {
        await native(() => it.close());
      }
    } finally {
      await this.closeView(ref);
    }
    for (; next < overlay.length; next++) {
      const [ok, ov] = overlay[next]!;
      if (ov !== null) emit(ok, ov);
    }
    endRun();
    const states: KeyedStateData[] = [...byState].sort((x, y) => x[0] - y[0]).map(([id, rawGroups]) => {
      const name = ref.names[id]!;
      const ttl = ref.ttl.get(name);
      return { name, kind: ref.kinds.get(name) ?? 'value', groups: [], rawGroups, ...(ttl !== undefined ? { ttl } : {}) };
    });
    ref.raw = states;
    const timers = ref.timers.length > 0 ? { timers: timerQueuesToCanonical(ref.timers) } : {};
    return { maxParallelism: this.maxParallelism, startKeyGroup: this.keyGroupRange.startKeyGroup, endKeyGroup: this.keyGroupRange.endKeyGroup, states, ...timers };
  }

  /**
   * Writes a snapshot's raw entries (toCanonical kept them) into a new database at `dir` as they
   * are, without decoding: local recovery's copy. Returns what a restore needs beside the files.
   */
  async writeLocalCopy(r: unknown, dir: string): Promise<{ names: string[]; kinds: Array<[string, StateKind]>; ttl: Array<[string, boolean]>; timers: KeyedTimersData[] | undefined }> {
    const ref = r as LevelDbSnapshotRef;
    const raw = ref.raw;
    if (!raw) throw new Error('writeLocalCopy before toCanonical (this is a bug in miniflink)');
    ref.raw = undefined;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const { db, opened } = openLevel(dir);
    await opened;
    try {
      for (const st of raw) await putInBatches(db, rawPuts(ref.names.indexOf(st.name), st.rawGroups ?? [], () => true));
    } finally {
      await native(() => db.close());
    }
    return { names: [...ref.names], kinds: [...ref.kinds], ttl: [...ref.ttl], timers: ref.timers.length > 0 ? timerQueuesToCanonical(ref.timers) : undefined };
  }

  /**
   * Restores from a local copy (local recovery): the copy's database becomes this backend's, its
   * immutable tables linked and its other files copied, then opened: no entry is read or written.
   */
  override async restoreLocal(c: unknown): Promise<void> {
    const copy = c as { dir: string; names: readonly string[]; kinds: ReadonlyArray<readonly [string, StateKind]>; ttl?: ReadonlyArray<readonly [string, boolean]>; timers: readonly KeyedTimersData[] | undefined };
    this.checkFailure();
    await native(() => this.db.close());
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(copy.dir)) {
      if (f === 'LOCK') continue;
      // LevelDB never changes a table file once written (linked, or copied where the copy lies on
      // another file system); it appends to the others (MANIFEST, log), which are copied.
      if (/\.(ldb|sst)$/.test(f)) {
        try {
          linkSync(join(copy.dir, f), join(this.dir, f));
        } catch {
          copyFileSync(join(copy.dir, f), join(this.dir, f));
        }
      } else copyFileSync(join(copy.dir, f), join(this.dir, f));
    }
    // Held only once open: a key scan on a database still opening would make a deferred iterator,
    // created natively later, outside the native guard's count.
    const reopened = openLevel(this.dir);
    await reopened.opened;
    this.db = reopened.db;
    this.rows.clear();
    this.pending.clear();
    this.names.splice(0, this.names.length, ...copy.names);
    for (const [name, kind] of copy.kinds) this.kinds.set(name, kind);
    // Whether each state has time-to-live cells, as a restore from storage keeps it (else a
    // snapshot taken before the state is registered again would lose it).
    for (const [name, ttl] of copy.ttl ?? []) if (!this.ttl.has(name)) this.ttl.set(name, ttl);
    if (copy.timers) this.restoreTimers({ maxParallelism: this.maxParallelism, startKeyGroup: this.keyGroupRange.startKeyGroup, endKeyGroup: this.keyGroupRange.endKeyGroup, states: [], timers: copy.timers });
  }

  /** The puts of decoded key groups' entries (those `take` accepts), encoded as this backend stores them. */
  private *decodedPuts(id: number, groups: KeyedStateData['groups'], take: (kg: number) => boolean): Generator<Put> {
    for (const [kg, entries] of groups) {
      if (!take(kg)) continue;
      for (const [key, value] of entries) yield { type: 'put', key: this.dbKey(id, kg, normalizeKey(key)), value: packStateValue(this.packr, value) as Buffer };
    }
  }

  /** Closes a snapshot's LevelDB view once (toCanonical, or a snapshot that will not be written). */
  private closeView(ref: LevelDbSnapshotRef): Promise<void> {
    ref.closing ??= native(() => ref.view.close());
    return ref.closing;
  }

  /** A snapshot whose asynchronous part is done or will not run: its view is closed. */
  override releaseSnapshot(r: unknown): void {
    const ref = r as LevelDbSnapshotRef;
    if (ref.closing === undefined) this.closeView(ref).catch((e: unknown) => this.fail(e, 'snapshot release'));
  }

  /** Writes this subtask's key groups of the snapshots into the database. */
  async restore(snapshots: readonly KeyedSnapshot[]): Promise<void> {
    this.checkFailure();
    for (const s of snapshots) {
      this.checkRestore(s);
      this.restoreTimers(s);
      for (const st of s.states) {
        const id = this.table(st.name);
        const mine = (kg: number) => this.keyGroupRange.contains(kg);
        // Raw entries go in as they are; decoded ones are encoded as this backend stores them.
        await putInBatches(this.db, rawPuts(id, st.rawGroups ?? [], mine));
        await putInBatches(this.db, this.decodedPuts(id, st.groups, mine));
      }
    }
  }

  /**
   * Lists the keys of every state ahead, so that getKeys and applyToAllKeys answer at once until
   * endKeyIteration (Flink's RocksDB backend iterates synchronously; LevelDB's iterators here are
   * asynchronous). One scan of the key range, without decoding; writes made from the call on are
   * laid over what it finds. No state registered: nothing to list, the answer is at once.
   */
  override prepareKeyIteration(): Promise<void> | undefined {
    this.checkFailure();
    const listing: KeyListing = { byState: new Map(), changes: new Map(), complete: false };
    this.listed = listing;
    const add = (k: string) => {
      const id = k.charCodeAt(2);
      let keys = listing.byState.get(id);
      if (!keys) listing.byState.set(id, (keys = new Set()));
      keys.add(k);
    };
    if (this.names.length === 0) {
      listing.complete = true;
      return undefined;
    }
    const overlay = this.unwritten();
    const { startKeyGroup: first, endKeyGroup: last } = this.keyGroupRange;
    const gte = Buffer.from([first >> 8, first & 0xff]);
    const lt = Buffer.from([(last + 1) >> 8, (last + 1) & 0xff]);
    return (async () => {
      await eachKey(this.db, gte, lt, (k) => {
        const s = k.toString('latin1');
        if (!overlay.has(s)) add(s);
      });
      for (const [k, present] of overlay) if (present) add(k);
      listing.complete = true;
    })();
  }

  /**
   * What LevelDB does not hold yet (staged, in flight or dirty in the cache; of one state or all),
   * by latin1 LevelDB key: whether the key has a value (false: deleted). The cache's clean values
   * are in LevelDB already, or known to be absent from it.
   */
  private unwritten(stateId?: number): Map<string, boolean> {
    const out = new Map<string, boolean>();
    for (const m of [this.inFlight, this.pending]) for (const [k, s] of m ?? []) if (stateId === undefined || s.key[2] === stateId) out.set(k, s.bytes !== null);
    for (const [nk, head] of this.rows) {
      for (let row: Row | undefined = head; row !== undefined; row = row.other) {
        for (let id = 0; id < row.values.length; id++) {
          if (row.dirty[id] !== true || (stateId !== undefined && id !== stateId)) continue;
          out.set(this.dbKey(id, row.kg, nk).toString('latin1'), row.values[id] !== ABSENT);
        }
      }
    }
    return out;
  }

  /** The key iteration is over: the listed keys go. */
  override endKeyIteration(): void {
    this.listed = undefined;
  }

  /**
   * The keys with a value in a state (as denormalizeKey gives them back). Within a key iteration
   * (prepareKeyIteration), from the keys listed then and the writes since, at once; otherwise a
   * prefix scan of each key group of the range in LevelDB, with the buffered and in-flight writes
   * laid over it (taken at the call).
   */
  getKeys(stateName: string): unknown[] | Promise<unknown[]> {
    this.checkFailure();
    const id = this.names.indexOf(stateName);
    if (id < 0) return [];
    const listing = this.listed;
    if (listing?.complete) {
      const keys = new Set(listing.byState.get(id));
      for (const [k, present] of listing.changes) {
        if (k.charCodeAt(2) !== id) continue;
        if (present) keys.add(k);
        else keys.delete(k);
      }
      return [...keys].map((k) => denormalizeKey(this.packr.unpack(Buffer.from(k, 'latin1').subarray(3)) as NormalizedKey));
    }
    return this.scanKeys(id);
  }

  private async scanKeys(id: number): Promise<unknown[]> {
    const overlay = this.unwritten(id);
    const keyOf = (k: Buffer) => denormalizeKey(this.packr.unpack(k.subarray(3)) as NormalizedKey);
    const keys: unknown[] = [];
    for (let kg = this.keyGroupRange.startKeyGroup; kg <= this.keyGroupRange.endKeyGroup; kg++) {
      const gte = Buffer.from([kg >> 8, kg & 0xff, id]);
      const lt = Buffer.from([kg >> 8, kg & 0xff, id + 1]);
      await eachKey(this.db, gte, lt, (k) => {
        if (!overlay.has(k.toString('latin1'))) keys.push(keyOf(k));
      });
    }
    for (const [k, present] of overlay) if (present) keys.push(keyOf(Buffer.from(k, 'latin1')));
    return keys;
  }

  /** Closes and deletes the database (after the batch in flight); throws a failure no one saw. */
  override async dispose(): Promise<void> {
    const unseen = this.failureSeen ? undefined : this.failure;
    this.disposed = true;
    try {
      if (this.writing) await this.writing;
      await native(() => this.db.close());
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    if (unseen) throw unseen;
  }
}

/** A LevelDB key: [key group][state id] and a key's bytes. */
function prefixed(stateId: number, kg: number, keyBytes: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(3 + keyBytes.length);
  b[0] = kg >> 8;
  b[1] = kg & 0xff;
  b[2] = stateId;
  b.set(keyBytes, 3);
  return b;
}

/**
 * A database, opened at once inside native() (core/native-guard.ts): classic-level opens a new
 * database by itself a moment later unless told to at once, which the guard would not count. In a
 * thread that is ending, nothing is created (`db` stays unset) and `opened` never settles.
 */
function openLevel(dir: string): { db: Db; opened: Promise<void> } {
  let db: Db | undefined;
  const opened = native(() => {
    db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    return db.open();
  });
  // Whoever awaits it sees a failure; until then it is not an unhandled rejection.
  opened.catch(() => {});
  return { db: db!, opened };
}

/** Calls `each` with every LevelDB key in [gte, lt), read in batches (each read a guarded native operation). */
async function eachKey(db: Db, gte: Buffer, lt: Buffer, each: (k: Buffer) => void): Promise<void> {
  const it = nativeSync(() => db.keys({ gte, lt }));
  try {
    for (;;) {
      const keys = await native(() => it.nextv(SCAN_BATCH));
      if (keys.length === 0) return;
      for (const k of keys) each(k);
    }
  } finally {
    await native(() => it.close());
  }
}

/** The puts of raw key groups' entries (those `take` accepts), as they are. */
function* rawPuts(stateId: number, groups: readonly RawKeyGroup[], take: (kg: number) => boolean): Generator<Put> {
  for (const g of groups) {
    const [kg, bytes] = g;
    if (!take(kg)) continue;
    const o = rawOffsets(g);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i + 2 < o.length; i += 2) yield { type: 'put', key: prefixed(stateId, kg, buf.subarray(o[i]!, o[i + 1]!)), value: buf.subarray(o[i + 1]!, o[i + 2]!) };
  }
}

/**
 * Writes puts into a database in batches of RESTORE_BATCH, one after the other (classic-level does
 * not order concurrent batches): each await lets the slot thread answer heartbeats, and no batch
 * holds a million entries in memory at once.
 */
async function putInBatches(db: Db, puts: Iterable<Put>): Promise<void> {
  let ops: Put[] = [];
  for (const op of puts) {
    ops.push(op);
    if (ops.length === RESTORE_BATCH) {
      const batch = ops;
      await native(() => db.batch(batch));
      ops = [];
    }
  }
  if (ops.length > 0) await native(() => db.batch(ops));
}
