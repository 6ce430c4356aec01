/**
 * Window benchmarks (issue #11), each next to its baseline in the same process: a tumbling
 * event-time window sum over 10,000 keys against `keyBy().sum()` on the same events, and a session
 * window sum beside them (bench/jobs/windows.ts); median of RUNS interleaved runs after a warm-up.
 * Prints a Markdown table for bench/README.md.
 *
 *   npm run build && npx tsx bench/windows.ts
 *   BENCH_RECORDS=2000000 BENCH_RUNS=3 npx tsx bench/windows.ts
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compileProgram, discardCompiledProgram, LocalExecutor, runProgram, setExecutionContext } from 'miniflink/internal';
import type { JobExecutionResult } from 'miniflink';

const N = Number(process.env['BENCH_RECORDS'] ?? 5_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs a job module in this process on an embedded cluster; returns its net runtime in ms. */
async function runJob(args: string[]): Promise<number> {
  const path = here('jobs/windows.ts');
  const compiledPath = await compileProgram(path);
  let result: JobExecutionResult | undefined;
  const local = new LocalExecutor({ path, compiledPath, args });
  setExecutionContext({
    executor: {
      execute: async (pipeline) => {
        const c = await local.execute(pipeline);
        return { ...c, getJobID: () => c.getJobID(), getJobExecutionResult: async () => (result = await c.getJobExecutionResult()) };
      },
    },
    configuration: {},
    programPath: path,
  });
  try {
    await runProgram({ path, compiledPath, args, configuration: {} }, undefined);
  } finally {
    setExecutionContext(undefined);
    discardCompiledProgram(compiledPath);
  }
  return result!.getNetRuntime();
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
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
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
