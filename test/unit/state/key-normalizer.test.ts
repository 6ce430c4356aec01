/**
 * normalizeKey gives keys value equality (as Map keys and LevelDB byte keys) and denormalizeKey
 * gives back the very types: a Date stays a Date, a bigint a bigint, a Map a Map, nested.
 */
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { javaHashCode } from '../../../src/core/java-hash.js';
import { canonicalKeyText, parseKeyText } from '../../../src/core/key-text.js';
import { registerPojoType, setPojoWarningSink } from '../../../src/core/pojo-types.js';
import { denormalizeKey, normalizeKey } from '../../../src/state/key-normalizer.js';

const same = (a: unknown, b: unknown) => expect(normalizeKey(a)).toBe(normalizeKey(b));
const differ = (a: unknown, b: unknown) => expect(normalizeKey(a)).not.toBe(normalizeKey(b));
const invalid = expect.objectContaining({ code: 'MF_ERR_INVALID_KEY' });

/** Keys of every kind, alone and nested. */
const KEYS: unknown[] = [
  'word',
  '',
  '\u0000starts with NUL',
  '\u0000k{"a":1}',
  '["a",1]',
  42,
  1.5,
  -7,
  Infinity,
  -Infinity,
  NaN,
  true,
  false,
  5n,
  -(2n ** 63n),
  2n ** 100n,
  new Date(0),
  new Date(1_700_000_000_123),
  new Date(-5),
  ['a', 1],
  [],
  [[1, [2, [3]]], 'x'],
  ['g', 7n, true],
  { a: 1, b: 'x' },
  {},
  { nested: { deeper: [1, { d: new Date(3) }] } },
  { 'we"ird': 'quo"te\\', 'ü': '\uD83D\uDE00', '': 'empty name', '__proto__x': 1 },
  new Map<unknown, unknown>([['a', 1], [2, 'b']]),
  new Map(),
  new Map<unknown, unknown>([[new Date(1), [1n, null]], [{ k: 'obj' }, new Set(['s'])]]),
  new Set([1, 'one', 1n]),
  new Set(),
  [null, undefined, NaN, Infinity, -Infinity, 1e21, 1e-7, 2 ** 53],
  { u: undefined, n: null },
  [new Date(9), new Map([['x', new Set([new Date(10)])]]), { big: 12345678901234567890123n }],
];

// An unregistered class's instance as a key warns as a record would (pojo-types.ts): keep the output clean.
let restoreWarnings: (message: string) => void;
beforeAll(() => {
  restoreWarnings = setPojoWarningSink(() => {});
});
afterAll(() => {
  setPojoWarningSink(restoreWarnings);
});

