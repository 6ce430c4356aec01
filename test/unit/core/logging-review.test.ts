/**
 * Defects a Flink engineer's review found in logging (issue 12), each a test that failed before
 * its fix: logging never throws into user code, causes are printed, a logger's name cannot forge a
 * line, stdout and stderr keep their order, and a TaskManager's log rolls over per line.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_SETTINGS, formatMessage, loggerFactory } from '../../../src/core/logging.js';
import { ClusterLogs, textTail } from '../../../src/runtime/cluster-logs.js';
import { SlotStdio } from '../../../src/runtime/taskmanager/slot-stdio.js';
import type { FromSlot } from '../../../src/runtime/protocol.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('logging review', () => {
  it('logging review - an argument whose toString throws, or an object with no prototype, is printed, not thrown (SLF4J: [FAILED toString()])', () => {
    const bad = {
      toString() {
        throw new Error('toString failed');
      },
    };
    expect(formatMessage('a {} b', [bad])).toBe('a [FAILED toString()] b');
    const bare = Object.assign(Object.create(null) as object, { x: 1 });
    expect(formatMessage('a {}', [bare])).toBe('a {"x":1}');
    expect(formatMessage('a {}', [{ n: 10n }])).toBe('a {"n":"10"}');
    expect(formatMessage('a {}', [[1, 2]])).toBe('a [1,2]');
    const lines: string[] = [];
    const log = loggerFactory({ root: 'INFO', loggers: [] }, (l) => lines.push(l), 't')('x');
    expect(() => log.info('v {}', bad)).not.toThrow();
    expect(lines[0]).toContain('v [FAILED toString()]');
  });

  it("logging review - a trailing Error is printed with its causes (log4j's Caused by:)", () => {
    const e = new Error('call failed', { cause: new TypeError('ROOT-CAUSE-TEXT') });
    const text = formatMessage('oops {}', ['x', e]);
    expect(text).toMatch(/^oops x\nError: call failed\n/);
    expect(text).toContain('Caused by: TypeError: ROOT-CAUSE-TEXT');
  });

  it("logging review - a logger's name or thread with a line break cannot forge a line", () => {
    const lines: string[] = [];
    loggerFactory({ root: 'INFO', loggers: [] }, (l) => lines.push(l), 't')('evil\n2026-01-01 00:00:00,000 ERROR forged', 'th\nread').info('m');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('logging review - stdout and stderr of a slot thread keep the order they were written in', () => {
    const posted: FromSlot[] = [];
    const stdio = new SlotStdio((m) => posted.push(m));
    stdio.write('stdout', 'out-1\n');
    stdio.write('stderr', 'err-2\n');
    stdio.write('stdout', 'out-3\n');
    stdio.appendLog('log-4\n');
    stdio.write('stdout', 'out-5\n');
    stdio.flush();
    const order = posted.flatMap((m) => (m.type === 'stdio' ? [`${m.stream}:${m.text}`] : m.type === 'log' ? m.lines.map((l) => `log:${l}`) : []));
    expect(order).toEqual(['stdout:out-1\n', 'stderr:err-2\n', 'stdout:out-3\n', 'log:log-4\n', 'stdout:out-5\n']);
  });

  it("logging review - a TaskManager's log rolls over line by line, not per batch of lines", () => {
    const dir = mkdtempSync(join(tmpdir(), 'miniflink-roll-'));
    dirs.push(dir);
    const logs = new ClusterLogs({ dir, settings: { ...DEFAULT_LOG_SETTINGS, maxFileBytes: 1024, maxFiles: 1 }, daemon: false });
    logs.addTaskManager('tm');
    const batch = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(90)}\n`);
    logs.taskManagerLog('tm', batch);
    logs.close();
    const files = readdirSync(dir).filter((f) => f.includes('taskexecutor') && !f.startsWith('.'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(statSync(join(dir, f)).size, f).toBeLessThanOrEqual(1024);
  });

  it('logs - the kept tail of a TaskManager\'s stdout is cut between code points: an emoji at the cut is dropped whole, never left as a lone half', () => {
    const text = `ab\u{1F600}cd`; // a, b, the emoji (4 bytes in UTF-8), c, d: 8 bytes
    expect(textTail(text, 6)).toBe(`\u{1F600}cd`);
    // The cut falls inside the emoji: it is dropped whole.
    expect(textTail(text, 5)).toBe('cd');
    expect(textTail(text, 3)).toBe('cd');
    expect(textTail(text, 8)).toBe(text);
    // A lone low surrogate the program printed itself stays (it has no pair before it): 3 bytes as U+FFFD.
    expect(textTail('a\udc00bc', 5)).toBe('\udc00bc');
    expect(textTail('a\udc00bc', 4)).toBe('bc');
  });

  it('logs - the kept tail is counted in bytes as REST sends it (UTF-8), not in characters (found by a review)', () => {
    const text = 'é'.repeat(10) + '漢'.repeat(10) + 'x';
    expect(textTail(text, 7)).toBe('漢'.repeat(2) + 'x');
    expect(textTail(text, 36)).toBe('é'.repeat(2) + '漢'.repeat(10) + 'x');
    expect(Buffer.byteLength(textTail(text, 36))).toBe(35);
    const big = '漢'.repeat(2_000_000);
    expect(Buffer.byteLength(textTail(big, 4 * 1024 * 1024))).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
