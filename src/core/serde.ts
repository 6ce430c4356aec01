/**
 * The msgpackr codec for record batches between tasks, and for state and snapshots.
 *
 * A batch is packed as one msgpack array with msgpackr's record extension, so objects of the same
 * shape are described once per batch and decoded through a generated class (fast). Each batch is
 * self-describing: no structures are shared across batches, so a lost or reordered batch can never
 * make another undecodable.
 *
 * Types that msgpack alone would lose are kept with extensions, registered here once per thread
 * for every msgpackr user (msgpackr's extension registry is global, so the LevelDB backend's own
 * Packr uses them too):
 *
 *   type  what                      written as                   read as
 *   0x43  registered class (POJO)   [class name, {own fields}]   an instance of the class registered
 *         ('C')                                                  under that name in this thread
 *                                                                (pojo-types.ts), else a plain object
 *   0x4e  Buffer ('N')              its bytes                    a Buffer (msgpack's bin would be
 *                                                                read back as a Uint8Array)
 *   0x66  function ('f')            fails: MF_ERR_SERIALIZATION, as Flink fails to serialize one
 *   0x75  string with a lone        its UTF-16 code units        the same string (msgpack's UTF-8
 *         surrogate ('u')                                        would make each lone surrogate U+FFFD:
 *                                                                two keys became one)
 *   0x77  boxed primitive ('w')     [kind, value]                the same boxed primitive (new Number(5),
 *                                                                Object(1n)...; msgpack saw an empty object)
 *   0x79  URL ('y')                 its href                     a URL (msgpack saw an empty object)
 *   0x6f  plain object with an own  [null prototype?, k, v, ...] the same object (msgpackr renames
 *         `__proto__` key, or an                                 the key `__proto_`, against prototype
 *         object without prototype                               pollution, and would read an object
 *         ('o')                                                  without prototype as a plain one)
 *   -     -0                        a float64 -0 (msgpackr writes -0 as the integer 0)
 *   -     other class instance      its own fields (as before), with a warning once per class
 *
 * A class is named on the wire, not numbered, so the type is the same in every thread and in the
 * JobManager whatever order the job registers its classes in, and a savepoint of one job restores
 * in a job that registers its classes in another order. (msgpack has 128 extension types, several
 * taken by msgpackr: one number per class, derived from its name, would collide.)
 *
 * Two copies of msgpackr's code run here: the ES module for record batches, and its CommonJS
 * bundle for state, snapshots and control values ({@link packValue}, {@link StatePackr}), with the
 * same extensions. Code that V8 optimized for a job's records (their shapes) deoptimized whenever a
 * checkpoint packed a snapshot (other shapes) through the same functions, and ran slower from then
 * on: a checkpoint every second cost the keyed benchmark job 12% of its throughput, 3-5% with the
 * copies apart (bench/README.md).
 */
import { createRequire } from 'node:module';
import { Packr, Unpackr, addExtension } from 'msgpackr';
import { MiniFlinkError } from './errors.js';
import { createPojo, kindOf, pojoTypeByName, pojoTypeOf, pojoTypeOfConstructor, unknownClassName, unregisteredClass, type PojoType } from './pojo-types.js';
import { describeRecord, unserializablePart, unserializableReason } from './unserializable.js';
import { wellFormed } from './utf16.js';

export { unserializablePart };

/** The extension type of instances of registered classes. */
export const POJO_EXTENSION = 0x43;
/** The extension type of Buffers. */
export const BUFFER_EXTENSION = 0x4e;
/** The extension type that rejects functions. */
const FUNCTION_EXTENSION = 0x66;
/** The (never written) extension type of the -0 placeholder, which writes a plain float64. */
const NEGATIVE_ZERO_EXTENSION = 0x7a;
/** The extension type of a Map in a LevelDB state value (see {@link packStateValue}). */
const MAP_EXTENSION = 0x6d;
/** The extension type of a string holding a lone surrogate (its UTF-16 code units). */
const ODD_STRING_EXTENSION = 0x75;
/** The extension type of a plain object with an own `__proto__` key (its keys and values). */
const PROTO_KEY_OBJECT_EXTENSION = 0x6f;
/** The extension type of boxed primitives (new Number(5), new String('a'), Object(1n)). */
const BOXED_EXTENSION = 0x77;
/** The extension type of URLs. */
const URL_EXTENSION = 0x79;

