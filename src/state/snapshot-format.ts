/**
 * The canonical snapshot format: what one operator subtask's state looks like in a checkpoint or
 * savepoint, whichever backend wrote it, so that either backend restores it.
 *
 *   OperatorSnapshot
 *     keyed?:    { maxParallelism, startKeyGroup, endKeyGroup,
 *                  states: [{ name, kind, groups: [[keyGroup, [[key, value], ...]], ...] }],
 *                  timers?: [{ name, groups: [[keyGroup, [[key, timestamp] | [key, timestamp, namespace], ...]], ...] }] }
 *     operator?: { [stateName]: { mode: 'split' | 'union' | 'broadcast', items: [...] } }
 *
 * Keys are the original keys, of the same types (a Date, bigint, Map or Set comes back as itself:
 * state/key-normalizer.ts); MapState values are lists of [userKey, value] pairs. Timers are the
 * keyed backend's priority queues (Flink's
 * PRIORITY_QUEUE state), one per timer service and time domain, named as Flink names them
 * (`_timer_state/event_user-timers`, `_timer_state/processing_user-timers`); the namespace is
 * left out when it is the void namespace. Like keyed state they are written per key group, so a
 * restore at any parallelism takes exactly the key groups it owns.
 *
 * Versions (`version`):
 *   1  no `timers`: a KeyedProcessOperator kept its timers as union operator state `__timers`,
 *      items [domain, key, timestamp]. Still restored (keyed-operators.ts moves them into the
 *      timer queues, keeping the key groups the subtask owns).
 *   2  `keyed.timers`.
 *   3  `rawGroups` beside `groups`: the LevelDB backend's entries as it stores them, not decoded
 *      (see {@link RawKeyGroup}); a state's entries are in `groups`, in `rawGroups` or in both
 *      (different key groups). Read with {@link normalizedEntries} or {@link canonicalKeyedSnapshot}.
 *   4  a Map in a raw value is the map extension (core/serde.ts, packStateValue); version 3 wrote
 *      it as a msgpack map, which reads back as a plain object (as it still does: such a Map was
 *      lost when it was written). A state's `ttl`: whether its values have time-to-live cells.
 *      Otherwise the same, so version 3 is read as before.
 *   5  a window operator's contents are in `_window-contents`, one value per key holding its
 *      windows' (runtime/operators/window-state.ts, WindowContentsCell), and `_window-contents/more`;
 *      up to version 4 they were one entry per (key, window) in `window-contents` under a composite
 *      key "<namespace>\u0001<tag><key>". A window operator converts those when it restores them
 *      ({@link upgradeWindowContents}).
 */
import type { StateKind } from '../api/index.js';
import { assignToKeyGroup } from '../core/key-groups.js';
import { StateUnpackr } from '../core/serde.js';
import { denormalizeKey, normalizeKey, type NormalizedKey } from './key-normalizer.js';

/** Current format version. */
export const SNAPSHOT_FORMAT_VERSION = 5;

/** One keyed state of one operator subtask. */
export interface KeyedStateData {
  /** The state's name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: StateKind;
  /** Entries by key group. */
  readonly groups: ReadonlyArray<readonly [keyGroup: number, entries: ReadonlyArray<readonly [key: unknown, value: unknown]>]>;
  /** Entries by key group in raw form (version 3; the LevelDB backend writes them without decoding). */
  readonly rawGroups?: readonly RawKeyGroup[];
  /**
   * Whether the values were written with time-to-live (each a `{v, ts}` cell) (version 4; absent
   * in older snapshots: not known). A restore refuses to read them the other way.
   */
  readonly ttl?: boolean;
}

/**
 * One key group of a state in raw form: `bytes` holds each entry's msgpack of its normalized key
 * (state/key-normalizer.ts) and msgpack of its value (as `groups` would hold it: a MapState's as
 * [userKey, value] pairs), one after the other; `sizes` the byte length of each, as unsigned
 * LEB128 varints (two per entry). The LevelDB backend stores exactly these bytes (its keys: [key
 * group][state id][the key's bytes]), so it snapshots and restores them as they are.
 */
export type RawKeyGroup = readonly [keyGroup: number, bytes: Uint8Array, sizes: Uint8Array];

