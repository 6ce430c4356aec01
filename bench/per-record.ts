/**
 * The engine's per-record cost as a user meets it (issue #16): every case is a whole process, timed
 * from its start to its exit (Node's and TypeScript's start-up, the embedded cluster's start, the
 * job's compilation, deployment and run), next to the hand-written loop doing the same work in a
 * process of its own (bench/baseline/main.ts, also under tsx). Median of RUNS interleaved runs.
 *
 *   - keyed: `fromSequence -> map -> filter -> keyBy -> sum -> sink` (bench/jobs/keyed.ts) run by
 *     `miniflink run -t local`, against the serialization floor: the same work in one loop that
 *     also packs and unpacks every record with msgpackr in batches (the least a keyBy must pay);
 *     goal >= 0.5x with object reuse off (Flink's default);
 *   - parallelism: the keyed job and a CPU-bound job (bench/jobs/cpu-bound.ts: about 2 µs of
 *     arithmetic per record, no exchange) at p=2 against p=1, on the jobs' net runtimes (the
 *     client's "Job Runtime", from submission to the end: the process's start-up does not scale);
 *     goal >= 1.85x on 2 cores. The whole processes' ratio is reported beside it.
 *
 *   npx tsx bench/per-record.ts          # 10,000,000 records (CPU-bound: 2,000,000), 5 runs
 *   BENCH_RECORDS, BENCH_RUNS; BENCH_QUICK=1 (bench/all.ts --quick): small inputs, one run, nothing written
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, median } from './harness.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const N = Number(process.env['BENCH_RECORDS'] ?? (QUICK ? 100_000 : 10_000_000));
const CPU_N = Math.max(1000, Math.round(N / 5));
const RUNS = QUICK ? 1 : Number(process.env['BENCH_RUNS'] ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const tsx = here('../node_modules/tsx/dist/cli.mjs');
const cli = here('../bin/miniflink.mjs');

/** The net runtime of the last job run (the client's "Job Runtime: N ms": from submission to the end). */
let lastNet = NaN;
/** Runs a process to its end; its wall time in ms. */
function timed(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  lastNet = Number(/Job Runtime: (\d+) ms/.exec(r.stdout)?.[1] ?? NaN);
  return ms;
}
const loop = (which: string, n: number) => () => timed([tsx, here('baseline/main.ts'), which, String(n)]);
const job = (module: string, args: string[]) => () => timed([cli, 'run', '-t', 'local', here(module), ...args]);

type Case = { name: string; records: number; run: () => number };
const cases: Case[] = [
  { name: 'loop: keyed + msgpackr batches (floor)', records: N, run: loop('floor', N) },
  { name: 'loop: keyed', records: N, run: loop('keyed', N) },
  { name: 'job: keyed p=1, copying (default)', records: N, run: job('jobs/keyed.ts', [String(N), '1']) },
  { name: 'job: keyed p=1, object reuse', records: N, run: job('jobs/keyed.ts', [String(N), '1', 'reuse']) },
  { name: 'job: keyed p=2, copying (default)', records: N, run: job('jobs/keyed.ts', [String(N), '2']) },
  { name: 'loop: CPU-bound', records: CPU_N, run: loop('cpu', CPU_N) },
  { name: 'job: CPU-bound p=1', records: CPU_N, run: job('jobs/cpu-bound.ts', [String(CPU_N), '1']) },
  { name: 'job: CPU-bound p=2', records: CPU_N, run: job('jobs/cpu-bound.ts', [String(CPU_N), '2']) },
  { name: 'job: empty p=1 (start-up alone)', records: 1, run: job('jobs/stateless.ts', ['1']) },
];

const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
const nets = new Map<string, number[]>(cases.map((c) => [c.name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    samples.get(c.name)!.push(c.run());
    nets.get(c.name)!.push(c.name.startsWith('job:') ? lastNet : NaN);
  }
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}
const ms = (name: string) => median(samples.get(name)!);
const net = (name: string) => median(nets.get(name)!);
const rate = (name: string) => cases.find((c) => c.name === name)!.records / (ms(name) / 1000);
const netRate = (name: string) => cases.find((c) => c.name === name)!.records / (net(name) / 1000);
const ratios = {
  keyedVsFloor: rate('job: keyed p=1, copying (default)') / rate('loop: keyed + msgpackr batches (floor)'),
  keyedReuseVsFloor: rate('job: keyed p=1, object reuse') / rate('loop: keyed + msgpackr batches (floor)'),
  keyedVsLoop: rate('job: keyed p=1, copying (default)') / rate('loop: keyed'),
  keyedP2VsP1: rate('job: keyed p=2, copying (default)') / rate('job: keyed p=1, copying (default)'),
  keyedP2VsP1Net: netRate('job: keyed p=2, copying (default)') / netRate('job: keyed p=1, copying (default)'),
  cpuP1VsLoop: rate('job: CPU-bound p=1') / rate('loop: CPU-bound'),
  cpuP2VsP1: rate('job: CPU-bound p=2') / rate('job: CPU-bound p=1'),
  cpuP2VsP1Net: netRate('job: CPU-bound p=2') / netRate('job: CPU-bound p=1'),
};
if (!QUICK) {
  mkdirSync(here('results'), { recursive: true });
  const report = { date: new Date().toISOString(), machine, records: N, cpuBoundRecords: CPU_N, runs: RUNS, medianMs: Object.fromEntries(cases.map((c) => [c.name, ms(c.name)])), medianNetMs: Object.fromEntries(cases.filter((c) => c.name.startsWith('job:')).map((c) => [c.name, net(c.name)])), ratios };
  writeFileSync(here('results/per-record.json'), `${JSON.stringify(report, null, 2)}\n`);
}

const f = (x: number) => x.toFixed(2);
const lines = [`Machine: ${machine}; ${N.toLocaleString('en')} records (CPU-bound: ${CPU_N.toLocaleString('en')}); whole processes; median of ${RUNS} interleaved runs.`, ''];
lines.push('| case | records | median ms (whole process) | records/s | job net runtime ms |', '|---|---:|---:|---:|---:|');
for (const c of cases) lines.push(`| ${c.name} | ${c.records.toLocaleString('en')} | ${ms(c.name).toFixed(0)} | ${c.records > 1 ? Math.round(rate(c.name)).toLocaleString('en') : '-'} | ${c.name.startsWith('job:') ? net(c.name).toFixed(0) : '-'} |`);
lines.push('', '| ratio | value | goal |', '|---|---:|---:|');
lines.push(`| keyed job p=1, copying (default) / serialization floor | ${f(ratios.keyedVsFloor)}x | >= 0.5x |`);
lines.push(`| keyed job p=1, object reuse / serialization floor | ${f(ratios.keyedReuseVsFloor)}x | (reported) |`);
lines.push(`| keyed job p=1 / plain keyed loop | ${f(ratios.keyedVsLoop)}x | (reported) |`);
lines.push(`| keyed job p=2 / p=1, whole process | ${f(ratios.keyedP2VsP1)}x | (reported) |`);
lines.push(`| keyed job p=2 / p=1, net runtime | ${f(ratios.keyedP2VsP1Net)}x | >= 1.85x |`);
lines.push(`| CPU-bound job p=1 / its loop | ${f(ratios.cpuP1VsLoop)}x | (reported) |`);
lines.push(`| CPU-bound job p=2 / p=1, whole process | ${f(ratios.cpuP2VsP1)}x | (reported) |`);
lines.push(`| CPU-bound job p=2 / p=1, net runtime | ${f(ratios.cpuP2VsP1Net)}x | >= 1.85x |`);
console.log(lines.join('\n'));
