/**
 * Compiles a job module once, in the submitting thread, into one self-contained ES module that
 * slot threads import without any loader hooks (registering tsx's hooks costs every slot thread
 * a hooks thread and ~0.4 s of CPU; a compiled module costs nothing extra).
 *
 * - The module and its relative imports are bundled (esbuild); `.ts` is always compiled as ESM.
 * - `import 'miniflink'` points at this running miniflink; other packages at the files they
 *   resolve to from the job's own folder, so the bundle can live in a temporary folder.
 * - `import.meta.url` (and dirname/filename) keep the original file's values, so a job that reads
 *   files next to itself still finds them.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { MiniFlinkError } from '../../core/errors.js';

const OWN_ENTRY = fileURLToPath(new URL('../../index.js', import.meta.url));
const OWN_INTERNAL = fileURLToPath(new URL('../../internal.js', import.meta.url));
const OUT_DIR = join(tmpdir(), `miniflink-programs-${process.pid}`);

/** Compiles the job module; returns the compiled file's path. */
export async function compileProgram(path: string): Promise<string> {
  const esbuild = await import('esbuild');
  const out = join(OUT_DIR, `${basename(path).replace(/[^\w.-]/g, '_')}-${createHash('md5').update(`${path}:${Date.now()}:${Math.random()}`).digest('hex').slice(0, 12)}.mjs`);
  mkdirSync(OUT_DIR, { recursive: true });
  try {
    await esbuild.build({
      entryPoints: [path],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [
        {
          name: 'miniflink-program',
          setup(build) {
            build.onResolve({ filter: /^miniflink(\/internal)?$/ }, (args) => ({ path: args.path === 'miniflink' ? OWN_ENTRY : OWN_INTERNAL, external: true }));
            // Bare imports (packages, node built-ins): keep them external, at their resolved file.
            build.onResolve({ filter: /^[^./]/ }, async (args) => {
              if (args.path.startsWith('node:') || args.pluginData === 'resolving') return undefined;
              const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'resolving' });
              if (r.errors.length > 0) return { errors: r.errors };
              return { path: r.path, external: true };
            });
            build.onLoad({ filter: /\.(m?[jt]sx?|cts|cjs)$/ }, (args) => {
              if (args.path.includes('/node_modules/')) return undefined;
              const url = JSON.stringify(pathToFileURL(args.path).href);
              const text = readFileSync(args.path, 'utf8')
                .replace(/\bimport\.meta\.url\b/g, url)
                .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
                .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
              const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
              const loader = ext.startsWith('t') || ext === 'mts' || ext === 'cts' ? (ext.endsWith('x') ? 'tsx' : 'ts') : ext.endsWith('x') ? 'jsx' : 'js';
              return { contents: text, loader, resolveDir: dirname(args.path) };
            });
          },
        },
      ],
    });
  } catch (e) {
    const errors = (e as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    const detail = errors?.map((x) => (x.location ? `${x.location.file}:${x.location.line}:${x.location.column}: ${x.text}` : x.text)).join('\n') ?? (e as Error).message;
    throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `Could not compile the job module ${path}:\n${detail}`, { cause: e });
  }
  return out;
}

/** Deletes a compiled module. */
export function discardCompiledProgram(compiledPath: string | undefined): void {
  if (compiledPath?.startsWith(OUT_DIR)) rmSync(compiledPath, { force: true });
}

/** Deletes every compiled module of this process (at exit). */
export function discardAllCompiledPrograms(): void {
  rmSync(OUT_DIR, { recursive: true, force: true });
}

// Only the main thread owns the folder (slot threads load this file too, through 'miniflink').
if (isMainThread) process.once('exit', discardAllCompiledPrograms);
