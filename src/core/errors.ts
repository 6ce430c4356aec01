/**
 * The one registry of miniflink's error codes (STYLE.md 3.5).
 *
 * Errors cross threads as plain data ({@link SerializedError}), since `instanceof` does not survive
 * `postMessage`; the code, not the class, says what went wrong. Each code has a REST status, a
 * domain (user / external / internal, as arroyo's ErrorDomain) and whether a restart may help.
 */

/** Who is at fault. */
export type ErrorDomain = 'user' | 'external' | 'internal';

/** How one code behaves. */
export interface ErrorCodeInfo {
  /** HTTP status when the error reaches the REST API. */
  readonly status: number;
  /** Who is at fault. */
  readonly domain: ErrorDomain;
  /** Whether a restart of the job may help. */
  readonly retryable: boolean;
  /** What the code means, for the README and `errors` tests. */
  readonly description: string;
}

/** Every code miniflink raises. Codes are never reused for another meaning. */
export const ERROR_CODES = {
  MF_ERR_INVALID_ARGUMENT: { status: 400, domain: 'user', retryable: false, description: 'An argument or setting has an invalid value.' },
  MF_ERR_INVALID_PROGRAM: { status: 400, domain: 'user', retryable: false, description: 'The job module could not be loaded, built no graph, or threw while building it; or a user function broke a rule of the API (an async function where Flink\'s are synchronous).' },
  MF_ERR_GRAPH_MISMATCH: { status: 500, domain: 'user', retryable: false, description: 'A slot thread built a different job graph from the same module and arguments.' },
  MF_ERR_RESTORE_FAILED: { status: 400, domain: 'user', retryable: false, description: 'A checkpoint or savepoint could not be restored (missing, corrupt, or not matching the job).' },
  MF_ERR_NOT_ENOUGH_SLOTS: { status: 500, domain: 'user', retryable: false, description: 'The job needs more slots than the cluster can ever offer.' },
  MF_ERR_NULL_KEY: { status: 500, domain: 'user', retryable: true, description: 'A key selector returned null or undefined.' },
  MF_ERR_INVALID_KEY: { status: 500, domain: 'user', retryable: false, description: 'A key selector returned a key that cannot be compared by value (a function, a symbol, a cycle, an invalid Date or an instance of a class that is not a registered POJO type), or a key whose key group the subtask does not own (a non-deterministic key selector).' },
  MF_ERR_SERIALIZATION: { status: 500, domain: 'user', retryable: true, description: 'A record could not be copied or serialized between operators or tasks, or its class cannot be (#private members).' },
  MF_ERR_JOB_CANCELED: { status: 500, domain: 'user', retryable: false, description: 'The job was canceled.' },
  MF_ERR_JOB_NOT_FOUND: { status: 404, domain: 'user', retryable: false, description: 'No job with that id is known.' },
  MF_ERR_TASK_THREAD_DIED: { status: 500, domain: 'internal', retryable: true, description: 'A slot thread exited unexpectedly.' },
  MF_ERR_CLUSTER_SHUT_DOWN: { status: 503, domain: 'internal', retryable: false, description: 'The cluster is shutting down or was shut down.' },
  MF_ERR_INTERNAL: { status: 500, domain: 'internal', retryable: false, description: 'A bug in miniflink.' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A registered error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for('miniflink.error');

/** The error class of everything miniflink throws on purpose. */
export class MiniFlinkError extends Error {
  /** Marks instances across duplicate copies of the library. */
  readonly [BRAND] = true;

  constructor(
    /** The registered code. */
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MiniFlinkError';
  }

  /** The code's registered behaviour. */
  get info(): ErrorCodeInfo {
    return ERROR_CODES[this.code];
  }
}

/** Whether a value is a MiniFlinkError from any copy of the library. */
export function isMiniFlinkError(e: unknown): e is MiniFlinkError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** An error as plain data, to cross a thread or a process boundary. */
export interface SerializedError {
  /** The original class name (`TypeError`, `MiniFlinkError`, ...). */
  readonly name: string;
  /** The message. */
  readonly message: string;
  /** The stack as the throwing thread saw it. */
  readonly stack?: string;
  /** The miniflink code, when there is one. */
  readonly code?: string;
  /** The cause chain. */
  readonly cause?: SerializedError;
}

/** Turn any thrown value into plain data. */
export function serializeError(e: unknown, depth = 0): SerializedError {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
    const err = e as Error & { code?: unknown; cause?: unknown };
    const out: { -readonly [K in keyof SerializedError]: SerializedError[K] } = {
      name: String(err.name ?? 'Error'),
      message: String(err.message),
    };
    if (typeof err.stack === 'string') out.stack = err.stack;
    if (typeof err.code === 'string') out.code = err.code;
    if (err.cause !== undefined && depth < 8) out.cause = serializeError(err.cause, depth + 1);
    return out;
  }
  return { name: 'Error', message: String(e) };
}

/** The failure a subtask throws when one is injected (fault injection for teaching and tests). */
export class InjectedFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectedFailure';
  }
}

/** Rebuild an Error from plain data, keeping the remote stack. */
export function deserializeError(s: SerializedError): Error {
  const err =
    s.code !== undefined && s.code in ERROR_CODES
      ? new MiniFlinkError(s.code as ErrorCode, s.message, s.cause ? { cause: deserializeError(s.cause) } : undefined)
      : new Error(s.message, s.cause ? { cause: deserializeError(s.cause) } : undefined);
  err.name = s.name;
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}

/** Whether a restart may help after this error: user errors without a code may be transient. */
export function isRetryable(e: SerializedError | Error): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code in ERROR_CODES)) return true;
  return ERROR_CODES[code as ErrorCode].retryable;
}

/** Flink's checkArgument: throws MF_ERR_INVALID_ARGUMENT with the message when the condition fails. */
export function checkArgument(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', message);
}

/** Invariant check for miniflink's own logic; a failure is a bug in miniflink. */
export function checkState(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MiniFlinkError('MF_ERR_INTERNAL', `${message} (this is a bug in miniflink)`);
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
