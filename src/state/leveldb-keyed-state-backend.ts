/**
 * The LevelDB backend's keyed state: one database per keyed operator subtask, in the TaskManager's
 * temporary directory. Values are serialized (msgpack); reads go through a small write buffer, then
 * `getSync`; writes are batched.
 *
 *   LevelDB key:  [key group: 2 bytes, big endian][state id: 1 byte][msgpack(normalized key)]
 *   value:        msgpack(value)            (MapState: msgpack of its [userKey, value] pairs)
 *
 *   write(k, v) -> buffer (objects) --8192 entries--> db.batch (in flight) --> LevelDB
 *   read(k)     -> buffer, then the batch in flight, then db.getSync
 *
 * One batch is in flight at a time: classic-level runs batches on the thread pool and does not
 * order concurrent ones (a large batch followed at once by a small one for the same key may land
 * second and leave the stale value). Writes made while a batch is in flight stay in the buffer and
 * go in the next batch, started when the one in flight is written.
 *
 * A batch that fails leaves LevelDB behind the task's writes: the backend calls `onError` (the task
 * fails itself) and every later operation on it throws the failure; `dispose` throws it when no one
 * has seen it yet.
 *
 * A snapshot's synchronous part takes LevelDB's own snapshot (a consistent view) plus the buffered
 * and in-flight writes as an overlay; the asynchronous part iterates the view while processing
 * goes on.
 *
 * Timers are not in LevelDB: they stay in the heap timer queues every backend keeps (as Flink's
 * RocksDB backend with `state.backend.rocksdb.timer-service.factory: HEAP`, see
 * abstract-keyed-state-backend.ts) and go into the same keyed snapshot, per key group.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import type { StateKind } from '../api/index.js';
import { MiniFlinkError } from '../core/errors.js';
import type { KeyGroupRange } from '../core/key-groups.js';
import { AbstractKeyedStateBackend, entriesToMap, mapToEntries } from './abstract-keyed-state-backend.js';
import { timerQueuesToCanonical, type TimerQueuesSnapshot } from './timer-queues.js';
import { denormalizeKey, normalizeKey, type NormalizedKey } from './key-normalizer.js';
import { packRecords } from '../core/serde.js';

/** Puts per LevelDB batch when restoring. */
const RESTORE_BATCH = 10_000;
import type { KeyedSnapshot, KeyedStateData, KeyedTimersData } from './snapshot-format.js';

/** Buffered entries before a batch goes to LevelDB. */
const BUFFER_ENTRIES = 8192;
const DELETED = Symbol('deleted');

type Buffered = { key: Buffer; value: unknown | typeof DELETED; kind: StateKind };
type Db = ClassicLevel<Buffer, Buffer>;

/** A snapshot's synchronous part. */
interface LevelDbSnapshotRef {
  readonly view: ReturnType<Db['snapshot']>;
  /** The view's close, once started (by toCanonical or releaseSnapshot). */
  closing?: Promise<void>;
  readonly overlay: Map<string, Buffer | null>;
  readonly names: readonly string[];
  readonly kinds: ReadonlyMap<string, StateKind>;
  /** The timer queues' key groups (shared copy-on-write). */
  readonly timers: TimerQueuesSnapshot;
  /** The snapshot's raw entries (latin1 key -> value, null: deleted), kept by toCanonical for a local copy. */
  raw?: Map<string, Buffer | null>;
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
  private readonly packr = new Packr({ useRecords: false, moreTypes: true });
  private readonly names: string[] = [];
  private buffer = new Map<string, Buffered>();
  /** The entries of the batch LevelDB is writing, if any (one batch at a time). */
  private inFlight: Map<string, Buffered> | undefined;
  /** Settles (never rejects) once the batch in flight is written or failed. */
  private writing: Promise<void> | undefined;
  /** A failed batch: every later operation throws it. */
  private failure: Error | undefined;
  /** Whether the failure reached someone (onError, or an operation that threw it). */
  private failureSeen = false;
  private disposed = false;
  /** Buffered entries that start a batch. */
  private readonly bufferEntries: number;
  /** The keys of every state, listed ahead by prepareKeyIteration, while a key iteration lasts. */
  private listed: KeyListing | undefined;