/** Set when the value being packed holds a -0 (see {@link packRecords}). */
let sawNegativeZero = false;
/** Set when the value being packed holds a Map (see {@link packStateValue}). */
let sawMap = false;
/** Set when the value being packed holds a string with a lone surrogate, or an own `__proto__` key (see the table above). */
let sawOdd = false;

/** A string with a lone surrogate, packed as its code units. */
class OddString {
  constructor(readonly s: string) {}
}

/** A plain object with an own `__proto__` key, packed as its keys and values. */
class ProtoKeyObject {
  constructor(readonly flat: unknown[]) {}
}

/** Stands for a Map in a value packed without records: its keys and values, one after the other. */
class MapEntries {
  constructor(readonly flat: unknown[]) {}
}

/**
 * Looks for a -0 anywhere in a value (msgpackr writes -0 as the integer 0), a string with a lone
 * surrogate, and an own `__proto__` key. One pass over the value before msgpackr's (cheaper than
 * msgpackr's per-object hook); built-in objects other than arrays, Maps and Sets hold no numbers
 * or strings to look at (typed arrays keep -0 in their bytes). Object keys with a lone surrogate
 * are not looked for (a check per key costs every record): they become U+FFFD, as in the README.
 */
function scanValue(x: unknown): void {
  if (typeof x === 'number') {
    if (x === 0 && 1 / x < 0) sawNegativeZero = true;
  } else if (typeof x === 'string') {
    if (!wellFormed(x)) sawOdd = true;
  } else if (typeof x === 'object' && x !== null) scanObject(x);
}

function scanObject(x: object): void {
  // `constructor === Object`: the cheap test of a plain object (see record-copy.ts).
  if (x.constructor === Object) {
    scanFields(x);
    return;
  }
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto === Object.prototype) {
    scanFields(x);
  } else if (Array.isArray(x)) {
    // A batch of records, or an array in one: plain objects scanned here, without a call each.
    for (let i = 0; i < x.length; i++) {
      const y: unknown = x[i];
      if (typeof y === 'number') {
        if (y === 0 && 1 / y < 0) sawNegativeZero = true;
      } else if (typeof y === 'string') {
        if (!wellFormed(y)) sawOdd = true;
      } else if (typeof y === 'object' && y !== null) {
        if ((y as object).constructor !== Object) scanObject(y);
        else {
          for (const k in y) {
            if (k === '__proto__') sawOdd = true;
            const z = (y as Record<string, unknown>)[k];
            if (typeof z === 'number') {
              if (z === 0 && 1 / z < 0) sawNegativeZero = true;
            } else if (typeof z === 'string') {
              if (!wellFormed(z)) sawOdd = true;
            } else if (typeof z === 'object' && z !== null) scanObject(z);
          }
        }
      }
    }
  } else if (proto === null) {
    // msgpack has no null prototype: such an object is written as the own-__proto__-key extension, which keeps it.
    sawOdd = true;
    scanFields(x);
  } else if (pojoTypeOf(proto) !== undefined) {
    scanFields(x);
  } else if (x instanceof Map) {
    sawMap = true;
    for (const [k, v] of x) {
      scanValue(k);
      scanValue(v);
    }
  } else if (x instanceof Set) {
    for (const v of x) scanValue(v);
  } else if (kindOf(proto) === 'class') {
    scanFields(x);
  } else if (x instanceof Error) {
    // msgpackr's Error extension writes [name, message, cause] (and an AggregateError's errors).
    scanValue(x.name);
    scanValue(x.message);
    scanValue(x.cause);
    if (x instanceof AggregateError) scanValue(x.errors);
  }
}

function scanFields(o: object): void {
  for (const k in o) {
    if (k === '__proto__') sawOdd = true;
    const x = (o as Record<string, unknown>)[k];
    if (typeof x === 'number') {
      if (x === 0 && 1 / x < 0) sawNegativeZero = true;
    } else if (typeof x === 'string') {
      if (!wellFormed(x)) sawOdd = true;
    } else if (typeof x === 'object' && x !== null) scanObject(x);
  }
}

const packOptions = { useRecords: true, moreTypes: true } as const;
const unpackOptions = packOptions;

