/**
 * Checkpoint benchmarks (issue #3), baselines in the same process, medians of interleaved runs:
 * 1. throughput of the keyed bench job with a checkpoint every second versus none, both backends;
 * 2. the final checkpoint of a job holding 1 million keys: synchronous and asynchronous parts,
 *    size, per backend and compression;
 * 3. compression ratio and speed (tinybench) of none, lz4 and snappy on a real snapshot.
 *
 *   npm run bench:checkpoints
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import {
  buildSubmission,
  captureProgram,
  compileProgram,
  compress,
  decompress,
  discardCompiledProgram,
  HeapKeyedStateBackend,
  KeyGroupRange,
  MiniCluster,
  packValue,
  requiredSlots,
  type Compression,
} from 'miniflink/internal';
import { ValueStateDescriptor } from 'miniflink';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
/** `npm run bench -- --quick` (bench/all.ts): every case on small inputs, a smoke test. */
const QUICK = process.env['BENCH_QUICK'] === '1';
const scale = (n: number): number => (QUICK ? Math.max(2000, Math.round(n / 500)) : n);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

/** Runs a job module on a MiniCluster of its own; returns the JobMaster after the job ended. */
async function runJob(module: string, args: string[], configuration: Record<string, string>) {
  const path = here(module);
  const compiledPath = await compileProgram(path);
  try {
    const pipeline = await captureProgram({ path, compiledPath, args, configuration }, `bench-${Math.random()}`);
    const submission = buildSubmission(pipeline, { path, compiledPath, args });
    const cluster = new MiniCluster({ numTaskManagers: 1, slotsPerTaskManager: requiredSlots(submission.job) });
    await cluster.start();
    try {
      const jm = cluster.dispatcher.submitJob(submission);
      await jm.result();
      return jm;
    } finally {
      await cluster.close();
    }
  } finally {
    discardCompiledProgram(compiledPath);
  }
}

const f = (x: number, d = 0) => x.toFixed(d);
const lines: string[] = [`Machine: ${machine}.`, ''];

// ---- 1. throughput with checkpoints every second ----
const throughputCases: Array<{ name: string; records: number; args: string[] }> = [
  { name: 'hashmap, no checkpoints', records: scale(10_000_000), args: ['1', 'reuse'] },
  { name: 'hashmap, checkpoint every 1 s', records: scale(10_000_000), args: ['1', 'reuse', 'checkpoint=1000'] },
  { name: 'leveldb, no checkpoints', records: scale(10_000_000), args: ['1', 'reuse', 'leveldb'] },
  { name: 'leveldb, checkpoint every 1 s', records: scale(10_000_000), args: ['1', 'reuse', 'leveldb', 'checkpoint=1000'] },
];
const tput = new Map<string, number[]>(throughputCases.map((c) => [c.name, []]));
const completed = new Map<string, number[]>(throughputCases.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const c of throughputCases) {
    const jm = await runJob('jobs/keyed.ts', [String(c.records), ...c.args], {});
    tput.get(c.name)!.push(c.records / ((jm.endTime - jm.startTime) / 1000));
    completed.get(c.name)!.push(jm.coordinator.counts.completed);
  }
  process.stderr.write(`throughput run ${i + 1}/${RUNS}\n`);
}
lines.push(`### Throughput of the keyed bench job (p=1, object reuse), median of ${RUNS} interleaved runs`, '');
lines.push(
  'The last column is the median of the per-run ratios (each checkpointed run against the run without checkpoints just before it), which cancels most of this shared machine\'s drift.',
  '',
);
lines.push('| case | records | records/s | checkpoints completed | vs no checkpoints (median of paired ratios) |', '|---|---:|---:|---:|---:|');
const paired = new Map<string, number>();
for (const c of throughputCases) {
  const base = c.name.replace(/checkpoint every 1 s/, 'no checkpoints');
  const pairs = tput.get(c.name)!.map((x, i) => x / tput.get(base)![i]!);
  paired.set(c.name, median(pairs));
  lines.push(`| ${c.name} | ${c.records.toLocaleString('en')} | ${Math.round(median(tput.get(c.name)!)).toLocaleString('en')} | ${median(completed.get(c.name)!)} | ${f(median(pairs), 2)}x |`);
}
const backendRatio = median(tput.get('leveldb, no checkpoints')!.map((x, i) => x / tput.get('hashmap, no checkpoints')![i]!));
lines.push('', '| ratio (median of paired runs) | value | goal |', '|---|---:|---:|');
lines.push(`| hashmap, checkpoint every 1 s / no checkpoints | ${f(paired.get('hashmap, checkpoint every 1 s')!, 2)}x | >= 0.97x |`);
lines.push(`| leveldb, checkpoint every 1 s / no checkpoints | ${f(paired.get('leveldb, checkpoint every 1 s')!, 2)}x | >= 0.9x |`);
lines.push(`| leveldb / hashmap, no checkpoints | ${f(backendRatio, 2)}x | >= 0.25x |`);

