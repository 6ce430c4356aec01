// A thread that keeps LevelDB busy (batches, snapshots iterated in batches, key scans) until it is
// terminated: test/integration/native-guard.test.ts. Runs from dist/ (a worker loads JavaScript).
import { workerData, parentPort } from 'node:worker_threads';
import { installNativeGuard } from '../../dist/core/native-guard.js';
import { ValueStateDescriptor } from '../../dist/api/index.js';
import { KeyGroupRange } from '../../dist/core/key-groups.js';
import { LevelDbKeyedStateBackend } from '../../dist/state/index.js';

const { dir, guard, work } = workerData;
if (guard) installNativeGuard(new Int32Array(guard));
const b = new LevelDbKeyedStateBackend(dir, 128, new KeyGroupRange(0, 127), { bufferEntries: 500, cacheEntries: 16 });
await b.open();
const count = b.getValueState(new ValueStateDescriptor('count'));
const pad = 'x'.repeat(200);
parentPort.postMessage('ready');
for (let n = 0; ; n++) {
  // Writes through a tiny cache, then each time a batch written, a snapshot iterated, or the keys
  // scanned: the thread mostly waits for LevelDB's work on the thread pool.
  for (let i = 0; i < 500; i++) {
    b.setCurrentKey((n * 500 + i) % 3000);
    count.update({ n, pad });
  }
  const step = work === 'scan' ? 2 : n % 3;
  if (step === 0) await b.flush();
  else if (step === 1) {
    const ref = b.snapshot();
    await Promise.resolve(b.toCanonical(ref)).finally(() => b.releaseSnapshot(ref));
  } else await b.getKeys('count');
}
