/**
 * A job runs on a standalone cluster exactly as it runs locally (issue #8, item 8): a job spread
 * over several files (another .ts file, JSON, a local CommonJS file with require and __filename, a
 * data file read through import.meta.url, an npm package installed next to it, a package with
 * native bindings, an environment variable read at top level) gives the same lines with
 * `run -t local`, with `run -m` against a real cluster, and when its bundle is uploaded and run
 * over REST (`POST /jars/upload`, `POST /jars/:id/run`). The cluster runs with another value of the
 * variable: the client's wins.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, runNode } from '../helpers/cli.js';
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
});
