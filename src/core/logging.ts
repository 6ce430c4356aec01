/**
 * Logging as Flink's log4j set-up does it, on pino: named loggers whose level comes from log4j 2
 * properties (`rootLogger.level`, `logger.<n>.name` / `logger.<n>.level`, the most specific name
 * wins), SLF4J-style messages (`{}` placeholders, a trailing Error printed with its stack), and lines
 * in Flink's text pattern `yyyy-MM-dd HH:mm:ss,SSS LEVEL logger [thread] - message`.
 *
 * pino decides what is logged: a logger's disabled levels are no-ops (nothing is formatted), and
 * its JSON records go to a destination that writes them as Flink's text lines (a rolling file in
 * the cluster process, a post to the cluster process from a slot thread).
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { pino, type Logger as PinoLogger } from 'pino';
import { MiniFlinkError, stackWithCauses } from './errors.js';

/** log4j's levels. */
export const LOG_LEVELS = ['ALL', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'OFF'] as const;
/** A log4j level. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

const TO_PINO: Record<LogLevelName, pino.LevelWithSilent> = { ALL: 'trace', TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', OFF: 'silent' };
const FROM_PINO: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** The levels of a logging set-up: the root's and those of named loggers. */
export interface LogLevels {
  readonly root: LogLevelName;
  /** Named loggers' levels (a name covers itself and the names below it: `a.b` covers `a.b.C`). */
  readonly loggers: readonly { readonly name: string; readonly level: LogLevelName }[];
}

/** A logging set-up: levels and the rolling file's limits. */
export interface LogSettings {
  readonly levels: LogLevels;
  /** A log file rolls over when it would grow beyond this (log4j `appender.<a>.policies.size.size`; default 100 MB). */
  readonly maxFileBytes: number;
  /** Rolled-over files kept (`.log.1` ... `.log.<n>`; Flink's env.log.max, default 10). */
  readonly maxFiles: number;
}

/** Flink's defaults: INFO, 100 MB files, 10 kept. */
export const DEFAULT_LOG_SETTINGS: LogSettings = { levels: { root: 'INFO', loggers: [] }, maxFileBytes: 100 * 1024 * 1024, maxFiles: 10 };

/** Keys of a log4j 2 properties file that miniflink reads (also accepted as -D). */
export const LOG4J_KEY = /^(rootLogger(\.level)?|logger\.[^.]+\.(name|level)|appender\.[^.]+\.policies\.size\.size|appender\.[^.]+\.strategy\.max)$/;

/** Parses a level name (log4j's, any case). */
export function parseLogLevel(text: string, key: string): LogLevelName {
  const level = text.trim().toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `${key}: '${text.trim()}' is not a log level (one of ${LOG_LEVELS.join(', ')})`);
  return level as LogLevelName;
}

/**
 * The key/value pairs of a Java properties file (comments `#` and `!`, `=` or `:` separators, `\`
 * line continuations), with log4j's `${env:NAME:-default}` and `${sys:name:-default}` resolved.
 */
export function parseProperties(text: string, env: Readonly<Record<string, string | undefined>> = process.env): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trimStart();
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!.trim().replace(/\$\{(env|sys):([^}:]+)(?::-([^}]*))?\}/g, (_all, kind: string, name: string, d: string | undefined) => (kind === 'env' ? env[name] : undefined) ?? d ?? '');
    out.set(m[1]!, value);
  }
  return out;
}

/** A size such as `100MB`, `2 KB`, `4096` (log4j's SizeBasedTriggeringPolicy). */
export function parseLogFileSize(text: string, key: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!m) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `${key}: '${text}' is not a size (e.g. 100MB, 512KB)`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b']!;
  return Math.max(1, Math.floor(Number(m[1]) * unit));
}

/**
 * The settings a log4j 2 properties file gives (`props`), then the same keys given as -D
 * (`overrides`), then Flink's `env.log.max` (rolled files kept). Levels: `rootLogger.level` (or
 * `rootLogger = LEVEL, appenders`), and for each `logger.<n>`: `.name` and `.level`.
 */