  constructor(
    /** The database's directory (deleted on dispose). */
    private readonly dir: string,
    maxParallelism: number,
    keyGroupRange: KeyGroupRange,
    options: { bufferEntries?: number } = {},
  ) {
    super(maxParallelism, keyGroupRange);
    this.bufferEntries = options.bufferEntries ?? BUFFER_ENTRIES;
    this.db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  }

  override async open(): Promise<void> {
    await this.db.open();
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
    const k = this.packr.pack(nk);
    const b = Buffer.allocUnsafe(3 + k.length);
    b.writeUInt16BE(kg, 0);
    b[2] = stateId;
    k.copy(b, 3);
    return b;
  }

  private lookup(stateKey: string): Buffered | undefined {
    return this.buffer.get(stateKey) ?? this.inFlight?.get(stateKey);
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
    const key = this.dbKey(t as number, this.currentKeyGroup, this.checkKey(name));
    const hit = this.lookup(key.toString('latin1'));
    if (hit) return hit.value === DELETED ? undefined : hit.value;
    const bytes = this.db.getSync(key);
    if (bytes === undefined) return undefined;
    const v = this.packr.unpack(bytes);
    const kind = this.kinds.get(name);
    const value = kind === 'map' ? entriesToMap(v) : v;
    // Keep it buffered: the caller may change it in place and write it back.
    this.buffer.set(key.toString('latin1'), { key, value, kind: kind ?? 'value' });
    this.maybeFlush();
    return value;
  }

  protected write(name: string, t: unknown, value: unknown): void {
    this.checkFailure();
    const key = this.dbKey(t as number, this.currentKeyGroup, this.checkKey(name));
    const k = key.toString('latin1');
    this.buffer.set(k, { key, value, kind: this.kinds.get(name) ?? 'value' });
    if (this.listed !== undefined) this.listed.changes.set(k, true);
    this.maybeFlush();
  }

  protected remove(name: string, t: unknown): void {
    this.checkFailure();
    const key = this.dbKey(t as number, this.currentKeyGroup, this.checkKey(name));
    const k = key.toString('latin1');
    this.buffer.set(k, { key, value: DELETED, kind: this.kinds.get(name) ?? 'value' });
    if (this.listed !== undefined) this.listed.changes.set(k, false);
    this.maybeFlush();
  }

  private encode(b: Buffered): Buffer | null {
    if (b.value === DELETED) return null;
    return packRecords(this.packr, b.kind === 'map' ? mapToEntries(b.value) : b.value) as Buffer;
  }

  /** Starts a batch when the buffer is full and none is in flight. */
  private maybeFlush(): void {
    if (this.buffer.size >= this.bufferEntries && this.inFlight === undefined) this.startBatch();
  }

  /** Writes the whole buffer as one batch; only when no batch is in flight. */
  private startBatch(): void {
    const batch = this.buffer;
    this.buffer = new Map();
    this.inFlight = batch;
    let ops;
    try {
      ops = [...batch.values()].map((b) => {
        const value = this.encode(b);
        return value === null ? { type: 'del' as const, key: b.key } : { type: 'put' as const, key: b.key, value };
      });
    } catch (e) {
      // Not serializable: the entries go back (newer writes win), the caller sees the error.
      for (const [k, b] of batch) if (!this.buffer.has(k)) this.buffer.set(k, b);
      this.inFlight = undefined;
      throw e;
    }
    this.writing = this.db.batch(ops).then(
      () => {
        this.inFlight = undefined;
        this.writing = undefined;
        // Writes made meanwhile go next, in order.
        if (this.disposed || this.failure !== undefined) return;
        try {
          this.maybeFlush();
        } catch (e) {
          this.fail(e, 'write');
        }
      },
      (e: unknown) => {
        // The entries stay readable from inFlight; every later operation throws anyway.
        this.writing = undefined;
        this.fail(e, 'write');
      },
    );
  }

