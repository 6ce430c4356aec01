/**
 * The directories a REST request may name (rest.savepoint-dirs.allowed, plus the cluster's own
 * savepoint and checkpoint directories), and the disposal of a savepoint inside them. A path is
 * compared by its real path, so a symlink inside an allowed directory cannot lead out of it.
 */
import { existsSync, lstatSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { readMetadata, unqualify } from '../checkpoint/index.js';

/** What a refused path's message tells the user to do. */
export const ALLOW_HINT =
  "Add it, or a directory above it, to the cluster's rest.savepoint-dirs.allowed (in the cluster's config.yaml, or with -D on 'miniflink cluster start'): a REST request may name only directories the cluster's own configuration allows, its execution.checkpointing.savepoint-dir and execution.checkpointing.dir included; a job's own settings do not add any.";

/** Directories a savepoint path in a request may lie in. */
export function allowedDirs(conf: Readonly<Record<string, string>>): string[] {
  const keys = ['execution.checkpointing.savepoint-dir', 'execution.checkpointing.dir', 'rest.savepoint-dirs.allowed'];
  return keys.flatMap((k) => (conf[k] ?? '').split(/[;,]/)).map((d) => d.trim()).filter((d) => d.length > 0).map((d) => realPath(resolve(unqualify(d))));
}

/** The real path of `p`: its longest existing prefix with symlinks resolved, plus the rest as given. */
export function realPath(p: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return p;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/**
 * Deletes a savepoint directory: only one that lies inside an allowed directory, is not a symlink,
 * and holds a miniflink `_metadata`. Anything else is refused and nothing is deleted.
 */
export function disposeSavepoint(pathText: string, allowed: readonly string[]): void {
  if (pathText.includes('\0')) throw new Error(`Refusing to dispose ${JSON.stringify(pathText)}: it is not a valid path.`);
  const dir = resolve(unqualify(pathText).replace(/\/_metadata$/, ''));
  // The parent's real path must lie inside an allowed directory (a symlinked parent cannot lead out).
  const real = join(realPath(dirname(dir)), basename(dir));
  const inside = allowed.some((a) => real !== a && real.startsWith(`${a}${sep}`));
  if (allowed.includes(real)) throw new Error(`Refusing to dispose ${pathText}: it is a configured savepoint or checkpoint directory itself, not a savepoint in it.`);
  if (!inside) throw new Error(`Refusing to dispose ${pathText}: it is not inside a configured savepoint or checkpoint directory of this cluster (${allowed.join(', ') || 'none configured'}). ${ALLOW_HINT}`);
  const st = existsSync(dir) ? lstatSync(dir) : undefined;
  if (!st || st.isSymbolicLink() || !st.isDirectory()) throw new Error(`Refusing to dispose ${pathText}: it is not a savepoint directory.`);
  readMetadata(dir); // Throws unless it holds a miniflink _metadata.
  rmSync(dir, { recursive: true, force: true });
}
