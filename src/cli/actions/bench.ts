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
 *   parallelism=1|2|...   parallelism.default
 * Records/s counts the records the job's sources emitted (or --records N per run). With --json,
 * the results are written there and an SVG chart beside it (same name, .svg).
 */
import { writeFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import { requiredSlots } from '../../graph/index.js';
import { buildSubmission, captureProgram, compileProgram, discardCompiledProgram, filterCharacters, MiniCluster, resolveProgramPath } from '../../runtime/index.js';
import { CliArgumentError, parseArgs, stringOption, listOption } from '../args.js';
import { parserOptions } from '../help.js';
import { loadConfiguration } from './common.js';
import type { CliIO } from './run.js';

/** Options of bench (declared with their help in help.ts). */
const BENCH_OPTIONS = parserOptions('bench');
/** The options that may also follow the job's arguments (as `miniflink bench job.ts 1000 --runs 3`). */
const TAIL_OPTIONS = new Set(['--matrix', '--records', '--runs', '--json']);

/** The dimensions of the matrix and the configuration key each sets. */
const DIMENSIONS: Record<string, { key: string; values: (v: string) => string }> = {
  chaining: { key: 'pipeline.operator-chaining.enabled', values: onOff },
  'slot-sharing': { key: 'pipeline.slot-sharing.enabled', values: onOff },
  parallelism: {
    key: 'parallelism.default',
    values: (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new CliArgumentError(`--matrix parallelism takes positive whole numbers, got '${v}'`);
      return v;
    },
  },
};

function onOff(v: string): string {
  if (v === 'on' || v === 'true') return 'true';
  if (v === 'off' || v === 'false') return 'false';
  throw new CliArgumentError(`--matrix takes on or off for chaining and slot-sharing, got '${v}'`);
}

/** One combination: its label (`chaining=on slot-sharing=off parallelism=2`) and configuration. */
interface Combination {
  readonly label: string;
  readonly choices: Readonly<Record<string, string>>;
  readonly configuration: Readonly<Record<string, string>>;
}

/** What one run measured. */
interface RunResult {
  readonly ms: number;
  readonly records: number;
  readonly cpuPerWall: number;
  readonly peakHeapBytes: number;
  readonly checkpointMs: number | undefined;
  readonly tasks: number;
  readonly slots: number;
}

/** Every combination of the matrix (a dimension not given keeps the job's own setting). */
export function combinations(matrix: readonly string[], base: Readonly<Record<string, string>>): Combination[] {
  let out: Array<{ choices: Record<string, string>; configuration: Record<string, string> }> = [{ choices: {}, configuration: { ...base } }];
  const seen = new Set<string>();
  for (const spec of matrix) {
    const m = /^([a-z-]+)=(.+)$/.exec(spec);
    const dim = m ? DIMENSIONS[m[1]!] : undefined;
    if (!m || !dim) throw new CliArgumentError(`--matrix takes <dimension>=<value>,<value>... with a dimension of ${Object.keys(DIMENSIONS).join(', ')}, got '${spec}'`);
    if (seen.has(m[1]!)) throw new CliArgumentError(`--matrix names ${m[1]} twice`);
    seen.add(m[1]!);
    const values = m[2]!.split(',').map((v) => v.trim());
    out = out.flatMap((c) => values.map((v) => ({ choices: { ...c.choices, [m[1]!]: v }, configuration: { ...c.configuration, [dim.key]: dim.values(v) } })));
  }
  return out.map((c) => ({ ...c, label: Object.entries(c.choices).map(([k, v]) => `${k}=${v}`).join(' ') || '(the job as written)' }));
}

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
      while (i + 1 < rest.length && /^[a-z-]+=/.test(rest[i + 1]!)) tail.push('--matrix', rest[++i]!);
    } else tail.push(a);
  }
  return { args: programArgs.slice(0, at), tail };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the action; resolves with the exit code. */
