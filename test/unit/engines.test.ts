/**
 * `npm install` on Node 20 prints no engine warning caused by the project's dependency choices:
 * every package the lock file installs accepts the Node version running the tests (the project's
 * floor, Node 20, on this machine and in CI).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }>;
}

describe('engines', () => {
  it('engines - every locked package accepts this Node version', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;
    const own = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(semver.satisfies(process.version, own)).toBe(true);
    const refused = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.engines !== undefined && !Array.isArray(p.engines) && p.engines.node !== undefined)
      .filter(([, p]) => !semver.satisfies(process.version, (p.engines as { node: string }).node, { includePrerelease: true }))
      .map(([path, p]) => `${path}@${p.version}: node ${(p.engines as { node: string }).node}`);
    expect(refused).toEqual([]);
  });
});
