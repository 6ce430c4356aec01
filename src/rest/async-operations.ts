/**
 * Flink's asynchronous operations (savepoint, stop, disposal, rescaling): a trigger answers
 * `{"request-id"}` at once; the status is polled until COMPLETED with an `operation` payload.
 */
import { stackWithCauses } from '../core/errors.js';
import { randomHexId } from '../core/ids.js';

/** One operation's state, as the status endpoint reports it. */
export interface OperationStatus {
  status: { id: 'IN_PROGRESS' | 'COMPLETED' };
  operation: Record<string, unknown> | null;
}

/** Flink's failure-cause shape: the stack trace with its `Caused by:` chain, as the JVM prints it. */
export function failureCause(e: unknown): Record<string, unknown> {
  const err = e as Error;
  const stack = typeof err === 'object' && err !== null ? stackWithCauses(err) : `Error: ${String(e)}`;
  return { class: err?.name ?? 'Error', 'stack-trace': stack, 'serialized-throwable': Buffer.from(stack).toString('base64') };
}

/** Operations by key (`<kind>/<scope>/<triggerId>`), kept for `rest.async.store-duration`. */
export class AsyncOperations {
  private readonly ops = new Map<string, OperationStatus>();
  constructor(private readonly keepMs = 5 * 60_000) {}

  /** Starts an operation; resolves the payload (or a failure cause) into its status. */
  start(kind: string, scope: string, work: () => Promise<Record<string, unknown>>, failureKey = 'failure-cause', triggerId?: string): string {
    const id = triggerId ?? randomHexId();
    const key = `${kind}/${scope}/${id}`;
    if (this.ops.has(key)) return id;
    const op: OperationStatus = { status: { id: 'IN_PROGRESS' }, operation: null };
    this.ops.set(key, op);
    void work().then(
      (operation) => Object.assign(op, { status: { id: 'COMPLETED' }, operation }),
      (e: unknown) => Object.assign(op, { status: { id: 'COMPLETED' }, operation: { [failureKey]: failureCause(e) } }),
    ).finally(() => setTimeout(() => this.ops.delete(key), this.keepMs).unref());
    return id;
  }

  /** An operation's status, or undefined when unknown. */
  get(kind: string, scope: string, id: string): OperationStatus | undefined {
    return this.ops.get(`${kind}/${scope}/${id}`);
  }
}
