/**
 * Temporary folders a process owns (a TaskManager's working folder, compiled job modules): each is
 * removed when its owner closes, and whatever is still registered when the process ends — on a
 * normal exit, and on SIGINT or SIGTERM — is removed then. A signal that only miniflink listens for
 * is raised again after the clean-up, so the process still ends as the signal says; where the
 * program has its own listener (a foreground cluster shuts down first), the clean-up waits for the
 * exit that listener makes.
 *
 * A folder may still be written while it goes (a LevelDB database of a slot thread that runs on
 * makes a new file now and then): the removal tries again for a while rather than fail, and a
 * folder that stays is reported, never thrown: an error thrown from a signal listener would end the
 * process with exit code 1 instead of by its signal.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const owned = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let installed = false;

/** The working folder of a TaskManager (LevelDB databases of its subtasks). */
export function taskManagerTmpDir(taskManagerId: string): string {
  return join(tmpdir(), `miniflink-tm-${taskManagerId}`);
}

/** A slot thread's own directory in its TaskManager's (LevelDB state lives there). */
export function slotTmpDir(taskManagerId: string, slotIndex: number): string {
  return join(taskManagerTmpDir(taskManagerId), `slot-${slotIndex}`);
}

/** How long the removal of a folder that is still being written keeps trying, and its pause between tries. */
const REMOVE_WITHIN_MS = 2000;
const REMOVE_PAUSE_MS = 20;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Removes `dir`, trying again until `deadline` (Date.now() ms) while it is written to (rmSync fails
 * with ENOTEMPTY when a file appears in a folder it has emptied). Returns whether it is gone.
 * Synchronous: it also runs in an 'exit' listener.
 */
function removeDirPersistently(dir: string, deadline: number): boolean {
  for (;;) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return true;
    } catch (e) {
      // ENOTEMPTY: a file appeared meanwhile; any other failure (a permission) would stay.
      const busy = (e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EBUSY';
      if (!busy || Date.now() >= deadline) {
        process.stderr.write(`miniflink: could not remove the temporary folder ${dir}: ${(e as Error).message}\n`);
        return false;
      }
      Atomics.wait(pause, 0, 0, REMOVE_PAUSE_MS);
    }
  }
}

/** Removes every registered folder, all within one REMOVE_WITHIN_MS. */
function removeAll(): void {
  const deadline = Date.now() + REMOVE_WITHIN_MS;
  for (const dir of owned) removeDirPersistently(dir, deadline);
  owned.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another listener (the program's, a foreground cluster's) decides how the process ends.
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed || !isMainThread) return;
  installed = true;
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Registers a folder to remove when the process ends (unless released earlier). */
export function ownTempDir(dir: string): string {
  install();
  owned.add(dir);
  return dir;
}

/** Removes a registered folder now (one that stays is still removed when the process ends). */
export function removeTempDir(dir: string): void {
  if (removeDirPersistently(dir, Date.now() + REMOVE_WITHIN_MS)) owned.delete(dir);
}
