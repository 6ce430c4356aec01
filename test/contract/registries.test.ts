/**
 * The registries are a contract: every error code and every configuration option is documented
 * in the README, and the README names none that do not exist.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { NOT_IMPLEMENTED, OPTIONS } from '../../src/config/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('registries', () => {
  it('errors - every code is well formed and in the README', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^MF_ERR_[A-Z_]+$/);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.description.length).toBeGreaterThan(10);
      expect(readme, `README lacks ${code}`).toContain(`\`${code}\``);
    }
  });

  it('errors - the README names no unknown code', () => {
    const named = new Set(readme.match(/MF_ERR_[A-Z_]+/g) ?? []);
    for (const code of named) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('config - every option and its deprecated keys are in the README table', () => {
    for (const o of OPTIONS) {
      expect(readme, `README lacks ${o.key}`).toContain(`| \`${o.key}\``);
      for (const d of o.deprecatedKeys ?? []) expect(readme, `README lacks ${d}`).toContain(`\`${d}\``);
    }
  });

  it('config - every key accepted but not implemented is in the README, with what miniflink does instead', () => {
    for (const [key, instead] of NOT_IMPLEMENTED) {
      const row = readme.split('\n').find((l) => l.includes(`\`${key.endsWith('.') ? `${key}*` : key}\``) && l.startsWith('| ') && l.includes(instead));
      expect(row, `README lacks ${key}`).toBeDefined();
    }
  });
});
