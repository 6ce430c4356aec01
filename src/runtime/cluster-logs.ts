/**
 * The cluster's log files (Flink's log directory): the JobManager's log, one log per TaskManager
 * (the lines its slot threads post: task lifecycle, checkpoints, user code's loggers), and each
 * TaskManager's stdout (what print() writes). Files are named as Flink's scripts name them,
 * `miniflink-<user>-standalonesession-<n>-<host>.log` and `miniflink-<user>-taskexecutor-<n>-<host>.log`,
 * `<n>` the lowest number no live process holds in the folder (a `.lock` file beside each), so
 * clusters may share a folder.
 *
 * A TaskManager's stdout: in the foreground print() still goes to the process's stdout (as Flink's
 * in an IDE) and the last 4 MB are kept for REST; in a daemon (`cluster start --daemon`) it goes to
 * the TaskManager's `.out` file.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { configDirectory } from '../config/index.js';
import { loggerFactory, logSettings, readLogProperties, RollingFile, type LogFileInfo, type LoggerFactory, type LogSettings } from '../core/logging.js';

/** Where and how a cluster logs. */
export interface ClusterLogOptions {
  /** The log folder (env.log.dir). */
  readonly dir: string;
  readonly settings: LogSettings;
  /** A daemon: a TaskManager's stdout goes to its `.out` file, not to the process's stdout. */
  readonly daemon: boolean;
  /** The JobManager's `.out` file (a daemon's output), if it has one. */
  readonly jobManagerOut?: string | undefined;
  /** Remove the folder when the cluster closes (a folder of the cluster's own). */
  readonly removeOnClose?: boolean;
}

/**
 * How a cluster logs, from its configuration: into env.log.dir (default `<tmp>/miniflink-log`),
 * levels and file sizes from the configuration folder's `log4j.properties` (a daemon) or
 * `log4j-console.properties` (the foreground) with -D's log4j keys over them, and env.log.max
 * rolled files.
 */
export function clusterLogOptions(conf: Readonly<Record<string, string | undefined>>, how: { confDir?: string | undefined; daemon?: boolean; jobManagerOut?: string | undefined }): ClusterLogOptions {
  const daemon = how.daemon === true;
  const confDir = how.confDir ?? configDirectory(undefined);
  const props = readLogProperties(join(confDir, daemon ? 'log4j.properties' : 'log4j-console.properties'));
  return {
    dir: conf['env.log.dir'] ?? join(tmpdir(), 'miniflink-log'),
    settings: logSettings(props, conf, conf['env.log.max']),
    daemon,
    jobManagerOut: how.jobManagerOut,
  };
}

/** What a TaskManager's stdout keeps in memory in the foreground. */
const STDOUT_TAIL = 4 * 1024 * 1024;

/** Locks this process holds, by path. */
const held = new Set<string>();

function safe<T>(f: () => T, d: T): T {
  try {
    return f();
  } catch {
    return d;
  }
}

const USER = safe(() => userInfo().username, '') || 'user';
const HOST = safe(() => hostname(), '') || 'localhost';

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims the lowest free `miniflink-<user>-<kind>-<n>-<host>` in the folder; returns the base name and its lock. */
function claimName(dir: string, kind: string): { base: string; lock: string } {
  for (let n = 0; ; n++) {
    const base = `miniflink-${USER}-${kind}-${n}-${HOST}`;
    const lock = join(dir, `.${base}.lock`);
    if (held.has(lock)) continue;
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      held.add(lock);
      return { base, lock };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(safe(() => readFileSync(lock, 'utf8'), '').trim());
      // A lock of a process that ended (or of a former process with this one's pid) is stale.
      if (pid === process.pid || !isAlive(pid)) {
        rmSync(lock, { force: true });
        n--;
      }
    }
  }
}

/**
 * The end of a text that is at most `max` bytes in UTF-8 (as REST serves it), cut between code
 * points: a pair of surrogates (an emoji) is kept or dropped whole, never left as a lone half. A
 * lone surrogate the program printed itself counts as the 3 bytes of the U+FFFD it is sent as.
 */
export function textTail(all: string, max: number): string {
  if (all.length * 3 <= max) return all;
  let bytes = 0;
  let i = all.length;
  while (i > 0) {
    const c = all.charCodeAt(i - 1);
    let n = 3;
    let units = 1;
    if (c < 0x80) n = 1;
    else if (c < 0x800) n = 2;
    else if (c >= 0xdc00 && c <= 0xdfff && i >= 2 && (all.charCodeAt(i - 2) & 0xfc00) === 0xd800) {
      n = 4;
      units = 2;
    }
    if (bytes + n > max) break;
    bytes += n;
    i -= units;
  }
  return all.slice(i);
}

/** The tail of a stream kept in memory. */
class Tail {
  private parts: string[] = [];
  private size = 0;
  append(text: string): void {
    this.parts.push(text);
    this.size += Buffer.byteLength(text);
    if (this.size > STDOUT_TAIL * 2) {
      const kept = textTail(this.parts.join(''), STDOUT_TAIL);
      this.parts = [kept];
      this.size = Buffer.byteLength(kept);
    }
  }
  text(): string {
    return textTail(this.parts.join(''), STDOUT_TAIL);
  }
}

