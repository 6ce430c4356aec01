/**
 * Finds the job module a direct run started from, so that slot threads can load the same module.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

// This file is <root>/dist/api/program-path.js; with source maps, frames may also name <root>/src/.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OWN_DIRS = [`${ROOT}dist/`, `${ROOT}src/`];

/**
 * The first file on the call stack outside miniflink's own code (the program that called execute()),
 * falling back to the script Node was started with.
 */
export function findProgramPath(): string | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (OWN_DIRS.some((d) => file.startsWith(d)) || file.includes('/node_modules/') || file.startsWith('node:')) continue;
    if (existsSync(file)) return file;
  }
  const script = process.argv[1];
  return script !== undefined && existsSync(script) ? resolve(script) : undefined;
}
