/**
 * Logging as Flink's log4j set-up does it (src/core/logging.ts): log4j 2 properties files read as
 * Java properties with `${env:...}` / `${sys:...}` lookups, the log settings they give (levels,
 * rolling file limits, -D overrides, env.log.max), the logger hierarchy, Flink's line pattern,
 * SLF4J's message formatting, loggers writing lines at their levels, and the rolling log file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMiniFlinkError } from '../../../src/core/errors.js';
import { formatLogLine, formatMessage, levelOf, logSettings, loggerFactory, parseProperties, RollingFile, type LogLevels } from '../../../src/core/logging.js';

function obj(m: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries(m);
}

/** The error `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** The local-time stamp `yyyy-MM-dd HH:mm:ss,SSS` of a time, computed here with Date getters. */
function stamp(time: number): string {
  const d = new Date(time);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

describe('parseProperties', () => {
  it('parseProperties - skips # and ! comments and blank lines', () => {
    const text = ['# a comment', '! another comment', '', '   # an indented comment', 'a = 1', '  ! indented bang'].join('\n');
    expect(obj(parseProperties(text, {}))).toEqual({ a: '1' });
  });

  it('parseProperties - accepts =, : and whitespace as separators, with spaces around them, and CRLF line ends', () => {
    const text = ['eq=1', 'eqSpaced  =  2', 'colon:3', 'colonSpaced : 4', 'space 5', 'tab\t6', '   indented.key = 7   ', 'rootLogger.level = INFO'].join('\r\n');
    expect(obj(parseProperties(text, {}))).toEqual({
      eq: '1',
      eqSpaced: '2',
      colon: '3',
      colonSpaced: '4',
      space: '5',
      tab: '6',
      'indented.key': '7',
      'rootLogger.level': 'INFO',
    });
  });

  it('parseProperties - joins a line ending in \\ with the next one, whose leading whitespace is dropped', () => {
    const text = ['list = a, \\', '       b, \\', '   c', 'after = x'].join('\n');
    expect(obj(parseProperties(text, {}))).toEqual({ list: 'a, b, c', after: 'x' });
  });

  it('parseProperties - a later key replaces an earlier one', () => {
    expect(obj(parseProperties('k = 1\nk = 2', {}))).toEqual({ k: '2' });
  });

  it('parseProperties - resolves ${env:NAME:-default} from the env argument, falling back to the default', () => {
    const text = ['set = ${env:LOG_LEVEL:-INFO}', 'unset = ${env:NOT_SET:-WARN}', 'inside = pre-${env:LOG_LEVEL:-x}-post', 'empty.default = ${env:NOT_SET:-}'].join('\n');
    expect(obj(parseProperties(text, { LOG_LEVEL: 'DEBUG' }))).toEqual({ set: 'DEBUG', unset: 'WARN', inside: 'pre-DEBUG-post', 'empty.default': '' });
  });

  it('parseProperties - resolves ${sys:x:-d} to its default d (there are no Java system properties)', () => {
    expect(obj(parseProperties('s = ${sys:x:-d}', { x: 'not used' }))).toEqual({ s: 'd' });
  });
});

describe('logSettings', () => {
  it('logSettings - a -D rootLogger shorthand wins over the file\'s rootLogger.level, and -D rootLogger.level over a file\'s shorthand', () => {
    expect(logSettings(new Map([['rootLogger.level', 'INFO']]), { rootLogger: 'DEBUG, console' }).levels.root).toBe('DEBUG');
    expect(logSettings(new Map([['rootLogger', 'INFO, file']]), { 'rootLogger.level': 'WARN' }).levels.root).toBe('WARN');
  });

  const props = (text: string) => parseProperties(text, {});

  it('logSettings - gives Flink defaults for no properties', () => {
    expect(logSettings(new Map())).toEqual({ levels: { root: 'INFO', loggers: [] }, maxFileBytes: 100 * 1024 * 1024, maxFiles: 10 });
  });

  it('logSettings - reads rootLogger.level, in any case', () => {
    expect(logSettings(props('rootLogger.level = debug')).levels.root).toBe('DEBUG');
  });

  it('logSettings - reads the shorthand rootLogger = WARN, console', () => {
    expect(logSettings(props('rootLogger = WARN, console')).levels.root).toBe('WARN');
  });

  it('logSettings - pairs logger.<n>.name and .level, sorted most specific name first', () => {
    const s = logSettings(
      props(
        [
          'logger.flink.name = org.apache.flink',
          'logger.flink.level = WARN',
          'logger.akka.level = ERROR',
          'logger.akka.name = akka',
          'logger.runtime.name = org.apache.flink.runtime',
          'logger.runtime.level = DEBUG',
        ].join('\n'),
      ),
    );
    expect(s.levels.loggers).toEqual([
      { name: 'org.apache.flink.runtime', level: 'DEBUG' },
      { name: 'org.apache.flink', level: 'WARN' },
      { name: 'akka', level: 'ERROR' },
    ]);
  });

  it('logSettings - ignores a logger entry with a name and no level, or a level and no name', () => {
    const s = logSettings(props(['logger.a.name = com.a', 'logger.b.level = DEBUG', 'logger.c.name = com.c', 'logger.c.level = TRACE'].join('\n')));
    expect(s.levels.loggers).toEqual([{ name: 'com.c', level: 'TRACE' }]);
  });

  it('logSettings - overrides (as -D) win over the file properties', () => {
    const file = props(['rootLogger.level = INFO', 'logger.x.name = com.x', 'logger.x.level = INFO', 'appender.main.policies.size.size = 100MB'].join('\n'));
    const s = logSettings(file, { 'rootLogger.level': 'ERROR', 'logger.x.level': 'TRACE', 'appender.main.policies.size.size': '1KB', 'logger.y.name': undefined });
    expect(s).toEqual({ levels: { root: 'ERROR', loggers: [{ name: 'com.x', level: 'TRACE' }] }, maxFileBytes: 1024, maxFiles: 10 });
  });

  it('logSettings - ignores overrides that are not log4j keys (env.log.max among them), even invalid ones', () => {
    const file = props('rootLogger.level = WARN');
    const s = logSettings(file, { 'env.log.max': '3', 'parallelism.default': '4', 'rootLogger.level.x': 'NOT_A_LEVEL', 'logger.a.b.level': 'NOPE' });
    expect(s).toEqual({ levels: { root: 'WARN', loggers: [] }, maxFileBytes: 100 * 1024 * 1024, maxFiles: 10 });
  });

  it('logSettings - parses appender.<a>.policies.size.size as 100MB, 2KB or plain bytes', () => {
    expect(logSettings(props('appender.rolling.policies.size.size = 100MB')).maxFileBytes).toBe(104_857_600);
    expect(logSettings(props('appender.rolling.policies.size.size = 2KB')).maxFileBytes).toBe(2048);
    expect(logSettings(props('appender.rolling.policies.size.size = 4096')).maxFileBytes).toBe(4096);
    expect(logSettings(props('appender.rolling.policies.size.size = 2 kb')).maxFileBytes).toBe(2048);
  });

  it('logSettings - reads appender.<a>.strategy.max, and the env.log.max argument wins over it', () => {
    const file = props('appender.rolling.strategy.max = 5');
    expect(logSettings(file).maxFiles).toBe(5);
    expect(logSettings(file, {}, '3').maxFiles).toBe(3);
    expect(logSettings(new Map(), {}, '0').maxFiles).toBe(0);
  });

  it('logSettings - a bad level throws an error that names the key and lists the levels', () => {
    const e = thrown(() => logSettings(props('logger.x.name = com.x\nlogger.x.level = LOUD')));
    expect(isMiniFlinkError(e)).toBe(true);
    expect((e as { code: string }).code).toBe('MF_ERR_INVALID_ARGUMENT');
    expect((e as Error).message).toBe("logger.x.level: 'LOUD' is not a log level (one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF)");
    expect(() => logSettings(props('rootLogger.level = VERBOSE'))).toThrow(
      "rootLogger.level: 'VERBOSE' is not a log level (one of ALL, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF)",
    );
    expect(() => logSettings(new Map(), { 'rootLogger.level': 'LOUD' })).toThrow("rootLogger.level: 'LOUD' is not a log level");
  });

  it('logSettings - a bad size throws an error that names the key', () => {
    const e = thrown(() => logSettings(props('appender.rolling.policies.size.size = lots')));
    expect(isMiniFlinkError(e)).toBe(true);
    expect((e as Error).message).toBe("appender.rolling.policies.size.size: 'lots' is not a size (e.g. 100MB, 512KB)");
    expect(() => logSettings(props('appender.rolling.policies.size.size = 10TB'))).toThrow("appender.rolling.policies.size.size: '10TB' is not a size");
  });

  it('logSettings - a bad number of files throws an error that names the key', () => {
    expect(() => logSettings(props('appender.rolling.strategy.max = many'))).toThrow("appender.rolling.strategy.max: 'many' is not a number of files");
    expect(() => logSettings(new Map(), {}, '-1')).toThrow("env.log.max: '-1' is not a number of files");
  });
});

describe('levelOf', () => {
  const levels: LogLevels = {
    root: 'WARN',
    loggers: [
      { name: 'org.apache.flink.runtime', level: 'DEBUG' },
      { name: 'org.apache.flink', level: 'INFO' },
    ],
  };

  it('levelOf - a configured name covers itself and the names below it, not names that merely start with it', () => {
    expect(levelOf(levels, 'org.apache.flink')).toBe('INFO');
    expect(levelOf(levels, 'org.apache.flink.api.Foo')).toBe('INFO');
    expect(levelOf(levels, 'org.apache.flinkx')).toBe('WARN');
    expect(levelOf(levels, 'org.apache.flinkx.Y')).toBe('WARN');
  });

  it('levelOf - the most specific configured name wins', () => {
    expect(levelOf(levels, 'org.apache.flink.runtime')).toBe('DEBUG');
    expect(levelOf(levels, 'org.apache.flink.runtime.X')).toBe('DEBUG');
    expect(levelOf(levels, 'org.apache.flink.runtimes.X')).toBe('INFO');
  });

  it('levelOf - other names get the root level', () => {
    expect(levelOf(levels, 'com.example.Job')).toBe('WARN');
    expect(levelOf(levels, 'org.apache')).toBe('WARN');
    expect(levelOf({ root: 'OFF', loggers: [] }, 'x')).toBe('OFF');
  });

  it('levelOf - the settings logSettings gives order the loggers so that the most specific wins', () => {
    const s = logSettings(parseProperties('logger.a.name = a\nlogger.a.level = ERROR\nlogger.ab.name = a.b\nlogger.ab.level = TRACE', {}));
    expect(levelOf(s.levels, 'a.b.C')).toBe('TRACE');
    expect(levelOf(s.levels, 'a.C')).toBe('ERROR');
  });
});

describe('formatLogLine', () => {
  const time = new Date(2024, 0, 2, 3, 4, 5, 67).getTime();

  it('formatLogLine - writes Flink pattern: local time stamp, level padded to 5, logger padded to 60, [thread] - message', () => {
    const line = formatLogLine(time, 'INFO', 'logger.name', 'thread', 'message');
    expect(line).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} INFO {2}logger\.name {49} \[thread\] - message\n$/);
    expect(line).toBe(`${stamp(time)} INFO  ${'logger.name'.padEnd(60)} [thread] - message\n`);
    expect(line.startsWith('2024-01-02 03:04:05,067 ')).toBe(true);
  });

  it('formatLogLine - a 5-letter level gets no padding, a logger name longer than 60 is not cut', () => {
    const long = `org.apache.flink.${'x'.repeat(60)}`;
    expect(formatLogLine(time, 'ERROR', long, 't', 'm')).toBe(`${stamp(time)} ERROR ${long} [t] - m\n`);
  });
});

