/**
 * Whole-job throughput benchmarks (issue #2), each figure next to its baseline measured in the
 * same process: median of RUNS interleaved runs. Writes bench/results/latest.json and prints a
 * Markdown table for bench/README.md.
 *
 *   npm run bench                 # 10 million records, 5 runs
 *   BENCH_RECORDS=2000000 BENCH_RUNS=3 npm run bench
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { blackhole, keyedLoop, keyedSerializingLoop, statelessLoop } from './baseline/loops.js';
import { machine, median, runJob as runJobAt, timeLoop } from './harness.js';

const N = Number(process.env['BENCH_RECORDS'] ?? 10_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Process CPU time / wall time of the last job run, by case name (both cores busy: ~2). */
const cpuPerWall = new Map<string, number[]>();
let lastCpuPerWall = 0;

/** Runs a job module of bench/ in this process on an embedded cluster; returns its net runtime in ms. */
async function runJob(module: string, args: string[], configuration: Record<string, string> = {}): Promise<number> {
  const r = await runJobAt(here(module), args, configuration);
  lastCpuPerWall = r.cpuPerWall;
  return r.ms;
}

type Case = { name: string; run: () => Promise<number> };
const cases: Case[] = [
  { name: 'loop: stateless', run: async () => timeLoop(() => statelessLoop(N)) },
  { name: 'job: stateless, object reuse', run: () => runJob('jobs/stateless.ts', [String(N), 'reuse']) },
  { name: 'job: stateless, copying (default)', run: () => runJob('jobs/stateless.ts', [String(N)]) },
  { name: 'loop: keyed', run: async () => timeLoop(() => keyedLoop(N)) },
  { name: 'loop: keyed + msgpackr batches (floor)', run: async () => timeLoop(() => keyedSerializingLoop(N)) },
  { name: 'job: keyed p=1, object reuse', run: () => runJob('jobs/keyed.ts', [String(N), '1', 'reuse']) },
  { name: 'job: keyed p=1, copying (default)', run: () => runJob('jobs/keyed.ts', [String(N), '1']) },
  { name: 'job: keyed p=1, copying, local exchange by reference', run: () => runJob('jobs/keyed.ts', [String(N), '1'], { 'pipeline.local-exchange.by-reference': 'true' }) },
  { name: 'job: keyed p=1, copying, metrics.enabled=false', run: () => runJob('jobs/keyed.ts', [String(N), '1'], { 'metrics.enabled': 'false' }) },
  { name: 'job: keyed p=2, object reuse', run: () => runJob('jobs/keyed.ts', [String(N), '2', 'reuse']) },
  { name: 'job: exchange between 2 threads, numbers', run: () => runJob('jobs/exchange.ts', [String(N)]) },
  { name: 'job: exchange between 2 threads, {key, value} objects', run: () => runJob('jobs/exchange.ts', [String(N), 'objects']) },
  { name: 'job: empty p=1 (startup: deploy and module load)', run: () => runJob('jobs/stateless.ts', ['1']) },
];

const only = process.env['BENCH_ONLY'];
if (only !== undefined) cases.splice(0, cases.length, ...cases.filter((c) => new RegExp(only).test(c.name)));
const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
// Warm up once (JIT, esbuild, file cache; not in a quick smoke run), then interleave the runs.
if (process.env['BENCH_QUICK'] !== '1') for (const c of cases) await c.run();
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    samples.get(c.name)!.push(await c.run());
    if (c.name.startsWith('job:')) {
      const l = cpuPerWall.get(c.name) ?? [];
      l.push(lastCpuPerWall);
      cpuPerWall.set(c.name, l);
    }
  }
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}
void blackhole();

