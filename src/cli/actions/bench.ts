/**
 * `miniflink bench [OPTIONS] <job> [args] [--matrix dim=v1,v2 ...] [--records N] [--runs R] [--json out.json]`
 * (miniflink): runs a job module under every combination of scheduling choices on an embedded
 * cluster of its own per run (as many slots as the combination needs), the combinations
 * interleaved run after run, and prints a table per combination:
 *
 *   records/s (median, min-max) · CPU time / wall time · peak heap of one thread · checkpoint
 *   duration (median) · tasks · slots
 *
 * The choices reach the job through Flink's switches, so any job runs unchanged:
 *   chaining=on|off       pipeline.operator-chaining.enabled
 *   slot-sharing=on|off   pipeline.slot-sharing.enabled (miniflink: off = a slot per task)
 *   local-exchange=serialized|by-reference   pipeline.local-exchange.by-reference
 *   parallelism=1|2|...   parallelism.default
 * Records/s counts the records the job's sources emitted (or --records N per run). With --json,
 * the results are written there and an SVG chart beside it (same name, .svg).
 */
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { combinations, MATRIX_DIMENSIONS, resolveProgramPath, runSchedulingBench, svgChart, type Row } from '../../runtime/index.js';
import { CliArgumentError, listOption, parseArgs, stringOption } from '../args.js';
import { parserOptions } from '../help.js';
import { loadConfiguration } from './common.js';
import type { CliIO } from './run.js';

/** Options of bench (declared with their help in help.ts). */
const BENCH_OPTIONS = parserOptions('bench');
/** The options that may also follow the job's arguments (as `miniflink bench job.ts 1000 --runs 3`). */
const TAIL_OPTIONS = new Set(['--matrix', '--records', '--runs', '--json', '--timeout']);

/** Splits `job args... --runs 3 --matrix a=1,2 b=x` into the program's arguments and the bench options. */
export function splitTail(programArgs: readonly string[]): { args: string[]; tail: string[] } {
  const at = programArgs.findIndex((a) => TAIL_OPTIONS.has(a.split('=')[0]!));
  if (at < 0) return { args: [...programArgs], tail: [] };
  // --matrix takes every following word of the form dim=values.
  const tail: string[] = [];
  const rest = programArgs.slice(at);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--matrix') {
      if (!(i + 1 < rest.length && /^[a-z-]+=/.test(rest[i + 1]!))) tail.push('--matrix'); // without values: refused below
      while (i + 1 < rest.length && /^[a-z-]+=/.test(rest[i + 1]!)) tail.push('--matrix', rest[++i]!);
    } else tail.push(a);
  }
  return { args: programArgs.slice(0, at), tail };
}


