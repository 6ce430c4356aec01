// Starts and terminates, `rounds` times, a thread that keeps LevelDB busy, at a random moment of
// its work: through core/native-guard.ts (`guarded`), or with worker.terminate() alone (`plain`).
// Exits 0 when every round ended; a terminated thread whose LevelDB work was cut kills this whole
// process (a segmentation fault or an abort), which is what the guard prevents. The work: `mixed`
// (batches, snapshots iterated, key scans in turn) or `scan` (key scans: an iterator made per key
// group, so the termination often comes while one is being made).
//   node leveldb-terminate-harness.mjs guarded|plain <rounds> [mixed|scan]
// `exit`: four guarded threads scan keys in <dir>, and the main thread exits at a random moment
// (Node then terminates them itself); exits 0 unless the threads' end takes the process down.
//   node leveldb-terminate-harness.mjs exit <dir>
// `exit-order`: as `exit` with one thread, under an 'exit' listener added before it; prints
// whether the guard had told the thread it is ending by the time that listener ran.
//   node leveldb-terminate-harness.mjs exit-order <dir>
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import console from 'node:console';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { guardWorker, newNativeGuard, terminateGuarded } from '../../dist/core/native-guard.js';

const [mode, rounds, work = 'mixed'] = process.argv.slice(2);
const WORKER = new URL('./leveldb-terminate-worker.mjs', import.meta.url);
const started = (worker) =>
  new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
/** Threads scanning keys in `dir`, then the main thread's exit at a random moment. */
async function exitWhileScanning(dir, threads = 4, before) {
  await Promise.all(
    Array.from({ length: threads }, (_, j) => {
      const guard = newNativeGuard();
      if (before) process.on('exit', () => writeSync(1, `ending when the earlier exit listener ran: ${Atomics.load(guard, 0)}\n`));
      const worker = new Worker(WORKER, { workerData: { dir: join(dir, `db-${j}`), guard: guard.buffer, work: 'scan' } });
      guardWorker(worker, guard);
      return started(worker);
    }),
  );
  setTimeout(() => process.exit(0), Math.random() * 30);
}

/** `rounds` rounds of four threads (as a TaskManager's slots), each terminated at a moment of its own. */
async function terminateInRounds() {
  const root = mkdtempSync(join(tmpdir(), 'miniflink-terminate-'));
  const one = async (name) => {
    const guard = mode === 'guarded' ? newNativeGuard() : undefined;
    const worker = new Worker(WORKER, { workerData: { dir: join(root, name), guard: guard?.buffer, work } });
    if (guard) guardWorker(worker, guard);
    await started(worker);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
    if (guard) await terminateGuarded(worker, guard);
    else await worker.terminate();
  };
  for (let i = 0; i < Number(rounds); i++) await Promise.all([0, 1, 2, 3].map((j) => one(`db-${i}-${j}`)));
  rmSync(root, { recursive: true, force: true });
  console.log(`${rounds} rounds ended`);
}

if (mode === 'exit') await exitWhileScanning(rounds);
else if (mode === 'exit-order') await exitWhileScanning(rounds, 1, true);
else await terminateInRounds();
