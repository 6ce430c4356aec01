/**
 * Flink's RichFunction: a user function class with a lifecycle and a runtime context.
 */
import type { RuntimeContext } from './runtime-context.js';

/** What open() receives (Flink 2.0's OpenContext; Flink 1.x passed a Configuration). */
export interface OpenContext {
  /** Nothing yet; kept so signatures match Flink's. */
  readonly [key: string]: unknown;
}

const NO_CONTEXT = 'The runtime context has not been initialized: it is available from open() on, not in the constructor.';

/** Base of every rich function: open/close hooks and getRuntimeContext(). */
export abstract class AbstractRichFunction {
  private runtimeContext: RuntimeContext | undefined;

  /** Called by the runtime before open(). */
  setRuntimeContext(ctx: RuntimeContext): void {
    this.runtimeContext = ctx;
  }

  /** The task's runtime context (from open() on). */
  getRuntimeContext(): RuntimeContext {
    if (!this.runtimeContext) throw new Error(NO_CONTEXT);
    return this.runtimeContext;
  }

  /** Called once before the first record. May be async. */
  open(_openContext: OpenContext): void | Promise<void> {}

  /** Called once after the last record (or on cancellation). May be async. */
  close(): void | Promise<void> {}
}

/** Whether a user function has the rich lifecycle (duck-typed: classes from any copy of miniflink). */
export function isRichFunction(fn: unknown): fn is AbstractRichFunction {
  return typeof fn === 'object' && fn !== null && typeof (fn as AbstractRichFunction).setRuntimeContext === 'function';
}
