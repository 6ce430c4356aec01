/**
 * The export names of a compiled job module, read from esbuild's closing export clause without
 * running the module (an unknown -c entry must fail before the module's top-level code submits a
 * job of its own).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleExportNames, compileProgram } from '../../../src/runtime/program/program-compiler.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-exports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const compiled = async (name: string, source: string) => {
  writeFileSync(join(root, name), source);
  return compileProgram(join(root, name), { outFile: join(root, `${name}.mjs`) });
};

describe('bundle exports', () => {
  it('bundle exports - names of functions, classes, renamed and default exports; none; a text that does not tell', async () => {
    const many = await compiled(
      'many.ts',
      "export function main(): void {}\nexport class Rec { x = 1; }\nconst helper = () => 1;\nexport { helper as renamed };\nexport default function (): void {}\nexport const n = 5;\n",
    );
    expect(bundleExportNames(many)).toEqual(new Set(['main', 'Rec', 'renamed', 'default', 'n']));
    expect(bundleExportNames(await compiled('none.ts', 'console.log(1);\n'))).toEqual(new Set());
    // Hand-written texts: an export * (of a module left out of a bundle) cannot be told.
    writeFileSync(join(root, 'star.mjs'), "export * from 'elsewhere';\nexport { a };\n");
    expect(bundleExportNames(join(root, 'star.mjs'))).toBeUndefined();
    writeFileSync(join(root, 'mapped.mjs'), 'const a = 1;\nexport {\n  a as b\n};\n//# sourceMappingURL=data:application/json;base64,e30=\n');
    expect(bundleExportNames(join(root, 'mapped.mjs'))).toEqual(new Set(['b']));
  });
});