/** Stands for a -0 in a value packed again after a -0 was seen: written as a float64 -0. */
class NegativeZero {}
const NEGATIVE_ZERO = new NegativeZero();

/** Matches instances of classes that are neither registered nor built in (see the table above). */
class UnregisteredInstance {
  static [Symbol.hasInstance](v: unknown): boolean {
    if (typeof v !== 'object' || v === null) return false;
    const proto = Object.getPrototypeOf(v) as object | null;
    return proto !== null && proto !== Object.prototype && pojoTypeOf(proto) === undefined && kindOf(proto) === 'class';
  }
}

/** Matches instances of registered classes. */
class PojoInstance {
  static [Symbol.hasInstance](v: unknown): boolean {
    if (typeof v !== 'object' || v === null) return false;
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === null) return false;
    // The type by `constructor` first (cached for a run of the same class), then by prototype.
    const guess = pojoTypeOfConstructor((v as object).constructor);
    matched = guess !== undefined && guess.prototype === proto ? guess : pojoTypeOf(proto);
    return matched !== undefined;
  }
}

/** The type PojoInstance matched last: msgpackr calls its pack function right after. */
let matched: PojoType | undefined;

/** A registered class's name as a msgpack string (kept on its type). */
function encodedName(type: PojoType): Uint8Array {
  let b = type.encodedName;
  if (b === undefined) {
    const utf8 = Buffer.from(type.name, 'utf8');
    const n = utf8.length;
    const head = n < 32 ? [0xa0 | n] : n < 256 ? [0xd9, n] : [0xda, n >> 8, n & 0xff];
    type.encodedName = b = new Uint8Array([...head, ...utf8]);
  }
  return b;
}

/** The CommonJS copy of msgpackr (see above): a module of its own, so code and type feedback of its own. */
const stateMsgpackr = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');

