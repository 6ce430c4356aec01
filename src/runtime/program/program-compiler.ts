/**
 * Compiles a job module once, in the submitting process, into one self-contained ES module (a
 * *bundle*) that the submitting process, the cluster's JobManager and every slot thread import
 * without loader hooks (registering tsx's hooks costs every slot thread a hooks thread and ~0.4 s
 * of CPU; a compiled module costs nothing extra). The bundle is what `run -m` uploads, so a job
 * runs on a cluster exactly as it runs locally.
 *
 * - Bundled (esbuild): the module, its relative imports (`.ts`, `.js`, `.cjs`, JSON, ...) and the
 *   npm packages it imports, all resolved from the job's own folder. `.ts` is always compiled as
 *   ESM (top-level await works in any folder).
 * - External: node built-ins; `import 'miniflink'`, which points at the running miniflink (a
 *   cluster relinks a bundle to its own miniflink, see linkBundle); native add-ons (`.node` files,
 *   packages with native bindings), kept at their absolute paths on the client's machine.
 * - `import.meta.url` (and dirname/filename) of every bundled file keep the original file's values,
 *   and CommonJS files keep `require`, `__filename` and `__dirname`, so code that reads files next
 *   to itself still finds them (on the client's machine, where miniflink clusters run). esbuild
 *   substitutes them in the syntax tree (`define`, see LOCATION_DEFINES), so the same text in a
 *   string or a comment stays as written.
 * - A dynamic `import()` the bundle cannot resolve fails the compilation, naming the file and the
 *   specifier (checkDynamicImports): a job's own `import(name)` (its specifier would resolve from
 *   the bundle's location at run time, not from the file's folder), and a template-literal
 *   `import(`./${name}`)` whose folder holds a node_modules folder (esbuild would bundle all of it).
 *   In a TypeScript file, a template literal that ends in `.js` (`import(`./sub/${name}.js`)`)
 *   finds the `.ts` file first, as TypeScript's resolution and tsx do (mapTemplateImportsToTs).
 * - A `require(name)` whose argument is not a string literal (esbuild leaves it to run time)
 *   resolves from the folder of the file that calls it, as Node's require does: esbuild reports
 *   each such call, and a second build gives that file a require of its own (ownRequire).
 * - The first line is the bundle's header: its format, the original path, and the client's
 *   `process.env`, which program-loader.ts installs while the module's top-level code runs in the
 *   cluster and in slot threads, so top-level values read from the environment are the client's.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { MiniFlinkError } from '../../core/errors.js';
import { ownTempDir } from '../../core/temp-dirs.js';
import type { PluginBuild } from 'esbuild';

const OWN_RUNTIME = fileURLToPath(new URL('../../', import.meta.url));
const OWN_ENTRY = join(OWN_RUNTIME, 'index.js');
const OWN_INTERNAL = join(OWN_RUNTIME, 'internal.js');
const OWN_VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
const OUT_DIR = join(tmpdir(), `miniflink-programs-${process.pid}`);

/** The bundle format this miniflink writes and reads. */
const BUNDLE_FORMAT = 1;
/** How a bundle's first line starts. */
const HEADER = '// miniflink-bundle ';

/** What a bundle's header says. */
export interface BundleInfo {
  /** The bundle format (BUNDLE_FORMAT). */
  readonly format: number;
  /** The miniflink version that compiled it. */
  readonly miniflink: string;
  /** The dist folder of the miniflink its `import 'miniflink'` points at. */
  readonly runtime: string;
  /** The job module's original absolute path on the client (`process.argv[1]` in the module). */
  readonly path: string;
  /** The client's environment when it compiled the module. */
  readonly env: Readonly<Record<string, string>>;
}

/** Options of compileProgram. */
export interface CompileOptions {
  /** Where to write the bundle (kept); by default a temporary file that discardCompiledProgram deletes. */
  readonly outFile?: string | undefined;
}

/**
 * Compiles the job module (or, for a bundle uploaded by a client, links it to this miniflink);
 * returns the compiled file's path.
 */
