/**
 * javaHashCode hashes keys by value: Java's hashCode for what Java has (strings, numbers, bigints as
 * Long, booleans, Date, tuples, HashMap, HashSet), a stable text hash for plain objects, and a clear
 * MF_ERR_INVALID_KEY for keys with no value form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaHashCode, longHashCode, safeLongHashCode } from '../../../src/core/java-hash.js';
import { setPojoWarningSink } from '../../../src/core/pojo-types.js';

/** The canonical JSON that plain-object keys were hashed by before keys by value (kept for their key groups). */
function oldCanonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(oldCanonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${oldCanonicalJson(o[k])}`)
    .join(',')}}`;
}

function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

const invalid = expect.objectContaining({ code: 'MF_ERR_INVALID_KEY' });

// An unregistered class's instance as a key warns as a record would (pojo-types.ts): keep the output clean.
let restoreWarnings: (message: string) => void;
beforeAll(() => {
  restoreWarnings = setPojoWarningSink(() => {});
});
afterAll(() => {
  setPojoWarningSink(restoreWarnings);
});

describe('java hash', () => {
  it('java hash - safe integers hash as Long without a bigint, as the bigint path does', () => {
    const samples = [2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 10_000_000_000, -10_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (let i = 0; i < 2000; i++) samples.push(Math.round((Math.random() - 0.5) * 2 * Number.MAX_SAFE_INTEGER));
    for (const n of samples) expect(safeLongHashCode(n), String(n)).toBe(longHashCode(BigInt(n)));
    expect(javaHashCode(-10_000_000_000)).toBe(1410065405);
  });

  it('java hash - -0 hashes as 0 and every NaN as one NaN', () => {
    expect(javaHashCode(-0)).toBe(javaHashCode(0));
    const f = new Float64Array([NaN]);
    new Uint32Array(f.buffer)[0] = 1; // a NaN with another payload
    expect(javaHashCode(f[0])).toBe(javaHashCode(NaN));
    expect(javaHashCode(NaN)).toBe(2146959360); // Double.valueOf(Double.NaN).hashCode()
  });

  it('java hash - bigint hashes as Long, also inside a composite key', () => {
    expect(javaHashCode(5n)).toBe(5);
    expect(javaHashCode(-5n)).toBe(4);
    // Tuple2("g", 5L).hashCode() = 31 * "g".hashCode() + Long.hashCode(5)
    expect(javaHashCode(['g', 5n])).toBe(31 * 103 + 5);
    expect(() => javaHashCode({ big: 2n ** 80n })).not.toThrow();
  });

  it('java hash - plain objects of JSON data hash as before (String.hashCode of their canonical JSON)', () => {
    for (const o of [{ a: 1, b: 'x' }, { b: [1, 'two', { c: null }], a: true }, {}, { 'we ird': -0, n: 1.5e300 }]) {
      expect(javaHashCode(o)).toBe(stringHash(oldCanonicalJson(o)));
    }
  });

  it('java hash - plain objects, Maps and Sets hash alike whatever the insertion order', () => {
    expect(javaHashCode({ a: 1, b: 2 })).toBe(javaHashCode({ b: 2, a: 1 }));
    const m1 = new Map<unknown, unknown>([['a', new Date(1)], [2n, { x: [1, 2] }], [new Set([1, 2]), 'set']]);
    const m2 = new Map<unknown, unknown>([[new Set([2, 1]), 'set'], [2n, { x: [1, 2] }], ['a', new Date(1)]]);
    expect(javaHashCode(m1)).toBe(javaHashCode(m2));
    expect(javaHashCode({ m: m1 })).toBe(javaHashCode({ m: m2 }));
    expect(javaHashCode([m1, 'k'])).toBe(javaHashCode([m2, 'k']));
  });

  it('java hash - a Date inside an object or a tuple hashes by its time (before: every Date was {})', () => {
    expect(javaHashCode({ d: new Date(0) })).not.toBe(javaHashCode({ d: new Date(1) }));
    expect(javaHashCode(['k', new Date(0)])).toBe(31 * 107 + 0);
    expect(javaHashCode(['k', new Date(1)])).toBe(31 * 107 + 1);
  });

  it('java hash - null and undefined inside a tuple hash as Java null (0)', () => {
    expect(javaHashCode(['a', null])).toBe(31 * 97);
    expect(javaHashCode(['a', undefined])).toBe(31 * 97);
  });

  it('java hash - functions, symbols, cycles, invalid Dates and class instances fail naming the part', () => {
    const cyclic: unknown[] = ['x'];
    cyclic.push(cyclic);
    const cyclicMap = new Map<string, unknown>();
    cyclicMap.set('self', { back: cyclicMap });
    class Point {
      constructor(readonly x: number) {}
    }
    const cases: Array<[unknown, RegExp]> = [
      [() => 1, /key is a function/],
      [Symbol('s'), /Symbol\(s\) as a key: key is a symbol/],
      [['a', { f() {} }], /key\[1\]\.f is a function/],
      [cyclic, /key\[1\] refers back to an enclosing object \(a cycle\)/],
      [cyclicMap, /key\.get\('self'\)\.back refers back to an enclosing object \(a cycle\)/],
      [{ when: new Date(NaN) }, /key\.when is an invalid Date/],
      [new Point(1), /key is an instance of class Point, which is not a registered POJO type/],
      [[new Uint8Array(2)], /key\[0\] is an instance of the built-in class Uint8Array/],
      [new Set([Symbol.iterator]), /key \(element 0\) is a symbol/],
    ];
    for (const [key, message] of cases) {
      expect(() => javaHashCode(key)).toThrow(invalid);
      expect(() => javaHashCode(key)).toThrow(message);
    }
  });

  it('java hash - keys nest up to 100 levels deep; deeper fails as a cycle would, named as too deep', () => {
    const nest = (levels: number, inner: (x: unknown) => unknown) => {
      let k: unknown = 'leaf';
      for (let i = 0; i < levels; i++) k = inner(k);
      return k;
    };
    for (const inner of [(x: unknown) => [x], (x: unknown) => ({ x }), (x: unknown) => new Set([x])]) {
      expect(() => javaHashCode(nest(100, inner))).not.toThrow();
      expect(() => javaHashCode(nest(101, inner))).toThrow(invalid);
      expect(() => javaHashCode(nest(101, inner))).toThrow(/is nested more than 100 levels deep/);
    }
  });

  it('java hash - a value shared twice without a cycle is a fine key', () => {
    const shared = { a: 1 };
    expect(javaHashCode([shared, shared])).toBe(javaHashCode([{ a: 1 }, { a: 1 }]));
  });
});
