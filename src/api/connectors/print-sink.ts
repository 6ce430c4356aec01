/**
 * print(): one line per record on the process's stdout, as Flink's PrintSinkFunction: prefixed
 * `N> ` (N = subtask index + 1) when the sink runs with parallelism above 1. Primitives print as
 * String(v), anything else as JSON.
 */
import { RichSinkFunction } from '../functions/sink-function.js';

/** Formats a record as print() does. */
export function formatForPrint(v: unknown): string {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Flink's PrintSinkFunction. */
export class PrintSinkFunction<T> extends RichSinkFunction<T> {
  private prefix = '';
  constructor(
    /** Writes to stderr instead of stdout (Flink's printToErr). */
    private readonly toStderr = false,
    /** An optional identifier printed before the subtask number (Flink's sinkIdentifier). */
    private readonly identifier = '',
  ) {
    super();
  }

  /** Computes the prefix. */
  override open(): void {
    const rc = this.getRuntimeContext();
    const parallel = rc.getNumberOfParallelSubtasks() > 1;
    if (this.identifier && parallel) this.prefix = `${this.identifier}:${rc.getIndexOfThisSubtask() + 1}> `;
    else if (this.identifier) this.prefix = `${this.identifier}> `;
    else if (parallel) this.prefix = `${rc.getIndexOfThisSubtask() + 1}> `;
  }

  /** Prints one record. */
  invoke(value: T): void {
    (this.toStderr ? process.stderr : process.stdout).write(`${this.prefix}${formatForPrint(value)}\n`);
  }
}
