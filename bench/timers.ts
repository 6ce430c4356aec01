/**
 * Timer benchmarks (timers that scale), baselines in the same process, medians of interleaved runs:
 * 1. the TimerService on its own, one event-time timer per key for 1,000,000 keys: set the key,
 *    register (as processElement does), then one watermark fires them all with the key set (as
 *    onTimer does); on the hashmap and the LevelDB backend;
 * 2. the same and processing-time timers at 40,000 keys against the Map-based service it replaced
 *    (bench/baseline/map-timer-service.ts), which scans every timer per processing-time
 *    registration and filters and sorts per firing;
 * 3. the synchronous and asynchronous parts of a snapshot holding 1,000,000 timers;
 * 4. a whole job, sequence -> keyBy -> KeyedProcessFunction registering one timer per record,
 *    against the same job registering none.
 *
 *   npm run build && npx tsx bench/timers.ts
 *   BENCH_TIMERS=200000 BENCH_RUNS=3 npx tsx bench/timers.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildSubmission,
  captureProgram,
  compileProgram,
  discardCompiledProgram,
  HeapKeyedStateBackend,
  KeyGroupRange,
  LevelDbKeyedStateBackend,
  MiniCluster,
  packValue,
  requiredSlots,
  TimerService,
} from 'miniflink/internal';
import { MapTimerService } from './baseline/map-timer-service.js';

const N = Number(process.env['BENCH_TIMERS'] ?? 1_000_000);
const OLD_N = 40_000;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
/** Event time as epoch milliseconds (2025-12-05): not small integers. */
const BASE = 1_764_892_800_000;
/** Key i's timestamp: a permutation of the keys, so registration order is not timestamp order. */
const tsOf = (i: number, n: number) => BASE + ((i * 7919) % n);
const ALL = new KeyGroupRange(0, 127);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const tmp = mkdtempSync(join(tmpdir(), 'miniflink-bench-timers-'));
let dbs = 0;

type Backend = HeapKeyedStateBackend | LevelDbKeyedStateBackend;
async function backendOf(kind: 'hashmap' | 'leveldb'): Promise<Backend> {
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(tmp, `db-${dbs++}`), 128, ALL) : new HeapKeyedStateBackend(128, ALL);
  await b.open();
  return b;
}

/** Milliseconds to register and to fire n timers. */
type Sample = { register: number; fire: number };

/** The new service: n keys, one event-time timer each, then one watermark. */
async function eventTime(kind: 'hashmap' | 'leveldb', n: number): Promise<Sample> {
  const b = await backendOf(kind);
  let fired = 0;
  const svc = new TimerService(() => 0, () => void fired++, (a) => a(), b);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    b.setCurrentKey(i);
    svc.register('EVENT_TIME', i, tsOf(i, n));
  }
  const t1 = performance.now();
  svc.advanceWatermark(Number.MAX_SAFE_INTEGER);
  const t2 = performance.now();
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  await b.dispose();
  return { register: t1 - t0, fire: t2 - t1 };
}

/** The Map-based service, the same work (the key set before each registration and each firing). */
function eventTimeOld(n: number): Sample {
  const b = new HeapKeyedStateBackend(128, ALL);
  let fired = 0;
  const svc = new MapTimerService(
    () => 0,
    (t) => {
      b.setCurrentKey(t.key);
      fired++;
    },
    (a) => a(),
  );
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    b.setCurrentKey(i);
    svc.register('EVENT_TIME', i, tsOf(i, n));
  }
  const t1 = performance.now();
  svc.advanceWatermark(Number.MAX_SAFE_INTEGER);
  const t2 = performance.now();
  if (fired !== n) throw new Error(`fired ${fired} of ${n}`);
  return { register: t1 - t0, fire: t2 - t1 };
}

/**
 * Processing time: n timers all due by the clock's time, registered, then fired by the service's
 * own wake-up (a real setTimeout, through the mailbox); `fire` is from the last registration until
 * every timer fired.
 */
async function processingTime(n: number, old: boolean): Promise<Sample> {
  const b = new HeapKeyedStateBackend(128, ALL);
  let fired = 0;
  const now = () => BASE + 2 * n;
  const svc = old
    ? new MapTimerService(now, (t) => void (b.setCurrentKey(t.key), fired++), (a) => a())
    : new TimerService(now, () => void fired++, (a) => a(), b);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    b.setCurrentKey(i);
    svc.register('PROCESSING_TIME', i, tsOf(i, n));
  }
  const t1 = performance.now();
  while (fired < n) await new Promise((resolve) => setTimeout(resolve, 0));
  const t2 = performance.now();
  svc.quiesce();
  return { register: t1 - t0, fire: t2 - t1 };
}

/** A snapshot of n timers on the hashmap backend: synchronous part, canonical form, packed size. */
async function snapshot(n: number): Promise<{ sync: number; async: number; bytes: number }> {
  const b = await backendOf('hashmap');
  const svc = new TimerService(() => 0, () => {}, (a) => a(), b);
  for (let i = 0; i < n; i++) {
    b.setCurrentKey(i);
    svc.register('EVENT_TIME', i, tsOf(i, n));
  }
  const t0 = performance.now();
  const ref = b.snapshot();
  const t1 = performance.now();
  const canonical = b.toCanonical(ref);
  const bytes = packValue(canonical).byteLength;
  const t2 = performance.now();
  b.releaseSnapshot(ref);
  return { sync: t1 - t0, async: t2 - t1, bytes };
}

