/**
 * print(): one line per record on the process's stdout, as Flink's PrintSinkFunction: prefixed
 * `N> ` (N = subtask index + 1) when the sink runs with parallelism above 1.
 *
 * Flink prints a record with its toString(), and so does print() where a record has one of its own:
 *   primitive                         String(v)                     42, abc
 *   object whose class (or itself)    its toString()                Word(abc, 3)
 *     defines toString
 *   Map                               as Java's Map.toString        {a=1, b=2}
 *   Set                               as Java's Set.toString        [1, 2]
 *   anything else (plain objects,     JSON (nested Maps as objects, {"a":1,"m":{"k":2},"s":[1]}
 *     arrays, classes without one)    nested Sets as arrays)
 * Built-in toString methods (of arrays, dates, buffers, errors, ...) are not a record's own: those
 * keep the JSON form.
 */
import { RichSinkFunction } from '../functions/sink-function.js';

/** Formats a record as print() does (FileSink's SimpleStringEncoder too). */
export function formatForPrint(v: unknown): string {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${formatElement(k)}=${formatElement(x)}`).join(', ')}}`;
  if (v instanceof Set) return `[${[...v].map(formatElement).join(', ')}]`;
  const own = ownToString(v);
  if (own !== undefined) {
    try {
      return String(own.call(v));
    } catch {
      // A toString that throws: print the fields, as for a class without one.
    }
  }
  try {
    return JSON.stringify(v, jsonValue) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A key, value or element inside a Map or Set, as Java's String.valueOf prints it (strings unquoted). */
function formatElement(x: unknown): string {
  return typeof x === 'string' ? x : formatForPrint(x);
}

/** JSON.stringify's replacer: bigints as digits, Maps as objects, Sets as arrays. */
function jsonValue(_k: string, x: unknown): unknown {
  if (typeof x === 'bigint') return x.toString();
  if (x instanceof Map) return Object.fromEntries([...x].map(([k, y]) => [typeof k === 'string' ? k : formatForPrint(k), y]));
  if (x instanceof Set) return [...x];
  return x;
}

/** The toString a record defines itself (its class or one of its superclasses, or its own property), if any. */
function ownToString(v: object): (() => unknown) | undefined {
  const f = (v as { toString?: unknown }).toString;
  if (typeof f !== 'function' || f === Object.prototype.toString || typeof v === 'function' || Array.isArray(v) || ArrayBuffer.isView(v)) return undefined;
  let native = nativeFunctions.get(f);
  if (native === undefined) {
    try {
      native = /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(f));
    } catch {
      native = true;
    }
    nativeFunctions.set(f, native);
  }
  return native ? undefined : (f as () => unknown);
}

/** Whether a toString function is built in (Date's, Error's, ...), by function. */
const nativeFunctions = new WeakMap<object, boolean>();

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
