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
    case 'number':
    case 'boolean':
    case 'bigint':
      return key;
    default:
      return `\u0000${canonicalJson(key)}`;
  }
}