/** Runs the timers bench job on a MiniCluster of its own; returns its net runtime in ms. */
async function runJob(args: string[]): Promise<number> {
  const path = here('jobs/timers.ts');
  const compiledPath = await compileProgram(path);
  try {
    const pipeline = await captureProgram({ path, compiledPath, args, configuration: {} }, `bench-${Math.random()}`);
    const submission = buildSubmission(pipeline, { path, compiledPath, args });
    const cluster = new MiniCluster({ numTaskManagers: 1, slotsPerTaskManager: requiredSlots(submission.job) });
    await cluster.start();
    try {
      const jm = cluster.dispatcher.submitJob(submission);
      await jm.result();
      return jm.endTime - jm.startTime;
    } finally {
      await cluster.close();
    }
  } finally {
    discardCompiledProgram(compiledPath);
  }
}

type Case = { name: string; n: number; run: () => Promise<Sample> };
const cases: Case[] = [
  { name: `event time, hashmap, ${N.toLocaleString('en')} keys`, n: N, run: () => eventTime('hashmap', N) },
  { name: `event time, leveldb, ${N.toLocaleString('en')} keys`, n: N, run: () => eventTime('leveldb', N) },
  { name: `event time, hashmap, ${OLD_N.toLocaleString('en')} keys`, n: OLD_N, run: () => eventTime('hashmap', OLD_N) },
  { name: `event time, old Map-based, ${OLD_N.toLocaleString('en')} keys`, n: OLD_N, run: async () => eventTimeOld(OLD_N) },
  { name: `event time, old Map-based, ${N.toLocaleString('en')} keys`, n: N, run: async () => eventTimeOld(N) },
  { name: `processing time, hashmap, ${OLD_N.toLocaleString('en')} keys`, n: OLD_N, run: () => processingTime(OLD_N, false) },
  { name: `processing time, hashmap, ${N.toLocaleString('en')} keys`, n: N, run: () => processingTime(N, false) },
  { name: `processing time, old Map-based, ${OLD_N.toLocaleString('en')} keys`, n: OLD_N, run: () => processingTime(OLD_N, true) },
];
const jobCases = [
  { name: 'job p=1, hashmap, no timers (baseline)', args: [String(N), 'none'] },
  { name: 'job p=1, hashmap, one event-time timer per record', args: [String(N), 'timers'] },
  { name: 'job p=1, leveldb, no timers (baseline)', args: [String(N), 'none', 'leveldb'] },
  { name: 'job p=1, leveldb, one event-time timer per record', args: [String(N), 'timers', 'leveldb'] },
];

try {
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  const snapshots: Array<{ sync: number; async: number; bytes: number }> = [];
  const jobs = new Map<string, number[]>(jobCases.map((c) => [c.name, []]));
  // Warm up (JIT) on a smaller size, then interleave the runs.
  await eventTime('hashmap', 100_000);
  eventTimeOld(20_000);
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) samples.get(c.name)!.push(await c.run());
    snapshots.push(await snapshot(N));
    for (const c of jobCases) jobs.get(c.name)!.push(await runJob(c.args));
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }

  const lines = [`Machine: ${machine}; median of ${RUNS} interleaved runs.`, ''];
  lines.push('| case | register ms | fire ms | total ms | timers/s (register + fire) |', '|---|---:|---:|---:|---:|');
  const rates = new Map<string, number>();
  for (const c of cases) {
    const s = samples.get(c.name)!;
    const total = median(s.map((x) => x.register + x.fire));
    rates.set(c.name, c.n / (total / 1000));
    lines.push(`| ${c.name} | ${median(s.map((x) => x.register)).toFixed(0)} | ${median(s.map((x) => x.fire)).toFixed(0)} | ${total.toFixed(0)} | ${Math.round(rates.get(c.name)!).toLocaleString('en')} |`);
  }
  const rate = (i: number) => rates.get(cases[i]!.name)!;
  lines.push('', '| ratio | value | goal |', '|---|---:|---:|');
  lines.push(`| event time, hashmap, ${N.toLocaleString('en')} timers | ${Math.round(rate(0)).toLocaleString('en')} timers/s | >= 1,000,000 |`);
  lines.push(`| event time at ${OLD_N.toLocaleString('en')}: new / old | ${(rate(2) / rate(3)).toFixed(1)}x | (reported) |`);
  lines.push(`| event time at ${N.toLocaleString('en')}: new / old | ${(rate(0) / rate(4)).toFixed(1)}x | (reported) |`);
  lines.push(`| processing time at ${OLD_N.toLocaleString('en')}: new / old | ${(rate(5) / rate(7)).toFixed(0)}x | (reported) |`);
  const snap = { sync: median(snapshots.map((s) => s.sync)), async: median(snapshots.map((s) => s.async)), bytes: median(snapshots.map((s) => s.bytes)) };
  lines.push('', `Snapshot of ${N.toLocaleString('en')} event-time timers (hashmap): synchronous part ${snap.sync.toFixed(1)} ms, canonical form and msgpack ${snap.async.toFixed(0)} ms, ${(snap.bytes / 2 ** 20).toFixed(1)} MB.`);
  lines.push('', `| job (${N.toLocaleString('en')} records, one key each) | median ms | records/s | vs no timers |`, '|---|---:|---:|---:|');
  for (const c of jobCases) {
    const ms = median(jobs.get(c.name)!);
    const base = median(jobs.get(c.name.replace('one event-time timer per record', 'no timers (baseline)'))!);
    lines.push(`| ${c.name} | ${ms.toFixed(0)} | ${Math.round(N / (ms / 1000)).toLocaleString('en')} | ${(base / ms).toFixed(2)}x |`);
  }
  console.log(lines.join('\n'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