/** Registers this module's extensions with one copy of msgpackr. */
function registerExtensions(add: typeof addExtension): void {
  // addExtension prepends: the last added is tried first. Instances of user classes are tried last
  // among these (a NegativeZero is a class too), registered classes first.
  add({
    Class: UnregisteredInstance as unknown as new () => unknown,
    write(v: object): unknown {
      const proto = Object.getPrototypeOf(v) as object;
      const type = unregisteredClass(proto);
      // Exported by the job module, hence registered just now: write a copy that the POJO extension takes.
      return type !== undefined ? Object.assign(Object.create(type.prototype) as object, v) : v;
    },
  });

  // Boxed primitives and URLs hold their value in internal slots, where msgpack saw an empty object.
  for (const Box of [Number, String, Boolean, BigInt] as const) {
    add({
      Class: Box as unknown as new () => unknown,
      type: BOXED_EXTENSION,
      write(v: object): unknown {
        const x = (v as { valueOf(): unknown }).valueOf();
        // Kinds: n number (z: -0, which msgpack writes as 0), s string, b boolean, i bigint (as text).
        if (typeof x === 'number') return Object.is(x, -0) ? ['z', 0] : ['n', x];
        if (typeof x === 'bigint') return ['i', x.toString()];
        // A lone surrogate in a boxed string: as in any string (the scan does not look into boxes).
        if (typeof x === 'string') return ['s', wellFormed(x) ? x : new OddString(x)];
        return ['b', x];
      },
      read([kind, x]: [string, unknown]): unknown {
        return Object(kind === 'z' ? -0 : kind === 'i' ? BigInt(x as string) : x) as object;
      },
    } as unknown as Parameters<typeof addExtension>[0]);
  }
  add({
    Class: URL,
    type: URL_EXTENSION,
    write: (u: URL) => u.href,
    read: (href: string) => new URL(href),
  } as unknown as Parameters<typeof addExtension>[0]);

  // msgpackr would silently drop a function; Flink fails to serialize it, and so do we.
  add({
    Class: Function,
    type: FUNCTION_EXTENSION,
    write() {
      throw new TypeError('a function cannot be serialized');
    },
    read() {
      return undefined;
    },
  });

  add({
    Class: NegativeZero,
    type: NEGATIVE_ZERO_EXTENSION,
    pack(_v: unknown, allocateForWrite: (size: number) => { target: Uint8Array; position: number }): undefined {
      const { target, position } = allocateForWrite(9);
      target[position] = 0xcb; // float 64
      target[position + 1] = 0x80; // the sign bit; the rest stays 0
      target.fill(0, position + 2, position + 9);
      return undefined;
    },
    unpack: () => -0,
  } as unknown as Parameters<typeof addExtension>[0]);

  add({
    Class: OddString,
    type: ODD_STRING_EXTENSION,
    write: (o: OddString) => {
      const units = new Array<number>(o.s.length);
      for (let i = 0; i < o.s.length; i++) units[i] = o.s.charCodeAt(i);
      return units;
    },
    read(units: number[]) {
      let s = '';
      for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
      return s;
    },
  } as unknown as Parameters<typeof addExtension>[0]);

  add({
    Class: ProtoKeyObject,
    type: PROTO_KEY_OBJECT_EXTENSION,
    write: (o: ProtoKeyObject) => o.flat,
    read(flat: unknown[]) {
      // [null prototype?, key, value, ...]; defineProperty: an assignment to __proto__ would set the prototype.
      const o = (flat[0] === true ? Object.create(null) : {}) as Record<string, unknown>;
      for (let i = 1; i + 1 < flat.length; i += 2) Object.defineProperty(o, flat[i] as string, { value: flat[i + 1], writable: true, enumerable: true, configurable: true });
      return o;
    },
  } as unknown as Parameters<typeof addExtension>[0]);

  add({
    Class: MapEntries,
    type: MAP_EXTENSION,
    write: (m: MapEntries) => m.flat,
    read(flat: unknown[]) {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
      return m;
    },
  } as unknown as Parameters<typeof addExtension>[0]);

  add({
    Class: Buffer,
    type: BUFFER_EXTENSION,
    pack: (b: Buffer) => b,
    unpack: (bytes: Uint8Array) => Buffer.from(bytes),
  } as unknown as Parameters<typeof addExtension>[0]);

  add({
    Class: PojoInstance as unknown as new () => unknown,
    type: POJO_EXTENSION,
    // Writes `fixext1 tag, [name, fields]`: the tag, the array's header and the name's cached bytes
    // itself, then the fields, a plain object (msgpackr's fast path, and a record of this batch).
    pack(v: object, allocateForWrite: (size: number) => { target: Uint8Array; position: number }, pack: (x: unknown) => void): undefined {
      const name = encodedName(matched!);
      const { target, position } = allocateForWrite(4 + name.length);
      target[position] = 0xd4; // fixext 1: a tag, then the value it applies to
      target[position + 1] = POJO_EXTENSION;
      target[position + 2] = 0;
      target[position + 3] = 0x92; // an array of 2
      target.set(name, position + 4);
      pack({ ...v });
      return undefined;
    },
    read(data: unknown): unknown {
      const [name, fields] = data as [string, object];
      const type = pojoTypeByName(name);
      if (type === undefined) {
        unknownClassName(name);
        return fields;
      }
      return createPojo(type, fields);
    },
  } as unknown as Parameters<typeof addExtension>[0]);
}
registerExtensions(addExtension);
registerExtensions(stateMsgpackr.addExtension);

/** msgpackr's Packr for state, snapshots and control values (the copy apart from record batches). */
export const StatePackr: typeof Packr = stateMsgpackr.Packr;
/** msgpackr's Unpackr for state, snapshots and control values. */
export const StateUnpackr: typeof Unpackr = stateMsgpackr.Unpackr;

/**
 * Packs a value; when msgpackr would have written a -0 as 0, packs it again with every -0
 * replaced by a placeholder that writes a float64 -0 (a rare, slower path).
 */
export function packRecords(packr: Packr, v: unknown): Uint8Array {
  sawNegativeZero = false;
  sawOdd = false;
  scanValue(v);
  const packed = packr.pack(v);
  if (!sawNegativeZero && !sawOdd) return packed;
  return packr.pack(withPlaceholders(v, false));
}

/**
 * Packs a state value with a Packr that writes no records (the LevelDB backend's: each value
 * stands alone). Without records msgpackr writes a Map and a plain object alike, as a msgpack
 * map, and reads both back as plain objects: a Map is written as the map extension instead (and
 * -0 as a float64, as packRecords does), so that it comes back a Map.
 */
