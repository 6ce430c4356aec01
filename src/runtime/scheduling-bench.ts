/**
 * Benchmarking scheduling choices (miniflink: `miniflink bench`, `POST /jars/:jarid/bench`): a job
 * module runs under every combination of a matrix of choices, each run on an embedded cluster of
 * its own (as many slots as the combination needs), the combinations interleaved run after run
 * after one warm-up run. The choices reach the job through Flink's switches, so any job runs
 * unchanged:
 *
 *   chaining=on|off       pipeline.operator-chaining.enabled
 *   slot-sharing=on|off   pipeline.slot-sharing.enabled (miniflink: off = a slot per task)
 *   parallelism=1|2|...   parallelism.default (a job that calls setParallelism keeps its own)
 *   local-exchange=serialized|by-reference
 *                         pipeline.local-exchange.by-reference (miniflink: batches between tasks
 *                         of one slot thread packed with msgpackr, or handed over as copies)
 *
 * Per combination: records/s (median, min-max) over the job's net runtime, counting what the
 * job's sources emitted (their operators' numRecordsOut) unless told the records of a run; the
 * process's CPU time / wall time; the peak heap of one slot thread (sampled every 50 ms); the
 * median checkpoint duration; the tasks and slots it needed. svgChart draws the medians.
 */
import { availableParallelism } from 'node:os';
import { cpuUsage } from 'node:process';
import { MiniFlinkError } from '../core/errors.js';
import { requiredSlots } from '../graph/index.js';
import { filterCharacters } from '../metrics/index.js';
import { MiniCluster } from './minicluster.js';
import { buildSubmission } from './job-submission.js';
import { captureProgram } from './program/program-loader.js';
import { compileProgram, discardCompiledProgram } from './program/program-compiler.js';

/** The dimensions of the matrix and the configuration key each sets. */
const DIMENSIONS: Record<string, { key: string; values: (v: string) => string }> = {
  chaining: { key: 'pipeline.operator-chaining.enabled', values: onOff },
  'slot-sharing': { key: 'pipeline.slot-sharing.enabled', values: onOff },
  parallelism: {
    key: 'parallelism.default',
    values: (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix parallelism takes positive whole numbers, got '${v}'`);
      return String(Number(v));
    },
  },
  'local-exchange': {
    key: 'pipeline.local-exchange.by-reference',
    values: (v) => {
      if (v === 'serialized') return 'false';
      if (v === 'by-reference') return 'true';
      throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix takes serialized or by-reference for local-exchange, got '${v}'`);
    },
  },
};

/** The names of the matrix's dimensions. */
export const MATRIX_DIMENSIONS: readonly string[] = Object.keys(DIMENSIONS);

