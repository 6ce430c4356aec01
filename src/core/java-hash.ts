/**
 * Java's hashCode for the keys a JavaScript job uses, so keys land where Flink would put them.
 *
 * - string: String.hashCode (UTF-16 code units, as Java's).
 * - integer in int range: Integer.hashCode (the value, so -0 hashes as 0); other safe integers:
 *   Long.hashCode; other numbers: Double.hashCode (every NaN as Java's one NaN);
 *   bigint: Long.hashCode of its 64-bit two's complement (bigints past 64 bits share hashes with
 *   their low 64 bits, and stay distinct keys).
 * - boolean: Boolean.hashCode (1231 / 1237).
 * - Date: java.util.Date.hashCode, Long.hashCode of its epoch milliseconds.
 * - array: Flink's Tuple hashCode (31 * h + hash(field), starting from the first field).
 * - Map: Java's AbstractMap.hashCode, the sum of hash(key) ^ hash(value) over the entries; Set:
 *   AbstractSet.hashCode, the sum of the elements' hashes. Sums do not depend on the order, so a
 *   Map or Set hashes alike whatever order it was built in (and as Java's HashMap and HashSet of
 *   the same Java values do).
 * - plain object, registered POJO instance: String.hashCode of its canonical key text (key-text.ts:
 *   JSON with sorted keys for JSON data; a POJO's class name and fields), a stable hash of the
 *   serialized key as DESIGN.md 2.2 asks.
 * - null and undefined (only inside a key; the caller rejects them as keys): 0, as Java's null.
 * Keys that are equal by value (key-text.ts) have equal hashes. A key that cannot be keyed by value
 * (a function, a symbol, a cycle, an invalid Date, an instance of a class that is not a registered
 * POJO type) throws MF_ERR_INVALID_KEY.
 */
import { INVALID_KEY_PART, MAX_KEY_DEPTH, invalidKeyError, keyObjectKind, writeKeyText } from './key-text.js';

/** Java's String.hashCode. */
export function stringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java's Long.hashCode of a signed 64-bit value. */
export function longHashCode(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
}

/** Java's Long.hashCode of a safe integer, without a bigint: (int) (low 32 bits ^ high 32 bits). */
export function safeLongHashCode(n: number): number {
  const high = Math.floor(n / 4294967296);
  return ((n - high * 4294967296) ^ high) | 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Java's Double.hashCode (doubleToLongBits, with NaN canonicalised). */
export function doubleHashCode(d: number): number {
  f64[0] = Number.isNaN(d) ? NaN : d;
  // Little-endian: u32[0] is the low word, u32[1] the high word.
  return (u32[0]! ^ u32[1]!) | 0;
}

/** Hash of a number as Java would box it (Integer, Long or Double). */
export function numberHashCode(n: number): number {
  if (Number.isInteger(n)) {
    if (n >= -2147483648 && n <= 2147483647) return n | 0;
    if (Number.isSafeInteger(n)) return safeLongHashCode(n);
  }
  return doubleHashCode(n);
}

/** Java-compatible hashCode of a key; throws MF_ERR_INVALID_KEY for a key with no value form. */
export function javaHashCode(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return stringHashCode(key);
    case 'number':
      return numberHashCode(key);
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return longHashCode(key);
    case 'undefined':
      return 0;
    case 'object':
      if (key === null) return 0;
      try {
        return objectHashCode(key, 0);
      } catch (e) {
        if (e === INVALID_KEY_PART) throw invalidKeyError(key);
        throw e;
      }
    default:
      throw invalidKeyError(key);
  }
}

/** Hash of a part of a key at `depth` (enclosing objects); throws INVALID_KEY_PART (javaHashCode names it). */
function partHashCode(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return stringHashCode(v);
    case 'number':
      return numberHashCode(v);
    case 'boolean':
      return v ? 1231 : 1237;
    case 'bigint':
      return longHashCode(v);
    case 'undefined':
      return 0;
    case 'object':
      return v === null ? 0 : objectHashCode(v, depth);
    default:
      throw INVALID_KEY_PART;
  }
}

/**
 * Hash of an object in a key with `depth` objects around it. A cycle shows as depth past
 * MAX_KEY_DEPTH (counting allocates nothing, as a stack of enclosing objects would per key).
 */
function objectHashCode(o: object, depth: number): number {
  if (depth >= MAX_KEY_DEPTH) throw INVALID_KEY_PART;
  let h = 0;
  switch (keyObjectKind(o)) {
    case 'array': {
      const a = o as unknown[];
      for (let i = 0; i < a.length; i++) {
        const fh = partHashCode(a[i], depth + 1);
        h = i === 0 ? fh : (Math.imul(h, 31) + fh) | 0;
      }
      return h;
    }
    case 'plain':
    case 'pojo':
      return stringHashCode(writeKeyText(o, depth));
    case 'date':
      return safeLongHashCode((o as Date).getTime());
    case 'map':
      for (const [k, v] of o as Map<unknown, unknown>) h = (h + (partHashCode(k, depth + 1) ^ partHashCode(v, depth + 1))) | 0;
      return h;
    case 'set':
      for (const v of o as Set<unknown>) h = (h + partHashCode(v, depth + 1)) | 0;
      return h;
    default:
      throw INVALID_KEY_PART;
  }
}