export async function benchAction(argv: readonly string[], io: CliIO): Promise<number> {
  const head = parseArgs(argv, BENCH_OPTIONS);
  const [jobPath, ...rawArgs] = head.positional;
  if (jobPath === undefined) throw new CliArgumentError('No job module specified: miniflink bench [OPTIONS] <job.ts|job.js> [arguments] [--matrix ...] [--runs N] [--records N] [--json file]');
  const { args: programArgs, tail } = splitTail(rawArgs);
  const tailParsed = parseArgs(tail, BENCH_OPTIONS, false);
  const pick = (name: string) => stringOption(tailParsed, name) ?? stringOption(head, name);
  const matrix = [...listOption(head, 'matrix'), ...listOption(tailParsed, 'matrix')];
  const runs = Number(pick('runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new CliArgumentError(`--runs takes a positive whole number, got '${pick('runs')}'`);
  const recordsText = pick('records');
  const records = recordsText === undefined ? undefined : Number(recordsText);
  if (records !== undefined && (!Number.isInteger(records) || records < 1)) throw new CliArgumentError(`--records takes a positive whole number, got '${recordsText}'`);
  const jsonPath = pick('json');
  const configuration = loadConfiguration(head, io.err, 'bench');
  const combos = combinations(matrix, configuration);
  const path = resolveProgramPath(jobPath);
  const compiledPath = await compileProgram(path);
  const results = new Map<string, RunResult[]>(combos.map((c) => [c.label, []]));
  const total = combos.length * runs;
  let done = 0;
  const progress = (what: string) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.err(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${what}`);
  };
  try {
    // A warm-up run of the first combination (module load, JIT), then the runs, interleaved.
    progress('warm-up');
    await runOnce(path, compiledPath, programArgs, combos[0]!, records);
    for (let r = 0; r < runs; r++) {
      for (const c of combos) {
        progress(c.label);
        results.get(c.label)!.push(await runOnce(path, compiledPath, programArgs, c, records));
        done++;
      }
    }
    progress('done');
  } finally {
    discardCompiledProgram(compiledPath);
  }
  const rows = combos.map((c) => summarize(c, results.get(c.label)!));
  io.out(formatTable(rows, runs));
  if (jsonPath !== undefined) {
    const report = { job: jobPath, args: programArgs, runs, date: new Date().toISOString(), node: process.version, combinations: rows };
    writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    const svgPath = jsonPath.replace(/\.json$/i, '') + '.svg';
    writeFileSync(svgPath, svgChart(rows));
    io.out(`Results written to ${jsonPath} and ${svgPath}`);
  }
  return 0;
}

/** One run of one combination on a cluster of its own. */
async function runOnce(path: string, compiledPath: string, args: readonly string[], c: Combination, records: number | undefined): Promise<RunResult> {
  const parallelism = c.configuration['parallelism.default'] !== undefined ? Number(c.configuration['parallelism.default']) : undefined;
  const pipeline = await captureProgram({ path, compiledPath, args: [...args], configuration: { ...c.configuration }, ...(parallelism !== undefined ? { parallelism } : {}) }, `bench-${Math.random()}`);
  const submission = buildSubmission(pipeline, { path, compiledPath, args: [...args] });
  const job = submission.job;
  const slots = requiredSlots(job);
  const tasks = job.vertices.reduce((n, v) => n + v.parallelism, 0);
  const cluster = new MiniCluster({ numTaskManagers: 1, slotsPerTaskManager: slots });
  await cluster.start();
  try {
    const slotIds = Array.from({ length: slots }, (_, i) => i);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const s of await cluster.memoryStats(slotIds).catch(() => [])) peak = Math.max(peak, s.heapUsed);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const cpu0 = cpuUsage();
    const wall0 = performance.now();
    const jm = cluster.dispatcher.submitJob(submission);
    let result;
    try {
      result = await jm.result();
    } finally {
      sampling = false;
      await sampler;
    }
    const wall = performance.now() - wall0;
    const cpu = cpuUsage(cpu0);
    const sourceRecords = job.vertices
      .filter((v) => !job.edges.some((e) => e.targetVertex === v.id))
      .reduce((n, v) => {
        let sum = 0;
        for (let i = 0; i < v.parallelism; i++) {
          const m = jm.metricStore?.subtaskMetrics(jm.jobId, v.id, i);
          // The source operator's own count (the task's counts only what leaves the chain).
          sum += Number(m?.get(`${filterCharacters(v.operators[0]!.name)}.numRecordsOut`) ?? 0);
        }
        return n + sum;
      }, 0);
    const checkpoints = [...jm.coordinator.history].filter((x) => x.kind !== 'savepoint').map((x) => x.durationMs);
    return {
      ms: result.getNetRuntime(),
      records: records ?? sourceRecords,
      cpuPerWall: (cpu.user + cpu.system) / 1000 / wall,
      peakHeapBytes: peak,
      checkpointMs: checkpoints.length > 0 ? median(checkpoints) : undefined,
      tasks,
      slots,
    };
  } finally {
    await cluster.close();
  }
}

/** A combination's figures over its runs. */
export interface Row {
  readonly combination: string;
  readonly choices: Readonly<Record<string, string>>;
  readonly recordsPerSecond: { readonly median: number; readonly min: number; readonly max: number };
  readonly medianMs: number;
  readonly records: number;
  readonly cpuPerWall: number;
  readonly peakHeapMiB: number;
  readonly checkpointMs: number | null;
  readonly tasks: number;
  readonly slots: number;
  readonly runs: ReadonlyArray<{ ms: number; records: number }>;
}

function summarize(c: Combination, rs: readonly RunResult[]): Row {
  const rates = rs.map((r) => (r.records * 1000) / Math.max(r.ms, 1));
  const cps = rs.map((r) => r.checkpointMs).filter((x): x is number => x !== undefined);
  return {
    combination: c.label,
    choices: c.choices,
    recordsPerSecond: { median: Math.round(median(rates)), min: Math.round(Math.min(...rates)), max: Math.round(Math.max(...rates)) },
    medianMs: median(rs.map((r) => r.ms)),
    records: median(rs.map((r) => r.records)),
    cpuPerWall: Math.round(median(rs.map((r) => r.cpuPerWall)) * 100) / 100,
    peakHeapMiB: Math.round((Math.max(...rs.map((r) => r.peakHeapBytes)) / 2 ** 20) * 10) / 10,
    checkpointMs: cps.length > 0 ? Math.round(median(cps)) : null,
    tasks: rs[0]!.tasks,
    slots: rs[0]!.slots,
    runs: rs.map((r) => ({ ms: Math.round(r.ms), records: r.records })),
  };
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

/** A bar chart of the median records/s per combination, with the min-max range. */
export function svgChart(rows: readonly Row[]): string {
  const barH = 22;
  const labelW = 330;
  const chartW = 420;
  const max = Math.max(1, ...rows.map((r) => r.recordsPerSecond.max));
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const h = 40 + rows.length * (barH + 8);
  const bars = rows
    .map((r, i) => {
      const y = 30 + i * (barH + 8);
      const w = (r.recordsPerSecond.median / max) * chartW;
      const x0 = labelW + (r.recordsPerSecond.min / max) * chartW;
      const x1 = labelW + (r.recordsPerSecond.max / max) * chartW;
      return [
        `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${esc(r.combination)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="#4a7ab5"/>`,
        `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#222" stroke-width="2"/>`,
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}">${n(r.recordsPerSecond.median)}/s</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + chartW + 140}" height="${h}" font-family="sans-serif" font-size="12">\n<text x="8" y="18" font-weight="bold">records/s per combination (median; line: min-max)</text>\n${bars}\n</svg>\n`;
}
