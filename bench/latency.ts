/**
 * Latency and the buffer timeout (issue #16): the job of bench/jobs/latency.ts (a source -> keyBy
 * -> a keyed process function -> a sink, p=1) with `env.setBufferTimeout(ms)` of 0, 1, 10 and
 * 100 ms, each
 *   - at full speed: throughput (BENCH_RECORDS records over the job's net runtime), and
 *   - at a fixed rate (BENCH_RATE records/s, BENCH_LATENCY_RECORDS records): the p50, p99 and max
 *     of each record's latency from the source's collect() to the sink's invoke(), exact (every
 *     latency comes back in an accumulator), without the first 10% of the records (warm-up);
 * and 1 ms once more with the source's bursts emitted after the event loop's timers (the worst
 * phase against the 1 ms flush timer: bench/jobs/latency.ts). Median of RUNS interleaved runs after
 * a warm-up; the goal: 1 ms keeps >= 0.75x of the 100 ms throughput. Writes
 * bench/results/latency.json and prints Markdown tables for bench/README.md.
 *
 *   npm run bench:latency         # 2,000,000 records at full speed; 100,000 at 20,000 records/s; 5 runs
 *   BENCH_RECORDS=500000 BENCH_RUNS=3 BENCH_RATE=50000 BENCH_LATENCY_RECORDS=250000 npx tsx bench/latency.ts
 *   BENCH_QUICK=1 (bench/all.ts --quick): small inputs, one run, no warm-up, nothing written
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, median, runJob } from './harness.js';

const QUICK = process.env['BENCH_QUICK'] === '1';
const N = Number(process.env['BENCH_RECORDS'] ?? 2_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const RATE = Number(process.env['BENCH_RATE'] ?? 20_000);
/** Records of a fixed-rate run (a quick run: a quarter of a second's worth). */
const LATENCY_RECORDS = Number(process.env['BENCH_LATENCY_RECORDS'] ?? (QUICK ? Math.round(RATE / 4) : 100_000));
const TIMEOUTS = [0, 1, 10, 100];
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const job = here('jobs/latency.ts');

/** A run's figures: `rate` (records/s) and `cpuPerWall` (throughput), or `p50`, `p99`, `max` (ms), `count` and `sourceRate` (latency). */
type Sample = Record<string, number>;
type Case = { name: string; timeout: number; kind: 'throughput' | 'latency'; args: string[] };
const cases: Case[] = [
  ...TIMEOUTS.map((t): Case => ({ name: `throughput ${t} ms`, timeout: t, kind: 'throughput', args: [String(t), 'throughput', String(N)] })),
  ...TIMEOUTS.map((t): Case => ({ name: `latency ${t} ms`, timeout: t, kind: 'latency', args: [String(t), 'latency', String(LATENCY_RECORDS), String(RATE)] })),
  { name: 'latency 1 ms, bursts after the timers', timeout: 1, kind: 'latency', args: ['1', 'latency', String(LATENCY_RECORDS), String(RATE), 'after-timers'] },
];

/** The nearest-rank percentile of sorted values. */
const percentile = (sorted: Float64Array, p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

async function run(c: Case): Promise<Sample> {
  const r = await runJob(job, c.args);
  if (c.kind === 'throughput') return { rate: N / (r.ms / 1000), cpuPerWall: r.cpuPerWall };
  const latencies = Float64Array.from(r.accumulators['latencies'] as number[]).sort();
  const emitMs = (r.accumulators['emitMs'] as number[])[0]!;
  if (latencies.length === 0) throw new Error(`${c.name}: no latencies came back`);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies[latencies.length - 1]!, count: latencies.length, sourceRate: LATENCY_RECORDS / (emitMs / 1000) };
}

const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
// Warm up once (JIT, esbuild, file cache; not in a quick smoke run), then interleave the runs.
if (!QUICK) for (const c of cases) await run(c);
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) samples.get(c.name)!.push(await run(c));
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}

/** The median of a figure over the runs of a case. */
const of = (name: string, key: string): number => median(samples.get(name)!.map((s) => s[key]!));
const rate = (t: number) => of(`throughput ${t} ms`, 'rate');
/** Each run's 1 ms throughput against the 100 ms one of the same run (paired: cancels the machine's drift). */
const paired = median(samples.get('throughput 1 ms')!.map((s, i) => s['rate']! / samples.get('throughput 100 ms')![i]!['rate']!));
const ratio = rate(1) / rate(100);
const report = {
  date: new Date().toISOString(),
  machine,
  throughputRecords: N,
  latencyRecords: LATENCY_RECORDS,
  rate: RATE,
  runs: RUNS,
  median: Object.fromEntries(cases.map((c) => [c.name, Object.fromEntries(Object.keys(samples.get(c.name)![0]!).map((k) => [k, of(c.name, k)]))])),
  ratios: { throughput1msVs100ms: ratio, throughput1msVs100msPaired: paired },
  samples: Object.fromEntries(samples),
};
mkdirSync(here('results'), { recursive: true });
// A quick (smoke) run's figures are not results.
if (!QUICK) writeFileSync(here('results/latency.json'), `${JSON.stringify(report, null, 2)}\n`);

const int = (x: number) => Math.round(x).toLocaleString('en');
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
console.log(`Machine: ${machine}; throughput: ${int(N)} records at full speed; latency: ${int(LATENCY_RECORDS)} records at ${int(RATE)} records/s (the first 10% left out); median of ${RUNS} interleaved runs.\n`);
console.log('| buffer timeout | throughput records/s | vs 100 ms | CPU time / wall time | latency p50 ms | latency p99 ms | latency max ms | source rate kept, records/s |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const t of TIMEOUTS) {
  const l = `latency ${t} ms`;
  console.log(`| ${t} ms | ${int(rate(t))} | ${(rate(t) / rate(100)).toFixed(2)}x | ${of(`throughput ${t} ms`, 'cpuPerWall').toFixed(2)} | ${ms(of(l, 'p50'))} | ${ms(of(l, 'p99'))} | ${ms(of(l, 'max'))} | ${int(of(l, 'sourceRate'))} |`);
}
const w = 'latency 1 ms, bursts after the timers';
console.log(`| 1 ms, bursts after the timers | - | - | - | ${ms(of(w, 'p50'))} | ${ms(of(w, 'p99'))} | ${ms(of(w, 'max'))} | ${int(of(w, 'sourceRate'))} |`);
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---:|');
console.log(`| throughput, 1 ms / 100 ms buffer timeout | ${ratio.toFixed(2)}x | >= 0.75x |`);
console.log(`| throughput, 1 ms / 100 ms, median of the per-run ratios | ${paired.toFixed(2)}x | (reported) |`);
