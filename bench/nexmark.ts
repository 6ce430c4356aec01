/**
 * The Nexmark suite (issue #15): each query of examples/nexmark as a job at parallelism 1 and 2
 * (generator source -> query -> blackhole sink) beside, in the same process and run:
 *   - the same query as a plain single-threaded loop over the same events (examples/nexmark/
 *     reference.ts): the COST ratio is the job's events/s at p=1 over the loop's;
 *   - the bare generator: a loop that only makes the events (the rate no job can beat on one core).
 * The stateful queries also run at p=1 with `pipeline.local-exchange.by-reference: true` (their
 * keyBy exchanges within the thread not serialized): a second COST ratio beside the default's.
 * Events/s counts the generator's events (persons, auctions and bids). Median of BENCH_RUNS
 * interleaved runs after a warm-up. Writes bench/results/nexmark.json; prints Markdown tables.
 *
 *   npx tsx bench/nexmark.ts
 *   BENCH_NEXMARK_EVENTS=200000 BENCH_RUNS=1 BENCH_ONLY=q5 npx tsx bench/nexmark.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventOf, type GeneratorConfig, DEFAULT_CONFIG } from '../examples/nexmark/generator.js';
import { REFERENCE } from '../examples/nexmark/reference.js';
import type { QueryName } from '../examples/nexmark/queries.js';
import { machine, median, runJob, timeLoop } from './harness.js';

const EVENTS = Number(process.env['BENCH_NEXMARK_EVENTS'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const config: GeneratorConfig = { ...DEFAULT_CONFIG, maxEvents: EVENTS };
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const only = process.env['BENCH_ONLY'];
const QUERIES: QueryName[] = (['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8'] as const).filter((q) => only === undefined || new RegExp(only).test(q));
const STATEFUL = new Set<QueryName>(['q3', 'q4', 'q5', 'q7', 'q8']);

let sink = 0;
/** The bare generator: every event made, nothing else. */
function generatorLoop(): void {
  for (let n = 0; n < EVENTS; n++) sink += eventOf(config, n).type;
}

type Case = { name: string; run: () => Promise<{ ms: number; cpuPerWall?: number }> };
const cases: Case[] = [{ name: 'generator loop', run: async () => ({ ms: timeLoop(generatorLoop) }) }];
for (const q of QUERIES) {
  cases.push({ name: `${q} loop`, run: async () => ({ ms: timeLoop(() => (sink += REFERENCE[q](config).length)) }) });
  for (const p of [1, 2]) cases.push({ name: `${q} job p=${p}`, run: () => runJob(here(`../examples/nexmark/${q}.ts`), [String(EVENTS), String(config.rate), 'discard'], {}, p) });
  if (STATEFUL.has(q)) cases.push({ name: `${q} job p=1 by reference`, run: () => runJob(here(`../examples/nexmark/${q}.ts`), [String(EVENTS), String(config.rate), 'discard'], { 'pipeline.local-exchange.by-reference': 'true' }, 1) });
}

const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
const cpu = new Map<string, number[]>();
// Warm-up (JIT, esbuild, file cache); a quick smoke run skips it.
if (process.env['BENCH_QUICK'] !== '1') for (const c of cases) await c.run();
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    const r = await c.run();
    samples.get(c.name)!.push(r.ms);
    if (r.cpuPerWall !== undefined) cpu.set(c.name, [...(cpu.get(c.name) ?? []), r.cpuPerWall]);
  }
  process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
}

const ms = (name: string) => median(samples.get(name)!);
const rate = (name: string) => EVENTS / (ms(name) / 1000);
const generator = rate('generator loop');
const rows = QUERIES.map((q) => {
  const loop = rate(`${q} loop`);
  const p1 = rate(`${q} job p=1`);
  const p2 = rate(`${q} job p=2`);
  const byReference = STATEFUL.has(q) ? rate(`${q} job p=1 by reference`) : undefined;
  return {
    query: q,
    loop,
    p1,
    p2,
    cost: p1 / loop,
    byReference,
    costByReference: byReference === undefined ? undefined : byReference / loop,
    scaling: p2 / p1,
    ofGenerator: p1 / generator,
    cpuP1: median(cpu.get(`${q} job p=1`)!),
    cpuP2: median(cpu.get(`${q} job p=2`)!),
  };
});
const report = { date: new Date().toISOString(), machine, events: EVENTS, rate: config.rate, runs: RUNS, generatorLoop: generator, medianMs: Object.fromEntries(cases.map((c) => [c.name, ms(c.name)])), queries: rows };
mkdirSync(here('results'), { recursive: true });
if (only === undefined && process.env['BENCH_QUICK'] !== '1') writeFileSync(here('results/nexmark.json'), `${JSON.stringify(report, null, 2)}\n`);

const n = (x: number) => Math.round(x).toLocaleString('en');
const goal = (q: QueryName) => (STATEFUL.has(q) ? 'COST >= 0.3x' : '>= 0.5x of generator');
const met = (r: (typeof rows)[number]) => (STATEFUL.has(r.query) ? r.cost >= 0.3 : r.ofGenerator >= 0.5);
const byRef = (r: (typeof rows)[number]) => (r.costByReference === undefined ? '-' : `${r.costByReference.toFixed(2)}x${r.costByReference >= 0.3 ? ' (met)' : ''}`);
console.log(`Machine: ${machine}; ${EVENTS.toLocaleString('en')} events (${config.rate.toLocaleString('en')}/s of event time); median of ${RUNS} interleaved runs.\n`);
console.log(`Bare generator loop: ${n(generator)} events/s.\n`);
console.log('| query | single-thread loop (events/s) | job p=1 (events/s) | job p=2 (events/s) | COST p=1 / loop | p=2 / p=1 | p=1 / generator | CPU/wall p=1, p=2 | goal | met | COST p=1, local exchange by reference |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|');
for (const r of rows) {
  console.log(`| ${r.query} | ${n(r.loop)} | ${n(r.p1)} | ${n(r.p2)} | ${r.cost.toFixed(2)}x | ${r.scaling.toFixed(2)}x | ${r.ofGenerator.toFixed(2)}x | ${r.cpuP1.toFixed(2)}, ${r.cpuP2.toFixed(2)} | ${goal(r.query)} | ${met(r) ? 'yes' : 'no'} | ${byRef(r)} |`);
}
void sink;