export async function compileProgram(program: string, options: CompileOptions = {}): Promise<string> {
  // The header names the module by its absolute path, wherever the caller's working directory is.
  const path = resolvePath(program);
  const uploaded = readBundleInfo(path);
  const out = options.outFile !== undefined ? resolvePath(options.outFile) : tempOut(uploaded?.path ?? path);
  // The folder of compiled modules goes when the process ends (also on SIGINT/SIGTERM).
  if (options.outFile === undefined) ownTempDir(OUT_DIR);
  mkdirSync(dirname(out), { recursive: true });
  if (uploaded !== undefined) {
    writeFileSync(out, linkBundle(readFileSync(path, 'utf8'), uploaded), { mode: 0o600 });
    return out;
  }
  writeFileSync(out, await bundle(path, out), { mode: 0o600 });
  return out;
}

/** A fresh temporary file for the compiled module: `<OUT_DIR>/<random>/<name>.mjs`. */
function tempOut(original: string): string {
  const name = `${basename(original).replace(/\.[^.]*$/, '').replace(/[^\w.-]/g, '_') || 'job'}.mjs`;
  return join(OUT_DIR, createHash('md5').update(`${original}:${Date.now()}:${Math.random()}`).digest('hex').slice(0, 12), name);
}

/** Runs esbuild; returns the bundle's text. */
async function bundle(path: string, out: string): Promise<string> {
  const esbuild = await import('esbuild');
  const header: BundleInfo = { format: BUNDLE_FORMAT, miniflink: OWN_VERSION, runtime: OWN_RUNTIME, path, env: clientEnv() };
  // The message says all there is: no frames of the compiler, no esbuild error as its cause.
  const fail = (details: readonly string[]) => {
    const e = new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `Could not compile the job module ${path}:\n${details.join('\n')}`);
    e.stack = `${e.name}: ${e.message}`;
    return e;
  };
  let result;
  try {
    result = await esbuild.build(buildOptions(path, out, header, false));
    // require(name) calls esbuild leaves to run time: built again, each resolves from its own file's folder.
    const requires = variableRequires(dirname(path), result.warnings);
    if (requires.size > 0) result = await esbuild.build(buildOptions(path, out, header, false, requires));
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors;
    // A glob import() over node_modules fails on the first installed file esbuild cannot load
    // (a binary, say): find such an import() to name it rather than that file.
    const probe = errors !== undefined ? await esbuild.build(buildOptions(path, out, header, true)).catch(() => undefined) : undefined;
    const globs = probe !== undefined ? checkDynamicImports(dirname(path), [], probe.metafile) : [];
    if (globs.length > 0) throw fail(globs);
    throw fail(errors?.map((x) => (x.location ? `${where(dirname(path), x.location)}: ${x.text}` : x.text)) ?? [(e as Error).message]);
  }
  const problems = checkDynamicImports(dirname(path), result.warnings, result.metafile);
  if (problems.length > 0) throw fail(problems);
  const js = withExportsHook(result.outputFiles.find((f) => f.path === out)?.text ?? '');
  const mapFile = result.outputFiles.find((f) => f.path === `${out}.map`);
  if (mapFile === undefined) return js;
  // Sources as absolute file URLs, so stack traces name the original files wherever the bundle lives.
  const map = JSON.parse(mapFile.text) as { sources: string[] };
  map.sources = map.sources.map((s) => pathToFileURL(resolvePath(dirname(out), s)).href);
  return `${js}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/** One name of esbuild's closing `export { local as name, ... };` clause. */
const EXPORT_PART = /^\s*([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?\s*$/;

/**
 * The names of esbuild's closing `export { ... };` clause, each with its local binding (null for
 * a part of another form); undefined when the text has no such clause.
 */
function exportClause(js: string): Array<{ local: string; name: string } | null> | undefined {
  const clause = /(?:^|\n)export \{([^}]*)\};\s*$/.exec(js);
  if (!clause) return undefined;
  return clause[1]!
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const m = EXPORT_PART.exec(part);
      return m ? { local: m[1]!, name: m[2] ?? m[1]! } : null;
    });
}

/**
 * The names a compiled module exports, read from the closing `export { ... };` clause esbuild
 * writes (so without running the module: its top-level code may submit a job); undefined when the
 * text does not tell (an `export *` of a module left out of the bundle, another form of export).
 */
export function bundleExportNames(compiledPath: string): ReadonlySet<string> | undefined {
  let js = readFileSync(compiledPath, 'utf8');
  const map = js.lastIndexOf('\n//# sourceMappingURL=');
  if (map >= 0) js = js.slice(0, map + 1);
  if (/(?:^|\n)export (\*|default |const |let |var |function |async |class )/.test(js)) return undefined;
  const parts = exportClause(js);
  if (!parts) return /(?:^|\n)export\b/.test(js) ? undefined : new Set();
  if (parts.some((p) => p === null)) return undefined;
  return new Set(parts.map((p) => p!.name));
}

/**
 * Hands the bundle's exports to core/pojo-types.ts before its top-level code runs (which usually
 * awaits execute(), so the module's namespace would come too late): the classes a job module
 * exports keep their class as records without registration, with or without -c. The call goes on
 * the banner's last line, so the source map's lines stay as they are; each export is a getter of
 * its local binding (one not initialized yet throws, and is skipped until it is).
 */
function withExportsHook(js: string): string {
  const getters = (exportClause(js) ?? []).flatMap((p) => (p ? [`get ${JSON.stringify(p.name)}() { return ${p.local}; }`] : []));
  if (getters.length === 0) return js;
  const hook = ` globalThis[Symbol.for('miniflink.addJobExports')]?.(() => ({ ${getters.join(', ')} }));`;
  const anchor = js.indexOf(REQUIRE_LINE_END);
  if (anchor < 0) return js;
  const at = anchor + REQUIRE_LINE_END.length;
  return `${js.slice(0, at)}${hook}${js.slice(at)}`;
}

/** How the banner's last line ends (where the exports hook goes). */
const REQUIRE_LINE_END = '/* miniflink: exports */';

/**
 * esbuild's options for a job module. A `probe` build loads every file that is not the job's own
 * code (in node_modules, or no JavaScript or TypeScript) as empty, so that it gets through to the
 * metafile that names the job's import() patterns.
 */
function buildOptions(path: string, out: string, header: BundleInfo, probe: boolean, requires: RequireSites = new Map()) {
  return {
    entryPoints: [path],
    outfile: out,
    // Paths in the bundle's comments (`// util.ts`) are relative to the job's folder, not to
    // wherever the client happened to run, so the same job gives the same bundle.
    absWorkingDir: dirname(path),
    write: false as const,
    metafile: true as const,
    define: LOCATION_DEFINES,
    // esbuild reports an import() or require() it leaves to run time at debug level only:
    // checkDynamicImports and variableRequires need them.
    logOverride: { 'unsupported-dynamic-import': 'warning' as const, 'unsupported-require-call': 'warning' as const },
    bundle: true,
    format: 'esm' as const,
    platform: 'node' as const,
    target: 'node20',
    charset: 'utf8' as const,
    sourcemap: 'external' as const,
    sourcesContent: false,
    logLevel: 'silent' as const,
    banner: {
      // esbuild's ESM output calls `require` for node built-ins and external packages required
      // from CommonJS code; a module-level `require` makes those work (esbuild renames a
      // top-level `require` the job declares itself).
      js: `${HEADER}${headerJson(header)}\nimport { createRequire as __miniflinkCreateRequire } from 'node:module'; const require = __miniflinkCreateRequire(${JSON.stringify(pathToFileURL(path).href)});${REQUIRE_LINE_END}`,
    },
    plugins: [
      {
        name: 'miniflink-program',
        setup(build: PluginBuild) {
          build.onResolve({ filter: /^miniflink(\/internal)?$/ }, (args) => ({ path: args.path === 'miniflink' ? OWN_ENTRY : OWN_INTERNAL, external: true }));
          // Native add-ons cannot be bundled: they stay where they are on this machine.
          build.onResolve({ filter: /\.node$/ }, async (args) => {
            if (args.pluginData === RESOLVING) return undefined;
            const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING });
            if (r.errors.length > 0) return { errors: r.errors };
            return { path: r.path, external: true };
          });
          // Packages: bundled, from the job's folder; node built-ins and native packages stay external.
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === RESOLVING) return undefined;
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: RESOLVING });
            if (r.errors.length > 0) return { errors: r.errors };
            if (r.external || hasNativeBindings(r.path)) return { path: r.path, external: true };
            return { path: r.path, namespace: r.namespace, sideEffects: r.sideEffects, suffix: r.suffix, pluginData: r.pluginData };
          });
          if (probe) build.onLoad({ filter: /.*/ }, (args) => (args.path.split(sep).includes('node_modules') || !SOURCE_FILE.test(args.path) ? { contents: '', loader: 'empty' } : undefined));
          build.onLoad({ filter: SOURCE_FILE }, (args) => {
            if (args.namespace !== 'file') return undefined;
            const ext = args.path.slice(args.path.lastIndexOf('.') + 1);
            const typescript = ext.startsWith('t') || ext === 'mts' || ext === 'cts';
            const loader = typescript ? (ext.endsWith('x') ? 'tsx' : 'ts') : ext.endsWith('x') ? 'jsx' : 'js';
            let contents = keepOriginalLocation(readFileSync(args.path, 'utf8'), args.path, ext);
            if (typescript && !args.path.split(sep).includes('node_modules')) contents = mapTemplateImportsToTs(contents);
            const sites = requires.get(args.path);
            if (sites !== undefined) contents = ownRequire(contents, sites, args.path);
            return { contents, loader, resolveDir: dirname(args.path) };
          });
        },
      },
    ],
  };
}

