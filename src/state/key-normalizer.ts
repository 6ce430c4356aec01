/**
 * Keys as Map keys with value equality, and back.
 *
 *   key                                  normalized key
 *   string not starting with NUL         the string itself
 *   string starting with NUL             "\0s" + the string
 *   number                               the number; every NaN as the one NaN
 *   boolean, bigint                      itself
 *   anything else (Date, array, plain    "\0k" + its canonical key text (core/key-text.ts),
 *   object, Map, Set, registered POJO;   which compares by value and reads back
 *   null, undefined)
 *
 * A string key stands for itself unless it starts with NUL, so an encoded key (always NUL first)
 * never collides with a string. JS numbers: -0 and 0 are one key. Java's Double.equals tells -0.0
 * from 0.0, but a JS number key that is an integer is Java's Integer (java-hash.ts), which has no
 * -0; and nothing here tells them apart: a Map stores -0 as 0, msgpack (records between tasks,
 * LevelDB's byte keys) writes -0 as the integer 0, key text writes 0. So -0 needs no compare of
 * its own on this per-record path. NaN is one key, as Java's Double.equals and a JS Map have it;
 * normalizeKey gives every NaN the one bit pattern, so LevelDB's byte keys agree too.
 *
 * The normalized key is what the heap backend's maps and the LevelDB backend's byte keys (msgpack
 * of it) are keyed by. {@link denormalizeKey} gives back a key of the same types (a Date stays a
 * Date, a bigint a bigint, a Map a Map, nested): snapshots list keys as the user's keys.
 * normalizeKey runs per record: primitives return at once, without allocating.
 */
import { checkState } from '../core/errors.js';
import { canonicalKeyText, parseKeyText } from '../core/key-text.js';

/** A value usable as a Map key with value equality. */
export type NormalizedKey = string | number | boolean | bigint;

/**
 * Normalizes a key for Map lookups. Throws MF_ERR_INVALID_KEY for a key that cannot be keyed by
 * value (a function, a symbol, a cycle, an invalid Date, an unregistered class's instance).
 */
export function normalizeKey(key: unknown): NormalizedKey {
  switch (typeof key) {
    case 'string':
      // A string that starts with NUL is marked too, so it can never pass for an encoded key.
      return key.charCodeAt(0) === 0 ? `\u0000s${key}` : key;
    case 'number':
      // NaN is one key with one bit pattern; -0 is 0 everywhere it is stored (see above).
      return key === key ? key : NaN;
    case 'boolean':
    case 'bigint':
      return key;
    default:
      return `\u0000k${canonicalKeyText(key)}`;
  }
}

/** The key a normalized key stands for: the same types, deep-equal to the key normalized. */
export function denormalizeKey(k: NormalizedKey): unknown {
  if (typeof k !== 'string' || k.charCodeAt(0) !== 0) return k;
  if (k.charCodeAt(1) === 0x73 /* s */) return k.slice(2);
  checkState(k.charCodeAt(1) === 0x6b /* k */, `Not a normalized key: ${JSON.stringify(k.slice(0, 100))}`);
  return parseKeyText(k, 2);
}
