/** Whether a user function's result is a promise (what an async function returns). */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  // The cheap test first (most records have no `then`); then a native promise, what an async
  // function returns (by its tag, so also one of another realm): a record whose class has a
  // then() method is a record.
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function' && Object.prototype.toString.call(v) === '[object Promise]';
}