describe('key normalizer', () => {
  it.each(KEYS.map((k) => [k]))('keys - %o comes back as itself, of the same types', (key) => {
    const back = denormalizeKey(normalizeKey(key));
    expect(back).toStrictEqual(key);
    // A second round trip is stable (what a restore followed by a snapshot does).
    expect(normalizeKey(back)).toBe(normalizeKey(key));
  });

  it('keys - every key of the list is a different key', () => {
    const normalized = KEYS.map((k) => normalizeKey(k));
    expect(new Set(normalized).size).toBe(KEYS.length);
  });

  it('keys - primitives stand for themselves (the per-record path allocates nothing)', () => {
    for (const k of ['w42', 42, 1.5, true, 7n, '']) expect(normalizeKey(k)).toBe(k);
  });

  it('keys - Dates compare by their time (before: every Date was one key, {})', () => {
    same(new Date(5), new Date(5));
    differ(new Date(0), new Date(1));
    differ(new Date(0), 0);
    differ(new Date(0), '1970-01-01T00:00:00.000Z');
    differ({ at: new Date(0) }, { at: new Date(1) });
    expect(denormalizeKey(normalizeKey(new Date(1)))).toBeInstanceOf(Date);
  });

  it('keys - a bigint inside a composite key works (before: "Do not know how to serialize a BigInt")', () => {
    same(['g', 5n], ['g', 5n]);
    differ(['g', 5n], ['g', 5]);
    differ(['g', 5n], ['g', '5n']);
    differ({ v: 2n ** 64n }, { v: 0n });
    expect(denormalizeKey(normalizeKey({ v: 2n ** 64n }))).toStrictEqual({ v: 2n ** 64n });
  });

  it('keys - Maps, Sets and plain objects compare by value whatever the insertion order', () => {
    same(new Map([['a', 1], ['b', 2]]), new Map([['b', 2], ['a', 1]]));
    differ(new Map([['a', 1], ['b', 2]]), new Map([['a', 2], ['b', 1]]));
    differ(new Map([['a', 1]]), { a: 1 });
    differ(new Map([['1', 'x']]), new Map([[1, 'x']]));
    same(new Set([1, 2, 3]), new Set([3, 1, 2]));
    differ(new Set([1, 2]), [1, 2]);
    differ(new Set(['1']), new Set([1]));
    same({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 });
    same(new Map([[{ x: 1, y: 2 }, new Set(['p', 'q'])]]), new Map([[{ y: 2, x: 1 }, new Set(['q', 'p'])]]));
    // Arrays keep their order: a tuple is not a set.
    differ([1, 2], [2, 1]);
  });

  it('keys - -0 is the key 0 and every NaN is one key, alone and inside', () => {
    // -0 is 0 as a Map key and in msgpack (LevelDB's byte keys), and in key text.
    const m = new Map([[normalizeKey(-0), 'x']]);
    expect(m.get(normalizeKey(0))).toBe('x');
    expect(Object.is([...m.keys()][0], 0)).toBe(true);
    expect(Buffer.from(new Packr({ useRecords: false, moreTypes: true }).pack(normalizeKey(-0)))).toEqual(Buffer.from(new Packr({ useRecords: false, moreTypes: true }).pack(normalizeKey(0))));
    same([-0], [0]);
    same({ z: -0 }, { z: 0 });
    same(NaN, 0 / 0);
    const f = new Float64Array([NaN]);
    new Uint32Array(f.buffer)[0] = 1; // a NaN with another payload: LevelDB's byte key must not differ
    expect(Object.is(normalizeKey(f[0]), NaN)).toBe(true);
    expect(new Uint32Array(new Float64Array([normalizeKey(f[0]) as number]).buffer)[0]).toBe(0);
    same({ n: NaN }, { n: NaN });
  });

  it('keys - null, undefined and a missing property are three different values inside a key', () => {
    differ([null], [undefined]);
    differ({ a: undefined }, {});
    differ({ a: null }, {});
    differ({ a: null }, { a: undefined });
    // A hole reads as undefined.
    // eslint-disable-next-line no-sparse-arrays
    same([1, , 3], [1, undefined, 3]);
  });

  it('keys - strings never collide with encoded keys (NUL marker)', () => {
    const objects: unknown[] = [['a', 1], { a: 1 }, new Date(0), new Map(), new Set(), null, undefined];
    for (const o of objects) {
      const n = normalizeKey(o) as string;
      // The encoding, taken as a string key, is another key; and it comes back as that string.
      differ(n, o);
      expect(denormalizeKey(normalizeKey(n))).toBe(n);
      // Its text, as a string key, is another key too.
      differ(n.slice(2), o);
    }
    expect(normalizeKey('\u0000')).toBe('\u0000s\u0000');
    expect(denormalizeKey(normalizeKey('\u0000s'))).toBe('\u0000s');
  });

  it('keys - a key named __proto__ is an own property, as it was', () => {
    const key = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const back = denormalizeKey(normalizeKey(key)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back).sort()).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    same(back, key);
  });

  it('keys - the canonical text is JSON with sorted keys for JSON data, and reads back', () => {
    expect(canonicalKeyText({ b: [1, 'x'], a: { d: null, c: true } })).toBe('{"a":{"c":true,"d":null},"b":[1,"x"]}');
    expect(canonicalKeyText([new Date(7), 3n, new Map([['k', new Set([2, 1])]]), NaN, undefined, -0])).toBe('[Date(7),3n,Map{"k":Set[1,2]},NaN,undefined,0]');
    expect(parseKeyText('[Date(7),3n,Map{"k":Set[1,2]},NaN,undefined,0]')).toStrictEqual([new Date(7), 3n, new Map([['k', new Set([1, 2])]]), NaN, undefined, 0]);
    expect(() => parseKeyText('[1,')).toThrow(expect.objectContaining({ code: 'MF_ERR_INTERNAL' }));
    expect(() => parseKeyText('{"a":1}x')).toThrow(expect.objectContaining({ code: 'MF_ERR_INTERNAL' }));
  });

  it('keys - an instance of a registered POJO type keys by its class and fields, and comes back as an instance', () => {
    class Reading {
      constructor(
        readonly sensor: string,
        readonly at: Date,
      ) {}
    }
    class Other {
      constructor(
        readonly sensor: string,
        readonly at: Date,
      ) {}
    }
    registerPojoType(Reading, 'KeyTestReading');
    registerPojoType(Other, 'KeyTestOther');
    const key = new Reading('s1', new Date(5));
    const back = denormalizeKey(normalizeKey(key));
    expect(back).toBeInstanceOf(Reading);
    expect(back).toStrictEqual(key);
    same(key, new Reading('s1', new Date(5)));
    differ(key, new Reading('s1', new Date(6)));
    differ(key, { sensor: 's1', at: new Date(5) });
    differ(key, new Other('s1', new Date(5)));
    expect(javaHashCode(key)).toBe(javaHashCode(new Reading('s1', new Date(5))));
    expect(denormalizeKey(normalizeKey(['k', key]))).toStrictEqual(['k', key]);
  });

  it('keys - functions, symbols, cycles, invalid Dates and class instances fail with MF_ERR_INVALID_KEY naming the key and the part', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    class Sensor {
      constructor(readonly id: string) {}
    }
    const cases: Array<[unknown, RegExp]> = [
      [() => 1, /Cannot use \[Function \(anonymous\)\] as a key: key is a function/],
      [Symbol('tag'), /Cannot use Symbol\(tag\) as a key: key is a symbol/],
      [{ id: 1, fn: Math.max }, /Cannot use \{ id: 1, fn: \[Function: max\] \} as a key: key\.fn is a function/],
      [cyclic, /Cannot use <ref \*1> \{ name: 'loop', self: \[Circular \*1\] \} as a key: key\.self refers back to an enclosing object \(a cycle\)/],
      [[new Date('not a date')], /key\[0\] is an invalid Date/],
      [new Sensor('s1'), /Cannot use Sensor \{ id: 's1' \} as a key: key is an instance of class Sensor, which is not a registered POJO type: register it/],
      [{ boxed: new String('s') }, /key\.boxed is an instance of the built-in class String/],
      [new Map([[Symbol('k'), 1]]), /key \(key of entry 0\) is a symbol/],
    ];
    for (const [key, message] of cases) {
      expect(() => normalizeKey(key)).toThrow(invalid);
      expect(() => normalizeKey(key)).toThrow(message);
    }
  });
});
