/**
 * Opening and closing user functions: rich functions get the runtime context and their lifecycle.
 */
import { isRichFunction, type RuntimeContext } from '../../api/index.js';

/** Sets the runtime context (again: initializeState set it already) and calls open() when the function is rich. */
export async function openUserFunction(fn: unknown, rc: RuntimeContext): Promise<void> {
  if (!isRichFunction(fn)) return;
  fn.setRuntimeContext(rc);
  await fn.open({});
}

/** Calls close() when the function is rich. */
export async function closeUserFunction(fn: unknown): Promise<void> {
  if (isRichFunction(fn)) await fn.close();
}
