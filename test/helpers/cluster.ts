/**
 * A real standalone cluster in a child process (`miniflink cluster start -D rest.port=0 ...`):
 * resolves with its REST base URL once it serves; stopCluster ends it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** Starts a cluster with the given -D settings; resolves with the process and its base URL. */
export async function startCluster(settings: readonly string[], options: { env?: Record<string, string> } = {}): Promise<{ cluster: ChildProcess; base: string }> {
  const args = ['cluster', 'start', '-D', 'rest.port=0', ...settings.flatMap((s) => ['-D', s])];
  const cluster = spawn(process.execPath, [join(ROOT, 'bin/miniflink.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    cluster.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const hit = /REST endpoint listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (hit) resolve(hit[1]!);
    });
    cluster.once('exit', (code) => reject(new Error(`cluster exited ${code}: ${out}`)));
  });
  return { cluster, base };
}

/** Stops a cluster that is still running (SIGTERM unless told otherwise) and waits for it to exit. */
export async function stopCluster(cluster: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!cluster || cluster.exitCode !== null || cluster.signalCode !== null) return;
  const exited = new Promise((resolve) => cluster.once('exit', resolve));
  cluster.kill(signal);
  await exited;
}