  /**
   * Writes everything buffered so far to LevelDB (after the batch in flight) and resolves once it
   * is there; rejects with a failed batch's error.
   */
  async flush(): Promise<void> {
    if (this.writing) await this.writing;
    this.checkFailure();
    if (this.inFlight === undefined && this.buffer.size > 0) this.startBatch();
    if (this.writing) await this.writing;
    this.checkFailure();
  }

  /** Synchronous part: LevelDB's snapshot plus the buffered writes as an overlay. */
  snapshot(): LevelDbSnapshotRef {
    this.checkFailure();
    const overlay = new Map<string, Buffer | null>();
    for (const m of [this.inFlight ?? new Map<string, Buffered>(), this.buffer]) for (const [k, b] of m) overlay.set(k, this.encode(b));
    return { view: this.db.snapshot(), overlay, names: [...this.names], kinds: new Map(this.kinds), timers: this.snapshotTimers() };
  }

  /** Asynchronous part: iterates the snapshot, applies the overlay, groups by state and key group. */
  async toCanonical(r: unknown): Promise<KeyedSnapshot> {
    const ref = r as LevelDbSnapshotRef;
    const all = new Map<string, Buffer | null>();
    try {
      for await (const [k, v] of this.db.iterator({ snapshot: ref.view })) all.set(k.toString('latin1'), v);
    } finally {
      await this.closeView(ref);
    }
    for (const [k, v] of ref.overlay) all.set(k, v);
    ref.raw = all;
    const states = new Map<number, Map<number, Array<[unknown, unknown]>>>();
    for (const [k, v] of all) {
      if (v === null) continue;
      const key = Buffer.from(k, 'latin1');
      const kg = key.readUInt16BE(0);
      const id = key[2]!;
      let groups = states.get(id);
      if (!groups) states.set(id, (groups = new Map()));
      let entries = groups.get(kg);
      if (!entries) groups.set(kg, (entries = []));
      entries.push([denormalizeKey(this.packr.unpack(key.subarray(3)) as NormalizedKey), this.packr.unpack(v)]);
    }
    const out: KeyedStateData[] = [...states].map(([id, groups]) => ({
      name: ref.names[id]!,
      kind: ref.kinds.get(ref.names[id]!) ?? 'value',
      groups: [...groups].sort((a, b) => a[0] - b[0]),
    }));
    const timers = ref.timers.length > 0 ? { timers: timerQueuesToCanonical(ref.timers) } : {};
    return { maxParallelism: this.maxParallelism, startKeyGroup: this.keyGroupRange.startKeyGroup, endKeyGroup: this.keyGroupRange.endKeyGroup, states: out, ...timers };
  }