/** JavaScript and TypeScript files, which keepOriginalLocation prepares. */
const SOURCE_FILE = /\.(m?[jt]sx?|c[jt]s)$/;

const RESOLVING = 'miniflink-resolving';

/** The environment a bundle carries. */
function clientEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (typeof v === 'string') env[k] = v;
  return env;
}

/** The header's JSON on one line (JSON leaves U+2028/2029 as they are; in JS they end a line). */
function headerJson(info: BundleInfo): string {
  return JSON.stringify(info).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * What esbuild substitutes in every bundled file: each expression or free identifier becomes a
 * variable that keepOriginalLocation declares at the top of the file with the file's own value.
 * `define` works on the syntax tree, so `'import.meta.url'` in a string or a comment stays as
 * written, and a file that declares its own `__dirname` keeps it (only free identifiers are
 * replaced).
 */
const LOCATION_DEFINES: Readonly<Record<string, string>> = {
  'import.meta.url': '__miniflink_meta_url',
  'import.meta.dirname': '__miniflink_meta_dirname',
  'import.meta.filename': '__miniflink_meta_filename',
  __filename: '__miniflink_filename',
  __dirname: '__miniflink_dirname',
};

/**
 * A bundled file's source with its original location kept: the variables LOCATION_DEFINES
 * points at are declared with the original file's values (`import.meta.url` and its dirname and
 * filename; `__filename` and `__dirname`, which esbuild's ESM output lacks, except in an
 * .mjs/.mts file, which is ESM for Node too), and a shebang becomes a comment (the header must
 * stay the bundle's first line). No line is added, so positions in stack traces stay right.
 */
function keepOriginalLocation(source: string, path: string, ext: string): string {
  const text = source.replace(/^#!/, '//');
  const values: Record<string, string> = {
    'import.meta.url': pathToFileURL(path).href,
    'import.meta.dirname': dirname(path),
    'import.meta.filename': path,
    ...(ext === 'mjs' || ext === 'mts' ? {} : { __filename: path, __dirname: dirname(path) }),
  };
  // Only for what the text mentions at all (esbuild drops an ESM file's unused declarations).
  const defs = Object.entries(values)
    .filter(([expr]) => text.includes(expr.startsWith('import.meta') ? 'import.meta' : expr))
    .map(([expr, value]) => `${LOCATION_DEFINES[expr]} = ${JSON.stringify(value)}`);
  if (defs.length === 0) return text;
  // After the directive prologue ('use strict' must stay first), on the same line.
  const prologue = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/|(["'])[^"'\n]*\1[ \t]*(?:;|(?=\r?\n)))*/.exec(text)![0];
  return `${prologue}var ${defs.join(', ')};${text.slice(prologue.length)}`;
}

/** Where in a file (as its onLoad returned it) esbuild found `require(<not a string literal>)`: line (1-based) and byte column. */
type RequireSites = ReadonlyMap<string, ReadonlyArray<{ readonly line: number; readonly column: number }>>;

/** The `require(name)` calls esbuild left to run time, by absolute file. */
function variableRequires(workingDir: string, warnings: readonly EsbuildMessage[]): RequireSites {
  const sites = new Map<string, Array<{ line: number; column: number }>>();
  for (const w of warnings) {
    if (w.id !== 'unsupported-require-call' || !w.location) continue;
    const file = resolvePath(workingDir, w.location.file);
    sites.set(file, [...(sites.get(file) ?? []), { line: w.location.line, column: w.location.column }]);
  }
  return sites;
}

/**
 * A file whose `require(name)` calls (at `sites`) use a require made for the file itself, so each
 * resolves from the file's folder, as Node's does, not from the job module's (the bundle's
 * module-level require). The declaration goes after the directive prologue, on the same line, so
 * positions in stack traces stay right.
 */
function ownRequire(text: string, sites: ReadonlyArray<{ line: number; column: number }>, file: string): string {
  const lines = text.split('\n');
  const ordered = [...sites].sort((a, b) => b.line - a.line || b.column - a.column);
  for (const { line, column } of ordered) {
    const l = lines[line - 1];
    if (l === undefined) continue;
    // esbuild counts columns in UTF-8 bytes.
    const at = Buffer.from(l, 'utf8').subarray(0, column).toString('utf8').length;
    if (l.startsWith('require', at)) lines[line - 1] = `${l.slice(0, at)}__miniflink_require${l.slice(at + 'require'.length)}`;
  }
  const rewritten = lines.join('\n');
  const prologue = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/|(["'])[^"'\n]*\1[ \t]*(?:;|(?=\r?\n)))*/.exec(rewritten)![0];
  return `${prologue}var __miniflink_require = __miniflinkCreateRequire(${JSON.stringify(pathToFileURL(file).href)});${rewritten.slice(prologue.length)}`;
}

/**
 * `import()` of a template literal in a folder of its own that ends in `.js` (`.mjs`, `.cjs`,
 * `.jsx`), whose substitutions are plain names (`${name}`, `${opts.name}`: evaluated twice, so
 * nothing with side effects): the `.ts` (`.mts`, `.cts`, `.tsx`) file is tried first, then the
 * file as written, as TypeScript's resolution and tsx map `./helper.js` to `./helper.ts`. esbuild
 * bundles every file either pattern matches; a name neither holds fails as before
 * (`Module not found in bundle`).
 */
function mapTemplateImportsToTs(text: string): string {
  return text.replace(TEMPLATE_JS_IMPORT, (_call, body: string, ext: string) => {
    const ts = TS_EXTENSION[ext]!;
    return `(async () => import(\`${body}.${ts}\`))().catch((e) => (String(e && e.message).startsWith('Module not found in bundle') ? import(\`${body}.${ext}\`) : Promise.reject(e)))`;
  });
}

/** `import(`./dir/${name}.js`)`: a relative template literal with plain-name substitutions and a JavaScript extension. */
const TEMPLATE_JS_IMPORT = /(?<![.\w$])import\(\s*`(\.\.?\/(?:[^`\\$]|\$(?!\{))*(?:\$\{\s*[\w$]+(?:\.[\w$]+)*\s*\}(?:[^`\\$]|\$(?!\{))*)+)\.(js|mjs|cjs|jsx)`\s*\)/g;

/** The TypeScript extension TypeScript's resolution tries for a JavaScript one. */
const TS_EXTENSION: Readonly<Record<string, string>> = { js: 'ts', mjs: 'mts', cjs: 'cts', jsx: 'tsx' };

/** An esbuild message (error or warning). */
interface EsbuildMessage {
  readonly id?: string;
  readonly text: string;
  readonly location?: { readonly file: string; readonly line: number; readonly column: number; readonly lineText: string } | null;
}

/** `file:line:column` of a message, the file absolute (esbuild names it relative to the working directory). */
function where(workingDir: string, location: { file: string; line: number; column: number }): string {
  return `${resolvePath(workingDir, location.file)}:${location.line}:${location.column}`;
}

/** The `import(...)` call that starts at `column` of a line, as written (the rest of the line when it goes on). */
function importCall(lineText: string, column: number): string {
  const text = lineText.slice(column);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(0, i + 1);
  }
  return text.trim();
}

/**
 * Dynamic imports that a bundle cannot run as the original files would, each as a message naming
 * the file and the specifier:
 * - an `import(name)` in the job's own files (outside node_modules): left to run time, its
 *   specifier would resolve from the bundle's location (a temporary folder, or the cluster's
 *   upload folder), not from the file's folder. Inside an npm package it is left alone: packages
 *   use it for absolute paths and URLs, which resolve the same from anywhere.
 * - a template literal or a concatenation (``import(`./${name}`)``): esbuild bundles every file
 *   its folder holds; refused when that folder holds a node_modules folder (the job's root, say),
 *   which would pull in every installed package.
 */
function checkDynamicImports(workingDir: string, warnings: readonly EsbuildMessage[], metafile: { inputs: Record<string, { imports: ReadonlyArray<{ path: string; external?: boolean }> }> } | undefined): string[] {
  const problems: string[] = [];
  const variables: string[] = [];
  for (const w of warnings) {
    if (w.id !== 'unsupported-dynamic-import' || !w.location) continue;
    const file = resolvePath(workingDir, w.location.file);
    if (file.split(sep).includes('node_modules')) continue;
    variables.push(
      `${where(workingDir, w.location)}: ${importCall(w.location.lineText, w.location.column)}: the specifier is not a string literal, so the import cannot be bundled, and at run time it would resolve from the bundle's location, not from ${dirname(file)}. ` +
        'Import a string literal, or a template literal that starts with a folder of its own (import(`./plugins/${name}.js`) bundles every file of ./plugins).',
    );
  }
  for (const [input, { imports }] of Object.entries(metafile?.inputs ?? {})) {
    const file = resolvePath(workingDir, input);
    for (const i of imports) {
      // esbuild lists a glob import by its pattern (`./plugins/**/*.js`), marked external.
      if (!i.external || !i.path.includes('*')) continue;
      const folder = resolvePath(dirname(file), i.path.slice(0, i.path.indexOf('*')).replace(/[^/]*$/, ''));
      const modules = findNodeModules(folder);
      if (modules === undefined) continue;
      problems.push(
        `${file}: import() of the pattern ${i.path}: esbuild would bundle every file under ${folder}, including the installed packages in ${modules}. ` +
          'Start the template literal with a folder that holds only the modules to load (import(`./plugins/${name}.js`)), or import a string literal.',
      );
    }
  }
  return [...problems, ...variables];
}

/** The first node_modules folder in a folder or below it (not following links), if any. */
function findNodeModules(dir: string, budget = { folders: 10_000 }): string | undefined {
  if (budget.folders-- <= 0) return undefined;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  const folders = entries.filter((e) => e.isDirectory());
  const found = folders.find((e) => e.name === 'node_modules');
  if (found) return join(dir, found.name);
  for (const e of folders) {
    if (e.name.startsWith('.')) continue;
    const deeper = findNodeModules(join(dir, e.name), budget);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/** Packages with native bindings, by their folder. */
const nativePackages = new Map<string, boolean>();
/** Packages that load native add-ons through these. */
const NATIVE_LOADERS = ['bindings', 'node-gyp-build', 'node-gyp-build-optional-packages', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'nan', 'node-addon-api', 'napi-macros'];

/** Whether a resolved file belongs to an installed package with native bindings (kept external). */
function hasNativeBindings(file: string): boolean {
  if (!file.includes(`${sep}node_modules${sep}`)) return false;
  let dir = dirname(file);
  while (dir.includes(`${sep}node_modules${sep}`)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let pkg: Record<string, unknown> | undefined;
      try {
        pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
      } catch {
        pkg = undefined;
      }
      // Nested package.json files ({"type": "module"} in dist/esm) have no name.
      if (pkg !== undefined && typeof pkg.name === 'string') {
        let native = nativePackages.get(dir);
        if (native === undefined) {
          native = isNativePackage(dir, pkg);
          nativePackages.set(dir, native);
        }
        return native;
      }
    }
    dir = dirname(dir);
  }
  return false;
}

function isNativePackage(dir: string, pkg: Record<string, unknown>): boolean {
  if (pkg.gypfile === true || pkg.binary !== undefined || pkg.napi !== undefined || existsSync(join(dir, 'binding.gyp'))) return true;
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
    const deps = pkg[field];
    if (deps !== null && typeof deps === 'object' && NATIVE_LOADERS.some((n) => n in deps)) return true;
  }
  return containsAddon(dir, 3);
}

/** Whether a folder holds a `.node` file (a few levels deep, not in nested node_modules). */
function containsAddon(dir: string, depth: number): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.node')) return true;
  }
  if (depth === 0) return false;
  return entries.some((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.') && containsAddon(join(dir, e.name), depth - 1));
}

/**
 * A bundle relinked to this miniflink: a client's bundle imports the client's miniflink by its
 * path; here it must import the running one (the one whose execution context captures the job).
 */
function linkBundle(text: string, info: BundleInfo): string {
  if (info.runtime === OWN_RUNTIME) return text;
  const body = text.slice(text.indexOf('\n') + 1);
  const relink = (from: string, to: string, t: string) => t.split(JSON.stringify(join(info.runtime, from))).join(JSON.stringify(to));
  return `${HEADER}${headerJson({ ...info, runtime: OWN_RUNTIME })}\n${relink('internal.js', OWN_INTERNAL, relink('index.js', OWN_ENTRY, body))}`;
}

/**
 * The header of a bundle (a file compileProgram wrote), or undefined for any other file.
 * Throws for a bundle whose header is damaged or of a newer format.
 */
export function readBundleInfo(path: string): BundleInfo | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  let line: string;
  try {
    const prefix = Buffer.alloc(HEADER.length);
    if (readSync(fd, prefix, 0, prefix.length, 0) !== prefix.length || prefix.toString('utf8') !== HEADER) return undefined;
    const chunk = Buffer.alloc(64 * 1024);
    const parts: Buffer[] = [];
    for (let pos = HEADER.length; ; ) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      const newline = chunk.subarray(0, n).indexOf(10);
      parts.push(Buffer.from(chunk.subarray(0, newline >= 0 ? newline : n)));
      if (n === 0 || newline >= 0) break;
      pos += n;
    }
    line = Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
  let info: Partial<BundleInfo>;
  try {
    info = JSON.parse(line) as Partial<BundleInfo>;
  } catch {
    throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job bundle ${path} has a damaged header.`);
  }
  if (typeof info.format !== 'number' || info.format > BUNDLE_FORMAT) {
    throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job bundle ${path} has format ${String(info.format)} (from miniflink ${String(info.miniflink)}); this miniflink (${OWN_VERSION}) reads format ${BUNDLE_FORMAT}.`);
  }
  const env = info.env;
  if (typeof info.path !== 'string' || typeof info.runtime !== 'string' || env === null || typeof env !== 'object' || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job bundle ${path} has a damaged header.`);
  }
  return info as BundleInfo;
}

/** Deletes a compiled module. */
export function discardCompiledProgram(compiledPath: string | undefined): void {
  if (compiledPath === undefined || !compiledPath.startsWith(OUT_DIR + sep)) return;
  rmSync(compiledPath, { force: true });
  const dir = dirname(compiledPath);
  if (dir !== OUT_DIR) {
    try {
      if (statSync(dir).isDirectory() && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}