/** The offsets of a raw group's entries: entry i's key is [o[2i], o[2i+1]), its value [o[2i+1], o[2i+2]). */
export function rawOffsets(g: RawKeyGroup): Uint32Array {
  const [kg, bytes, sizes] = g;
  let n = 0;
  for (let i = 0; i < sizes.length; i++) if (sizes[i]! < 0x80) n++;
  const o = new Uint32Array(n + 1);
  let at = 0;
  for (let i = 0, p = 0; p < sizes.length; i++) {
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= sizes.length) throw new Error(`The raw state of key group ${kg} is corrupt: its sizes end in the middle of a number`);
      const b = sizes[p++]!;
      size += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    at += size;
    o[i + 1] = at;
  }
  if ((n & 1) !== 0 || at !== bytes.byteLength || (sizes.length > 0 && sizes[sizes.length - 1]! >= 0x80)) throw new Error(`The raw state of key group ${kg} is corrupt: its sizes do not add up to its ${bytes.byteLength} bytes`);
  return o;
}

/** Appends bytes and their sizes (LEB128) to the buffers of a raw key group under construction. */
export class RawGroupWriter {
  private bytes: Buffer = Buffer.allocUnsafe(1 << 16);
  private sizes: Buffer = Buffer.allocUnsafe(1 << 12);
  private at = 0;
  private sizesAt = 0;

