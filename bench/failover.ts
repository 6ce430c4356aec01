/**
 * Failover and unaligned checkpoints, timed (issue #14):
 *
 *   1. Checkpoints under backpressure, aligned against unaligned (bench/jobs/backpressure.ts: every
 *      queue before a slow operator full): the end-to-end duration of checkpoints triggered one
 *      after another, and the in-flight data an unaligned one persists.
 *   2. Recovery of a job of two pipelined regions (bench/jobs/two-regions.ts, BENCH_KEYS keys of
 *      state per pipeline) from a failure of pipeline a, with region against full failover: from
 *      the fault to a's first record after the restore, and the longest pause of pipeline b's
 *      records meanwhile (full failover restarts b too; region failover leaves it running).
 *
 * Each case runs on a cluster of its own; the cases are interleaved, BENCH_RUNS times.
 *
 *   npx tsx bench/failover.ts
 *   BENCH_RUNS=1 BENCH_KEYS=20000 npx tsx bench/failover.ts
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubmission, captureProgram, compileProgram, discardCompiledProgram, MiniCluster, requiredSlots, type JobMaster } from 'miniflink/internal';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const KEYS = Number(process.env['BENCH_KEYS'] ?? 200_000);
const CHECKPOINTS = 3;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number, d = 0) => x.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Runs a job module on a cluster of its own; `body` gets its JobMaster. */
async function withJob(module: string, args: string[], configuration: Record<string, string>, body: (jm: JobMaster) => Promise<void>): Promise<void> {
  const path = here(module);
  const compiledPath = await compileProgram(path);
  let cluster: MiniCluster | undefined;
  try {
    const pipeline = await captureProgram({ path, compiledPath, args, configuration }, `bench-failover-${Math.random()}`);
    const submission = buildSubmission(pipeline, { path, compiledPath, args });
    cluster = new MiniCluster({ numTaskManagers: 1, slotsPerTaskManager: requiredSlots(submission.job), taskManagerRestartDelayMs: 0 });
    await cluster.start();
    const jm = cluster.dispatcher.submitJob(submission);
    await body(jm);
    jm.cancel();
  } finally {
    await cluster?.close();
    discardCompiledProgram(compiledPath);
  }
}

// ---- 1. checkpoints under backpressure ----
type Mode = 'aligned' | 'unaligned';
const durations = new Map<Mode, number[]>([
  ['aligned', []],
  ['unaligned', []],
]);
const persisted = new Map<Mode, number[]>([
  ['aligned', []],
  ['unaligned', []],
]);

async function backpressured(mode: Mode): Promise<void> {
  const conf: Record<string, string> = { 'execution.checkpointing.timeout': '300 s', ...(mode === 'unaligned' ? { 'execution.checkpointing.unaligned.enabled': 'true' } : {}) };
  await withJob('jobs/backpressure.ts', [], conf, async (jm) => {
    await waitFor(() => ([...jm.subtasks.values()].every((s) => s.state === 'RUNNING') ? true : undefined), 30_000, 'the job running');
    await sleep(2000); // every queue fills up
    for (let i = 0; i < CHECKPOINTS; i++) {
      const c = await jm.coordinator.trigger('checkpoint', undefined);
      durations.get(mode)!.push(c.durationMs);
      persisted.get(mode)!.push(Object.values(c.subtasks ?? {}).flat().reduce((n, a) => n + a.persistedBytes, 0));
      process.stderr.write(`  ${mode}: checkpoint ${c.id} in ${c.durationMs} ms\n`);
      await sleep(300);
    }
  });
}

// ---- 2. two regions, region against full failover ----
type Strategy = 'region' | 'full';
const recoveries = new Map<Strategy, Array<{ failed: number; healthyPause: number; restarted: number }>>([
  ['region', []],
  ['full', []],
]);

interface Marker {
  word: string;
  pipeline: string;
  attempt: number;
  ts: number;
  ms: number;
}
const markers = (file: string): Marker[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [word, pipeline, attempt, ts, ms] = l.split(' ');
          return { word: word!, pipeline: pipeline!, attempt: Number(attempt), ts: Number(ts), ms: Number(ms ?? 0) };
        })
    : [];