export function packStateValue(packr: Packr, v: unknown): Uint8Array {
  sawNegativeZero = false;
  sawMap = false;
  sawOdd = false;
  scanValue(v);
  if (!sawNegativeZero && !sawMap && !sawOdd) return packr.pack(v);
  return packr.pack(withPlaceholders(v, true));
}

/** A copy of the parts of v that hold a -0 (or a Map, with `maps`), with the placeholder in its place. */
function withPlaceholders(v: unknown, maps: boolean): unknown {
  const again = (x: unknown) => withPlaceholders(x, maps);
  if (typeof v === 'number') return v === 0 && 1 / v < 0 ? NEGATIVE_ZERO : v;
  if (typeof v === 'string') return wellFormed(v) ? v : new OddString(v);
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(again);
  if (v instanceof Map) {
    if (maps && v.constructor === Map) return new MapEntries([...v].flatMap(([k, x]) => [again(k), again(x)]));
    return new Map([...v].map(([k, x]) => [again(k), again(x)]));
  }
  if (v instanceof Set) return new Set([...v].map(again));
  // A URL keeps its value in private fields: the URL extension writes it (a copy of its fields would be {}).
  if (v instanceof URL) return v;
  const proto = Object.getPrototypeOf(v) as object | null;
  const fields = (target: Record<string, unknown>) => {
    for (const k of Object.keys(v)) Object.defineProperty(target, k, { value: again((v as Record<string, unknown>)[k]), writable: true, enumerable: true, configurable: true });
    return target;
  };
  if (proto === null || (proto === Object.prototype && Object.prototype.hasOwnProperty.call(v, '__proto__'))) {
    return new ProtoKeyObject([proto === null, ...Object.keys(v).flatMap((k) => [k, again((v as Record<string, unknown>)[k])])]);
  }
  if (proto === Object.prototype) return fields({});
  if (pojoTypeOf(proto) !== undefined) return fields(Object.create(proto) as Record<string, unknown>);
  if (kindOf(proto) === 'class') {
    const type = unregisteredClass(proto);
    return fields(type !== undefined ? (Object.create(type.prototype) as Record<string, unknown>) : {});
  }
  if (v instanceof Error) {
    // What msgpackr's Error extension reads of it, with the placeholders in its message and cause.
    const e = Object.create(proto) as Record<string, unknown>;
    const own = (k: string, x: unknown) => Object.defineProperty(e, k, { value: x, writable: true, enumerable: false, configurable: true });
    own('name', again(v.name));
    own('message', again(v.message));
    own('cause', again(v.cause));
    if (v instanceof AggregateError) own('errors', again(v.errors));
    return e;
  }
  return v;
}

/** Packs and unpacks record batches. One instance per thread is enough; it is not reentrant. */
export class RecordBatchCodec {
  private readonly packr = new Packr(packOptions);
  private readonly unpackr = new Unpackr(unpackOptions);

  /**
   * Packs the records into a standalone byte array (its own ArrayBuffer, safe to transfer).
   * Throws MF_ERR_SERIALIZATION naming the first record that cannot be serialized and why.
   */
  encode(records: readonly unknown[]): Uint8Array {
    let packed: Uint8Array;
    try {
      packed = packRecords(this.packr, records);
    } catch (e) {
      throw serializationError(records, e);
    }
    // msgpackr returns a view of its reusable buffer: copy out the bytes of this batch.
    return new Uint8Array(packed);
  }

  /** Unpacks a batch. */
  decode(bytes: Uint8Array): unknown[] {
    return this.unpackr.unpack(bytes) as unknown[];
  }
}

function serializationError(records: readonly unknown[], cause: unknown): MiniFlinkError {
  const bad = records.find((r) => {
    try {
      new Packr(packOptions).pack(r);
      return false;
    } catch {
      return true;
    }
  });
  const reason = unserializableReason(bad, cause);
  return new MiniFlinkError('MF_ERR_SERIALIZATION', `Could not serialize record ${describeRecord(bad)} to send it to the next task: ${reason}`, { cause });
}

/** Packs one value (state, control data) into a standalone byte array. */
export function packValue(v: unknown): Uint8Array {
  return new Uint8Array(packRecords(new StatePackr(packOptions), v));
}

/** Unpacks one value packed by {@link packValue}. */
export function unpackValue(bytes: Uint8Array): unknown {
  return new StateUnpackr(unpackOptions).unpack(bytes);
}
