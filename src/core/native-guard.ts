/**
 * Ending a slot thread safely while LevelDB works for it.
 *
 * When a worker thread is terminated (`worker.terminate()`), V8 stops its JavaScript and every
 * N-API call it makes from then on fails; classic-level's clean-up hook then closes the thread's
 * databases (Node first waits for the work already on libuv's pool). A classic-level call cut in
 * its synchronous part by the termination takes the whole process down: a batch reads the
 * operations it failed to get from JavaScript (a segmentation fault), and an iterator made but not
 * yet registered for the clean-up is never closed, so closing its database aborts on LevelDB's
 * `~VersionSet` assertion (seen in CI). Measured here: terminating threads that write batches and
 * iterate, at random moments, killed the process within a few hundred terminations in 3 runs of 4;
 * threads that scan keys (an iterator per key group) in every run. A miniflink cluster ends slot
 * threads on purpose (a killed TaskManager, a hang, a task that does not cancel), and must lose only
 * those threads. (A thread that ends itself, `process.exit()` in a user function, did not crash in
 * 400 tries: it ends between calls.)
 *
 * So each slot thread shares four counters with its owner (an Int32Array on a SharedArrayBuffer):
 *   [0] ending: set by the owner before it terminates the thread;
 *   [1] in flight: asynchronous native operations started and not yet settled;
 *   [2] calling: synchronous native calls running now (an operation's start, the making of an
 *       iterator or a snapshot);
 *   [3] parked: set by the thread when it waits to be terminated (see nativeSync()).
 * Every asynchronous LevelDB call goes through `native()` (a database is also created inside it:
 * classic-level opens a new database by itself in the next tick unless told to at once), every
 * synchronous call that makes an iterator or a snapshot through `nativeSync()`: each counts itself
 * in, then checks `ending`; once set, it starts nothing (`native()`'s promise never settles,
 * `nativeSync()` parks the thread: it is about to end).
 * The owner sets `ending`, waits until no operation is in flight (or the thread is parked, or a
 * limit passes: a thread that hangs in a loop never runs the callbacks that count its operations
 * out, while their pool work is waited for by Node anyway), then until no call runs (no limit: a
 * call takes microseconds and does not wait for the event loop), and only then terminates. Counting in before checking (and the
 * owner setting before reading) means a call either sees `ending` or is seen running.
 * Node also terminates every worker itself when the main thread exits (`process.exit()`, a fatal
 * error): an 'exit' handler then sets `ending` in every guarded thread still running and waits
 * for their calls the same way.
 */
import process from 'node:process';
import type { Worker } from 'node:worker_threads';

const ENDING = 0;
const IN_FLIGHT = 1;
const CALLING = 2;
const PARKED = 3;

/** The longest an ending thread's native operations are waited for (a batch of 65,536 entries takes well under this). */
export const NATIVE_DRAIN_MS = 2000;
/** The longest the main thread's exit waits for the calls running in guarded threads. */
const EXIT_WAIT_MS = 1000;

let guard: Int32Array | undefined;

/** The counters of the guarded threads that run (the owner's side), for the main thread's exit. */
const running = new Set<Int32Array>();

/** A guard's shared counters, for a thread to be created (its owner keeps them). */
export function newNativeGuard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(16));
}

/**
 * The owner's side: `worker` uses `counters` until it exits; if the main thread exits first, its
 * running calls are waited for before Node terminates it.
 */
export function guardWorker(worker: Worker, counters: Int32Array): void {
  // First among the 'exit' listeners: one added earlier (a cluster removing its temporary
  // folders) may take its time, or throw and so stop the later ones.
  if (running.size === 0) process.prependOnceListener('exit', endAllAtExit);
  running.add(counters);
  worker.once('exit', () => {
    running.delete(counters);
    if (running.size === 0) process.off('exit', endAllAtExit);
  });
}

/** At the main thread's exit (synchronous: the threads run on meanwhile): no new call starts, the running ones end. */
function endAllAtExit(): void {
  for (const c of running) Atomics.store(c, ENDING, 1);
  const until = Date.now() + EXIT_WAIT_MS;
  for (const c of running) while (Atomics.load(c, CALLING) > 0 && Date.now() < until);
}

/** Installs this thread's guard (the slot thread, at init); without one, `native()` only runs the operation. */
export function installNativeGuard(counters: Int32Array): void {
  guard = counters;
}

const never = new Promise<never>(() => {});

/** Counts a call in as running; once the thread is ending, counts it out again and says no. */
function enter(g: Int32Array): boolean {
  Atomics.add(g, CALLING, 1);
  if (Atomics.load(g, ENDING) === 0) return true;
  Atomics.sub(g, CALLING, 1);
  return false;
}

/** Runs an asynchronous native operation counted in flight; once the thread is ending, starts nothing. */
export function native<T>(start: () => Promise<T>): Promise<T> {
  const g = guard;
  if (g === undefined) return start();
  if (!enter(g)) return never;
  Atomics.add(g, IN_FLIGHT, 1);
  let p: Promise<T>;
  try {
    p = start();
  } catch (e) {
    Atomics.sub(g, IN_FLIGHT, 1);
    throw e;
  } finally {
    Atomics.sub(g, CALLING, 1);
  }
  return p.finally(() => Atomics.sub(g, IN_FLIGHT, 1));
}

/**
 * Runs a synchronous native call that makes a LevelDB resource (an iterator, a snapshot), counted
 * as running; once the thread is ending, makes nothing and parks the thread until the termination
 * ends it (Atomics.wait, which a termination interrupts), telling the owner not to wait for the
 * operations in flight (their callbacks cannot run any more). It does not throw: an error no one
 * catches in a thread being terminated is a fatal error of the whole process in Node 20 (seen in
 * 2 of 80 exits of the harness's `exit` mode while an earlier version threw here).
 *
 * Such a call must not be cut: classic-level makes the LevelDB iterator first and registers it for
 * the thread's clean-up only after a few N-API calls, which fail once termination is requested; the
 * unregistered iterator keeps its version of the database alive, and closing the database at the
 * thread's end then aborts the whole process (in 4 of 4 runs of test/jobs/leveldb-terminate-
 * harness.mjs scanning keys, before this guard).
 */
export function nativeSync<T>(make: () => T): T {
  const g = guard;
  if (g === undefined) return make();
  if (!enter(g)) {
    Atomics.store(g, PARKED, 1);
    for (;;) Atomics.wait(g, ENDING, 1);
  }
  try {
    return make();
  } finally {
    Atomics.sub(g, CALLING, 1);
  }
}

/**
 * Ends a thread that shares `counters`: no native call starts in it any more, the operations in
 * flight settle (up to NATIVE_DRAIN_MS), a call that runs returns, then the thread is terminated.
 */
export async function terminateGuarded(worker: Worker, counters: Int32Array, drainMs = NATIVE_DRAIN_MS): Promise<void> {
  // A thread that ends by itself meanwhile (its calls end first) is not waited for: Node sets
  // threadId to -1 once the thread no longer runs (before 'exit' is emitted).
  const runs = () => worker.threadId !== -1;
  Atomics.store(counters, ENDING, 1);
  const end = Date.now() + drainMs;
  while (runs() && (Atomics.load(counters, IN_FLIGHT) > 0 || Atomics.load(counters, CALLING) > 0) && Atomics.load(counters, PARKED) === 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 2));
  while (runs() && Atomics.load(counters, CALLING) > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  await worker.terminate();
}
