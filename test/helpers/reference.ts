/**
 * Flink's reference material (its REST OpenAPI spec and notes) is kept beside the repository in
 * `../shared/reference/`, not in it: a clone on a user's machine has nothing beside it. This is the
 * one place a test names that folder. Tests that read it decide at collection time whether it is
 * there and otherwise register a single skipped test that says why, building nothing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT } from './cli.js';

/** The folder of Flink's reference material beside the repository. */
export const REFERENCE_DIR = resolve(ROOT, '..', 'shared', 'reference');

/** The path of a reference file, or undefined where it is not beside this clone. */
export function referenceFile(name: string): string | undefined {
  const path = join(REFERENCE_DIR, name);
  return existsSync(path) ? path : undefined;
}

/** The one line a skipped contract suite shows. */
export function missingReference(name: string): string {
  return `skipped: ${name} is not at ${REFERENCE_DIR} (Flink's reference material lives beside the repository, as in CI; a clone on its own has none)`;
}
