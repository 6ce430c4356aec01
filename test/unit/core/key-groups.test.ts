import { describe, expect, it } from 'vitest';
import { javaHashCode } from '../../../src/core/java-hash.js';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  computeDefaultMaxParallelism,
  computeKeyGroupForKeyHash,
  computeKeyGroupRangeForOperatorIndex,
  computeOperatorIndexForKeyGroup,
  murmurHash,
} from '../../../src/core/key-groups.js';

// Expected values computed by Java (javac/java 17) running Flink's MathUtils.murmurHash and
// KeyGroupRangeAssignment arithmetic on the same keys: hashCode, murmur, key group at 128 and 4096.
const JAVA: Array<[unknown, number, number, number, number]> = [
  ['', 0, 593689054, 94, 2526],
  ['a', 97, 1455541201, 81, 3025],
  ['hello', 99162322, 1715862179, 35, 2723],
  ['w42', 116021, 1034186642, 18, 3986],
  ['Flink', 67968320, 688019071, 127, 1663],
  ['\u00e9t\u00e9', 227742, 157703301, 5, 3205],
  ['\uD83D\uDE00x', 54959989, 1998616508, 60, 1980],
  [0, 0, 593689054, 94, 2526],
  [1, 1, 68075478, 86, 4054],
  [-1, -1, 1982413648, 80, 2896],
  [42, 42, 1134849565, 29, 3613],
  [2147483647, 2147483647, 1653689534, 62, 3262],
  [-2147483648, -2147483648, 1718298732, 108, 2156],
  [10000000000, 1410065410, 1003369709, 109, 1261],
  [-5n, 4, 1889779975, 7, 263],
  [1.5, 1073217536, 1684538177, 65, 833],
  [3.14159, -1340954729, 418874799, 47, 1455],
  [true, 1231, 1090530765, 77, 3533],
  [false, 1237, 1530821891, 3, 3331],
];

describe('key groups', () => {
  it.each(JAVA)('key groups - %s hashes and lands as in Flink', (key, hash, murmur, kg128, kg4096) => {
    expect(javaHashCode(key)).toBe(hash);
    expect(murmurHash(hash)).toBe(murmur);
    expect(assignToKeyGroup(key, 128)).toBe(kg128);
    expect(assignToKeyGroup(key, 4096)).toBe(kg4096);
  });

  it('key groups - default max parallelism follows Flink', () => {
    const expected: Array<[number, number]> = [[1, 128], [2, 128], [8, 128], [100, 256], [1000, 2048], [30000, 32768]];
    for (const [p, maxP] of expected) expect(computeDefaultMaxParallelism(p)).toBe(maxP);
  });

  it('key groups - ranges cover every key group once and agree with the operator index', () => {
    for (const [maxP, p] of [[128, 3], [128, 7], [4096, 5], [10, 10]] as const) {
      const seen = new Array(maxP).fill(0);
      for (let i = 0; i < p; i++) {
        const r = computeKeyGroupRangeForOperatorIndex(maxP, p, i);
        for (let kg = r.startKeyGroup; kg <= r.endKeyGroup; kg++) {
          seen[kg]++;
          expect(computeOperatorIndexForKeyGroup(maxP, p, kg)).toBe(i);
        }
      }
      expect(seen.every((n) => n === 1)).toBe(true);
    }
  });

  it('key groups - tuple keys hash like Flink tuples', () => {
    // Tuple2("a", 1).hashCode() = 31 * "a".hashCode() + 1
    expect(javaHashCode(['a', 1])).toBe(31 * 97 + 1);
  });

  // java.util.Date.hashCode() = (int) t ^ (int) (t >> 32) of its epoch millis t, values from that formula.
  it.each([
    [0, 0],
    [1, 1],
    [-1, 0],
    [86_400_000, 86_400_000],
    [1_700_000_000_000, -807048821],
    [-1_700_000_000_000, -807049612],
    [8_640_000_000_000_000, -1027427832],
  ])('key groups - new Date(%d) hashes as Java Date.hashCode (%d) and lands by that hash', (ms, hash) => {
    expect(javaHashCode(new Date(ms))).toBe(hash);
    expect(assignToKeyGroup(new Date(ms), 128)).toBe(computeKeyGroupForKeyHash(hash, 128));
  });

  it('key groups - Dates of different times land by their time (they no longer share one key group)', () => {
    const groups = new Set(Array.from({ length: 64 }, (_, i) => assignToKeyGroup(new Date(i), 128)));
    expect(groups.size).toBeGreaterThan(20);
  });

  it('key groups - Map and Set hash as Java HashMap and HashSet of the same values, whatever the insertion order', () => {
    // Map.of("a", 1, "b", 2).hashCode() = ("a".hashCode() ^ 1) + ("b".hashCode() ^ 2) = 96 + 96
    expect(javaHashCode(new Map([['a', 1], ['b', 2]]))).toBe(192);
    expect(javaHashCode(new Map([['b', 2], ['a', 1]]))).toBe(192);
    // Set.of("a", "b").hashCode() = 97 + 98
    expect(javaHashCode(new Set(['b', 'a']))).toBe(195);
    expect(assignToKeyGroup(new Map([['b', 2], ['a', 1]]), 4096)).toBe(assignToKeyGroup(new Map([['a', 1], ['b', 2]]), 4096));
  });

  it('key groups - keyBy channels and backend key groups agree for keys of every kind', () => {
    const keys = ['w1', 7, 2n ** 70n, new Date(5), ['a', 1n, new Map([['m', new Set([1])]])], { d: new Date(5), s: new Set(['x']) }];
    for (const key of keys) {
      const kg = assignToKeyGroup(key, 128);
      expect(assignKeyToParallelOperator(key, 128, 3)).toBe(computeOperatorIndexForKeyGroup(128, 3, kg));
    }
  });

  it('key groups - a key that cannot be keyed by value fails with MF_ERR_INVALID_KEY', () => {
    expect(() => assignToKeyGroup({ f: () => 1 }, 128)).toThrow(expect.objectContaining({ code: 'MF_ERR_INVALID_KEY' }));
    expect(() => assignKeyToParallelOperator(Symbol('s'), 128, 2)).toThrow(/key is a symbol/);
  });
});
