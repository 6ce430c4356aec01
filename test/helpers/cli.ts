/**
 * Runs the real `miniflink` command in a child process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a command printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <args>` from the repository root; kills it after the timeout. */
export function runNode(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${options.timeoutMs ?? 60_000} ms: node ${args.join(' ')}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `miniflink <args>`. */
export function runCli(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return runNode([`${ROOT}bin/miniflink.mjs`, ...args], options);
}

/**
 * Runs the CLI's main() in this process: the same compiled code bin/miniflink.mjs runs, without a
 * process to start (for the many calls that only parse options and print help or an error; no
 * job runs in them).
 */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  const { main } = (await import(pathToFileURL(`${ROOT}dist/cli/main.js`).href)) as { main: (argv: readonly string[], io: { out(l: string): void; err(l: string): void }) => Promise<number> };
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (l) => (stdout += `${l}\n`), err: (l) => (stderr += `${l}\n`) });
  return { code, stdout, stderr };
}

/** The JSON printed after a `RESULT ` prefix by a test job. */
export function resultOf(r: CliResult): unknown {
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line (exit ${r.code})\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

/** A command, how it ended and what it printed, for a failure message. */
export function explain(args: readonly string[], r: CliResult): string {
  return `miniflink ${args.join(' ')} exited ${r.code}\n--- stdout ---\n${r.stdout.slice(-4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`;
}

/**
 * runCli that remembers every command of the running test: when the test fails, afterEach prints
 * each one with its exit code, stdout and stderr (plus anything `context` adds, such as the
 * cluster's job list), so a failure that happens once in thirty runs can be read afterwards.
 */
export function recordingCli(afterEach: (fn: (ctx: { task: { name: string; result?: { state?: string } } }) => Promise<void> | void) => void, context?: () => Promise<string>): typeof runCli {
  let seen: string[] = [];
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const extra = context ? await context().catch((e: unknown) => `(context unavailable: ${String(e)})`) : '';
      console.error(`Commands of the failed test '${task.name}':\n${seen.join('\n\n')}${extra ? `\n\n${extra}` : ''}`);
    }
    seen = [];
  });
  return async (args, options) => {
    const r = await runCli(args, options);
    seen.push(explain(args, r));
    return r;
  };
}
