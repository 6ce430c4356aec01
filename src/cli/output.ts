/**
 * Flink's CLI output: the fixed lines and the exception block.
 */
import { fileURLToPath } from 'node:url';
import { isMiniFlinkError, MiniFlinkError, stackWithCauses, type ErrorCode } from '../core/errors.js';

/** This miniflink's own code: its compiled files, its command, its dependencies. */
const OWN_CODE = ['dist', 'src', 'bin', 'node_modules'].map((d) => fileURLToPath(new URL(`../../${d}/`, import.meta.url)));

/** The rule Flink prints around the exception block and plans. */
export const RULE = '------------------------------------------------------------';

/** Flink's error block on stderr: rule, headline, then the stack with its causes. */
export function formatProgramException(e: unknown): string {
  return `\n${RULE}\n The program finished with the following exception:\n\n${stackWithCauses(e)}\n`;
}

export { stackWithCauses };

/** Flink's hint after an argument error. */
export const HELP_HINT = 'Use the help option (-h or --help) to get help on the command.';

/** A stack trace's text without its frames (`    at ...` and `... n more` lines). */
export function withoutFrames(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\s+at /.test(l) && !/^\s+\.\.\. \d+ more$/.test(l))
    .join('\n');
}

/**
 * The error, its stack cut to its headline (`Name: message`; the CLI prints the code after the
 * name): for errors whose message says everything, where frames would name only the CLI's own
 * functions. Its causes keep theirs (a job's failure shows where the user's code threw).
 */
export function headlineOnly<E extends Error>(e: E): E {
  e.stack = `${e.name}: ${e.message}`;
  return e;
}

/** A copy of an error and its causes whose stacks keep only their headlines (name, code, message). */
export function frameless(e: unknown, depth = 0): unknown {
  if (!(e instanceof Error) || depth >= 10) return e;
  const cause = e.cause === undefined ? undefined : { cause: frameless(e.cause, depth + 1) };
  const copy = isMiniFlinkError(e) ? new MiniFlinkError(e.code, e.message, cause) : new Error(e.message, cause);
  copy.name = e.name;
  copy.stack = withoutFrames(e.stack ?? `${e.name}: ${e.message}`);
  return copy;
}

/**
 * An action's failure as Flink's CLI reports one, its headline (`Could not cancel job <id>.`) and
 * the `Caused by:` chain, but without JavaScript frames: they would name only the CLI's own
 * functions or, for an operation that failed on the cluster, the server's.
 */
export function actionFailure(headline: string, cause: unknown, code?: ErrorCode): Error {
  const options = { cause: frameless(cause) };
  const e = code !== undefined ? new MiniFlinkError(code, headline, options) : new Error(headline, options);
  e.stack = `${e.name}: ${e.message}`;
  return e;
}

/** Whether a stack frame line is miniflink's own code or Node's (not a job's file). */
function isInternalFrame(line: string): boolean {
  if (!/^\s+at /.test(line)) return false;
  const location = line.replace(/^\s+at\s+(?:async\s+)?/, '');
  if (/\bnode:/.test(location) || location === '<anonymous>' || location.endsWith('(<anonymous>)')) return true;
  const file = /(?:file:\/\/)?(\/[^():]+)(?::\d+){0,2}\)?$/.exec(location)?.[1];
  let path = file;
  try {
    if (path !== undefined) path = decodeURIComponent(path);
  } catch {
    // keep it as written
  }
  return path !== undefined && OWN_CODE.some((dir) => path.startsWith(dir));
}

/**
 * The error as the CLI prints it: miniflink's own errors (MiniFlinkError, and the same in its
 * causes) without the frames of miniflink's and Node's code, which say nothing to the user; a
 * frame in the job's own files stays (an API call the job made wrongly points at its line). Other
 * errors (a user function's, a job's failure from the cluster) keep their stacks.
 */
export function withoutInternalFrames(e: unknown, depth = 0): unknown {
  if (!isMiniFlinkError(e) || depth >= 10) return e;
  const cause = e.cause === undefined ? undefined : { cause: withoutInternalFrames(e.cause, depth + 1) };
  const copy = new MiniFlinkError(e.code, e.message, cause);
  copy.name = e.name;
  copy.stack = (e.stack ?? `${e.name}: ${e.message}`)
    .split('\n')
    .filter((l) => !isInternalFrame(l))
    .join('\n');
  return copy;
}
