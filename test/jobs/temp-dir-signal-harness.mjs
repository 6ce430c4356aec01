// A temporary folder of the process (core/temp-dirs.ts) is still being written when SIGTERM comes:
// a thread keeps making files in it for `writeMs` ms (as a LevelDB database of a slot thread that
// runs on makes a new file now and then, only faster), and the process sends itself SIGTERM 50 ms
// into that. The process must still end by SIGTERM, with the folder gone.
//   node temp-dir-signal-harness.mjs <dir> [writeMs]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { ownTempDir } from '../../dist/core/temp-dirs.js';

const [dir, writeMs = '400'] = process.argv.slice(2);
ownTempDir(dir);
mkdirSync(dir, { recursive: true });
for (let i = 0; i < 200; i++) writeFileSync(join(dir, `seed-${i}`), 'x');
const writer = new Worker(
  `const { mkdirSync, writeFileSync } = require('node:fs');
  const { workerData, parentPort } = require('node:worker_threads');
  const until = Date.now() + workerData.writeMs;
  parentPort.postMessage('writing');
  for (let i = 0; Date.now() < until; i++) {
    // Not recursive: once the folder is gone, a write fails (as LevelDB's do) rather than make it
    // again (a recursive mkdir made it again after the clean-up, and the test failed in CI once).
    const sub = workerData.dir + '/sub-' + (i % 40);
    try {
      mkdirSync(sub);
    } catch {}
    try {
      writeFileSync(sub + '/file-' + i, 'x');
    } catch {}
  }`,
  { eval: true, workerData: { dir, writeMs: Number(writeMs) } },
);
writer.once('message', () => setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50));
