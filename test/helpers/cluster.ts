/**
 * A real standalone cluster in a child process (`miniflink cluster start -D rest.port=0 ...`):
 * resolves with its REST base URL once it serves; stopCluster ends it. Unless the settings name an
 * env.log.dir, the cluster logs into a folder of its own that stopCluster removes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** The log folders the helper made, by cluster. */
const logDirs = new WeakMap<ChildProcess, string>();

/** Starts a cluster with the given -D settings; resolves with the process, its base URL and its log folder. */
export async function startCluster(settings: readonly string[], options: { env?: Record<string, string> } = {}): Promise<{ cluster: ChildProcess; base: string; logDir: string }> {
  const given = settings.find((s) => s.startsWith('env.log.dir='));
  const logDir = given !== undefined ? given.slice('env.log.dir='.length) : mkdtempSync(join(tmpdir(), 'miniflink-test-log-'));
  const all = given !== undefined ? settings : [...settings, `env.log.dir=${logDir}`];
  const args = ['cluster', 'start', '-D', 'rest.port=0', ...all.flatMap((s) => ['-D', s])];
  const cluster = spawn(process.execPath, [join(ROOT, 'bin/miniflink.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  if (given === undefined) logDirs.set(cluster, logDir);
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const hit = /REST endpoint listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (hit) {
        // Stop reading into this string (a test may read what the cluster prints after this).
        cluster.stdout!.off('data', onData);
        resolve(hit[1]!);
      }
    };
    cluster.stdout!.on('data', onData);
    cluster.once('exit', (code) => {
      if (given === undefined) rmSync(logDir, { recursive: true, force: true });
      reject(new Error(`cluster exited ${code}: ${out}`));
    });
  });
  return { cluster, base, logDir };
}

/** Stops a cluster that is still running (SIGTERM unless told otherwise), waits for it to exit, and removes the log folder the helper made. */
export async function stopCluster(cluster: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!cluster) return;
  if (cluster.exitCode === null && cluster.signalCode === null) {
    const exited = new Promise((resolve) => cluster.once('exit', resolve));
    cluster.kill(signal);
    await exited;
  }
  const dir = logDirs.get(cluster);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
