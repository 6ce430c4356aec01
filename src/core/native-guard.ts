/**
 * Ending a slot thread safely while LevelDB works for it.
 *
 * classic-level runs a batch, an iterator's `nextv`, an open and a close on libuv's thread pool.
 * When a worker thread is terminated (`worker.terminate()`), its clean-up hook closes every
 * database of the thread at once, also while such work is still running on the pool: the whole
 * process then dies (a segmentation fault, or LevelDB's assertion on a live version). Measured
 * here: terminating threads that write batches and iterate, at random moments, killed the process
 * within a few hundred terminations in 3 runs of 4. A miniflink cluster ends slot threads on purpose
 * (a killed TaskManager, a hang, a task that does not cancel), and must lose only those threads.
 * (A thread that ends itself, `process.exit()` in a user function, did not crash in 400 tries:
 * Node lets the work in flight finish then.)
 *
 * So each slot thread shares three counters with its owner (an Int32Array on a SharedArrayBuffer):
 *   [0] ending: set by the owner before it terminates the thread;
 *   [1] in flight: native operations started and not yet finished;
 *   [2] creating: synchronous native calls that create an iterator or a snapshot, running now.
 * Every asynchronous LevelDB call goes through `native()` (a database is also created inside it:
 * classic-level opens a new database by itself in the next tick unless told to at once): it counts
 * itself in, then checks `ending`; once set it starts nothing (its promise never settles: the
 * thread is about to end). Every synchronous call that creates an iterator or a snapshot goes
 * through `nativeSync()` likewise (a creation cut by the termination leaks it: see there).
 * The owner sets `ending`, then waits until no operation is in flight (or a limit passes: a thread
 * that hangs in a loop never runs the callbacks that count its operations out, but the pool
 * finished their work long before), then until no creation runs (no limit: a creation takes
 * microseconds and does not wait for the event loop), and only then terminates. Counting in before
 * checking (and the owner setting before reading) means an operation either sees `ending` or is
 * seen in flight.
 */
import type { Worker } from 'node:worker_threads';

const ENDING = 0;
const IN_FLIGHT = 1;
const CREATING = 2;

/** The longest an ending thread's native operations are waited for (a batch of 65,536 entries takes well under this). */
export const NATIVE_DRAIN_MS = 2000;

let guard: Int32Array | undefined;

/** A guard's shared counters, for a thread to be created (its owner keeps them). */
export function newNativeGuard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(12));
}

/** Installs this thread's guard (the slot thread, at init); without one, `native()` only runs the operation. */
export function installNativeGuard(counters: Int32Array): void {
  guard = counters;
}

const never = new Promise<never>(() => {});

/** The error of a resource not created because the thread is ending (no one hears it: the owner drops an ending thread's messages). */
export const THREAD_ENDING = 'The slot thread is ending: no LevelDB iterator or snapshot is created any more';

/** Runs an asynchronous native operation counted in flight; once the thread is ending, starts nothing. */
export function native<T>(start: () => Promise<T>): Promise<T> {
  const g = guard;
  if (g === undefined) return start();
  Atomics.add(g, IN_FLIGHT, 1);
  if (Atomics.load(g, ENDING) !== 0) {
    Atomics.sub(g, IN_FLIGHT, 1);
    return never;
  }
  let p: Promise<T>;
  try {
    p = start();
  } catch (e) {
    Atomics.sub(g, IN_FLIGHT, 1);
    throw e;
  }
  return p.finally(() => Atomics.sub(g, IN_FLIGHT, 1));
}

/**
 * Runs a synchronous native call that creates a LevelDB resource (an iterator, a snapshot), counted
 * in flight; once the thread is ending, creates nothing and throws (blocking would keep the
 * operations in flight from counting themselves out).
 *
 * Such a call must not be cut: classic-level makes the LevelDB iterator first and registers it for
 * the thread's clean-up only after a few N-API calls, which fail once termination is requested; the
 * unregistered iterator keeps its version of the database alive, and closing the database at the
 * thread's end then aborts the whole process (LevelDB's `~VersionSet` assertion; seen in CI, and
 * in 7 of 7 runs of test/jobs/leveldb-terminate-harness.mjs scanning keys, before this guard). The
 * owner terminates the thread whenever nothing is in flight, also while it runs JavaScript, so it
 * waits for a creation that runs, always (also a thread that hangs creates one in microseconds).
 */
export function nativeSync<T>(create: () => T): T {
  const g = guard;
  if (g === undefined) return create();
  Atomics.add(g, CREATING, 1);
  if (Atomics.load(g, ENDING) !== 0) {
    Atomics.sub(g, CREATING, 1);
    throw new Error(THREAD_ENDING);
  }
  try {
    return create();
  } finally {
    Atomics.sub(g, CREATING, 1);
  }
}

/**
 * Ends a thread that shares `counters`: no native operation starts in it any more, the ones in
 * flight finish (up to NATIVE_DRAIN_MS), a creation that runs finishes, then the thread is terminated.
 */
export async function terminateGuarded(worker: Worker, counters: Int32Array, drainMs = NATIVE_DRAIN_MS): Promise<void> {
  // A thread that ends by itself meanwhile (its operations finish first) is not waited for.
  // (Node sets threadId to -1 once the thread no longer runs, also before 'exit' is emitted.)
  let exited = worker.threadId === -1;
  const onExit = () => (exited = true);
  worker.once('exit', onExit);
  Atomics.store(counters, ENDING, 1);
  const end = Date.now() + drainMs;
  while (!exited && worker.threadId !== -1 && Atomics.load(counters, IN_FLIGHT) > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 2));
  while (!exited && worker.threadId !== -1 && Atomics.load(counters, CREATING) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  worker.off('exit', onExit);
  await worker.terminate();
}
