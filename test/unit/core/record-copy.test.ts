import { describe, expect, it } from 'vitest';
import { copyRecord } from '../../../src/core/record-copy.js';

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

  it('record copy - maps, sets and dates are copied by structuredClone', () => {
    const v = { m: new Map([[1, { x: 1 }]]), s: new Set([1]), d: new Date(5) };
    const c = copyRecord(v);
    expect(c).toEqual(v);
    expect(c.m).not.toBe(v.m);
    expect(c.m.get(1)).not.toBe(v.m.get(1));
  });
});