export function logSettings(props: ReadonlyMap<string, string>, overrides: Readonly<Record<string, string | undefined>> = {}, maxFiles?: string): LogSettings {
  const all = new Map(props);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined || !LOG4J_KEY.test(k)) continue;
    // `-D rootLogger=LEVEL, ...` replaces the file's root level, however the file gave it.
    if (k === 'rootLogger') all.delete('rootLogger.level');
    all.set(k, v);
  }
  let root: LogLevelName = 'INFO';
  const rootText = all.get('rootLogger.level') ?? all.get('rootLogger')?.split(',')[0];
  if (rootText !== undefined && rootText.trim() !== '') root = parseLogLevel(rootText, 'rootLogger.level');
  const named = new Map<string, { name?: string; level?: LogLevelName }>();
  let maxFileBytes = DEFAULT_LOG_SETTINGS.maxFileBytes;
  let files = DEFAULT_LOG_SETTINGS.maxFiles;
  for (const [k, v] of all) {
    const m = /^logger\.([^.]+)\.(name|level)$/.exec(k);
    if (m) {
      const entry = named.get(m[1]!) ?? {};
      if (m[2] === 'name') entry.name = v.trim();
      // An empty level (an unset ${env:...} without a default) leaves the logger unset, as log4j does.
      else if (v.trim() !== '') entry.level = parseLogLevel(v, k);
      named.set(m[1]!, entry);
    } else if (/^appender\.[^.]+\.policies\.size\.size$/.test(k)) maxFileBytes = parseLogFileSize(v, k);
    else if (/^appender\.[^.]+\.strategy\.max$/.test(k)) files = count(v, k);
  }
  if (maxFiles !== undefined) files = count(maxFiles, 'env.log.max');
  const loggers = [...named.values()]
    .filter((e): e is { name: string; level: LogLevelName } => e.name !== undefined && e.name !== '' && e.level !== undefined)
    .sort((a, b) => b.name.length - a.name.length);
  return { levels: { root, loggers }, maxFileBytes, maxFiles: files };
}

function count(text: string, key: string): number {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 0) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `${key}: '${text}' is not a number of files`);
  return n;
}

/** Reads a log4j 2 properties file; a missing file gives no properties. */
export function readLogProperties(path: string): Map<string, string> {
  return existsSync(path) ? parseProperties(readFileSync(path, 'utf8')) : new Map();
}

/** The level of a logger: that of the longest configured name that is the logger's or one of its parents (log4j's hierarchy). */
export function levelOf(levels: LogLevels, name: string): LogLevelName {
  for (const l of levels.loggers) if (name === l.name || name.startsWith(`${l.name}.`)) return l.level;
  return levels.root;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** One line in Flink's pattern: `yyyy-MM-dd HH:mm:ss,SSS LEVEL logger [thread] - message` (local time). */
export function formatLogLine(time: number, level: string, logger: string, thread: string, message: string): string {
  const d = new Date(time);
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
  return `${stamp} ${level.padEnd(5)} ${logger.padEnd(60)} [${thread}] - ${message}\n`;
}

/**
 * SLF4J's message formatting: each `{}` takes the next argument; an Error left over after the
 * placeholders is printed with its stack and causes. Formatting never throws: an argument that
 * cannot be shown prints as `[FAILED toString()]`, as SLF4J prints it.
 */
export function formatMessage(message: string, args: readonly unknown[]): string {
  let i = 0;
  let text = message.replace(/\\?\{\}/g, (hole) => (hole.startsWith('\\') ? '{}' : i < args.length ? show(args[i++]) : hole));
  const rest = args[args.length - 1];
  if (i < args.length && rest instanceof Error) text += `\n${safely(() => stackWithCauses(rest))}`;
  return text;
}

function safely(f: () => string): string {
  try {
    return f();
  } catch {
    return '[FAILED toString()]';
  }
}

function show(v: unknown): string {
  return safely(() => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    if (v !== null && typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === null || (v as object).toString === Object.prototype.toString)) {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
    }
    return String(v);
  });
}

/** An SLF4J-style logger (what `getRuntimeContext().getLogger()` gives user code, and the runtime's own). */
export interface Logger {
  getName(): string;
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
  isTraceEnabled(): boolean;
  isDebugEnabled(): boolean;
  isInfoEnabled(): boolean;
  isWarnEnabled(): boolean;
  isErrorEnabled(): boolean;
}

