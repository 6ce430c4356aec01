/**
 * Job modules (Flink's jars, jar-store.ts): upload (one file, multipart), list, delete, run and
 * plan. Run and plan read the same inputs (program arguments, parallelism, entry, savepoint,
 * configuration) from the body or, as Flink's older clients send them, from the query.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEPRECATED_KEYS, OPTIONS, pathList, PATH_LIST_KEYS, validateConfiguration } from '../../config/index.js';
import { isMiniFlinkError } from '../../core/errors.js';
import { combinations, EXECUTE_INDEX_KEY, runSchedulingBench, svgChart } from '../../runtime/index.js';
import { body, bool, parseParallelism, RestError, str, type RouteContext } from '../route-context.js';

/** Configuration keys whose value is a path the cluster reads or writes (ConfigOption.path). */
const PATH_KEYS = new Set(OPTIONS.filter((o) => o.path === true).map((o) => o.key));

/** Registers the jar routes. */
export function registerJarRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, options, jars, base, allowedPath, ops } = ctx;

  r.post('/jars/upload', async (req) => {
    if (!req.isMultipart()) throw new RestError(400, 'Exactly 1 file must be sent, received 0.');
    const files: Array<{ name: string; bytes: Buffer }> = [];
    try {
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const bytes = await part.toBuffer();
          if (part.file.truncated) throw new RestError(413, `The file is larger than the upload limit (${options.maxUploadBytes} bytes).`);
          files.push({ name: part.filename, bytes });
        }
      }
    } catch (e) {
      // A malformed or cut-off multipart body is the client's error.
      if (e instanceof RestError) throw e;
      const status = (e as { statusCode?: number }).statusCode;
      throw new RestError(status === 413 ? 413 : 400, `Could not read the multipart upload: ${(e as Error).message}`);
    }
    if (files.length !== 1) throw new RestError(400, `Exactly 1 file must be sent, received ${files.length}.`);
    try {
      const id = jars.save(files[0]!.name, files[0]!.bytes);
      return { filename: `${jars.dir}/${id}`, status: 'success' };
    } catch (e) {
      throw new RestError(400, (e as Error).message);
    }
  });
  r.get('/jars', async (req) => ({
    address: base(req),
    files: jars.list().map((j) => ({ id: j.id, name: j.name, uploaded: j.uploaded, entry: [] })),
  }));
  r.delete('/jars/:jarid', async (req) => {
    try {
      jars.delete((req.params as { jarid: string }).jarid);
    } catch (e) {
      throw new RestError(400, (e as Error).message);
    }
    return {};
  });
  /** What a run (or, `forPlan`, a plan: Flink's JarPlanRequestBody has no restore fields, so they are ignored) asks for. */
  const runInputs = (req: FastifyRequest, forPlan = false) => {
    const b = body(req);
    const q = req.query as Record<string, string | undefined>;
    let args: string[] = [];
    if (b.programArgsList !== undefined && b.programArgsList !== null && (!Array.isArray(b.programArgsList) || b.programArgsList.some((a) => typeof a !== 'string'))) {
      throw new RestError(400, 'Request did not match expected format: programArgsList must be an array of strings.');
    }
    if (Array.isArray(b.programArgsList)) args = b.programArgsList.map(String);
    else if (typeof b.programArgs === 'string') args = splitArgs(b.programArgs);
    else if (q.programArg !== undefined) args = q.programArg.split(',');
    else if (q['program-args'] !== undefined) args = splitArgs(q['program-args']);
    const pRaw = b.parallelism ?? q.parallelism;
    if (pRaw !== undefined && pRaw !== null && typeof pRaw !== 'number' && typeof pRaw !== 'string') throw new RestError(400, `The parallelism must be a positive number: ${String(pRaw)}`);
    let parallelism: number | undefined;
    if (pRaw !== undefined && pRaw !== null && pRaw !== '') {
      parallelism = parseParallelism(pRaw);
      if (parallelism === undefined) throw new RestError(400, `The parallelism must be a positive number: ${String(pRaw)}`);
    }
    const conf = b.flinkConfiguration;
    if (conf !== undefined && (typeof conf !== 'object' || conf === null || Array.isArray(conf))) throw new RestError(400, 'Request did not match expected format: flinkConfiguration must be an object.');
    const jarid = (req.params as { jarid: string }).jarid;
    let path: string;
    try {
      path = jars.path(jarid);
    } catch (e) {
      throw new RestError(400, (e as Error).message);
    }
    const jobId = str(b.jobId, 'jobId');
    if (jobId !== undefined && !/^[0-9a-f]{32}$/.test(jobId)) throw new RestError(400, `Request did not match expected format: jobId must be a 32-character hexadecimal string, got '${jobId}'.`);
    const claimMode = str(b.claimMode ?? b.restoreMode, 'claimMode');
    if (claimMode !== undefined && !['CLAIM', 'NO_CLAIM', 'LEGACY'].includes(claimMode.toUpperCase())) throw new RestError(400, `Request did not match expected format: claimMode must be CLAIM, NO_CLAIM or LEGACY, got '${claimMode}'.`);
    const configuration = conf ? Object.fromEntries(Object.entries(conf as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : undefined;
    // The CLI runs the program itself and submits its execute() calls one by one (Flink's client).
    const indexText = configuration?.[EXECUTE_INDEX_KEY];
    if (configuration) delete configuration[EXECUTE_INDEX_KEY];
    if (configuration) {
      // Values of the options miniflink declares must parse as their types (Flink's message).
      try {
        validateConfiguration(configuration);
      } catch (e) {
        throw new RestError(400, (e as Error).message);
      }
      // Paths a job's configuration gives the cluster to read or write are held to the directories savepointPath is.
      for (const [key, value] of Object.entries(configuration)) {
        if (PATH_KEYS.has(DEPRECATED_KEYS.get(key) ?? key)) allowedPath(value, key);
        if (PATH_LIST_KEYS.has(key)) for (const part of pathList(value)) allowedPath(part, key);
      }
    }
    const executeIndex = indexText === undefined ? undefined : Number(indexText);
    if (executeIndex !== undefined && (!Number.isInteger(executeIndex) || executeIndex < 0)) throw new RestError(400, `${EXECUTE_INDEX_KEY} must be a non-negative integer, got '${indexText}'.`);
    return {
      path,
      args,
      parallelism,
      entry: str(b.entryClass ?? q['entry-class'], 'entryClass'),
      savepointPath: forPlan ? undefined : allowedPath(str(b.savepointPath ?? q.savepointPath, 'savepointPath'), 'savepointPath'),
      allowNonRestoredState: bool(b.allowNonRestoredState, 'allowNonRestoredState') ?? q.allowNonRestoredState === 'true',
      claimMode,
      jobId,
      executeIndex,
      configuration,
    };
  };
  r.post('/jars/:jarid/run', async (req) => {
    const run = runInputs(req);
    let jm;
    try {
      jm = await cluster.submit(run);
    } catch (e) {
      // miniflink's own errors keep their code, so that the CLI reports them as a local run does.
      const m = isMiniFlinkError(e) ? `${e.name} [${e.code}]: ${e.message}` : `Could not execute application. ${(e as Error).message}`;
      throw new RestError(400, m);
    }
    return { jobid: jm.jobId };
  });
  const plan = async (req: FastifyRequest) => {
    try {
      return { plan: await cluster.plan(runInputs(req, true)) };
    } catch (e) {
      if (e instanceof RestError) throw e;
      throw new RestError(400, (e as Error).message);
    }
  };
  r.get('/jars/:jarid/plan', plan);
  r.post('/jars/:jarid/plan', plan);

  // ---- benchmarking scheduling choices (miniflink; `miniflink bench` over REST, the web UI's submit page) ----
  /** What the running benchmark has done, by trigger id (one at a time: the runs take the machine). */
  const progress = new Map<string, { done: number; total: number; current: string }>();
  let running: string | undefined;
  /** Cancels the running benchmark (DELETE on its trigger). */
  let cancelRunning: AbortController | undefined;
  r.post('/jars/:jarid/bench', async (req: FastifyRequest, reply: FastifyReply) => {
    const run = runInputs(req);
    const b = body(req);
    const matrixRaw = b.matrix ?? [];
    const matrix = typeof matrixRaw === 'string' ? matrixRaw.split(/\s+/).filter((x) => x !== '') : matrixRaw;
    if (!Array.isArray(matrix) || matrix.some((m) => typeof m !== 'string')) throw new RestError(400, 'Request did not match expected format: matrix must be an array of strings such as "chaining=on,off".');
    const whole = (v: unknown, field: string, dflt: number | undefined) => {
      if (v === undefined || v === null || v === '') return dflt;
      // A number, or a string of digits (a form's field); not true, 1e300 or 2^53 and beyond.
      const x = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isSafeInteger(x) || x < 1) throw new RestError(400, `Request did not match expected format: ${field} must be a positive whole number up to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(v)}.`);
      return x;
    };
    const runs = whole(b.runs, 'runs', 3)!;
    const records = whole(b.records, 'records', undefined);
    // Seconds a run may take, as the CLI's --timeout (default 600).
    const timeout = whole(b.timeout, 'timeout', 600)!;
    const configuration: Record<string, string> = { ...run.configuration };
    if (run.parallelism !== undefined && !matrix.some((m) => (m as string).startsWith('parallelism='))) configuration['parallelism.default'] = String(run.parallelism);
    let combos;
    try {
      combos = combinations(matrix as string[], configuration);
    } catch (e) {
      throw new RestError(400, (e as Error).message);
    }
    if (combos.length * runs > 200) throw new RestError(400, `A benchmark takes at most 200 runs: ${combos.length} combinations x ${runs} runs is ${combos.length * runs}.`);
    if (running !== undefined) throw new RestError(409, `A benchmark is already running (trigger ${running}): one at a time, as its runs take the machine.`);
    const jarid = (req.params as { jarid: string }).jarid;
    const abort = new AbortController();
    const t = ops.start('bench', jarid, async () => {
      const warnings: string[] = [];
      try {
        const rows = await runSchedulingBench({
          path: run.path,
          args: run.args,
          entry: run.entry,
          configuration,
          matrix: matrix as string[],
          runs,
          records,
          timeoutMs: timeout * 1000,
          signal: abort.signal,
          onProgress: (done, total, current) => progress.set(t, { done, total, current }),
          onWarning: (m) => warnings.push(m),
        });
        return { runs, warnings, combinations: rows, svg: svgChart(rows) };
      } finally {
        running = undefined;
        cancelRunning = undefined;
        progress.delete(t);
      }
    });
    running = t;
    cancelRunning = abort;
    progress.set(t, { done: 0, total: combos.length * runs, current: 'starting' });
    return reply.code(202).send({ 'request-id': t });
  });
  r.get('/jars/:jarid/bench/:triggerid', async (req) => {
    const { jarid, triggerid } = req.params as { jarid: string; triggerid: string };
    const op = ops.get('bench', jarid, triggerid);
    if (!op) throw new RestError(404, `There is no bench operation with triggerId=${triggerid} for ${jarid}.`);
    return { ...op, progress: progress.get(triggerid) ?? null };
  });
  // Cancels a running benchmark: the run in progress is canceled, and the operation completes with
  // a failure-cause (MF_ERR_JOB_CANCELED); 202 as Flink answers a cancel.
  r.delete('/jars/:jarid/bench/:triggerid', async (req: FastifyRequest, reply: FastifyReply) => {
    const { jarid, triggerid } = req.params as { jarid: string; triggerid: string };
    const op = ops.get('bench', jarid, triggerid);
    if (!op) throw new RestError(404, `There is no bench operation with triggerId=${triggerid} for ${jarid}.`);
    if (op.status.id === 'COMPLETED' || running !== triggerid) throw new RestError(409, `The benchmark ${triggerid} has completed already: there is nothing to cancel.`);
    cancelRunning?.abort();
    return reply.code(202).send({});
  });
}

/** Splits a command line as a shell would (quotes and backslashes). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}