async function twoRegions(strategy: Strategy): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'miniflink-bench-failover-'));
  const marker = join(work, 'marker.txt');
  const conf = { 'jobmanager.execution.failover-strategy': strategy, 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '10', 'restart-strategy.fixed-delay.delay': '0 ms' };
  try {
    await withJob('jobs/two-regions.ts', [String(KEYS), marker], conf, async (jm) => {
      await waitFor(() => (markers(marker).filter((m) => m.word === 'loaded').length === 2 ? true : undefined), 300_000, 'both pipelines loaded');
      await jm.coordinator.trigger('checkpoint', undefined);
      await sleep(500);
      const count = jm.submission.job.vertices.find((v) => v.name.startsWith('count a'))!;
      const attempts = new Map([...jm.subtasks.values()].map((s) => [`${s.vertexId}/${s.index}`, s.attempt]));
      const t0 = Date.now();
      jm.injectSubtaskFailure(count.id, 0);
      const first = await waitFor(() => markers(marker).find((m) => m.word === 'first' && m.pipeline === 'a' && m.ts > t0), 120_000, "pipeline a's first record after the restore");
      await sleep(500);
      const b = markers(marker).filter((m) => m.pipeline === 'b' && m.ts > t0);
      // Full failover: b's first record of its new attempt; region: b's longest gap meanwhile.
      const restartedB = b.find((m) => m.word === 'first');
      const healthyPause = restartedB ? restartedB.ts - t0 : Math.max(0, ...b.filter((m) => m.word === 'gap' && m.ts <= first.ts + 500).map((m) => m.ms));
      const restarted = [...jm.subtasks.values()].filter((s) => s.attempt !== attempts.get(`${s.vertexId}/${s.index}`)).length;
      recoveries.get(strategy)!.push({ failed: first.ts - t0, healthyPause, restarted });
      process.stderr.write(`  ${strategy}: a back after ${first.ts - t0} ms, b paused ${healthyPause} ms, ${restarted} subtasks restarted\n`);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const loads = [loadavg()[0]!];
for (let i = 0; i < RUNS; i++) {
  for (const mode of ['aligned', 'unaligned'] as const) await backpressured(mode);
  for (const strategy of ['region', 'full'] as const) await twoRegions(strategy);
  loads.push(loadavg()[0]!);
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}

const lines = [
  `Machine: ${machine}; median of ${RUNS} runs, cases interleaved; 1-minute load average ${f(Math.min(...loads), 1)}-${f(Math.max(...loads), 1)}.`,
  '',
  `### Checkpoints under backpressure (bench/jobs/backpressure.ts, p=2; ${CHECKPOINTS} checkpoints per run, one after another)`,
  '',
  '| checkpoints | end-to-end duration ms, median (min-max) | in-flight data persisted per checkpoint, median KB |',
  '|---|---:|---:|',
];
for (const mode of ['aligned', 'unaligned'] as const) {
  const d = durations.get(mode)!;
  lines.push(`| ${mode} | ${f(median(d))} (${f(Math.min(...d))}-${f(Math.max(...d))}) | ${f(median(persisted.get(mode)!) / 1024)} |`);
}
lines.push('', `### Recovery of a job of two pipelined regions from a failure of one (bench/jobs/two-regions.ts, ${f(KEYS)} keys per pipeline, p=1)`, '');
lines.push('| failover strategy | failed pipeline: fault to its first record, median ms (min-max) | healthy pipeline: longest pause, median ms | subtasks restarted |', '|---|---:|---:|---:|');
for (const s of ['region', 'full'] as const) {
  const r = recoveries.get(s)!;
  const failed = r.map((x) => x.failed);
  lines.push(`| ${s} | ${f(median(failed))} (${f(Math.min(...failed))}-${f(Math.max(...failed))}) | ${f(median(r.map((x) => x.healthyPause)))} | ${f(median(r.map((x) => x.restarted)))} |`);
}
console.log(lines.join('\n'));
