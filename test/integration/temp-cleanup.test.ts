/**
 * Temporary folders of the runtime (TaskManager working folders with LevelDB databases, compiled
 * job modules, a cluster's upload folder) are removed on a normal exit and on SIGINT/SIGTERM.
 * Each case runs the real CLI with TMPDIR pointing at an empty folder of its own and checks that
 * the folder is empty again afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-cleanup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** An empty folder to serve as a process's TMPDIR. */
const freshTmp = () => mkdtempSync(join(root, `case${n++}-`));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the folder holds a TaskManager folder with a LevelDB database in one of its slot folders. */
async function untilLevelDbOpen(dir: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    // miniflink-tm-<id>/slot-<n>/leveldb-…: each slot thread keeps its databases in a folder of its own.
    const tms = readdirSync(dir).filter((f) => f.startsWith('miniflink-tm-'));
    const slots = tms.flatMap((tm) => readdirSync(join(dir, tm)).map((s) => join(dir, tm, s)));
    if (slots.some((s) => readdirSync(s).some((f) => f.startsWith('leveldb-')))) return;
    await sleep(100);
  }
  throw new Error(`no LevelDB database appeared under ${dir}: ${readdirSync(dir).join(', ')}`);
}

describe('temporary files', () => {
  it('cleanup - run -t local with LevelDB leaves nothing behind after a normal exit', async () => {
    const tmp = freshTmp();
    const r = await runCli(['run', '-t', 'local', '-p', '2', 'test/jobs/exactly-once-job.ts', join(root, 'eo-out'), '2000', '-1', 'leveldb'], { env: { TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`cleanup - run -t local of a running LevelDB job leaves nothing behind on ${signal}`, async () => {
      const tmp = freshTmp();
      const child = spawn(process.execPath, [join(ROOT, 'bin/miniflink.mjs'), 'run', '-t', 'local', '-D', 'state.backend.type=leveldb', 'test/jobs/savepoint-job.ts', join(tmp, '..', `sp-out-${signal}`), '100000000', '100', 'run', 'slow'], {
        cwd: ROOT,
        env: { ...process.env, TMPDIR: tmp },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
      await untilLevelDbOpen(tmp);
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }

  it('cleanup - a foreground cluster with a running LevelDB job leaves nothing behind on SIGINT', async () => {
    const tmp = freshTmp();
    const { cluster, base } = await startCluster(['state.backend.type=leveldb'], { env: { TMPDIR: tmp } });
    try {
      const r = await runCli(['run', '-d', '-m', base.replace('http://', ''), 'test/jobs/savepoint-job.ts', join(root, 'cluster-out'), '100000000', '100', 'run', 'slow']);
      expect(r.code, r.stderr).toBe(0);
      await untilLevelDbOpen(tmp);
      expect(readdirSync(tmp).some((f) => f.startsWith('miniflink-web-'))).toBe(true);
    } finally {
      await stopCluster(cluster, 'SIGINT');
    }
    expect(cluster.exitCode).toBe(0);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('temporary files written during the clean-up', () => {
  const HARNESS = join(ROOT, 'test/jobs/temp-dir-signal-harness.mjs');
  it('cleanup - a folder still written when SIGTERM comes goes, and the process still ends by SIGTERM', async () => {
    // rmSync fails with ENOTEMPTY when a file appears in a folder it has emptied; thrown from the
    // signal listener, that ended `run -t local` with exit code 1 and left the folder (CI, once).
    for (let i = 0; i < 3; i++) {
      const tmp = freshTmp();
      const dir = join(tmp, 'written');
      const child = spawn(process.execPath, [HARNESS, dir, '400'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const ended = await new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
      expect(ended, stderr).toBe('SIGTERM');
      expect(readdirSync(tmp)).toEqual([]);
    }
  });
});
