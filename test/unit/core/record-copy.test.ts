import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyRecord } from '../../../src/core/record-copy.js';
import { registerPojoType, resetPojoWarnings, setPojoWarningSink } from '../../../src/core/pojo-types.js';
import { isMiniFlinkError } from '../../../src/core/errors.js';
import { RecordBatchCodec } from '../../../src/core/serde.js';

class Word {
  constructor(
    public word: string,
    public count: number,
    public tags: string[] = [],
  ) {}
  len(): number {
    return this.word.length;
  }
}
registerPojoType(Word);

class Unregistered {
  constructor(public x: number) {}
  twice(): number {
    return this.x * 2;
  }
}

let warnings: string[] = [];
let previousSink: (m: string) => void;
beforeEach(() => {
  warnings = [];
  resetPojoWarnings();
  previousSink = setPojoWarningSink((m) => warnings.push(m));
});
afterEach(() => {
  setPojoWarningSink(previousSink);
});

/** The MF_ERR_SERIALIZATION message copyRecord throws for v. */
function copyFailure(v: unknown, operator?: string): string {
  try {
    copyRecord(v, operator);
  } catch (e) {
    expect(isMiniFlinkError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('MF_ERR_SERIALIZATION');
    return (e as Error).message;
  }
  throw new Error('copyRecord did not throw');
}

describe('record copy', () => {
  it('record copy - primitives are returned as they are', () => {
    for (const v of [1, 'a', true, null, undefined, 10n]) expect(copyRecord(v)).toBe(v);
  });

  it('record copy - nested objects and arrays are copied deeply', () => {
    const v = { a: 1, b: { c: [1, { d: 2 }] }, e: 'x' };
    const c = copyRecord(v);
    expect(c).toEqual(v);
    expect(c).not.toBe(v);
    expect(c.b).not.toBe(v.b);
    expect(c.b.c).not.toBe(v.b.c);
    expect(c.b.c[1]).not.toBe(v.b.c[1]);
  });

  it('record copy - maps, sets and dates are copied deeply and keep their types', () => {
    const v = { m: new Map([[1, { x: 1 }]]), s: new Set([{ y: 1 }]), d: new Date(5) };
    const c = copyRecord(v);
    expect(c).toEqual(v);
    expect(c.m).toBeInstanceOf(Map);
    expect(c.m).not.toBe(v.m);
    expect(c.m.get(1)).not.toBe(v.m.get(1));
    expect(c.s).toBeInstanceOf(Set);
    expect([...c.s][0]).not.toBe([...v.s][0]);
    expect(c.d).toBeInstanceOf(Date);
    expect(c.d).not.toBe(v.d);
    expect(c.d.getTime()).toBe(5);
  });

  // Failed before: structuredClone turned a Buffer into a Uint8Array.
  it('record copy - a Buffer stays a Buffer, with its own bytes', () => {
    const v = { b: Buffer.from('abc'), u: new Uint8Array([1, 2]), f: new Float64Array([1.5]) };
    const c = copyRecord(v);
    expect(Buffer.isBuffer(c.b)).toBe(true);
    expect(c.b.toString()).toBe('abc');
    expect(c.b).not.toBe(v.b);
    v.b[0] = 0x78;
    expect(c.b.toString()).toBe('abc');
    expect(c.u).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(c.u)).toBe(false);
    expect(c.f).toBeInstanceOf(Float64Array);
    expect([...c.f]).toEqual([1.5]);
  });

  // Failed before: structuredClone made a plain object of it, so c.len() threw.
  it('record copy - an instance of a registered class stays an instance, without calling its constructor', () => {
    const v = new Word('abc', 3, ['t']);
    const c = copyRecord(v);
    expect(c).toBeInstanceOf(Word);
    expect(c.len()).toBe(3);
    expect(c).not.toBe(v);
    expect(c.tags).not.toBe(v.tags);
    expect(c).toEqual(v);
    expect(Object.keys(c)).toEqual(['word', 'count', 'tags']);
    expect(warnings).toEqual([]);
  });

  it('record copy - registered instances nested in objects, arrays, maps and sets keep their class', () => {
    const v = { w: new Word('a', 1), list: [new Word('bb', 2)], m: new Map([['k', new Word('ccc', 3)]]), s: new Set([new Word('dddd', 4)]) };
    const c = copyRecord(v);
    expect(c.w.len()).toBe(1);
    expect(c.list[0]!.len()).toBe(2);
    expect(c.m.get('k')!.len()).toBe(3);
    expect([...c.s][0]!.len()).toBe(4);
  });

  it('record copy - instances of one class with other fields (another layout) are copied as they are', () => {
    const a = new Word('a', 1);
    const b = Object.assign(new Word('b', 2), { extra: { z: 1 } });
    const c = new Word('c', 3);
    delete (c as Partial<Word>).tags;
    for (const v of [a, b, c, a, b, c]) {
      const copy = copyRecord(v);
      expect(copy).toBeInstanceOf(Word);
      expect(copy).toEqual(v);
      expect(Object.keys(copy)).toEqual(Object.keys(v));
    }
    expect(copyRecord(b).extra).not.toBe(b.extra);
  });

  it('record copy - a field that shadows an accessor of the class stays an own field', () => {
    class Shadow {
      get value(): number {
        return -1;
      }
    }
    registerPojoType(Shadow);
    const v = new Shadow();
    Object.defineProperty(v, 'value', { value: 7, writable: true, enumerable: true, configurable: true });
    const c = copyRecord(v);
    expect(c).toBeInstanceOf(Shadow);
    expect(Object.getOwnPropertyDescriptor(c, 'value')?.value).toBe(7);
    expect(c.value).toBe(7);
  });

  it('record copy - an instance of an unregistered subclass of a registered class is not copied as the registered class', () => {
    class Special extends Word {}
    function OldStyle(this: Word): void {}
    OldStyle.prototype = Object.create(Word.prototype) as Word; // inherits Word's `constructor`
    const old = Object.assign(new (OldStyle as unknown as new () => Word)(), { word: 'o', count: 1, tags: [] });
    for (let i = 0; i < 3; i++) {
      expect(Object.getPrototypeOf(copyRecord(new Word('w', 1)))).toBe(Word.prototype);
      expect(Object.getPrototypeOf(copyRecord(new Special('s', 1)))).toBe(Object.prototype);
      expect(Object.getPrototypeOf(copyRecord(old))).toBe(Object.prototype);
    }
    expect(copyRecord(old)).toEqual({ word: 'o', count: 1, tags: [] });
    expect(warnings.map((w) => w.slice(0, 60))).toEqual(['miniflink: records of class Special are not of a registered ', 'miniflink: records of class (a subclass of Word) are not of ']);
  });

  it('record copy - -0 stays -0', () => {
    expect(Object.is(copyRecord(-0), -0)).toBe(true);
    const c = copyRecord({ a: -0, b: [-0], w: new Word('x', -0) });
    expect(Object.is(c.a, -0)).toBe(true);
    expect(Object.is(c.b[0], -0)).toBe(true);
    expect(Object.is(c.w.count, -0)).toBe(true);
  });

  it('record copy - an unregistered class becomes a plain object, with one warning per class naming it and the fix', () => {
    const c = copyRecord({ u: new Unregistered(2) });
    expect(Object.getPrototypeOf(c.u)).toBe(Object.prototype);
    expect(c.u).toEqual({ x: 2 });
    copyRecord(new Unregistered(3));
    copyRecord([new Unregistered(4)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('class Unregistered');
    expect(warnings[0]).toContain('env.getConfig().registerPojoType(Unregistered)');
  });

  // Failed before: a plain object with a function field was copied (the function shared), and a
  // class instance with one failed with a raw DataCloneError.
  it('record copy - a function field fails with MF_ERR_SERIALIZATION naming the operator and the field', () => {
    expect(copyFailure({ a: { f: () => 1 } }, "'Map' (1/2)")).toMatch(/^Operator 'Map' \(1\/2\): Could not copy record .* for the next operator: record\.a\.f is a function$/);
    class WithFunction {
      f = (): number => 1;
    }
    registerPojoType(WithFunction);
    expect(copyFailure(new WithFunction())).toContain('record.f is a function');
  });

  it('record copy - a symbol fails with MF_ERR_SERIALIZATION', () => {
    expect(copyFailure({ s: Symbol('x') })).toContain('record.s is a symbol');
    expect(copyFailure(Symbol('y'))).toContain('record is a symbol');
  });

  // Failed before: a cycle overflowed the stack (RangeError: Maximum call stack size exceeded).
  it('record copy - a cycle fails with MF_ERR_SERIALIZATION naming where', () => {
    const v: Record<string, unknown> = { a: 1 };
    v['inner'] = { back: v };
    expect(copyFailure(v)).toContain('record.inner.back refers back to an enclosing object (a cycle)');
    const w = new Word('a', 1) as Word & { self?: unknown };
    w.self = [w];
    expect(copyFailure(w)).toContain('record.self[0] refers back to an enclosing object (a cycle)');
  });

  it('record copy - plain records of recurring layouts (generated copy functions) are copied exactly, key order included', () => {
    const make = (i: number): Record<string, unknown>[] => [
      { key: i, value: { sum: i, items: [i, -0] } },
      { word: `w${i}`, count: i, ts: 2 * i },
      { count: i, word: `w${i}` }, // the same keys in another order: another layout
      { word: `w${i}`, count: i, ts: 2 * i, extra: [i] }, // one key more
      { 0: 'zero', 1: 'one', name: 'n' },
    ];
    for (let i = 0; i < 50; i++) {
      for (const v of make(i)) {
        const c = copyRecord(v);
        expect(c).toEqual(v);
        expect(Object.keys(c)).toEqual(Object.keys(v));
        for (const k of Object.keys(v)) if (typeof v[k] === 'object') expect(c[k]).not.toBe(v[k]);
      }
    }
    const withNegativeZero = copyRecord({ key: 1, value: { sum: -0, items: [-0] } });
    expect(Object.is(withNegativeZero.value.sum, -0)).toBe(true);
    expect(Object.is(withNegativeZero.value.items[0], -0)).toBe(true);
  });

  it('record copy - a function in a record of a generated layout fails with MF_ERR_SERIALIZATION naming the field', () => {
    for (let i = 0; i < 20; i++) copyRecord({ id: i, payload: { n: i } });
    expect(copyFailure({ id: 1, payload: () => 1 })).toContain('record.payload is a function');
    expect(copyFailure({ id: 1, payload: { n: Symbol('s') } })).toContain('record.payload.n is a symbol');
  });

  it("record copy - an own '__proto__' key stays an own key, the copy's prototype stays Object.prototype", () => {
    for (let i = 0; i < 20; i++) {
      const v = JSON.parse(`{"__proto__": {"x": ${i}}, "a": ${i}}`) as Record<string, unknown>;
      const c = copyRecord(v);
      expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(c, '__proto__')?.value).toEqual({ x: i });
      expect(c['a']).toBe(i);
    }
  });

  it('record copy - a copy is what a round trip through the exchange codec makes: null prototype (kept by both), symbol keys, lone-surrogate keys, Errors, inherited keys (reviews of the local exchange by reference)', () => {
    const codec = new RecordBatchCodec();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, n: Object.assign(Object.create(null) as object, { k: 'v' }) });
    const bareProto = Object.create(null) as Record<string, unknown>;
    Object.defineProperty(bareProto, '__proto__', { value: 1, writable: true, enumerable: true, configurable: true });
    const sym = { a: 1, [Symbol('tag')]: 2 };
    const odd = { 'k\uD800': 1, 'k\uDC00': 2, z: 3 };
    const errors = { plain: new Error('boom', { cause: 'why' }), type: new TypeError('te'), named: Object.assign(new Error('n'), { name: 'MyError' }), agg: new AggregateError([new RangeError('r')], 'all') };
    // An own key and an inherited one (after {a, b} copies made a layout of it), and a polluted Object.prototype.
    const inherits = Object.assign(Object.create({ b: 'inherited' }) as Record<string, unknown>, { a: 1 });
    // A registered class's field name with a lone surrogate; an Error whose message and cause hold what msgpack alone would change.
    const wordOdd = Object.assign(new Word('w', 1), { 'q\uDC00': 2 });
    const errorOdd = new Error('m\uD800', { cause: { n: -0, p: JSON.parse('{"__proto__": 1}') as unknown } });
    const oneOf = (v: unknown) => [copyRecord(v), (codec.decode(codec.encode([v])) as unknown[])[0]] as const;
    // Repeated, so that the plain layouts that recur get their generated copy functions too.
    for (let i = 0; i < 20; i++) {
      for (const v of [bare, bareProto, sym, odd, errors, { a: i, b: i }, inherits, wordOdd, errorOdd]) {
        const [copy, wire] = oneOf(v);
        expect(copy).toStrictEqual(wire);
      }
    }
    const [c] = oneOf(bare) as unknown as [Record<string, unknown>];
    expect(Object.getPrototypeOf(c)).toBeNull();
    expect(Object.getPrototypeOf(c['n'])).toBeNull();
    expect(copyRecord(inherits)).toEqual({ a: 1 });
    const [, wireWord] = oneOf(wordOdd) as unknown as [Word, Record<string, unknown>];
    expect(Object.keys(wireWord)).toContain('q\uFFFD');
    const [copied, wire] = oneOf(errorOdd) as unknown as [Error, Error];
    for (const e of [copied, wire]) {
      expect(e.message).toBe('m\uD800');
      const cause = e.cause as { n: number; p: Record<string, unknown> };
      expect(Object.is(cause.n, -0)).toBe(true);
      expect(Object.getOwnPropertyDescriptor(cause.p, '__proto__')?.value).toBe(1);
    }
    (Object.prototype as Record<string, unknown>)['b'] = 'polluted';
    try {
      expect(Object.keys(copyRecord({ a: 1 }))).toEqual(['a']);
      expect(Object.keys(copyRecord({ a: 1, b: 2 }))).toEqual(['a', 'b']);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['b'];
    }
    expect(Object.getPrototypeOf(copyRecord(bareProto))).toBeNull();
    expect(Object.getOwnPropertySymbols(copyRecord(sym))).toEqual([]);
    expect(copyRecord(odd)).toEqual({ 'k\uFFFD': 2, z: 3 });
    const e = copyRecord(errors);
    expect(e.type).toBeInstanceOf(TypeError);
    expect('cause' in e.type).toBe(true);
    expect(e.plain.cause).toBe('why');
    expect(e.named.name).toBe('MyError');
    expect(e.agg).toBeInstanceOf(AggregateError);
    expect(e.agg.errors[0]).toBeInstanceOf(RangeError);
  });

  it('record copy - records whose keys are data (a count per word) are copied exactly', () => {
    for (let i = 0; i < 3000; i++) {
      const v = { [`word${i}`]: i, [`other${i % 7}`]: { n: i } };
      const c = copyRecord(v);
      expect(c).toEqual(v);
      expect(Object.keys(c)).toEqual(Object.keys(v));
    }
  });
});