/** Runs the action; resolves with the exit code. */
export async function benchAction(argv: readonly string[], io: CliIO): Promise<number> {
  const head = parseArgs(argv, BENCH_OPTIONS);
  const [jobPath, ...rawArgs] = head.positional;
  if (jobPath === undefined) throw new CliArgumentError('No job module specified: miniflink bench [OPTIONS] <job.ts|job.js> [arguments] [--matrix ...] [--runs N] [--records N] [--json file]');
  if (MATRIX_DIMENSIONS.some((d) => jobPath.startsWith(`${d}=`))) throw new CliArgumentError(`'${jobPath}' is not a job module: before the job, give --matrix once per dimension (--matrix chaining=on,off --matrix parallelism=1,2 job.ts), or put the options after the job's arguments.`);
  const { args: programArgs, tail } = splitTail(rawArgs);
  if (tail.length > 0 && tail[tail.length - 1] === '--matrix') throw new CliArgumentError('--matrix needs <dimension>=<values> after it (chaining=on,off, slot-sharing=on,off, parallelism=1,2, local-exchange=serialized,by-reference)');
  const tailParsed = parseArgs(tail, BENCH_OPTIONS, false);
  if (tailParsed.positional.length > 0) {
    throw new CliArgumentError(`The job's arguments go before the bench options: '${tailParsed.positional.join(' ')}' after them belongs to neither (miniflink bench <job> [arguments] [--matrix ...] [--runs N] ...)`);
  }
  for (const o of ['jobmanager', 'target']) {
    if (stringOption(head, o) !== undefined) throw new CliArgumentError(`"bench" runs the job on embedded clusters of its own, one per run: --${o} does not apply to it.`);
  }
  const pick = (name: string) => stringOption(tailParsed, name) ?? stringOption(head, name);
  const matrix = [...listOption(head, 'matrix'), ...listOption(tailParsed, 'matrix')];
  const whole = (name: string, dflt: number | undefined): number | undefined => {
    const text = pick(name);
    if (text === undefined) return dflt;
    if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new CliArgumentError(`--${name} takes a positive whole number up to ${Number.MAX_SAFE_INTEGER}, got '${text}'`);
    return Number(text);
  };
  const runs = whole('runs', 5)!;
  const records = whole('records', undefined);
  const timeout = whole('timeout', 600)!;
  const jsonPath = pick('json');
  // Where the results go is checked before the runs, not after them.
  if (jsonPath !== undefined && !existsSync(dirname(resolve(jsonPath)))) throw new CliArgumentError(`--json ${jsonPath}: the directory ${dirname(resolve(jsonPath))} does not exist`);
  if (jsonPath !== undefined) {
    for (const p of [jsonPath, svgPathOf(jsonPath)]) {
      // The results would replace the job's own module.
      if (resolve(p) === resolve(jobPath)) throw new CliArgumentError(`--json ${jsonPath}: ${p} is the job module itself; the results would overwrite it`);
      checkWritable(p, jsonPath);
    }
  }
  const configuration = loadConfiguration(head, io.err, 'bench');
  try {
    combinations(matrix, configuration); // a bad matrix fails before the module compiles
  } catch (e) {
    throw new CliArgumentError((e as Error).message);
  }
  const path = resolveProgramPath(jobPath);
  const warnings: string[] = [];
  const entry = stringOption(head, 'class');
  const rows = await runSchedulingBench({
    path,
    args: programArgs,
    entry,
    configuration,
    matrix,
    runs,
    records,
    timeoutMs: timeout * 1000,
    onProgress: (done, total, what) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      io.err(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}`);
    },
    onWarning: (m) => {
      warnings.push(m);
      io.err(`Warning: ${m}`);
    },
  });
  io.out(formatTable(rows, runs));
  if (jsonPath !== undefined) {
    const report = { job: jobPath, args: programArgs, runs, date: new Date().toISOString(), node: process.version, warnings, combinations: rows };
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    const svgPath = svgPathOf(jsonPath);
    writeFileSync(svgPath, svgChart(rows));
    io.out(`Results written to ${jsonPath} and ${svgPath}`);
  }
  return 0;
}

const n = (x: number) => x.toLocaleString('en');

/** The table: one line per combination. */
export function formatTable(rows: readonly Row[], runs: number): string {
  const header = ['combination', 'records/s (median)', 'min-max', 'CPU/wall', 'peak heap/thread', 'checkpoint', 'tasks', 'slots'];
  const lines = rows.map((r) => [
    r.combination,
    n(r.recordsPerSecond.median),
    `${n(r.recordsPerSecond.min)}-${n(r.recordsPerSecond.max)}`,
    r.cpuPerWall.toFixed(2),
    `${r.peakHeapMiB} MiB`,
    r.checkpointMs === null ? '-' : `${r.checkpointMs} ms`,
    String(r.tasks),
    String(r.slots),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`${runs} run(s) per combination, interleaved, after a warm-up; records/s over the job's net runtime.`, fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

/** Where the chart goes beside the JSON file. */
function svgPathOf(jsonPath: string): string {
  return jsonPath.replace(/\.json$/i, '') + '.svg';
}

/** Fails before any run when a result file cannot be written (a directory, a read-only place). */
function checkWritable(path: string, option: string): void {
  const existed = existsSync(path);
  try {
    closeSync(openSync(path, 'a'));
    if (!existed) rmSync(path, { force: true });
  } catch (e) {
    throw new CliArgumentError(`--json ${option}: ${path} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
