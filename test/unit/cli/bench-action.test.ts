/**
 * The pure parts of `miniflink bench`: the matrix's combinations and the configuration each sets,
 * options after the job's arguments, the table and the SVG chart.
 */
import { describe, expect, it } from 'vitest';
import { formatTable, splitTail } from '../../../src/cli/actions/bench.js';
import { combinations, svgChart, type Row } from '../../../src/runtime/scheduling-bench.js';

describe('bench action', () => {
  it('bench - the matrix multiplies its dimensions into Flink switches; a dimension not given keeps the job as written', () => {
    const cs = combinations(['chaining=on,off', 'parallelism=1,2'], { 'state.backend.type': 'hashmap' });
    expect(cs.map((c) => c.label)).toEqual(['chaining=on parallelism=1', 'chaining=on parallelism=2', 'chaining=off parallelism=1', 'chaining=off parallelism=2']);
    expect(cs[3]!.configuration).toEqual({ 'state.backend.type': 'hashmap', 'pipeline.operator-chaining.enabled': 'false', 'parallelism.default': '2' });
    expect(combinations(['slot-sharing=off'], {})[0]!.configuration).toEqual({ 'pipeline.slot-sharing.enabled': 'false' });
    expect(combinations(['local-exchange=serialized,by-reference'], {}).map((c) => [c.label, c.configuration])).toEqual([
      ['local-exchange=serialized', { 'pipeline.local-exchange.by-reference': 'false' }],
      ['local-exchange=by-reference', { 'pipeline.local-exchange.by-reference': 'true' }],
    ]);
    expect(() => combinations(['local-exchange=on'], {})).toThrow(/serialized or by-reference for local-exchange, got 'on'/);
    expect(combinations([], {}).map((c) => c.label)).toEqual(['(the job as written)']);
    expect(() => combinations(['colour=red'], {})).toThrow(/--matrix takes <dimension>=<value>/);
    expect(() => combinations(['chaining=maybe'], {})).toThrow(/on or off/);
    expect(() => combinations(['parallelism=0'], {})).toThrow(/positive whole numbers/);
    expect(() => combinations(['chaining=on', 'chaining=off'], {})).toThrow(/twice/);
  });

  it('bench - options after the job arguments: one --matrix takes every dim=values word after it', () => {
    expect(splitTail(['1000', 'x'])).toEqual({ args: ['1000', 'x'], tail: [] });
    expect(splitTail(['1000', '--matrix', 'chaining=on,off', 'parallelism=1,2', '--runs', '3'])).toEqual({
      args: ['1000'],
      tail: ['--matrix', 'chaining=on,off', '--matrix', 'parallelism=1,2', '--runs', '3'],
    });
    expect(splitTail(['--json=out.json'])).toEqual({ args: [], tail: ['--json=out.json'] });
  });

  it('bench - the table has a line per combination, and the chart a bar with its median', () => {
    const row: Row = {
      combination: 'chaining=on',
      choices: { chaining: 'on' },
      recordsPerSecond: { median: 1_000_000, min: 900_000, max: 1_100_000 },
      medianMs: 100,
      records: 100_000,
      cpuPerWall: 1.5,
      peakHeapMiB: 20.5,
      checkpointMs: 12,
      tasks: 3,
      slots: 1,
      runs: [{ ms: 100, records: 100_000, recordsPerSecond: 1_000_000 }],
    };
    const table = formatTable([row, { ...row, combination: 'chaining=off', checkpointMs: null }], 1).split('\n');
    expect(table[1]).toMatch(/combination\s+records\/s \(median\)\s+min-max\s+CPU\/wall\s+peak heap\/thread\s+checkpoint\s+tasks\s+slots/);
    expect(table[3]).toMatch(/^chaining=on\s+1,000,000\s+900,000-1,100,000\s+1\.50\s+20\.5 MiB\s+12 ms\s+3\s+1$/);
    expect(table[4]).toMatch(/^chaining=off .* - +3 +1$/);
    const svg = svgChart([row]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('>chaining=on</text>');
    expect(svg).toContain('1,000,000/s');
    // The median's label is right of the min-max line, not struck through by it (a review saw it so).
    const bar = /<rect x="([\d.]+)" y="\d+" width="([\d.]+)"/.exec(svg)!;
    const line = /<line x1="[\d.]+" x2="([\d.]+)"/.exec(svg)!;
    const label = /<text x="([\d.]+)" y="\d+">1,000,000\/s<\/text>/.exec(svg)!;
    expect(Number(label[1])).toBeGreaterThan(Number(line[1]));
    expect(Number(line[1])).toBeGreaterThan(Number(bar[1]) + Number(bar[2]));
  });
});