const ms = (name: string) => (samples.has(name) ? median(samples.get(name)!) : NaN);
const rate = (name: string) => N / (ms(name) / 1000);
const ratios = {
  statelessReuseVsLoop: rate('job: stateless, object reuse') / rate('loop: stateless'),
  statelessCopyVsLoop: rate('job: stateless, copying (default)') / rate('loop: stateless'),
  keyedP1VsFloor: rate('job: keyed p=1, object reuse') / rate('loop: keyed + msgpackr batches (floor)'),
  keyedP1CopyVsFloor: rate('job: keyed p=1, copying (default)') / rate('loop: keyed + msgpackr batches (floor)'),
  keyedP1VsLoop: rate('job: keyed p=1, object reuse') / rate('loop: keyed'),
  keyedP1ByReferenceVsLoop: rate('job: keyed p=1, copying, local exchange by reference') / rate('loop: keyed'),
  keyedP1ByReferenceVsCopy: rate('job: keyed p=1, copying, local exchange by reference') / rate('job: keyed p=1, copying (default)'),
  keyedP2VsP1: rate('job: keyed p=2, object reuse') / rate('job: keyed p=1, object reuse'),
  keyedMetricsOnVsOff: rate('job: keyed p=1, copying (default)') / rate('job: keyed p=1, copying, metrics.enabled=false'),
};
const cpu = Object.fromEntries([...cpuPerWall].map(([k, v]) => [k, median(v)]));
const report = { date: new Date().toISOString(), machine, records: N, runs: RUNS, medianMs: Object.fromEntries(cases.map((c) => [c.name, ms(c.name)])), cpuPerWall: cpu, ratios };
mkdirSync(here('results'), { recursive: true });
// A quick (smoke) run's figures are not results.
if (process.env['BENCH_QUICK'] !== '1') writeFileSync(here('results/latest.json'), `${JSON.stringify(report, null, 2)}\n`);

const f = (x: number) => x.toFixed(2);
console.log(`Machine: ${machine}; ${N.toLocaleString('en')} records; median of ${RUNS} interleaved runs.\n`);
console.log('| case | median ms | records/s | CPU time / wall time |');
console.log('|---|---:|---:|---:|');
for (const c of cases) {
  const r = c.name.startsWith('job: empty') ? '-' : Math.round(rate(c.name)).toLocaleString('en');
  console.log(`| ${c.name} | ${ms(c.name).toFixed(0)} | ${r} | ${cpu[c.name] !== undefined ? cpu[c.name]!.toFixed(2) : '-'} |`);
}
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---:|');
console.log(`| stateless job, object reuse / hand loop | ${f(ratios.statelessReuseVsLoop)}x | >= 0.8x |`);
console.log(`| stateless job, copying / hand loop | ${f(ratios.statelessCopyVsLoop)}x | >= 0.5x |`);
console.log(`| keyed job p=1, object reuse / serialization floor | ${f(ratios.keyedP1VsFloor)}x | >= 0.7x |`);
console.log(`| keyed job p=1, copying / serialization floor | ${f(ratios.keyedP1CopyVsFloor)}x | (reported) |`);
console.log(`| keyed job p=1 / plain keyed loop | ${f(ratios.keyedP1VsLoop)}x | (reported) |`);
console.log(`| keyed job p=1, copying, local exchange by reference / plain keyed loop (no serialization in either) | ${f(ratios.keyedP1ByReferenceVsLoop)}x | (reported) |`);
console.log(`| keyed job p=1, copying: local exchange by reference / serialized (default) | ${f(ratios.keyedP1ByReferenceVsCopy)}x | (reported) |`);
console.log(`| keyed job p=2 / keyed job p=1 | ${f(ratios.keyedP2VsP1)}x | >= 1.85x |`);
console.log(`| keyed job p=1 with metrics / without (metrics.enabled=false) | ${f(ratios.keyedMetricsOnVsOff)}x | >= 0.9x |`);
console.log(`| exchange between two threads, {key, value} objects | ${Math.round(rate('job: exchange between 2 threads, {key, value} objects')).toLocaleString('en')} records/s | >= 3,000,000 |`);
console.log(`| exchange between two threads, numbers | ${Math.round(rate('job: exchange between 2 threads, numbers')).toLocaleString('en')} records/s | (reported) |`);