// ---- 2. the final checkpoint of 1 million keys ----
lines.push('', `### The final checkpoint of a job holding ${scale(1_000_000).toLocaleString('en')} keys (p=1, one state file)`, '');
lines.push('| backend | compression | sync part ms | async part ms | checkpoint ms | raw size MB | stored size MB |', '|---|---|---:|---:|---:|---:|---:|');
for (const backend of ['hashmap', 'leveldb']) {
  for (const compression of ['none', 'lz4', 'snappy']) {
    const dir = mkdtempSync(join(tmpdir(), 'miniflink-bench-ckpt-'));
    try {
      const jm = await runJob('jobs/million-keys.ts', [String(scale(1_000_000)), ...(backend === 'leveldb' ? ['leveldb'] : [])], {
        'execution.checkpointing.dir': dir,
        'execution.checkpointing.snapshot-compression': compression,
      });
      const c = jm.coordinator.latest!;
      lines.push(`| ${backend} | ${compression} | ${f(c.syncMs, 1)} | ${f(c.asyncMs)} | ${f(c.durationMs)} | ${f(c.rawSize / 2 ** 20, 1)} | ${f(c.stateSize / 2 ** 20, 1)} |`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.stderr.write(`checkpoint ${backend}/${compression} done\n`);
  }
}

// ---- 3. compression of a real snapshot ----
const backend = new HeapKeyedStateBackend(128, new KeyGroupRange(0, 127));
const state = backend.getValueState(new ValueStateDescriptor<{ count: number; last: string }>('s'));
for (let k = 0; k < scale(200_000); k++) {
  backend.setCurrentKey(`user-${k}`);
  state.update({ count: k % 1000, last: `page-${k % 37}` });
}
const raw = packValue({ version: 1, keyed: await backend.toCanonical(backend.snapshot()) });
const bench = new Bench({ time: QUICK ? 20 : 500 });
const compressed: Record<string, Uint8Array> = {};
for (const c of ['lz4', 'snappy'] as Compression[]) {
  compressed[c] = compress(raw, c);
  bench.add(`compress ${c}`, () => void compress(raw, c));
  bench.add(`decompress ${c}`, () => void decompress(compressed[c]!, c));
}
bench.add('copy (none)', () => void new Uint8Array(raw));
await bench.run();
lines.push('', `### Compression of a real snapshot (${scale(200_000).toLocaleString('en')} keys, ${f(raw.byteLength / 2 ** 20, 1)} MB raw), tinybench`, '');
lines.push('| codec | ratio (raw / stored) | compress MB/s | decompress MB/s |', '|---|---:|---:|---:|');
const mbps = (name: string) => {
  const t = bench.tasks.find((x) => x.name === name)!.result!;
  const meanMs = (t as { latency?: { mean: number }; mean?: number }).latency?.mean ?? (t as { mean: number }).mean;
  return raw.byteLength / 2 ** 20 / (meanMs / 1000);
};
lines.push(`| none | 1.00 | ${f(mbps('copy (none)'))} (a copy) | - |`);
for (const c of ['lz4', 'snappy']) lines.push(`| ${c} | ${f(raw.byteLength / compressed[c]!.byteLength, 2)} | ${f(mbps(`compress ${c}`))} | ${f(mbps(`decompress ${c}`))} |`);
console.log(lines.join('\n'));
