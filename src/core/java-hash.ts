/**
 * Java's hashCode for the keys a JavaScript job uses, so keys land where Flink would put them.
 *
 * - string: String.hashCode (UTF-16 code units, as Java's).
 * - integer in int range: Integer.hashCode (the value); other safe integers: Long.hashCode;
 *   other numbers: Double.hashCode; bigint: Long.hashCode of its 64-bit two's complement.
 * - boolean: Boolean.hashCode (1231 / 1237).
 * - array: Flink's Tuple hashCode (31 * h + hash(field), starting from the first field).
 * - anything else (plain objects): String.hashCode of a canonical JSON text with sorted keys,
 *   a stable hash of the serialized key as DESIGN.md 2.2 asks.
 * null and undefined are not keys: the caller rejects them before hashing.
 */

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
    if (Number.isSafeInteger(n)) return longHashCode(BigInt(n));
  }
  return doubleHashCode(n);
}

/** Canonical JSON with sorted object keys (stable across engines and insertion orders). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** Java-compatible hashCode of a key. */
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
    default:
      break;
  }
  if (Array.isArray(key)) {
    let h = 0;
    for (let i = 0; i < key.length; i++) {
      const f = key[i];
      const fh = f === null || f === undefined ? 0 : javaHashCode(f);
      h = i === 0 ? fh : (Math.imul(h, 31) + fh) | 0;
    }
    return h;
  }
  return stringHashCode(canonicalJson(key));
}
