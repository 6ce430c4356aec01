/**
 * The job graph's vertex names (src/web/graph.js): two lines of 32 characters, cut between code
 * points (found by a review: an emoji was cut in half into two invalid halves).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain browser module of the web UI, without types
import { nameLines } from '../../../src/web/graph.js';

describe('web UI graph', () => {
  it('web graph - a name on two lines of 32 characters, an emoji whole, the rest elided', () => {
    const name = `${'x'.repeat(31)}😀${'y'.repeat(31)}😀tail`;
    const [first, second] = nameLines(name) as [string, string];
    expect(first).toBe(`${'x'.repeat(31)}😀`);
    expect(second).toBe(`${'y'.repeat(31)}…`);
    // No lone surrogate (half an emoji) on either line.
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(first + second)).toBe(false);
    expect(nameLines('Source: numbers')).toEqual(['Source: numbers', '']);
  });
});
