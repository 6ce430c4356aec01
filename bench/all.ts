/**
 * `npm run bench`: every benchmark of this folder, one after another, each in a process of its
 * own (bench/run.ts, per-record.ts, checkpoints.ts, recovery.ts, failover.ts, nexmark.ts, latency.ts).
 *
 *   npm run bench                # the full runs (tens of minutes)
 *   npm run bench -- --quick     # every case on small inputs, one run each: a smoke test, no
 *                                # results written (npm test runs it: a benchmark that breaks is noticed)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const SCRIPTS = ['run.ts', 'per-record.ts', 'checkpoints.ts', 'recovery.ts', 'failover.ts', 'nexmark.ts', 'latency.ts'];
/** The small inputs of --quick. */
const QUICK_ENV: Record<string, string> = {
  BENCH_QUICK: '1',
  BENCH_RUNS: '1',
  BENCH_RECORDS: '20000',
  BENCH_KEYS: '2000',
  BENCH_NEXMARK_EVENTS: '20000',
};
const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));
const started = performance.now();
for (const script of SCRIPTS) {
  const t0 = performance.now();
  process.stderr.write(`== bench/${script}${quick ? ' (quick)' : ''}\n`);
  const r = spawnSync(process.execPath, [tsx, fileURLToPath(new URL(script, import.meta.url))], { stdio: 'inherit', env: { ...process.env, ...(quick ? QUICK_ENV : {}) } });
  if (r.status !== 0) {
    process.stderr.write(`bench/${script} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
  process.stderr.write(`== bench/${script} took ${Math.round((performance.now() - t0) / 1000)} s\n`);
}
process.stderr.write(`== all benchmarks done in ${Math.round((performance.now() - started) / 1000)} s\n`);