describe('formatMessage', () => {
  it('formatMessage - fills {} placeholders with the arguments in order', () => {
    expect(formatMessage('a={} b={} c={}', [1, 'two', true])).toBe('a=1 b=two c=true');
    expect(formatMessage('no placeholders', [])).toBe('no placeholders');
  });

  it('formatMessage - leaves {} as it is where arguments are missing', () => {
    expect(formatMessage('{} and {} and {}', ['x'])).toBe('x and {} and {}');
  });

  it('formatMessage - \\{} is a literal {} that takes no argument', () => {
    expect(formatMessage('literal \\{} then {}', ['v'])).toBe('literal {} then v');
  });

  it('formatMessage - prints plain objects as JSON, null and undefined as words', () => {
    expect(formatMessage('o={} n={} u={}', [{ a: 1, b: [2, 3] }, null, undefined])).toBe('o={"a":1,"b":[2,3]} n=null u=undefined');
  });

  it('formatMessage - appends a trailing Error beyond the placeholders with its stack', () => {
    const err = new Error('boom');
    expect(err.stack).toBeDefined();
    expect(formatMessage('failed {}', ['job', err])).toBe(`failed job\n${err.stack}`);
    expect(formatMessage('failed', [err])).toBe(`failed\n${err.stack}`);
    expect(formatMessage('failed', [err]).startsWith('failed\nError: boom\n    at ')).toBe(true);
  });

  it('formatMessage - an Error taken by a placeholder is printed as Name: message only', () => {
    const err = new TypeError('bad type');
    expect(formatMessage('caught {}', [err])).toBe('caught TypeError: bad type');
  });

  it('formatMessage - an Error that is not the last argument is not printed with its stack', () => {
    expect(formatMessage('x', [new Error('e'), 'last'])).toBe('x');
  });
});

