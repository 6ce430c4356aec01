import { describe, expect, it } from 'vitest';
import { formatForPrint } from '../../../src/api/connectors/print-sink.js';

class Word {
  constructor(
    public word: string,
    public count: number,
  ) {}
  toString(): string {
    return `Word(${this.word}, ${this.count})`;
  }
}
class Bare {
  constructor(public x: number) {}
}
class Special extends Word {}

describe('print format', () => {
  it('print - primitives as String(v), plain objects and arrays as JSON (as before)', () => {
    expect([1, 'a', true, null, undefined, 10n].map(formatForPrint)).toEqual(['1', 'a', 'true', 'null', 'undefined', '10']);
    expect(formatForPrint({ a: 1, b: 'x', c: 2n })).toBe('{"a":1,"b":"x","c":"2"}');
    expect(formatForPrint([1, 'x', { y: 2 }])).toBe('[1,"x",{"y":2}]');
    expect(formatForPrint(new Bare(1))).toBe('{"x":1}');
  });

  // Failed before: a record with its own toString printed as JSON of its fields.
  it("print - a record whose class (or a superclass) defines toString prints with it, as Flink prints a Java object", () => {
    expect(formatForPrint(new Word('a', 1))).toBe('Word(a, 1)');
    expect(formatForPrint(new Special('b', 2))).toBe('Word(b, 2)');
    expect(formatForPrint({ toString: () => 'own' })).toBe('own');
  });

  it('print - built-in toString methods are not used: dates, buffers and errors print as before', () => {
    expect(formatForPrint(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(formatForPrint(Buffer.from('a'))).toBe('{"type":"Buffer","data":[97]}');
  });

  // Failed before: a Map printed as {} and a Set as {}.
  it("print - a Map prints as Java's {k=v, k2=v2}, a Set as Java's [a, b]; nested in JSON, as an object and an array", () => {
    expect(formatForPrint(new Map<unknown, unknown>([['a', 1], ['b', new Word('x', 2)], [3, { k: 1 }]]))).toBe('{a=1, b=Word(x, 2), 3={"k":1}}');
    expect(formatForPrint(new Set(['a', 1, new Map([['z', 'y']])]))).toBe('[a, 1, {z=y}]');
    expect(formatForPrint(new Map())).toBe('{}');
    expect(formatForPrint(new Set())).toBe('[]');
    expect(formatForPrint({ m: new Map([['k', 2]]), s: new Set([1, 2]) })).toBe('{"m":{"k":2},"s":[1,2]}');
  });
});
