/**
 * Keys as Map keys: primitives stand for themselves; arrays and objects become their canonical
 * JSON behind a NUL marker, so that `['a', 1]` and the string `'["a",1]'` never collide.
 */
import { canonicalJson } from '../core/java-hash.js';

/** A value usable as a Map key with value equality. */
export type NormalizedKey = string | number | boolean | bigint;

/** Normalizes a key for Map lookups. */
export function normalizeKey(key: unknown): NormalizedKey {
  switch (typeof key) {
    case 'string':
      // A string that starts with NUL is marked too, so it can never pass for an object key.
      return key.charCodeAt(0) === 0 ? `\u0000s${key}` : key;
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    default:
      return `\u0000j${canonicalJson(key)}`;
  }
}

/** The key a normalized key stands for (objects come back in canonical form). */
export function denormalizeKey(k: NormalizedKey): unknown {
  if (typeof k !== 'string' || k.charCodeAt(0) !== 0) return k;
  return k[1] === 's' ? k.slice(2) : JSON.parse(k.slice(2));
}