describe('loggerFactory', () => {
  const levels: LogLevels = { root: 'INFO', loggers: [{ name: 'com.x', level: 'DEBUG' }] };
  /** The logger name, level and thread of a written line, and its message. */
  const parse = (line: string) => {
    const m = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} (\S+)\s+(\S+)\s+\[([^\]]*)\] - ([\s\S]*)\n$/.exec(line);
    expect(m).not.toBeNull();
    return { level: m![1], logger: m![2], thread: m![3], message: m![4] };
  };

  it('loggerFactory - writes the levels a logger is enabled for, from the root and from named loggers', () => {
    const lines: string[] = [];
    const loggers = loggerFactory(levels, (line) => lines.push(line), 'main');
    const ab = loggers('a.b');
    const xy = loggers('com.x.Y');

    ab.info('info of {}', 'a.b');
    expect(lines.length).toBe(1);
    ab.debug('debug of a.b');
    expect(lines.length).toBe(1);
    expect(ab.isDebugEnabled()).toBe(false);
    expect(ab.isInfoEnabled()).toBe(true);

    xy.debug('debug of {}', 'com.x.Y');
    expect(lines.length).toBe(2);
    xy.trace('trace of com.x.Y');
    expect(lines.length).toBe(2);
    expect(xy.isDebugEnabled()).toBe(true);
    expect(xy.isTraceEnabled()).toBe(false);
    expect(xy.getName()).toBe('com.x.Y');

    expect(lines.map(parse)).toEqual([
      { level: 'INFO', logger: 'a.b', thread: 'main', message: 'info of a.b' },
      { level: 'DEBUG', logger: 'com.x.Y', thread: 'main', message: 'debug of com.x.Y' },
    ]);
  });

  it('loggerFactory - writes whole lines in Flink pattern with the time of the call', () => {
    const lines: string[] = [];
    const loggers = loggerFactory(levels, (line) => lines.push(line), 'main');
    const before = Date.now();
    loggers('a.b').warn('careful');
    const after = Date.now();
    expect(lines.length).toBe(1);
    const line = lines[0]!;
    const stamps = new Set<string>();
    for (let t = before; t <= after; t++) stamps.add(`${stamp(t)} WARN  ${'a.b'.padEnd(60)} [main] - careful\n`);
    expect(stamps.has(line)).toBe(true);
  });

  it('loggerFactory - the [thread] is the default one, or that given for the logger', () => {
    const lines: string[] = [];
    const loggers = loggerFactory(levels, (line) => lines.push(line), 'flink-akka.actor.default-dispatcher-3');
    loggers('a.b').info('one');
    loggers('a.b', 'Source: numbers (1/2)#0').info('two');
    loggers('a.b').error('three');
    expect(lines.map((l) => parse(l).thread)).toEqual(['flink-akka.actor.default-dispatcher-3', 'Source: numbers (1/2)#0', 'flink-akka.actor.default-dispatcher-3']);
    expect(lines.map((l) => parse(l).level)).toEqual(['INFO', 'INFO', 'ERROR']);
  });

  it('loggerFactory - a trailing Error is written with its stack on the following lines', () => {
    const lines: string[] = [];
    const loggers = loggerFactory(levels, (line) => lines.push(line), 'main');
    const err = new Error('broken');
    loggers('a.b').error('task {} failed', 'T1', err);
    expect(lines.length).toBe(1);
    expect(parse(lines[0]!).message).toBe(`task T1 failed\n${err.stack}`);
  });

  it('loggerFactory - an OFF root writes nothing, not even errors', () => {
    const lines: string[] = [];
    const loggers = loggerFactory({ root: 'OFF', loggers: [] }, (line) => lines.push(line), 'main');
    const l = loggers('a.b');
    l.trace('t');
    l.debug('d');
    l.info('i');
    l.warn('w');
    l.error('e', new Error('x'));
    expect(lines).toEqual([]);
    expect([l.isTraceEnabled(), l.isDebugEnabled(), l.isInfoEnabled(), l.isWarnEnabled(), l.isErrorEnabled()]).toEqual([false, false, false, false, false]);
  });

  it('loggerFactory - ALL enables trace', () => {
    const lines: string[] = [];
    const loggers = loggerFactory({ root: 'ALL', loggers: [] }, (line) => lines.push(line), 'main');
    loggers('a').trace('t');
    expect(lines.map((l) => parse(l).level)).toEqual(['TRACE']);
  });
});

