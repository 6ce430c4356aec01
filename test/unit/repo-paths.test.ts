/**
 * A clone of this repository on its own must work: nothing in src/, test/, bench/, examples/ or bin/
 * reads a path that leaves the repository root. The only exception is test/helpers/reference.ts,
 * the one place that names Flink's reference material beside the repository (its tests skip
 * cleanly where it is absent).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const FOLDERS = ['src', 'test', 'bench', 'examples', 'bin'];
/** The one file that names the reference folder, and this test with its own examples. */
const EXCEPTIONS = [join('test', 'helpers', 'reference.ts'), join('test', 'unit', 'repo-paths.test.ts')];
const SOURCE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (SOURCE.test(name)) yield path;
  }
}

/** Every quoted literal that climbs with `..`, with where it stands. */
function climbingLiterals(text: string): string[] {
  return [...text.matchAll(/(['"`])((?:\.\.\/|\.\/)*\.\.(?:\/[^'"`\s]*)?)\1/g)].map((m) => m[2]!);
}

const inside = (path: string) => {
  const rel = relative(ROOT, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
};

describe('repository paths', () => {
  const files = FOLDERS.flatMap((f) => [...sources(join(ROOT, f))]).filter((f) => !EXCEPTIONS.includes(relative(ROOT, f)));

  it('paths - the scan sees the repository (src, test, bench, examples, bin)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.some((f) => f.endsWith(join('src', 'index.ts')))).toBe(true);
  });

  it('paths - no relative path in a source file resolves outside the repository', () => {
    const outside: string[] = [];
    for (const file of files) {
      for (const literal of climbingLiterals(readFileSync(file, 'utf8'))) {
        if (!inside(resolve(dirname(file), literal))) outside.push(`${relative(ROOT, file)}: '${literal}'`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('paths - nothing climbs above the root or names the shared folder beside it', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // join(ROOT, '..'), resolve(ROOT, '../x'): a path built from the root that climbs out of it.
      if (/\b(?:join|resolve)\(\s*ROOT\s*,\s*['"`]\.\./.test(text)) offenders.push(`${relative(ROOT, file)}: climbs from ROOT`);
      if (/['"`/]shared\/reference|\.\.\/shared\b|\/work\//.test(text)) offenders.push(`${relative(ROOT, file)}: names a folder outside the repository`);
    }
    expect(offenders).toEqual([]);
  });

  it('paths - the check itself catches a path that leaves the root', () => {
    const file = join(ROOT, 'test', 'contract', 'x.test.ts');
    expect(climbingLiterals(`join(ROOT, '../shared/reference/spec.yml')`)).toEqual(['../shared/reference/spec.yml']);
    expect(inside(resolve(dirname(file), '../../../shared/x'))).toBe(false);
    expect(inside(resolve(dirname(file), '../../package.json'))).toBe(true);
  });
});
