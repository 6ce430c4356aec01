/**
 * Flink's CLI output: the fixed lines and the exception block.
 */

/** The rule Flink prints around the exception block and plans. */
export const RULE = '------------------------------------------------------------';

/** Flink's error block on stderr: rule, headline, then the stack with its causes. */
export function formatProgramException(e: unknown): string {
  return `\n${RULE}\n The program finished with the following exception:\n\n${stackWithCauses(e)}\n`;
}

/** A stack trace followed by `Caused by:` entries, as the JVM prints them. */
export function stackWithCauses(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    const err = cur as Error;
    let text = typeof err.stack === 'string' && err.stack.length > 0 ? err.stack : `${err.name ?? 'Error'}: ${err.message ?? String(cur)}`;
    const code = (cur as { code?: unknown }).code;
    // Show miniflink's error code after the class name: `MiniFlinkError [MF_ERR_...]: message`.
    if (typeof code === 'string' && code.startsWith('MF_ERR_') && text.startsWith(`${err.name}: `)) text = `${err.name} [${code}]: ${text.slice(err.name.length + 2)}`;
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** Flink's hint after an argument error. */
export const HELP_HINT = 'Use the help option (-h or --help) to get help on the command.';
