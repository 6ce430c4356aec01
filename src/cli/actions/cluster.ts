/**
 * `cluster start [--daemon]` and `cluster stop`: a standalone cluster in this process, serving
 * the REST API; stop calls DELETE /cluster.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomHexId } from '../../core/ids.js';
import { ownTempDir } from '../../core/temp-dirs.js';
import { buildRestServer } from '../../rest/server.js';
import { clusterLogOptions, StandaloneCluster } from '../../runtime/index.js';
import { configDirectory } from '../../config/index.js';
import { CliArgumentError, parseArgs, stringOption } from '../args.js';
import { RestClient } from '../rest-client.js';
import { parserOptions } from '../help.js';
import { loadConfiguration } from './common.js';
import type { CliIO } from './run.js';

/** `cluster start|stop`. */
export async function clusterAction(argv: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  const p = parseArgs(rest, parserOptions('cluster'), false);
  const conf = loadConfiguration(p, io.err, 'cluster');
  if (sub === 'stop') {
    await RestClient.fromConfig(conf).call('DELETE', '/cluster');
    io.out(`Cluster at ${RestClient.fromConfig(conf).baseUrl} is shutting down.`);
    return 0;
  }
  if (sub !== 'start') throw new CliArgumentError(`Unknown cluster action '${sub ?? ''}': expected start or stop`);
  if (p.positional.length > 0) throw new CliArgumentError(`"cluster start" takes no arguments, got: ${p.positional.join(' ')} (a setting is given as -D key=value).`);
  const logDir = conf['env.log.dir'] ?? join(tmpdir(), 'miniflink-log');
  if (p.options['daemon'] === true) {
    mkdirSync(logDir, { recursive: true });
    const pidFile = join(logDir, 'miniflink-cluster.pid');
    const running = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
    if (Number.isInteger(running) && isAlive(running)) {
      // Its address, from its output file (it may listen on another port than this configuration's).
      const out = join(logDir, 'miniflink-cluster.out');
      const at = existsSync(out) ? /REST endpoint listening at http:\/\/(.+):(\d+)/.exec(readFileSync(out, 'utf8')) : null;
      const stop = at ? stopCommand(at[1]!, Number(at[2])) : 'miniflink cluster stop';
      io.err(`A cluster started with --daemon is already running (pid ${running}, ${pidFile}); stop it first with '${stop}', or give it another env.log.dir.`);
      return 1;
    }
    const log = join(logDir, 'miniflink-cluster.out');
    const fd = openSync(log, 'w');
    const child = spawn(process.execPath, [process.argv[1]!, 'cluster', 'start', ...rest.filter((a) => a !== '--daemon')], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, MINIFLINK_PID_FILE: pidFile, MINIFLINK_DAEMON_OUT: log },
    });
    closeSync(fd);
    child.unref();
    for (let i = 0; i < 300; i++) {
      const text = readFileSync(log, 'utf8');
      const line = /REST endpoint listening at \S+/.exec(text);
      if (line) {
        // The pid file names a cluster that serves; the cluster removes it when it stops.
        writeFileSync(pidFile, `${child.pid}\n`);
        io.out(line[0]);
        io.out(`Started the cluster in the background (pid ${child.pid}); log: ${log}`);
        return 0;
      }
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    io.err(readFileSync(log, 'utf8'));
    return 1;
  }
  // Job modules' top-level code runs in this process (capture): an error it leaves unhandled (a
  // rejected promise, a throw in a timer) is reported and the cluster serves on, as Flink's
  // JobManager survives a user main() that misbehaves.
  process.on('unhandledRejection', (e) => io.err(`An error no code handled (a job module's top-level code?), the cluster goes on: ${(e as Error)?.stack ?? String(e)}`));
  process.on('uncaughtException', (e) => io.err(`An exception no code caught (a job module's top-level code?), the cluster goes on: ${e.stack ?? String(e)}`));
  // A daemon's own output file (its JobManager's .out) is the one its parent made.
  const daemonOut = process.env['MINIFLINK_DAEMON_OUT'];
  const cluster = new StandaloneCluster(conf, clusterLogOptions({ ...conf, 'env.log.dir': logDir }, { confDir: configDirectory(stringOption(p, 'conf-dir')), daemon: daemonOut !== undefined, jobManagerOut: daemonOut }));
  await cluster.start();
  let closing: Promise<void> | undefined;
  const shutdown = () =>
    (closing ??= (async () => {
      await app.close();
      await cluster.close();
      const pidFile = process.env['MINIFLINK_PID_FILE'];
      if (pidFile !== undefined && existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')) === process.pid) rmSync(pidFile, { force: true });
      process.exit(0);
    })());
  const app = await buildRestServer(cluster, {
    // As Flink's web.tmpdir: without web.upload.dir, uploads live in a folder of this cluster's own, removed when it stops.
    uploadDir: conf['web.upload.dir'] ?? ownTempDir(join(tmpdir(), `miniflink-web-${randomHexId().slice(0, 12)}`)),
    maxUploadBytes: 64 * 1024 * 1024,
    onShutdown: () => void shutdown(),
  });
  const host = conf['rest.bind-address'] ?? conf['rest.address'] ?? '127.0.0.1';
  const wanted = Number(conf['rest.port'] ?? 8081);
  try {
    await app.listen({ host, port: wanted });
  } catch (e) {
    await app.close().catch(() => {});
    await cluster.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      io.err(
        `Port ${wanted} on ${host} is taken (another cluster, or another program, listens there). Stop it, or choose another port: -D rest.port=${wanted + 1} (0: any free port; with npm start: npm start -- -D rest.port=${wanted + 1}).`,
      );
    }
    else io.err(`The REST endpoint cannot listen on ${host}:${wanted}: ${(e as Error).message}`);
    return 1;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : wanted;
  io.out(`REST endpoint listening at http://${host}:${port}`);
  const browse = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  io.out(`Web UI: ${browse}/ (${daemonOut !== undefined ? `'${stopCommand(host, port)}'` : 'Ctrl-C'} stops the cluster)`);
  const job = stringOption(p, 'job');
  if (job !== undefined) {
    try {
      const jm = await cluster.submit({ path: resolve(job), args: [] });
      io.out(`Job '${jm.jobName}' (${jm.jobId}) is running: ${browse}/#/job/${jm.jobId}`);
    } catch (e) {
      io.err(`The job ${job} could not be submitted: ${(e as Error).message}`);
    }
  }
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  await new Promise(() => {}); // Serve until stopped.
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command that stops the cluster listening at host:port (a bare `cluster stop` goes to the configured address). */
function stopCommand(host: string, port: number): string {
  const local = host === 'localhost' || host === '127.0.0.1' || host === '0.0.0.0' || host === '::';
  return `miniflink cluster stop -m ${local ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
}