interface TaskManagerLog {
  readonly base: string;
  readonly lock: string;
  readonly log: RollingFile;
  readonly out: RollingFile | undefined;
  readonly tail: Tail;
}

/** The cluster's log files. */
export class ClusterLogs {
  /** The JobManager's loggers. */
  readonly jobManager: LoggerFactory;
  private readonly jmLog: RollingFile;
  private readonly jmLock: string;
  private readonly taskManagers = new Map<string, TaskManagerLog>();
  private closed = false;

  constructor(readonly options: ClusterLogOptions) {
    mkdirSync(options.dir, { recursive: true });
    const { base, lock } = claimName(options.dir, 'standalonesession');
    this.jmLock = lock;
    this.jmLog = new RollingFile(join(options.dir, `${base}.log`), options.settings.maxFileBytes, options.settings.maxFiles);
    this.jobManager = loggerFactory(options.settings.levels, (line) => this.jmLog.append(line), 'main');
  }

  /** Opens a TaskManager's log (and, in a daemon, its `.out` file). */
  addTaskManager(id: string): void {
    const { base, lock } = claimName(this.options.dir, 'taskexecutor');
    const log = new RollingFile(join(this.options.dir, `${base}.log`), this.options.settings.maxFileBytes, this.options.settings.maxFiles);
    const out = this.options.daemon ? new RollingFile(join(this.options.dir, `${base}.out`), Number.MAX_SAFE_INTEGER, 0) : undefined;
    this.taskManagers.set(id, { base, lock, log, out, tail: new Tail() });
  }

  /** Log lines a TaskManager's slot thread posted (already in Flink's pattern; each one event, which rolls over whole). */
  taskManagerLog(id: string, lines: readonly string[]): void {
    const log = this.taskManagers.get(id)?.log;
    if (log) for (const line of lines) log.append(line);
  }

  /** What a TaskManager's slot thread wrote to stdout or stderr; `written` once it is written (or buffered to be written to a file). */
  taskManagerStdout(id: string, stream: 'stdout' | 'stderr', text: string, written: () => void = () => {}): void {
    const tm = this.taskManagers.get(id);
    if (tm?.out) {
      tm.out.append(text);
      written();
      return;
    }
    tm?.tail.append(text);
    (stream === 'stdout' ? process.stdout : process.stderr).write(text, () => written());
  }

  /** The JobManager's files: its log, the rolled-over ones, its `.out`. */
  jobManagerFiles(): LogFileInfo[] {
    const out = this.options.jobManagerOut;
    const files = this.jmLog.files();
    if (out !== undefined && existsSync(out)) {
      const s = statSync(out);
      files.push({ name: basename(out), size: s.size, mtime: Math.floor(s.mtimeMs) });
    }
    return files;
  }

  /** A TaskManager's files, or undefined for an unknown TaskManager. */
  taskManagerFiles(id: string): LogFileInfo[] | undefined {
    const tm = this.taskManagers.get(id);
    if (!tm) return undefined;
    return [...tm.log.files(), ...(tm.out?.files() ?? [])];
  }

  /** The JobManager's current log. */
  jobManagerLog(): string {
    return this.read(this.jobManagerFiles(), basename(this.jmLog.path)) ?? '';
  }

  /** The JobManager's stdout (a daemon's `.out`; empty in the foreground, where it is the terminal). */
  jobManagerStdout(): string {
    const out = this.options.jobManagerOut;
    return out !== undefined && existsSync(out) ? readFileSync(out, 'utf8') : '';
  }

  /** One of the JobManager's files by name, or undefined when it has none by that name. */
  jobManagerFile(name: string): string | undefined {
    return this.read(this.jobManagerFiles(), name);
  }

  /** A TaskManager's current log. */
  taskManagerLogText(id: string): string | undefined {
    const tm = this.taskManagers.get(id);
    return tm ? (this.read(tm.log.files(), basename(tm.log.path)) ?? '') : undefined;
  }

  /** A TaskManager's stdout: its `.out` file (daemon) or the kept tail (foreground). */
  taskManagerStdoutText(id: string): string | undefined {
    const tm = this.taskManagers.get(id);
    if (!tm) return undefined;
    if (tm.out) return this.read(tm.out.files(), basename(tm.out.path)) ?? '';
    return tm.tail.text();
  }

  /** One of a TaskManager's files by name. */
  taskManagerFile(id: string, name: string): string | undefined {
    const files = this.taskManagerFiles(id);
    return files ? this.read(files, name) : undefined;
  }

  /** Reads a listed file; only names in the list are read (no path reaches outside the folder). */
  private read(files: readonly LogFileInfo[], name: string): string | undefined {
    if (!files.some((f) => f.name === name)) return undefined;
    const path = name === basename(this.options.jobManagerOut ?? '\u0000') ? this.options.jobManagerOut! : join(this.options.dir, name);
    return safe(() => readFileSync(path, 'utf8'), undefined);
  }

  /** Flushes and closes every file and gives up the names. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.jmLog.close();
    for (const tm of this.taskManagers.values()) {
      tm.log.close();
      tm.out?.close();
      rmSync(tm.lock, { force: true });
      held.delete(tm.lock);
    }
    rmSync(this.jmLock, { force: true });
    held.delete(this.jmLock);
    if (this.options.removeOnClose === true) rmSync(this.options.dir, { recursive: true, force: true });
  }
}
