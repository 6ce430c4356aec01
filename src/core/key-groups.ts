/**
 * Flink's key-group arithmetic (KeyGroupRangeAssignment and MathUtils), bit for bit.
 *
 * A key goes to key group `murmur(hash(key)) % maxParallelism`; a key group goes to operator index
 * `keyGroup * parallelism / maxParallelism`. Keeping both exactly as Flink's means keyed state can be
 * redistributed when the parallelism changes, and that a key lands on the same subtask as in Flink.
 */
import { javaHashCode } from './java-hash.js';

/** Flink's lower bound of the default max parallelism. */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
/** Flink's upper bound of any max parallelism (2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

/** An inclusive range of key groups [start, end]; empty when end < start. */
export class KeyGroupRange {
  constructor(
    /** First key group of the range. */
    readonly startKeyGroup: number,
    /** Last key group of the range, inclusive. */
    readonly endKeyGroup: number,
  ) {}

  /** Number of key groups in the range. */
  get numberOfKeyGroups(): number {
    return Math.max(0, this.endKeyGroup - this.startKeyGroup + 1);
  }

  /** Whether the key group lies in this range. */
  contains(keyGroup: number): boolean {
    return keyGroup >= this.startKeyGroup && keyGroup <= this.endKeyGroup;
  }

  /** The range as Flink prints it. */
  toString(): string {
    return `KeyGroupRange{startKeyGroup=${this.startKeyGroup}, endKeyGroup=${this.endKeyGroup}}`;
  }
}

/** Java's Integer.rotateLeft on a 32-bit int. */
function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Flink's MathUtils.bitMix (murmur3's fmix32). */
export function bitMix(input: number): number {
  let h = input | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Flink's MathUtils.murmurHash(int): a non-negative int. */
export function murmurHash(code: number): number {
  let c = code | 0;
  c = Math.imul(c, 0xcc9e2d51);
  c = rotl32(c, 15);
  c = Math.imul(c, 0x1b873593);
  c = rotl32(c, 13);
  c = (Math.imul(c, 5) + 0xe6546b64) | 0;
  c ^= 4;
  c = bitMix(c);
  if (c >= 0) return c;
  if (c !== -2147483648) return -c;
  return 0;
}

/** Flink's MathUtils.roundUpToPowerOfTwo for positive ints. */
export function roundUpToPowerOfTwo(x: number): number {
  let v = x - 1;
  v |= v >> 1;
  v |= v >> 2;
  v |= v >> 4;
  v |= v >> 8;
  v |= v >> 16;
  return v + 1;
}

/** Key group of a key hash: `murmurHash(keyHash) % maxParallelism`. */
export function computeKeyGroupForKeyHash(keyHash: number, maxParallelism: number): number {
  return murmurHash(keyHash) % maxParallelism;
}

/**
 * Key group of a key, hashing it as Java would (see java-hash.ts: keys hash by value, so a Date,
 * Map or Set lands by what it holds). Throws MF_ERR_INVALID_KEY for a key with no value form.
 */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return computeKeyGroupForKeyHash(javaHashCode(key), maxParallelism);
}

/** Operator index that owns a key group. */
export function computeOperatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** Operator index a key goes to (keyBy's channel; throws as assignToKeyGroup). */
export function assignKeyToParallelOperator(key: unknown, maxParallelism: number, parallelism: number): number {
  return computeOperatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/** The key groups owned by one operator index. */
export function computeKeyGroupRangeForOperatorIndex(maxParallelism: number, parallelism: number, operatorIndex: number): KeyGroupRange {
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return new KeyGroupRange(start, end);
}

/** Flink's default max parallelism: min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768). */
export function computeDefaultMaxParallelism(parallelism: number): number {
  return Math.min(
    Math.max(roundUpToPowerOfTwo(parallelism + Math.floor(parallelism / 2)), DEFAULT_LOWER_BOUND_MAX_PARALLELISM),
    UPPER_BOUND_MAX_PARALLELISM,
  );
}
