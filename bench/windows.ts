/**
 * Window benchmarks (issue #11), each next to its baseline in the same process: a tumbling
 * event-time window sum over 10,000 keys against `keyBy().sum()` on the same events, and a session
 * window sum beside them (bench/jobs/windows.ts); median of RUNS interleaved runs after a warm-up.
 * Prints a Markdown table for bench/README.md.
 *
 *   npm run build && npx tsx bench/windows.ts
 *   BENCH_RECORDS=2000000 BENCH_RUNS=3 npx tsx bench/windows.ts
 */
import { fileURLToPath } from 'node:url';
import { machine, median, runJob as runJobAt } from './harness.js';

const N = Number(process.env['BENCH_RECORDS'] ?? 5_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** Runs bench/jobs/windows.ts in this process on an embedded cluster; returns its net runtime in ms. */
async function runJob(args: string[]): Promise<number> {
  return (await runJobAt(here('jobs/windows.ts'), args)).ms;
}

const cases = [
  { name: 'keyBy().sum() p=1 (baseline)', args: [String(N), 'keyed', '1'] },
  { name: 'tumbling event-time window sum p=1', args: [String(N), 'tumbling', '1'] },
  { name: 'session window sum p=1', args: [String(N), 'session', '1'] },
  { name: 'keyBy().sum() p=1, leveldb', args: [String(N), 'keyed', '1', 'leveldb'] },
  { name: 'tumbling event-time window sum p=1, leveldb', args: [String(N), 'tumbling', '1', 'leveldb'] },
  { name: 'keyBy().sum() p=2', args: [String(N), 'keyed', '2'] },
  { name: 'tumbling event-time window sum p=2', args: [String(N), 'tumbling', '2'] },
];
const only = process.env['BENCH_ONLY'];
const run = only === undefined ? cases : cases.filter((c) => new RegExp(only).test(c.name));
const samples = new Map<string, number[]>(run.map((c) => [c.name, []]));
for (const c of run) await runJob(c.args);
for (let i = 0; i < RUNS; i++) {
  for (const c of run) samples.get(c.name)!.push(await runJob(c.args));
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}

const ms = (name: string) => median(samples.get(name) ?? [NaN]);
const rate = (name: string) => N / (ms(name) / 1000);
console.log(`Machine: ${machine}; ${N.toLocaleString('en')} records; median of ${RUNS} interleaved runs.\n`);
console.log('| case | median ms | records/s |');
console.log('|---|---:|---:|');
for (const c of run) console.log(`| ${c.name} | ${ms(c.name).toFixed(0)} | ${Math.round(rate(c.name)).toLocaleString('en')} |`);
const ratio = (a: string, b: string) => `${(rate(a) / rate(b)).toFixed(2)}x`;
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---:|');
console.log(`| tumbling window sum / keyBy().sum(), p=1 hashmap | ${ratio(cases[1]!.name, cases[0]!.name)} | >= 0.5x |`);
console.log(`| session window sum / keyBy().sum(), p=1 hashmap | ${ratio(cases[2]!.name, cases[0]!.name)} | (reported) |`);
console.log(`| tumbling window sum / keyBy().sum(), p=1 leveldb | ${ratio(cases[4]!.name, cases[3]!.name)} | (reported) |`);
console.log(`| tumbling window sum / keyBy().sum(), p=2 hashmap | ${ratio(cases[6]!.name, cases[5]!.name)} | (reported) |`);