class PinoBackedLogger implements Logger {
  constructor(
    private readonly name: string,
    private readonly p: PinoLogger,
  ) {}
  getName(): string {
    return this.name;
  }
  private log(level: 'trace' | 'debug' | 'info' | 'warn' | 'error', message: string, args: unknown[]): void {
    if (!this.p.isLevelEnabled(level)) return;
    this.p[level](formatMessage(String(message), args));
  }
  trace(message: string, ...args: unknown[]): void {
    this.log('trace', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.log('debug', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.log('info', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.log('warn', message, args);
  }
  error(message: string, ...args: unknown[]): void {
    this.log('error', message, args);
  }
  isTraceEnabled(): boolean {
    return this.p.isLevelEnabled('trace');
  }
  isDebugEnabled(): boolean {
    return this.p.isLevelEnabled('debug');
  }
  isInfoEnabled(): boolean {
    return this.p.isLevelEnabled('info');
  }
  isWarnEnabled(): boolean {
    return this.p.isLevelEnabled('warn');
  }
  isErrorEnabled(): boolean {
    return this.p.isLevelEnabled('error');
  }
}

/** A logger that logs nothing (where no logging is set up: an embedded run without env.log.dir). */
export const NOOP_LOGGER: Logger = {
  getName: () => '',
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  isTraceEnabled: () => false,
  isDebugEnabled: () => false,
  isInfoEnabled: () => false,
  isWarnEnabled: () => false,
  isErrorEnabled: () => false,
};

/** Gives named loggers. */
export type LoggerFactory = (name: string, thread?: string) => Logger;

/** A factory whose loggers log nothing. */
export const NO_LOGGING: LoggerFactory = () => NOOP_LOGGER;

/**
 * Loggers of one process part (the JobManager, a slot thread) writing Flink's text lines to `write`.
 * `thread` is the default `[thread]` of the lines.
 */
export function loggerFactory(levels: LogLevels, write: (line: string) => void, thread: string): LoggerFactory {
  const root = pino(
    { level: 'trace', base: undefined, timestamp: pino.stdTimeFunctions.epochTime, formatters: { level: (_label, number) => ({ level: number }) } },
    {
      write(json: string) {
        const r = JSON.parse(json) as { level: number; time: number; c: string; t: string; msg: string };
        write(formatLogLine(r.time, FROM_PINO[r.level] ?? 'INFO', r.c, r.t, r.msg));
      },
    },
  );
  const cache = new Map<string, Logger>();
  return (rawName, rawThread = thread) => {
    // A line break in a name would start a line of its own in the file.
    const name = rawName.replace(/[\r\n]+/g, ' ');
    const t = rawThread.replace(/[\r\n]+/g, ' ');
    const key = `${name}\u0000${t}`;
    let logger = cache.get(key);
    if (logger === undefined) {
      logger = new PinoBackedLogger(name, root.child({ c: name, t }, { level: TO_PINO[levelOf(levels, name)] }));
      if (cache.size < 10_000) cache.set(key, logger);
    }
    return logger;
  };
}

/** A log file's name, size and last modification (Flink's `/jobmanager/logs` entries). */
export interface LogFileInfo {
  readonly name: string;
  readonly size: number;
  readonly mtime: number;
}

/**
 * A log file that rolls over by size, as log4j's RollingFileAppender with a size policy and the
 * default rollover strategy: `x.log` becomes `x.log.1`, `x.log.1` becomes `x.log.2`, ... and the
 * oldest beyond `maxFiles` is deleted. Lines are buffered and written together on the next turn of
 * the event loop (or when 64 KB are buffered), so a burst of lines costs one write.
 */
export class RollingFile {
  private fd: number;
  private size: number;
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private scheduled = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
  ) {
    // A new process starts a new file, as Flink's log4j configurations do (OnStartupTriggeringPolicy):
    // the last process's lines (a cluster started again on the same env.log.dir) roll over first,
    // rather than showing in this TaskManager's or JobManager's log (found by a review).
    if (existsSync(path) && statSync(path).size > 0) this.shiftFiles();
    this.fd = openSync(path, 'a');
    this.size = statSync(path).size;
  }

  /** Appends text (whole lines). */
  append(text: string): void {
    if (this.closed) return;
    this.buffered.push(text);
    this.bufferedBytes += text.length;
    if (this.bufferedBytes >= 64 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is buffered, rolling over first where a line would pass the size limit. */
  flush(): void {
    this.scheduled = false;
    if (this.closed || this.buffered.length === 0) return;
    const lines = this.buffered;
    this.buffered = [];
    this.bufferedBytes = 0;
    let chunk = '';
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.size + chunkBytes + bytes > this.maxBytes && this.size + chunkBytes > 0) {
        this.write(chunk);
        chunk = '';
        chunkBytes = 0;
        this.rollOver();
      }
      chunk += line;
      chunkBytes += bytes;
    }
    this.write(chunk);
  }

  private write(text: string): void {
    if (text === '') return;
    const bytes = Buffer.from(text);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off);
    this.size += bytes.length;
  }

  private rollOver(): void {
    closeSync(this.fd);
    this.shiftFiles();
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }

  /** `x.log` becomes `x.log.1`, `x.log.1` becomes `x.log.2`, ...; the oldest beyond maxFiles goes. */
  private shiftFiles(): void {
    if (this.maxFiles <= 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.maxFiles}`, { force: true });
      for (let i = this.maxFiles - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameSync(this.path, `${this.path}.1`);
    }
  }

  /** The file and its rolled-over files that exist, the current one first. */
  files(): LogFileInfo[] {
    this.flush();
    const out: LogFileInfo[] = [];
    for (let i = 0; i <= this.maxFiles; i++) {
      const p = i === 0 ? this.path : `${this.path}.${i}`;
      try {
        const s = statSync(p);
        out.push({ name: basename(p), size: s.size, mtime: Math.floor(s.mtimeMs) });
      } catch {
        if (i > 0) break;
      }
    }
    return out;
  }

  /** Flushes and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}
