/**
 * A job runs on a standalone cluster exactly as it runs locally (issue #8, item 8): a job spread
 * over several files (another .ts file, JSON, a local CommonJS file with require and __filename, a
 * data file read through import.meta.url, an npm package installed next to it, a package with
 * native bindings, an environment variable read at top level) gives the same lines with
 * `run -t local`, with `run -m` against a real cluster, and when its bundle is uploaded and run
 * over REST (`POST /jars/upload`, `POST /jars/:id/run`). The cluster runs with another value of the
 * variable: the client's wins. So does the client's configuration (config.yaml): `run -m` sends
 * what the job reads of it. `import.meta.url` is replaced as an expression only, never inside a
 * string; an import() the bundle cannot run as the original would fails at compile time. A
 * `require(name)` in a local CommonJS file resolves from that file's folder, and a template
 * import() ending in `.js` finds the `.ts` file, as TypeScript's resolution does.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, resultOf, ROOT, runCli, runNode } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const VAR = 'MF_BUNDLE_GREETING';
const CLIENT = { [VAR]: 'from-client' };
const root = mkdtempSync(join(tmpdir(), 'miniflink-bundle-'));
const jobDir = join(root, 'job');
const job = join(jobDir, 'job.ts');
let cluster: ChildProcess;
let base = '';

/** The fixture in a temporary folder, with the packages it imports in its node_modules. */
function writeFixture(): void {
  cpSync(join(ROOT, 'test/jobs/multi-file'), jobDir, { recursive: true });
  const pkg = (name: string, manifest: Record<string, unknown>, files: Record<string, string>) => {
    const dir = join(jobDir, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', ...manifest }));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  };
  // A CommonJS package that reads a file next to itself through __dirname.
  pkg(
    'mf-fake-pkg',
    {},
    {
      'index.js': [
        "'use strict';",
        "const fs = require('fs');",
        "const path = require('path');",
        "const suffix = fs.readFileSync(path.join(__dirname, 'suffix.txt'), 'utf8').trim();",
        'exports.shout = (word) => word.toUpperCase() + suffix;',
        '',
      ].join('\n'),
      'suffix.txt': '!\n',
    },
  );
  // A package with native bindings (gypfile): kept external, loaded from where it is.
  pkg('mf-fake-native', { gypfile: true }, { 'index.js': "exports.native = () => 'native:' + require('path').basename(__dirname);\n" });
}

/** The lines a run wrote, sorted (two parallel sink subtasks append in any order). */
function lines(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n').sort();
}

beforeAll(async () => {
  writeFixture();
  // The cluster's own value of the variable (it inherits this process's environment).
  const saved = process.env[VAR];
  process.env[VAR] = 'from-cluster';
  try {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', `web.upload.dir=${join(root, 'uploads')}`]));
  } finally {
    if (saved === undefined) delete process.env[VAR];
    else process.env[VAR] = saved;
  }
}, 60_000);

afterAll(async () => {
  await stopCluster(cluster);
  rmSync(root, { recursive: true, force: true });
});

describe('bundle', () => {
  it('bundle - a multi-file job gives the same results locally, with run -m and over REST, with the client environment', async () => {
    const expected = Array.from({ length: 12 }, (_, i) => {
      const n = i + 1;
      const word = ['alpha', 'beta', 'gamma'][n % 3]!.toUpperCase();
      return `#${String(n).padStart(2, '0')} ${n * 7} from-client ${word}! native:mf-fake-native legacy.cjs 1 job.ts/job.ts`;
    }).sort();

    // -t local: the client compiles and runs everything in its process.
    const localOut = join(root, 'local.txt');
    const local = await runCli(['run', '-t', 'local', job, localOut], { env: CLIENT });
    expect(local.code, local.stderr).toBe(0);
    expect(lines(localOut)).toEqual(expected);

    // run -m: the client uploads the bundle it runs itself; the cluster's captures use the client's environment.
    const remoteOut = join(root, 'remote.txt');
    const remote = await runCli(['run', '-m', base.replace('http://', ''), job, remoteOut], { env: CLIENT });
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toContain('Program execution finished');
    expect(lines(remoteOut)).toEqual(expected);
    // The CLI deleted its upload.
    expect(((await (await fetch(`${base}/jars`)).json()) as { files: unknown[] }).files).toEqual([]);

    // A bundle made by the client (as run -m makes it), uploaded and run over REST with nothing else.
    const bundle = join(root, 'job.mjs');
    const compile = await runNode(['--input-type=module', '-e', `const { compileProgram } = await import(${JSON.stringify(`${ROOT}dist/internal.js`)}); await compileProgram(${JSON.stringify(job)}, { outFile: ${JSON.stringify(bundle)} });`], { env: CLIENT });
    expect(compile.code, compile.stderr).toBe(0);
    const text = readFileSync(bundle, 'utf8');
    // npm packages and local files are inside; the native package stays where it is.
    expect(text).toContain('toUpperCase() + suffix');
    expect(text).toContain(JSON.stringify(join(jobDir, 'node_modules/mf-fake-native/index.js')));
    const form = new FormData();
    form.append('jarfile', new Blob([readFileSync(bundle)]), 'job.mjs');
    const upload = (await (await fetch(`${base}/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string; status: string };
    expect(upload.status).toBe('success');
    const jarId = upload.filename.split('/').pop()!;
    const restOut = join(root, 'rest.txt');
    const run = await fetch(`${base}/jars/${jarId}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ programArgsList: [restOut] }) });
    expect(run.status, await run.clone().text()).toBe(200);
    const { jobid } = (await run.json()) as { jobid: string };
    let result: { status: { id: string }; 'job-execution-result'?: { 'application-status': string } } = { status: { id: 'IN_PROGRESS' } };
    for (let i = 0; i < 300 && result.status.id !== 'COMPLETED'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = (await (await fetch(`${base}/jobs/${jobid}/execution-result`)).json()) as typeof result;
    }
    expect(result['job-execution-result']?.['application-status']).toBe('SUCCEEDED');
    expect(lines(restOut)).toEqual(expected);
    // The JobManager built its graph with the client's value too.
    const details = (await (await fetch(`${base}/jobs/${jobid}`)).json()) as { name: string; vertices: Array<{ name: string }> };
    expect(details.name).toBe('multi-file from-client');
    expect(details.vertices.map((v) => v.name).join(' ')).toContain('greet-from-client');
    await fetch(`${base}/jars/${jarId}`, { method: 'DELETE' });
    expect(existsSync(join(root, 'uploads', jarId))).toBe(false);
  }, 120_000);

  it('bundle - run -m sends the job its part of the client\'s config.yaml: parallelism and restart strategy as with -t local', async () => {
    const conf = join(root, 'conf');
    mkdirSync(conf, { recursive: true });
    // The job's first attempt fails: only the restart strategy of this file lets it finish.
    writeFileSync(join(conf, 'config.yaml'), 'parallelism.default: 2\nrestart-strategy:\n  type: fixed-delay\n  fixed-delay:\n    attempts: 1\n    delay: 10 ms\n');
    const job = join(ROOT, 'test/jobs/config-job.ts');
    const localArgs = ['run', '-t', 'local', '--conf-dir', conf, job];
    const local = await runCli(localArgs);
    expect(local.code, explain(localArgs, local)).toBe(0);
    expect(resultOf(local)).toEqual(['2/1']);
    const remoteArgs = ['run', '-m', base.replace('http://', ''), '--conf-dir', conf, job];
    const remote = await runCli(remoteArgs);
    expect(remote.code, explain(remoteArgs, remote)).toBe(0);
    expect(resultOf(remote)).toEqual(resultOf(local));
    const jobId = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(remote.stdout)![1]!;
    const config = (await (await fetch(`${base}/jobs/${jobId}/config`)).json()) as { 'execution-config': { 'job-parallelism': number } };
    expect(config['execution-config']['job-parallelism']).toBe(2);
  }, 120_000);

  it('bundle - import.meta.url in strings and comments stays as written, in the job and in a bundled package', async () => {
    const dir = join(root, 'meta');
    const pkg = join(dir, 'node_modules', 'mf-meta-pkg');
    mkdirSync(pkg, { recursive: true });
    mkdirSync(join(dir, 'plugins'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'mf-meta-pkg', version: '1.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), '// Finds files next to itself through import.meta.url.\nexport const hint = "read it with import.meta.url";\nexport const self = import.meta.url.split("/").slice(-2).join("/");\n');
    writeFileSync(join(dir, 'plugins', 'alpha.ts'), "export const name = 'alpha';\n");
    writeFileSync(
      join(dir, 'job.ts'),
      [
        "import { StreamExecutionEnvironment } from 'miniflink';",
        "import { hint, self } from 'mf-meta-pkg';",
        '// import.meta.url in a comment',
        "const text = 'import.meta.url';",
        'const quoted = `"import.meta.filename" ${import.meta.filename.split("/").pop()}`;',
        "const own = import.meta.url.split('/').pop();",
        // A template literal with a folder of its own: esbuild bundles the files of ./plugins.
        "const { name } = (await import(`./plugins/${process.argv[2] ?? 'alpha'}.ts`)) as { name: string };",
        'const env = StreamExecutionEnvironment.getExecutionEnvironment();',
        "const out = await env.fromElements(1).map(() => [text, quoted, own, hint, self, name].join('|')).executeAndCollect();",
        'console.log(`RESULT ${JSON.stringify(out)}`);',
        '',
      ].join('\n'),
    );
    const expected = ['import.meta.url|"import.meta.filename" job.ts|job.ts|read it with import.meta.url|mf-meta-pkg/index.js|alpha'];
    for (const target of [['-t', 'local'], ['-m', base.replace('http://', '')]]) {
      const args = ['run', ...target, join(dir, 'job.ts')];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r)).toEqual(expected);
    }
  }, 120_000);

  it('bundle - an import() the bundle cannot run as written fails at compile time, naming the file and the specifier', async () => {
    const dir = join(root, 'dynamic');
    mkdirSync(join(dir, 'node_modules', 'mf-binary'), { recursive: true });
    // An installed file esbuild cannot load: what a glob over node_modules would trip on first.
    writeFileSync(join(dir, 'node_modules', 'mf-binary', 'tool'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00]));
    const tail = ['const env = StreamExecutionEnvironment.getExecutionEnvironment();', 'env.fromElements(1).print();', "await env.execute('dynamic');", ''];
    const write = (file: string, line: string) => writeFileSync(join(dir, file), ["import { StreamExecutionEnvironment } from 'miniflink';", "const which = process.argv[2] ?? 'a';", line, ...tail].join('\n'));
    write('variable.ts', 'await import(which).catch(() => undefined);');
    write('root-glob.ts', 'await import(`./${which}`).catch(() => undefined);');

    const variable = await runCli(['info', join(dir, 'variable.ts')]);
    expect(variable.code).toBe(1);
    expect(variable.stderr).toContain(`${join(dir, 'variable.ts')}:3:6: import(which): the specifier is not a string literal`);
    expect(variable.stderr).not.toMatch(/^\s+at /m);

    const glob = await runCli(['run', '-t', 'local', join(dir, 'root-glob.ts')]);
    expect(glob.code).toBe(1);
    expect(glob.stdout).not.toContain('Job has been submitted');
    expect(glob.stderr).toContain(`${join(dir, 'root-glob.ts')}: import() of the pattern ./**/*: esbuild would bundle every file under ${dir}, including the installed packages in ${join(dir, 'node_modules')}`);
    expect(glob.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('bundle - the bundle names the module by its absolute path and does not depend on the directory it was compiled from', async () => {
    const compile = (cwd: string, program: string, outFile: string) =>
      runNode(['--input-type=module', '-e', `const { compileProgram } = await import(${JSON.stringify(`${ROOT}dist/internal.js`)}); await compileProgram(${JSON.stringify(program)}, { outFile: ${JSON.stringify(outFile)} });`], { cwd });
    mkdirSync(join(root, 'elsewhere'), { recursive: true });
    const a = await compile(root, 'job/job.ts', 'out-a/job.mjs');
    expect(a.code, a.stderr).toBe(0);
    const b = await compile(join(root, 'elsewhere'), '../job/job.ts', '../out-b/job.mjs');
    expect(b.code, b.stderr).toBe(0);
    const [headerA, ...bodyA] = readFileSync(join(root, 'out-a/job.mjs'), 'utf8').split('\n');
    const [headerB, ...bodyB] = readFileSync(join(root, 'out-b/job.mjs'), 'utf8').split('\n');
    const info = (line: string) => JSON.parse(line.slice('// miniflink-bundle '.length)) as { path: string };
    expect(info(headerA!).path).toBe(job);
    expect(info(headerB!).path).toBe(job);
    expect(bodyA.join('\n')).toBe(bodyB.join('\n'));
    expect(bodyA.join('\n')).toContain('\n// util.ts\n');
  }, 60_000);

  it("bundle - require(name) in a local CommonJS file resolves from that file's folder, locally and with run -m", async () => {
    const dir = join(root, 'require-variable');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    // The same name in the job's folder and in the CommonJS file's: Node takes the file's own.
    writeFileSync(join(dir, 'data.cjs'), "module.exports = 'the job folder\\'s data';\n");
    writeFileSync(join(dir, 'lib', 'data.cjs'), "module.exports = 'lib data';\n");
    writeFileSync(join(dir, 'lib', 'legacy.cjs'), "const name = './data.cjs';\nconst which = (n) => require(n);\nmodule.exports = { data: require(name), again: which('./data.cjs'), literal: require('./data.cjs') };\n");
    writeFileSync(
      join(dir, 'job.ts'),
      [
        "import { StreamExecutionEnvironment } from 'miniflink';",
        "import legacy from './lib/legacy.cjs';",
        'const env = StreamExecutionEnvironment.getExecutionEnvironment();',
        'const out = await env.fromElements(1).map(() => [legacy.data, legacy.again, legacy.literal].join(\'|\')).executeAndCollect();',
        'console.log(`RESULT ${JSON.stringify(out)}`);',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'lib', 'legacy.d.cts'), 'declare const legacy: { data: string; again: string; literal: string };\nexport = legacy;\n');
    for (const target of [['-t', 'local'], ['-m', base.replace('http://', '')]]) {
      const args = ['run', ...target, join(dir, 'job.ts')];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r), explain(args, r)).toEqual(['lib data|lib data|lib data']);
    }
  }, 120_000);

  it('bundle - import() of a template literal ending in .js finds the .ts file, as TypeScript and tsx do, locally and with run -m', async () => {
    const dir = join(root, 'template-ts');
    mkdirSync(join(dir, 'plugins'), { recursive: true });
    writeFileSync(join(dir, 'plugins', 'helper.ts'), "export const label = (n: number): string => `ts#${n}`;\n");
    writeFileSync(join(dir, 'plugins', 'plain.js'), 'export const label = (n) => `js#${n}`;\n');
    writeFileSync(
      join(dir, 'job.ts'),
      [
        "import { StreamExecutionEnvironment } from 'miniflink';",
        'const labels: string[] = [];',
        'for (const name of process.argv.slice(2)) {',
        '  const m = (await import(`./plugins/${name}.js`)) as { label: (n: number) => string };',
        '  labels.push(m.label(1));',
        '}',
        "const none = process.argv.length > 100 ? 'plain' : 'nothing';",
        "const missing = await import(`./plugins/${none}.js`).then(() => 'found', (e: Error) => e.message);",
        'const env = StreamExecutionEnvironment.getExecutionEnvironment();',
        "const out = await env.fromElements(2).map((n) => [...labels, missing, String(n)].join('|')).executeAndCollect();",
        'console.log(`RESULT ${JSON.stringify(out)}`);',
        '',
      ].join('\n'),
    );
    for (const target of [['-t', 'local'], ['-m', base.replace('http://', '')]]) {
      const args = ['run', ...target, join(dir, 'job.ts'), 'helper', 'plain'];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(0);
      expect(resultOf(r), explain(args, r)).toEqual(['ts#1|js#1|Module not found in bundle: ./plugins/nothing.js|2']);
    }
  }, 120_000);
});
