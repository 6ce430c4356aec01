/**
 * Temporary folders a process owns (a TaskManager's working folder, compiled job modules): each is
 * removed when its owner closes, and whatever is still registered when the process ends — on a
 * normal exit, and on SIGINT or SIGTERM — is removed then. A signal that only miniflink listens for
 * is raised again after the clean-up, so the process still ends as the signal says; where the
 * program has its own listener (a foreground cluster shuts down first), the clean-up waits for the
 * exit that listener makes.
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

function removeAll(): void {
  for (const dir of owned) rmSync(dir, { recursive: true, force: true });
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

/** Removes a registered folder now. */
export function removeTempDir(dir: string): void {
  owned.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}