  /**
   * Writes a snapshot's raw entries (toCanonical kept them) into a new database at `dir` as they
   * are, without decoding: local recovery's copy. Returns what a restore needs beside the files.
   */
  async writeLocalCopy(r: unknown, dir: string): Promise<{ names: string[]; kinds: Array<[string, StateKind]>; timers: KeyedTimersData[] | undefined }> {
    const ref = r as LevelDbSnapshotRef;
    const raw = ref.raw;
    if (!raw) throw new Error('writeLocalCopy before toCanonical (this is a bug in miniflink)');
    ref.raw = undefined;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      let ops: Array<{ type: 'put'; key: Buffer; value: Buffer }> = [];
      for (const [k, v] of raw) {
        if (v === null) continue;
        ops.push({ type: 'put', key: Buffer.from(k, 'latin1'), value: v });
        if (ops.length === RESTORE_BATCH) {
          await db.batch(ops);
          ops = [];
        }
      }
      if (ops.length > 0) await db.batch(ops);
    } finally {
      await db.close();
    }
    return { names: [...ref.names], kinds: [...ref.kinds], timers: ref.timers.length > 0 ? timerQueuesToCanonical(ref.timers) : undefined };
  }

  /**
   * Restores from a local copy (local recovery): the copy's database becomes this backend's, its
   * immutable tables linked and its other files copied, then opened: no entry is read or written.
   */
  override async restoreLocal(c: unknown): Promise<void> {
    const copy = c as { dir: string; names: readonly string[]; kinds: ReadonlyArray<readonly [string, StateKind]>; timers: readonly KeyedTimersData[] | undefined };
    this.checkFailure();
    await this.db.close();
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
    this.db = new ClassicLevel<Buffer, Buffer>(this.dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await this.db.open();
    this.names.splice(0, this.names.length, ...copy.names);
    for (const [name, kind] of copy.kinds) this.kinds.set(name, kind);
    if (copy.timers) this.restoreTimers({ maxParallelism: this.maxParallelism, startKeyGroup: this.keyGroupRange.startKeyGroup, endKeyGroup: this.keyGroupRange.endKeyGroup, states: [], timers: copy.timers });
  }

  /** Closes a snapshot's LevelDB view once (toCanonical, or a snapshot that will not be written). */
  private closeView(ref: LevelDbSnapshotRef): Promise<void> {
    ref.closing ??= ref.view.close();
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
        // Batches of RESTORE_BATCH puts, one after the other (classic-level does not order
        // concurrent batches): each await lets the slot thread answer heartbeats, and no batch
        // holds a million entries in memory at once.
        let ops: Array<{ type: 'put'; key: Buffer; value: Buffer }> = [];
        for (const [kg, entries] of st.groups) {
          if (!this.keyGroupRange.contains(kg)) continue;
          for (const [key, value] of entries) {
            ops.push({ type: 'put', key: this.dbKey(id, kg, normalizeKey(key)), value: packRecords(this.packr, value) as Buffer });
            if (ops.length === RESTORE_BATCH) {
              await this.db.batch(ops);
              ops = [];
            }
          }
        }
        if (ops.length > 0) await this.db.batch(ops);
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
    // Writes not in LevelDB yet win over it: present (a value) or not (deleted).
    const overlay = new Map<string, boolean>();
    for (const m of [this.inFlight, this.buffer]) for (const [k, b] of m ?? []) overlay.set(k, b.value !== DELETED);
    const { startKeyGroup: first, endKeyGroup: last } = this.keyGroupRange;
    const gte = Buffer.from([first >> 8, first & 0xff]);
    const lt = Buffer.from([(last + 1) >> 8, (last + 1) & 0xff]);
    return (async () => {
      for await (const k of this.db.keys({ gte, lt })) {
        const s = k.toString('latin1');
        if (!overlay.has(s)) add(s);
      }
      for (const [k, present] of overlay) if (present) add(k);
      listing.complete = true;
    })();
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
    // Writes not in LevelDB yet win over it: present (a value) or not (deleted).
    const overlay = new Map<string, boolean>();
    for (const m of [this.inFlight, this.buffer]) for (const [k, b] of m ?? []) if (b.key[2] === id) overlay.set(k, b.value !== DELETED);
    const keyOf = (k: Buffer) => denormalizeKey(this.packr.unpack(k.subarray(3)) as NormalizedKey);
    const keys: unknown[] = [];
    for (let kg = this.keyGroupRange.startKeyGroup; kg <= this.keyGroupRange.endKeyGroup; kg++) {
      const gte = Buffer.from([kg >> 8, kg & 0xff, id]);
      const lt = Buffer.from([kg >> 8, kg & 0xff, id + 1]);
      for await (const k of this.db.keys({ gte, lt })) if (!overlay.has(k.toString('latin1'))) keys.push(keyOf(k));
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
      await this.db.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    if (unseen) throw unseen;
  }
}