describe('RollingFile', () => {
  let dir: string;
  let file: RollingFile | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'miniflink-logging-test-'));
    file = undefined;
  });
  afterEach(() => {
    file?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A 50-byte line numbered i. */
  const line50 = (i: number) => `line ${String(i).padStart(4, '0')} `.padEnd(49, '.') + '\n';
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  it('RollingFile - rolls over by size, keeping maxFiles rolled files with the oldest lines dropped', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 2);
    const lines = Array.from({ length: 22 }, (_, i) => line50(i));
    for (const l of lines) file.append(l);
    file.flush();

    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    for (const name of ['x.log', 'x.log.1', 'x.log.2']) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(200);
    // 4 lines fill a file (200 bytes); 22 lines: 0-3, 4-7, 8-11, 12-15, 16-19 in rolled files, 20-21 current.
    expect(read('x.log')).toBe(lines.slice(20).join(''));
    expect(read('x.log.1')).toBe(lines.slice(16, 20).join(''));
    expect(read('x.log.2')).toBe(lines.slice(12, 16).join(''));
    expect(read('x.log.2') + read('x.log.1') + read('x.log')).toBe(lines.slice(12).join(''));
  });

  it("RollingFile - a new process's file starts empty: the last one's lines roll over first (Flink's OnStartupTriggeringPolicy; found by a review: a restarted cluster's TaskManager showed another's lines)", () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 2);
    file.append(line50(0));
    file.close();
    file = new RollingFile(path, 200, 2);
    file.append(line50(1));
    file.flush();
    expect(read('x.log')).toBe(line50(1));
    expect(read('x.log.1')).toBe(line50(0));
    // An empty file is kept as it is (no empty rolled file).
    file.close();
    writeFileSync(path, '');
    file = new RollingFile(path, 200, 2);
    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1']);
  });

  it('RollingFile - rolls over across flushes as well as within one', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 2);
    const lines = Array.from({ length: 13 }, (_, i) => line50(i));
    for (const l of lines) {
      file.append(l);
      file.flush();
    }
    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    expect(read('x.log.2') + read('x.log.1') + read('x.log')).toBe(lines.slice(4).join(''));
    expect(read('x.log')).toBe(lines[12]);
  });

  it('RollingFile - a line larger than the limit is written whole into a fresh file', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 2);
    const big = 'B'.repeat(299) + '\n';
    file.append(line50(0));
    file.append(big);
    file.append(line50(1));
    file.flush();
    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    expect(read('x.log.2')).toBe(line50(0));
    expect(read('x.log.1')).toBe(big);
    expect(read('x.log')).toBe(line50(1));
  });

  it('RollingFile - counts the limit in bytes, not characters', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 10, 1);
    const wide = '\u00e9\u00e9\u00e9\n'; // 4 characters, 7 bytes
    file.append(wide);
    file.append(wide);
    file.flush();
    expect(read('x.log.1')).toBe(wide);
    expect(read('x.log')).toBe(wide);
  });

  it('RollingFile - files() lists the current file first, then the rolled ones, with their sizes', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 3);
    for (let i = 0; i < 10; i++) file.append(line50(i));
    const files = file.files(); // flushes first
    expect(files.map((f) => f.name)).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    for (const f of files) {
      const s = statSync(join(dir, f.name));
      expect(f.size).toBe(s.size);
      expect(f.mtime).toBe(Math.floor(s.mtimeMs)); // Whole ms: the OpenAPI spec says int64.
    }
    expect(files.map((f) => f.size)).toEqual([100, 200, 200]);
  });

  it('RollingFile - maxFiles 0 keeps only x.log', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 200, 0);
    const lines = Array.from({ length: 10 }, (_, i) => line50(i));
    for (const l of lines) file.append(l);
    file.flush();
    expect(readdirSync(dir)).toEqual(['x.log']);
    expect(read('x.log')).toBe(lines.slice(8).join(''));
    expect(file.files().map((f) => f.name)).toEqual(['x.log']);
  });

  it('RollingFile - close() writes what is buffered and an append after close() is ignored', async () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 1000, 2);
    file.append('before\n');
    file.close();
    expect(read('x.log')).toBe('before\n');
    file.append('after\n');
    file.flush();
    await new Promise((r) => setImmediate(r));
    expect(read('x.log')).toBe('before\n');
    expect(readdirSync(dir)).toEqual(['x.log']);
  });

  it('RollingFile - buffered lines are written by flush()', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 1000, 2);
    file.append('one\n');
    file.append('two\n');
    expect(read('x.log')).toBe('');
    file.flush();
    expect(read('x.log')).toBe('one\ntwo\n');
  });

  it('RollingFile - buffered lines are written on their own on the next turn of the event loop', async () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 1000, 2);
    file.append('one\n');
    file.append('two\n');
    expect(read('x.log')).toBe('');
    await new Promise((r) => setImmediate(r));
    expect(read('x.log')).toBe('one\ntwo\n');
    file.append('three\n');
    await new Promise((r) => setImmediate(r));
    expect(read('x.log')).toBe('one\ntwo\nthree\n');
  });

  it('RollingFile - 64 KB of buffered lines are written at once', () => {
    const path = join(dir, 'x.log');
    file = new RollingFile(path, 1024 * 1024, 2);
    const l = 'y'.repeat(1023) + '\n';
    for (let i = 0; i < 63; i++) file.append(l);
    expect(read('x.log')).toBe('');
    file.append(l);
    expect(read('x.log')).toBe(l.repeat(64));
  });
});