  /** Appends `src[start, end)` (start defaults to 0, end to its length). */
  append(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.at + n > this.bytes.length) this.bytes = grow(this.bytes, this.at + n);
    if (this.sizesAt + 5 > this.sizes.length) this.sizes = grow(this.sizes, this.sizesAt + 5);
    const out = this.bytes;
    if (n <= 32) for (let i = start, j = this.at; i < end; i++, j++) out[j] = src[i]!;
    else out.set(src.subarray(start, end), this.at);
    this.at += n;
    let v = n;
    while (v >= 0x80) {
      this.sizes[this.sizesAt++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.sizes[this.sizesAt++] = v;
  }

  /** The group so far (copies), and empties the writer. */
  take(kg: number): RawKeyGroup {
    const g = [kg, Buffer.from(this.bytes.subarray(0, this.at)), Buffer.from(this.sizes.subarray(0, this.sizesAt))] as const;
    this.at = 0;
    this.sizesAt = 0;
    return g;
  }

  get empty(): boolean {
    return this.sizesAt === 0;
  }
}

function grow(b: Buffer, need: number): Buffer {
  const out = Buffer.allocUnsafe(Math.max(need, b.length * 2));
  b.copy(out);
  return out;
}

/** Decodes state keys and values as the LevelDB backend encodes them. */
const rawUnpackr = new StateUnpackr({ useRecords: false, moreTypes: true });

/** Decodes one msgpack value of a raw group. */
export function unpackRaw(bytes: Uint8Array, start: number, end: number): unknown {
  return rawUnpackr.unpack(bytes, { start, end });
}

/**
 * Each key group of a state with its entries, keys normalized, from whichever form the snapshot
 * holds them in (`groups` or `rawGroups`).
 */
export function* normalizedEntries(st: KeyedStateData): Generator<readonly [keyGroup: number, entries: Array<readonly [NormalizedKey, unknown]>]> {
  for (const [kg, entries] of st.groups) yield [kg, entries.map(([k, v]) => [normalizeKey(k), v] as const)];
  for (const g of st.rawGroups ?? []) {
    const o = rawOffsets(g);
    const entries: Array<readonly [NormalizedKey, unknown]> = [];
    for (let i = 0; i + 2 < o.length; i += 2) entries.push([unpackRaw(g[1], o[i]!, o[i + 1]!) as NormalizedKey, unpackRaw(g[1], o[i + 1]!, o[i + 2]!)]);
    yield [g[0], entries];
  }
}

/** A keyed snapshot with every state's entries decoded into `groups` (keys as the user's keys, key groups in order). */
export function canonicalKeyedSnapshot(s: KeyedSnapshot): KeyedSnapshot {
  const states = s.states.map((st): KeyedStateData => {
    if (st.rawGroups === undefined) return st;
    const groups = [...normalizedEntries(st)].map(([kg, entries]) => [kg, entries.map(([k, v]) => [denormalizeKey(k), v] as const)] as const).sort((a, b) => a[0] - b[0]);
    return { name: st.name, kind: st.kind, groups, ...(st.ttl !== undefined ? { ttl: st.ttl } : {}) };
  });
  return { ...s, states };
}

/** One timer in a snapshot: key and timestamp, plus the namespace unless it is the void namespace. */
export type TimerData = readonly [key: unknown, timestamp: number] | readonly [key: unknown, timestamp: number, namespace: unknown];

/** One timer queue (a timer service's timers of one time domain) of one operator subtask. */
export interface KeyedTimersData {
  /** The queue's name (`_timer_state/event_<service>` or `_timer_state/processing_<service>`). */
  readonly name: string;
  /** Timers by key group (in no particular order within a group). */
  readonly groups: ReadonlyArray<readonly [keyGroup: number, timers: readonly TimerData[]]>;
}

/** The keyed state of one operator subtask. */
export interface KeyedSnapshot {
  readonly maxParallelism: number;
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
  readonly states: readonly KeyedStateData[];
  /** Timer queues (version 2; absent when there are no timers). */
  readonly timers?: readonly KeyedTimersData[];
  /**
   * The format version of the snapshot this came from, set when it is read for a restore (not
   * written): what an operator converts depends on it. Absent: the current version.
   */
  readonly version?: number;
}

/** The window operator's table of contents per key (runtime/operators/window-state.ts, WindowContentsCell). */
export const WINDOW_CONTENTS = '_window-contents';
/** Its table of the windows past the first WINDOW_CONTENTS_ARRAY_WINDOWS of a key, per (key, window). */
export const WINDOW_CONTENTS_MORE = '_window-contents/more';
/** Windows of a key whose contents its value in WINDOW_CONTENTS keeps, at most. */
export const WINDOW_CONTENTS_ARRAY_WINDOWS = 8;
/** The table that held the window operator's contents per (key, window) up to format 4 (user state may share it). */
const LEGACY_WINDOW_CONTENTS = 'window-contents';

/**
 * A window operator's keyed snapshot in format 5. Up to format 4 its contents were one entry per
 * (key, window) in the table `window-contents` under the composite key
 * "<namespace>\u0001<tag><key>" (tag s, n, b or i: the normalized key's type; the key as text),
 * beside the plain keys of any user state of that name (a window function's globalState()).
 * Here each key's windows go to one value in `_window-contents`, `[ns, contents, ...]` for its
 * first 8 windows, and the others to `_window-contents/more` under their composite keys, counted
 * at the end of the key's value; entries that are not a window's stay in `window-contents` as the
 * user's (as is an entry that looks like a window's but is not in its key's group: a user's key).
 * Key groups stay. Newer snapshots are returned as they are.
 */
export function upgradeWindowContents(s: KeyedSnapshot): KeyedSnapshot {
  if ((s.version ?? SNAPSHOT_FORMAT_VERSION) >= 5) return s;
  const legacy = s.states.find((st) => st.name === LEGACY_WINDOW_CONTENTS);
  if (legacy === undefined) return s;
  const userGroups: Array<readonly [number, Array<readonly [unknown, unknown]>]> = [];
  const valueGroups: typeof userGroups = [];
  const moreGroups: typeof userGroups = [];
  for (const [kg, entries] of normalizedEntries(legacy)) {
    const byKey = new Map<NormalizedKey, unknown[]>();
    const user: Array<readonly [unknown, unknown]> = [];
    const more: Array<readonly [unknown, unknown]> = [];
    for (const [k, contents] of entries) {
      const split = splitWindowKey(k);
      // A window's entry is in its key's group; a user's key that only looks like one is not (or is another key's).
      if (split === undefined || assignToKeyGroup(denormalizeKey(split[1]), s.maxParallelism) !== kg) {
        user.push([denormalizeKey(k), contents]);
        continue;
      }
      const [ns, nk] = split;
      let value = byKey.get(nk);
      if (value === undefined) byKey.set(nk, (value = []));
      if (value.length < 2 * WINDOW_CONTENTS_ARRAY_WINDOWS) value.push(ns, contents);
      else {
        more.push([k, contents]);
        if (value.length & 1) (value[value.length - 1] as number)++;
        else value.push(1);
      }
    }
    if (user.length > 0) userGroups.push([kg, user]);
    if (byKey.size > 0) valueGroups.push([kg, [...byKey].map(([nk, v]) => [denormalizeKey(nk), v] as const)]);
    if (more.length > 0) moreGroups.push([kg, more]);
  }
  const ttl = legacy.ttl !== undefined ? { ttl: legacy.ttl } : {};
  const states: KeyedStateData[] = s.states.filter((st) => st !== legacy);
  if (userGroups.length > 0) states.push({ name: LEGACY_WINDOW_CONTENTS, kind: legacy.kind, groups: userGroups, ...ttl });
  if (valueGroups.length > 0) states.push({ name: WINDOW_CONTENTS, kind: 'value', groups: valueGroups, ...ttl });
  if (moreGroups.length > 0) states.push({ name: WINDOW_CONTENTS_MORE, kind: 'value', groups: moreGroups, ...ttl });
  return { ...s, states };
}

/**
 * The namespace and the normalized key of a composite key of format 4 (window-state.ts's
 * namespacedKey; the namespace a TimeWindow's "<start>:<end>" or "global"); undefined for any other key.
 */
export function splitWindowKey(composite: NormalizedKey): [string, NormalizedKey] | undefined {
  if (typeof composite !== 'string') return undefined;
  const at = composite.indexOf('\u0001');
  if (at < 0) return undefined;
  const ns = composite.slice(0, at);
  if (ns !== 'global') {
    // As TimeWindow.namespace() writes it: "<start>:<end>", each as JavaScript prints the number.
    const colon = ns.indexOf(':', 1);
    const start = ns.slice(0, colon);
    const end = ns.slice(colon + 1);
    if (colon < 0 || String(Number(start)) !== start || String(Number(end)) !== end) return undefined;
  }
  const text = composite.slice(at + 2);
  switch (composite[at + 1]) {
    case 's':
      return [ns, text];
    case 'n': {
      const n = Number(text);
      return Number.isNaN(n) && text !== 'NaN' ? undefined : [ns, n];
    }
    case 'b':
      return text === 'true' || text === 'false' ? [ns, text === 'true'] : undefined;
    case 'i':
      try {
        return [ns, BigInt(text)];
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/** How operator list state is redistributed on restore. */
export type RedistributionMode = 'split' | 'union' | 'broadcast';

/** The operator (non-keyed) state of one operator subtask. */
export type OperatorStateData = Readonly<Record<string, { readonly mode: RedistributionMode; readonly items: readonly unknown[] }>>;

/** A buffer of in-flight records: its bytes (msgpack, as on the wire), and whether timestamps travel beside the records. */
export type InFlightBuffer = readonly [bytes: Uint8Array, timestamps: boolean];

/**
 * The in-flight data of an unaligned checkpoint at one subtask (Flink's channel state), stored with
 * its head operator's snapshot: per channel (`<edgeId>/<producer>/<consumer>`), in order, the
 * buffers received but not processed before the snapshot (input) and those sent after the barrier
 * that overtook them (output).
 */
export interface ChannelStateData {
  readonly input: ReadonlyArray<readonly [channel: string, inputIndex: number, buffers: readonly InFlightBuffer[]]>;
  readonly output: ReadonlyArray<readonly [channel: string, buffers: readonly InFlightBuffer[]]>;
  /** The job edges the channels belong to: [edge index, producing vertex id, consuming vertex id] (checked on restore). */
  readonly edges?: ReadonlyArray<readonly [edgeId: number, source: string, target: string]>;
}

/** The state of one operator subtask. */
export interface OperatorSnapshot {
  readonly version: number;
  readonly keyed?: KeyedSnapshot;
  readonly operator?: OperatorStateData;
  /** The subtask's in-flight data (its head operator's snapshot only, of an unaligned checkpoint). */
  readonly channels?: ChannelStateData;
}

/** Version 1's union operator state holding a KeyedProcessOperator's timers. */
export const LEGACY_TIMERS_STATE = '__timers';
