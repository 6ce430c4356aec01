// Starts and terminates, `rounds` times, a thread that keeps LevelDB busy, at a random moment of
// its work: through core/native-guard.ts (`guarded`), or with worker.terminate() alone (`plain`).
// Exits 0 when every round ended; a terminated thread whose LevelDB work was cut kills this whole
// process (a segmentation fault or an abort), which is what the guard prevents. The work: `mixed`
// (batches, snapshots iterated, key scans in turn) or `scan` (key scans: an iterator made per key
// group, so the termination often comes while one is being made).
//   node leveldb-terminate-harness.mjs guarded|plain <rounds> [mixed|scan]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import console from 'node:console';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { newNativeGuard, terminateGuarded } from '../../dist/core/native-guard.js';

const [mode, rounds, work = 'mixed'] = process.argv.slice(2);
const root = mkdtempSync(join(tmpdir(), 'miniflink-terminate-'));
// Each round: four threads (as a TaskManager's slots), each terminated at a moment of its own.
const one = async (name) => {
  const guard = mode === 'guarded' ? newNativeGuard() : undefined;
  const worker = new Worker(new URL('./leveldb-terminate-worker.mjs', import.meta.url), { workerData: { dir: join(root, name), guard: guard?.buffer, work } });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // An ending thread's LevelDB calls may fail (no iterator is made any more), as the thread ends.
  worker.on('error', () => {});
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
  if (guard) await terminateGuarded(worker, guard);
  else await worker.terminate();
};
for (let i = 0; i < Number(rounds); i++) await Promise.all([0, 1, 2, 3].map((j) => one(`db-${i}-${j}`)));
rmSync(root, { recursive: true, force: true });
console.log(`${rounds} rounds ended`);