function onOff(v: string): string {
  if (v === 'on' || v === 'true') return 'true';
  if (v === 'off' || v === 'false') return 'false';
  throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix takes on or off for chaining and slot-sharing, got '${v}'`);
}

/** One combination: its label (`chaining=on slot-sharing=off parallelism=2`) and configuration. */
export interface Combination {
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
    if (!m || !dim) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix takes <dimension>=<value>,<value>... with a dimension of ${Object.keys(DIMENSIONS).join(', ')}, got '${spec}'`);
    if (seen.has(m[1]!)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix names ${m[1]} twice`);
    seen.add(m[1]!);
    const values = m[2]!.split(',').map((v) => v.trim());
    const set = values.map((v) => dim.values(v));
    if (new Set(set).size !== set.length) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `--matrix gives a value of ${m[1]} twice: ${m[2]}`);
    out = out.flatMap((c) => values.map((v) => ({ choices: { ...c.choices, [m[1]!]: v }, configuration: { ...c.configuration, [dim.key]: dim.values(v) } })));
  }
  return out.map((c) => ({ ...c, label: Object.entries(c.choices).map(([k, v]) => `${k}=${v}`).join(' ') || '(the job as written)' }));
}

/** The median (the mean of the middle two for an even count). */
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** What to benchmark. */
export interface SchedulingBenchRequest {
  /** The job module (resolved path). */
  readonly path: string;
  readonly args: readonly string[];
  /** The exported function to call with the arguments (-c), after the module's top-level code. */
  readonly entry?: string | undefined;
  /** The configuration every run starts from (the matrix's switches go over it). */
  readonly configuration: Readonly<Record<string, string>>;
  /** `dim=v1,v2` entries. */
  readonly matrix: readonly string[];
  readonly runs: number;
  /** The records one run processes (default: what the sources emitted). */
  readonly records?: number | undefined;
  /** Longest a run may take (ms; default 10 minutes): the benchmark stops when one does not end. */
  readonly timeoutMs?: number | undefined;
  /** Called before each run (and once at the end): runs done, runs in all, what runs next. */
  readonly onProgress?: (done: number, total: number, what: string) => void;
  /** Called once per combination whose choice the job overrides (so the label claims what it does not get). */
  readonly onWarning?: (message: string) => void;
  /** Cancels the benchmark: the run in progress is canceled and the benchmark fails with MF_ERR_JOB_CANCELED. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs the benchmark: a warm-up run of the first combination, then `runs` rounds over every
 * combination. The matrix is checked before anything runs.
 * @throws MF_ERR_INVALID_ARGUMENT for a bad matrix, runs or records.
 */
export async function runSchedulingBench(req: SchedulingBenchRequest): Promise<Row[]> {
  if (!Number.isSafeInteger(req.runs) || req.runs < 1) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `runs must be a positive whole number, got ${req.runs}`);
  if (req.records !== undefined && (!Number.isSafeInteger(req.records) || req.records < 1)) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `records must be a positive whole number up to ${Number.MAX_SAFE_INTEGER}, got ${req.records}`);
  const combos = combinations(req.matrix, req.configuration);
  // Records/s counts what the sources emitted, from their metrics: without them every figure would be 0.
  if (req.records === undefined && combos.some((c) => c.configuration['metrics.enabled'] === 'false')) {
    throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', 'With metrics.enabled=false the sources count no records, so records/s would be 0: give the records of one run (--records N, or "records" over REST), or leave metrics on.');
  }
  const compiledPath = await compileProgram(req.path);
  const results = new Map<string, RunResult[]>(combos.map((c) => [c.label, []]));
  const total = combos.length * req.runs;
  let done = 0;
  const timeoutMs = req.timeoutMs ?? 600_000;
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (warned.has(m)) return;
    warned.add(m);
    req.onWarning?.(m);
  };
  const run = (c: Combination) => {
    if (req.signal?.aborted) throw canceled();
    return runOnce({ path: req.path, compiledPath, args: req.args, entry: req.entry }, c, req.records, timeoutMs, warn, req.signal);
  };
  try {
    req.onProgress?.(0, total, 'warm-up');
    await run(combos[0]!);
    for (let r = 0; r < req.runs; r++) {
      for (const c of combos) {
        req.onProgress?.(done, total, c.label);
        results.get(c.label)!.push(await run(c));
        done++;
      }
    }
    // A cancel that came while the last run ended (its cluster closing) still cancels.
    if (req.signal?.aborted) throw canceled();
    req.onProgress?.(done, total, 'done');
  } finally {
    discardCompiledProgram(compiledPath);
  }
  return combos.map((c) => summarize(c, results.get(c.label)!));
}

/** How long a benchmark run stopped by its timeout (or a cancel) waits for its job to cancel before its cluster is closed. */
const CANCEL_WAIT_MS = 2000;

const canceled = () => new MiniFlinkError('MF_ERR_JOB_CANCELED', 'The benchmark was canceled.');

/** One run of one combination on a cluster of its own. */
async function runOnce(
  program: { path: string; compiledPath: string; args: readonly string[]; entry: string | undefined },
  c: Combination,
  records: number | undefined,
  timeoutMs: number,
  warn: (m: string) => void,
  signal: AbortSignal | undefined,
): Promise<RunResult> {
  const { path, compiledPath, args, entry } = program;
  const parallelism = c.configuration['parallelism.default'] !== undefined ? Number(c.configuration['parallelism.default']) : undefined;
  const pipeline = await captureProgram({ path, compiledPath, args: [...args], ...(entry !== undefined ? { entry } : {}), configuration: { ...c.configuration }, ...(parallelism !== undefined ? { parallelism } : {}) }, `bench-${Math.random()}`);
  const submission = buildSubmission(pipeline, { path, compiledPath, args: [...args], ...(entry !== undefined ? { entry } : {}) });
  const job = submission.job;
  // A choice the job overrides itself (setParallelism, disableOperatorChaining) is not what the label says.
  if (parallelism !== undefined && pipeline.env.getParallelism() !== parallelism) {
    warn(`${c.label}: the job sets its own default parallelism (${pipeline.env.getParallelism()}, with env.setParallelism), so this choice changes nothing`);
  } else if (parallelism !== undefined && !job.vertices.some((v) => v.parallelism === parallelism)) {
    warn(`${c.label}: no operator of the job runs at parallelism ${parallelism} (it sets its own: ${[...new Set(job.vertices.map((v) => v.parallelism))].join(', ')}), so this choice changes nothing`);
  }
  const chaining = c.choices['chaining'];
  if (chaining !== undefined && (chaining === 'on' || chaining === 'true') !== pipeline.env.isChainingEnabled()) {
    warn(`${c.label}: the job turns chaining ${pipeline.env.isChainingEnabled() ? 'on' : 'off'} itself, so this choice changes nothing`);
  }
  const slots = requiredSlots(job);
  const tasks = job.vertices.reduce((n, v) => n + v.parallelism, 0);
  const cores = availableParallelism();
  if (slots > cores) {
    warn(`${c.label}: ${slots} slot threads on a machine of ${cores} cores take turns on them, so its records/s also measure that contention`);
  }
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
    // A run must end by itself, once: a timeout or a restart (its numbers would include the failover) fails the benchmark.
    let why: string | undefined;
    let stoppedBy: 'timeout' | 'cancel' | undefined;
    const restarted = `the job failed and restarted in ${c.label} (a benchmark's runs must not fail: its figures would include the failover)`;
    // A job that does not react to the cancel (a source that ignores cancel()) is not waited for
    // (task.cancellation.timeout): the cluster is the benchmark's own, and closing it ends its threads.
    let giveUp!: (e: Error) => void;
    const givenUp = new Promise<never>((_, reject) => (giveUp = reject));
    let giveUpTimer: NodeJS.Timeout | undefined;
    const watch = setInterval(() => {
      if (signal?.aborted) {
        why = 'it was canceled';
        stoppedBy = 'cancel';
      } else if (jm.restarts > 0) why = restarted;
      else if (performance.now() - wall0 > timeoutMs) why = `the job did not end within ${Math.round(timeoutMs / 1000)} s in ${c.label} (a benchmark needs a job that ends: a bounded source; or raise the timeout)`;
      if (why !== undefined) {
        clearInterval(watch);
        jm.cancel();
        giveUpTimer = setTimeout(() => giveUp(new Error(why)), CANCEL_WAIT_MS);
      }
    }, 20);
    let result;
    let wall: number;
    let cpu: NodeJS.CpuUsage;
    try {
      result = await Promise.race([jm.result(), givenUp]);
    } catch (e) {
      if (stoppedBy === 'cancel') throw canceled();
      if (why !== undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Benchmark stopped: ${why}.`);
      // The user's error itself, not only "Job execution failed." (the whole chain is the cause's).
      const root = rootCause(e);
      const because = root !== e ? ` (${root.name}: ${root.message})` : '';
      throw new MiniFlinkError('MF_ERR_INVALID_PROGRAM', `The job failed in ${c.label}: ${(e as Error).message}${because}`, { cause: e });
    } finally {
      wall = performance.now() - wall0;
      cpu = cpuUsage(cpu0);
      clearInterval(watch);
      clearTimeout(giveUpTimer);
      sampling = false;
      await sampler;
    }
    if (stoppedBy === 'cancel') throw canceled();
    // A job that restarted and then finished between two looks of the watch.
    if (why === undefined && jm.restarts > 0) why = restarted;
    if (why !== undefined) throw new MiniFlinkError('MF_ERR_INVALID_ARGUMENT', `Benchmark stopped: ${why}.`);
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
    // Every checkpoint of the run (the history keeps only the last 10).
    const checkpoints = jm.coordinator.summary.filter((x) => x.kind !== 'savepoint').map((x) => x.durationMs);
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
  /** Each run's net runtime, records and records/s (the median of these rates is `recordsPerSecond.median`). */
  readonly runs: ReadonlyArray<{ ms: number; records: number; recordsPerSecond: number }>;
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
    runs: rs.map((r, i) => ({ ms: Math.round(r.ms), records: r.records, recordsPerSecond: Math.round(rates[i]!) })),
  };
}

const n = (x: number) => x.toLocaleString('en');

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
        // Right of the bar and of the min-max line, which would strike it through.
        `<text x="${(Math.max(labelW + w, x1) + 6).toFixed(1)}" y="${y + 15}">${n(r.recordsPerSecond.median)}/s</text>`,
      ].join('');
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + chartW + 140}" height="${h}" font-family="sans-serif" font-size="12">\n<text x="8" y="18" font-weight="bold">records/s per combination (median; line: min-max)</text>\n${bars}\n</svg>\n`;
}

/** The innermost cause of an error (the user's, under the job's "Job execution failed."). */
function rootCause(e: unknown): { name: string; message: string } {
  let cur = e as { name: string; message: string };
  for (let depth = 0; depth < 10; depth++) {
    const next = (cur as { cause?: unknown }).cause as { message?: unknown } | undefined;
    if (typeof next !== 'object' || next === null || typeof next.message !== 'string') break;
    cur = next as { name: string; message: string };
  }
  return cur;
}
