/**
 * The REST API (Flink 2.0's paths, bodies and status codes) over a StandaloneCluster. The caller
 * listens: `const app = await buildRestServer(cluster, opts); await app.listen(...)`.
 * Every path also answers with a `/v1` prefix. Errors are `{"errors": [...]}`.
 */
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { readMetadata, unqualify } from '../checkpoint/index.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { ERROR_CODES, isMiniFlinkError } from '../core/errors.js';
import { DEPRECATED_KEYS, describeConfiguredRestartStrategy, OPTIONS, validateConfiguration } from '../config/index.js';
import { EXECUTE_INDEX_KEY, memoryStats, sumMemoryStats, watchGarbageCollection, type FailureEntry, type JobMaster, type StandaloneCluster } from '../runtime/index.js';
import { jvmMetrics, taskManagerDetails, taskManagerInfo } from './cluster-views.js';
import { AsyncOperations } from './async-operations.js';
import { registerFaultRoutes } from './fault-routes.js';
import { JarStore } from './jar-store.js';
import { applicationDetails, applicationOverview, checkpointStats, EXECUTION_STATES, executionResult, jobDetails, jobOverview, vertexDetails, vertexTaskManagers } from './job-views.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const JOB_ID = /^[0-9a-fA-F]{32}$/;
const TERMINAL = new Set(['FINISHED', 'CANCELED', 'FAILED']);
/** Flink's restart-strategy text of a job that set none itself. */
const CLUSTER_DEFAULT_RESTART = 'Cluster level default restart strategy';
/** What a refused path's message tells the user to do. */
const ALLOW_HINT =
  "Add it, or a directory above it, to the cluster's rest.savepoint-dirs.allowed (in the cluster's config.yaml, or with -D on 'miniflink cluster start'): a REST request may name only directories the cluster's own configuration allows, its execution.checkpointing.savepoint-dir and execution.checkpointing.dir included; a job's own settings do not add any.";
/** Configuration keys whose value is a path the cluster reads or writes (ConfigOption.path). */
const PATH_KEYS = new Set(OPTIONS.filter((o) => o.path === true).map((o) => o.key));

/** Options of the server. */
export interface RestOptions {
  /** Where uploads go (`web.upload.dir`). */
  readonly uploadDir: string;
  /** Largest upload, bytes. */
  readonly maxUploadBytes: number;
  /** Called by DELETE /cluster after the response. */
  readonly onShutdown: () => void;
}

/** An error with an HTTP status. */
class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the server (not listening yet). */
export async function buildRestServer(cluster: StandaloneCluster, options: RestOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  const jars = new JarStore(options.uploadDir);
  const ops = new AsyncOperations();
  const dispatcher = cluster.mini.dispatcher;
  // The JobManager's own collections, for its Status.JVM.GarbageCollector metrics.
  watchGarbageCollection();

  // Lenient JSON: an empty body is {}, malformed JSON a 400 in Flink's words.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new RestError(400, 'Request did not match expected format (malformed JSON).'), undefined);
    }
  });
  await app.register(multipart, { limits: { fileSize: options.maxUploadBytes, files: 16 } });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, String(body)));

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof RestError) return reply.code(err.status).send({ errors: [err.message] });
    if (isMiniFlinkError(err)) return reply.code(ERROR_CODES[err.code].status).send({ errors: [`${err.name} [${err.code}]: ${err.message}`] });
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send({ errors: [e.message ?? 'Bad request'] });
    return reply.code(500).send({ errors: ['Internal server error.', `<Exception on server side:\n${(err as Error)?.stack ?? String(err)}\nEnd of exception on server side>`] });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: [`Not found: ${req.url}`] }));

  /** The job id of the path, lower case, or Flink's 400 for one that is not 32 hex digits. */
  const jobIdParam = (req: FastifyRequest): string => {
    const id = (req.params as { jobid: string }).jobid;
    if (!JOB_ID.test(id)) throw new RestError(400, `Bad request, could not parse parameters: Cannot resolve path parameter (jobid) from value "${id}".`);
    return id.toLowerCase();
  };
  const job = (req: FastifyRequest): JobMaster => {
    const id = jobIdParam(req);
    try {
      return dispatcher.getJob(id);
    } catch {
      throw new RestError(404, `Job ${(req.params as { jobid: string }).jobid} not found`);
    }
  };
  const body = (req: FastifyRequest): Record<string, unknown> => {
    let b = req.body;
    // Flink reads a body as JSON whatever its content type (curl -d sends form-urlencoded).
    if (typeof b === 'string') {
      const text = b.trim();
      if (text === '') return {};
      try {
        b = JSON.parse(text) as unknown;
      } catch {
        throw new RestError(400, 'Request did not match expected format (malformed JSON).');
      }
    }
    if (b === undefined || b === null || b === '') return {};
    if (typeof b !== 'object' || Array.isArray(b)) throw new RestError(400, 'Request did not match expected format: the body must be a JSON object.');
    return b as Record<string, unknown>;
  };
  /** A boolean field of a body, or Flink's 400 for another type. */
  const bool = (v: unknown, name: string): boolean | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new RestError(400, `Request did not match expected format: ${name} must be a boolean.`);
    return v;
  };
  /** A trigger id given by the client: Flink's TriggerId, 32 hex digits. */
  const triggerId = (v: unknown): string | undefined => {
    const t = str(v, 'triggerId');
    if (t !== undefined && !/^[0-9a-f]{32}$/i.test(t)) throw new RestError(400, `Request did not match expected format: triggerId must be 32 hexadecimal digits, got '${t}'.`);
    return t;
  };
  /** One of the listed values, or Flink's 400. */
  const oneOf = (v: unknown, name: string, values: readonly string[]): string | undefined => {
    const x = str(v, name);
    if (x !== undefined && !values.includes(x)) throw new RestError(400, `Request did not match expected format: ${name} must be one of ${values.join(', ')}, got '${x}'.`);
    return x;
  };
  const str = (v: unknown, name: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new RestError(400, `Request did not match expected format: ${name} must be a string.`);
    return v;
  };

  /** The REST endpoint's own address (never the request's Host header). */
  const base = (_req?: FastifyRequest) => {
    const a = app.server.address();
    return typeof a === 'object' && a ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : 'http://127.0.0.1';
  };

  /**
   * A path in a request (a savepoint to restore or dispose, a savepoint's target directory, a
   * job's checkpoint or savepoint directory in its flinkConfiguration) must lie inside a
   * directory the cluster's own configuration allows (allowedDirs): a REST client cannot make the
   * cluster read, write or delete anywhere else. What a job writes into its directories is then
   * inside them too, so it can be restored and disposed.
   */
  const allowedPath = (path: string | undefined, field: string): string | undefined => {
    if (path === undefined) return undefined;
    const dirs = allowedDirs(cluster.configuration);
    if (path.includes('\0') || path.length > 4096) throw new RestError(400, `The ${field} is not a valid path.`);
    // Symlinks resolved on both sides: a link inside an allowed directory cannot lead out of it.
    const abs = realPath(resolve(unqualify(path)));
    if (!dirs.some((d) => abs === d || abs.startsWith(`${d}${sep}`))) {
      throw new RestError(
        400,
        `The ${field} ${path} is not inside a configured savepoint or checkpoint directory of this cluster (${dirs.join(', ') || 'none configured'}). ${ALLOW_HINT}`,
      );
    }
    return path;
  };

  const routes = (r: FastifyInstance) => {
    const tm = (req: FastifyRequest) => {
      const id = (req.params as { tmid: string }).tmid;
      const t = cluster.mini.taskManagers.find((x) => x.id === id);
      if (!t) throw new RestError(404, `Could not find TaskExecutor ${id}.`);
      return t;
    };
    // A subtask of a job that waits for slots has none yet (slot -1): '(unassigned)', as Flink's dashboard shows it.
    const tmOf = (slot: number) => cluster.mini.taskManagers.find((t) => t.slots.includes(slot))?.id ?? '(unassigned)';
    /** A slot's TaskManager and endpoint (slots have no data port: the slot index stands in). */
    const locate = (slot: number) => ({ taskManagerId: tmOf(slot), endpoint: slot < 0 ? '(unassigned)' : `127.0.0.1:${slot}` });
    /** Flink's task name with subtask and attempt: `<name> (i/p)#attempt`. */
    const taskName = (jm: JobMaster, t: { vertexId: string; subtaskIndex: number; attempt: number }) => {
      const v = jm.submission.job.vertices.find((x) => x.id === t.vertexId);
      return `${v?.name ?? t.vertexId} (${t.subtaskIndex + 1}/${v?.parallelism ?? '?'})#${t.attempt}`;
    };
    // ---- cluster ----
    r.get('/config', async () => ({
      'refresh-interval': 3000,
      'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
      'timezone-offset': -new Date().getTimezoneOffset() * 60_000,
      'flink-version': VERSION,
      'flink-revision': 'unknown revision',
      features: { 'web-submit': true, 'web-cancel': true, 'web-rescale': true, 'web-history': false },
    }));
    r.get('/overview', async () => {
      const all = dispatcher.listJobs();
      return {
        taskmanagers: cluster.mini.taskManagers.length,
        'slots-total': cluster.mini.totalSlots,
        'slots-available': dispatcher.freeSlots(),
        'jobs-running': all.filter((j) => !TERMINAL.has(j.status)).length,
        'jobs-finished': all.filter((j) => j.status === 'FINISHED').length,
        'jobs-cancelled': all.filter((j) => j.status === 'CANCELED').length,
        'jobs-failed': all.filter((j) => j.status === 'FAILED').length,
        // Flink 2.3: every job is a single-job application.
        'applications-running': all.filter((j) => !TERMINAL.has(j.status)).length,
        'applications-finished': all.filter((j) => j.status === 'FINISHED').length,
        'applications-cancelled': all.filter((j) => j.status === 'CANCELED').length,
        'applications-failed': all.filter((j) => j.status === 'FAILED').length,
        'flink-version': VERSION,
        'flink-commit': 'unknown',
      };
    });
    r.get('/jobmanager/config', async () => {
      const conf = { ...Object.fromEntries(OPTIONS.filter((o) => o.defaultValue !== undefined).map((o) => [o.key, o.defaultValue!])), ...cluster.configuration };
      return Object.entries(conf).map(([key, value]) => ({ key, value }));
    });
    r.get('/jobmanager/metrics', async (req) => {
      const all = dispatcher.listJobs();
      return metricsAnswer(
        {
          numRegisteredTaskManagers: cluster.mini.taskManagers.length,
          numRunningJobs: all.filter((j) => !TERMINAL.has(j.status)).length,
          taskSlotsAvailable: dispatcher.freeSlots(),
          taskSlotsTotal: cluster.mini.totalSlots,
          ...jvmMetrics(memoryStats()),
        },
        (req.query as { get?: string }).get,
      );
    });
    const slotUse = () => ({ owners: dispatcher.slotOwners(), jobs: dispatcher.listJobs() });
    r.get('/taskmanagers', async () => ({ taskmanagers: cluster.mini.taskManagers.map((tm) => taskManagerInfo(tm, slotUse())) }));
    r.delete('/cluster', async (_req, reply) => {
      reply.raw.once('finish', () => options.onShutdown());
      return {};
    });

    // ---- jars ----
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
    const runInputs = (req: FastifyRequest) => {
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
        parallelism = Number(pRaw);
        if (!Number.isInteger(parallelism) || parallelism < 1) throw new RestError(400, `The parallelism must be a positive number: ${String(pRaw)}`);
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
        }
      }
      const executeIndex = indexText === undefined ? undefined : Number(indexText);
      if (executeIndex !== undefined && (!Number.isInteger(executeIndex) || executeIndex < 0)) throw new RestError(400, `${EXECUTE_INDEX_KEY} must be a non-negative integer, got '${indexText}'.`);
      return {
        path,
        args,
        parallelism,
        entry: str(b.entryClass ?? q['entry-class'], 'entryClass'),
        savepointPath: allowedPath(str(b.savepointPath ?? q.savepointPath, 'savepointPath'), 'savepointPath'),
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
        const m = isMiniFlinkError(e) ? e.message : `Could not execute application. ${(e as Error).message}`;
        throw new RestError(400, m);
      }
      return { jobid: jm.jobId };
    });
    const plan = async (req: FastifyRequest) => {
      try {
        return { plan: await cluster.plan(runInputs(req)) };
      } catch (e) {
        if (e instanceof RestError) throw e;
        throw new RestError(400, (e as Error).message);
      }
    };
    r.get('/jars/:jarid/plan', plan);
    r.post('/jars/:jarid/plan', plan);

    // ---- jobs ----
    r.get('/jobs', async () => ({ jobs: dispatcher.listJobs().map((j) => ({ id: j.jobId, status: j.status })) }));
    r.get('/jobs/overview', async () => ({ jobs: dispatcher.listJobs().map((j) => jobOverview(j, Date.now())) }));
    r.get('/jobs/:jobid', async (req) => jobDetails(job(req), Date.now()));
    r.get('/jobs/:jobid/status', async (req) => ({ status: job(req).status }));
    r.get('/jobs/:jobid/execution-result', async (req) => executionResult(job(req)));
    r.get('/jobs/:jobid/plan', async (req) => {
      const jm = job(req);
      return { plan: jobDetails(jm, Date.now()).plan };
    });
    const cancel = async (req: FastifyRequest, reply: FastifyReply) => {
      const mode = (req.query as { mode?: string }).mode;
      const id = jobIdParam(req);
      let jm;
      try {
        jm = dispatcher.getJob(id);
      } catch {
        throw new RestError(404, 'Job could not be found.');
      }
      if (mode === 'stop') return reply.code(308).header('Location', `/jobs/${(req.params as { jobid: string }).jobid}/stop`).send({});
      if (mode !== undefined && mode !== 'cancel') throw new RestError(400, `Bad request, could not parse parameters: Cannot resolve query parameter (mode) from value "${mode}".`);
      if (TERMINAL.has(jm.status) && jm.status !== 'CANCELED') {
        throw new RestError(409, `Job cancellation failed because the job has already reached another terminal state (${jm.status}).`);
      }
      jm.cancel();
      return reply.code(202).send({});
    };
    r.patch('/jobs/:jobid', cancel);
    r.get('/jobs/:jobid/yarn-cancel', cancel);
    r.get('/jobs/:jobid/config', async (req) => {
      const jm = job(req);
      return {
        jid: jm.jobId,
        name: jm.jobName,
        'execution-config': { 'restart-strategy': restartStrategyText(jm), 'job-parallelism': jm.submission.jobParallelism ?? jm.submission.program.parallelism ?? 1, 'object-reuse-mode': jm.submission.objectReuse, 'user-config': {} },
      };
    });
    /**
     * Flink's text for the job's restart strategy: set in its code, else by restart-strategy.* keys
     * of its own configuration (those that differ from the cluster's), else the cluster's default.
     */
    const restartStrategyText = (jm: JobMaster): string => {
      const code = jm.submission.restartStrategyText;
      if (code !== CLUSTER_DEFAULT_RESTART) return code;
      const conf = jm.submission.program.configuration ?? {};
      const own = Object.entries(conf).some(([k, v]) => k.startsWith('restart-strategy') && cluster.configuration[k] !== v);
      return (own ? describeConfiguredRestartStrategy(conf) : undefined) ?? code;
    };
    r.get('/jobs/:jobid/exceptions', async (req) => {
      const jm = job(req);
      const maxText = (req.query as { maxExceptions?: string }).maxExceptions;
      const max = maxText === undefined ? 20 : intParam(maxText, 'maxExceptions', 'query');
      const entryOf = (f: Omit<FailureEntry, 'concurrent'>) => ({
        exceptionName: f.error.name,
        stacktrace: f.error.stack ?? `${f.error.name}: ${f.error.message}`,
        timestamp: f.timestamp,
        // A task's failure names the task (Flink's "<name> (i/p)#attempt"); a global one omits the three.
        ...(f.task ? { taskName: taskName(jm, f.task), endpoint: locate(f.task.slot).endpoint, taskManagerId: tmOf(f.task.slot) } : {}),
        failureLabels: {},
      });
      const entries = [...jm.failures]
        .reverse()
        .slice(0, max)
        .map((f) => ({ ...entryOf(f), concurrentExceptions: f.concurrent.map(entryOf) }));
      return { exceptionHistory: { entries, truncated: jm.failures.length > max } };
    });
    r.get('/jobs/:jobid/checkpoints', async (req) => {
      const jm = job(req);
      if (jm.submission.checkpoints.interval === undefined) throw new RestError(404, 'Checkpointing has not been enabled.');
      return checkpointStats(jm);
    });
    r.get('/jobs/:jobid/checkpoints/config', async (req) => {
      const jm = job(req);
      const s = jm.submission.checkpoints;
      if (s.interval === undefined) throw new RestError(404, `Checkpointing is not enabled for this job (${jm.jobId}).`);
      return {
        mode: s.mode.toLowerCase(),
        interval: s.interval,
        timeout: s.timeout,
        min_pause: s.minPause,
        max_concurrent: s.maxConcurrent,
        externalization: { enabled: s.retention !== 'NO_EXTERNALIZED_CHECKPOINTS', delete_on_cancellation: s.retention !== 'RETAIN_ON_CANCELLATION' },
        state_backend: jm.submission.stateBackend === 'leveldb' ? 'LevelDbStateBackend' : 'HashMapStateBackend',
        checkpoint_storage: s.dir !== undefined ? 'FileSystemCheckpointStorage' : 'JobManagerCheckpointStorage',
        unaligned_checkpoints: false,
        tolerable_failed_checkpoints: s.tolerableFailures,
        aligned_checkpoint_timeout: 0,
        checkpoints_after_tasks_finish: true,
        state_changelog_enabled: false,
        changelog_periodic_materialization_interval: 0,
        changelog_storage: 'memory',
      };
    });
    /** Flink answers a savepoint or stop trigger for an unknown job 202, the failure in its status (reference 1.2). */
    const unknownJobTrigger = (req: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
      const id = jobIdParam(req);
      try {
        dispatcher.getJob(id);
        return undefined;
      } catch {
        const b = body(req);
        const t = ops.start('savepoint', id, async () => {
          // Flink's FlinkJobNotFoundException.
          throw new RestError(404, `Could not find Flink job (${id})`);
        }, 'failure-cause', triggerId(b.triggerId));
        return reply.code(202).send({ 'request-id': t });
      }
    };
    /**
     * What POST /savepoints and POST /stop share: Flink's 202 for an unknown job, the target
     * directory (from `field`, inside the allowed ones, or the configured default), the format and
     * trigger id, then the asynchronous operation. `prepare` checks the operation's own fields and
     * returns its work.
     */
    type SavepointWork = () => Promise<Record<string, unknown>>;
    const savepointTrigger = (field: string, prepare: (jm: JobMaster, dir: string | undefined, b: Record<string, unknown>) => SavepointWork) => async (req: FastifyRequest, reply: FastifyReply) => {
      const unknown = unknownJobTrigger(req, reply);
      if (unknown) return unknown;
      const jm = job(req);
      const b = body(req);
      const dir = allowedPath(str(b[field], field), field);
      oneOf(b.formatType, 'formatType', ['CANONICAL', 'NATIVE']);
      if (dir === undefined && jm.submission.checkpoints.savepointDir === undefined) {
        throw new RestError(400, `Config key [execution.checkpointing.savepoint-dir] is not set. Property [${field}] must be provided.`);
      }
      const trigger = triggerId(b.triggerId);
      const work = prepare(jm, dir, b);
      return reply.code(202).send({ 'request-id': ops.start('savepoint', jm.jobId, work, 'failure-cause', trigger) });
    };
    r.post(
      '/jobs/:jobid/savepoints',
      savepointTrigger('target-directory', (jm, dir, b) => {
        const cancelJob = bool(b['cancel-job'], 'cancel-job') === true;
        return async () => {
          const s = await jm.triggerSavepoint(dir);
          if (cancelJob) jm.cancel();
          return { location: s.externalPath };
        };
      }),
    );
    r.post(
      '/jobs/:jobid/stop',
      savepointTrigger('targetDirectory', (jm, dir, b) => {
        const drain = bool(b.drain, 'drain') === true;
        return async () => ({ location: (await jm.stopWithSavepoint(dir, drain)).externalPath });
      }),
    );
    r.patch('/jobs/:jobid/rescaling', async (req) => {
      const jm = job(req);
      const pText = (req.query as { parallelism?: string }).parallelism;
      const parallelism = Number(pText);
      if (pText === undefined || !Number.isInteger(parallelism) || parallelism < 1) {
        throw new RestError(400, `Bad request, could not parse parameters: Cannot resolve query parameter (parallelism) from value "${pText ?? ''}".`);
      }
      if (jm.status !== 'RUNNING') throw new RestError(409, `Job ${jm.jobId} is ${jm.status}: only a RUNNING job can be rescaled.`);
      const dir = jm.submission.checkpoints.savepointDir ?? join(options.uploadDir, 'rescaling-savepoints');
      const id = ops.start('rescaling', jm.jobId, async () => {
        await cluster.rescale(jm.jobId, parallelism, dir);
        return {};
      });
      return { 'request-id': id };
    });
    r.get('/jobs/:jobid/rescaling/:triggerid', async (req) => {
      const jm = job(req);
      const t = (req.params as { triggerid: string }).triggerid;
      const op = ops.get('rescaling', jm.jobId, t);
      if (!op) throw new RestError(404, `There is no rescaling operation with triggerId=${t} for job ${jm.jobId}.`);
      return op;
    });
    // ---- manual checkpoints, checkpoint details ----
    r.post('/jobs/:jobid/checkpoints', async (req, reply) => {
      const jm = job(req);
      const b = body(req);
      oneOf(b.checkpointType, 'checkpointType', ['CONFIGURED', 'FULL', 'INCREMENTAL']);
      if (b.checkpointType === 'INCREMENTAL') throw new RestError(500, 'Flink does not support triggering incremental checkpoint explicitly. See FLINK-33723.');
      if (jm.submission.checkpoints.interval === undefined) throw new RestError(400, `Checkpointing is not enabled for job ${jm.jobId}.`);
      const id = ops.start('checkpoint', jm.jobId, async () => ({ checkpointId: (await jm.coordinator.trigger('checkpoint', undefined)).id }), 'failureCause', triggerId(b.triggerId));
      return reply.code(202).send({ 'request-id': id });
    });
    r.get('/jobs/:jobid/checkpoints/:triggerid', async (req) => {
      const jm = job(req);
      const t = (req.params as { triggerid: string }).triggerid;
      const op = ops.get('checkpoint', jm.jobId, t);
      if (!op) throw new RestError(404, `There is no checkpoint operation with triggerId=${t} for job ${jm.jobId}.`);
      return op;
    });
    r.get('/jobs/:jobid/checkpoints/details/:checkpointid', async (req) => {
      // Parameters are parsed before the job is looked up, as Flink's handlers do.
      const cid = intParam((req.params as { checkpointid: string }).checkpointid, 'checkpointid', 'path');
      const jm = job(req);
      if (jm.submission.checkpoints.interval === undefined) throw new RestError(404, `Checkpointing was not enabled for job ${jm.jobId}.`);
      const stats = checkpointStats(jm) as { history: Array<Record<string, unknown>> };
      const item = stats.history.find((h) => h.id === cid);
      if (!item) throw new RestError(404, `Could not find checkpointing statistics for checkpoint ${cid}.`);
      const tasks: Record<string, unknown> = {};
      for (const v of jm.submission.job.vertices) {
        // Flink's TaskCheckpointStatistics: `id` is the checkpoint id (a long), not the vertex id.
        tasks[v.id] = { id: cid, status: 'COMPLETED', latest_ack_timestamp: item.latest_ack_timestamp, checkpointed_size: 0, state_size: 0, end_to_end_duration: item.end_to_end_duration, alignment_buffered: 0, processed_data: 0, persisted_data: 0, num_subtasks: v.parallelism, num_acknowledged_subtasks: v.parallelism };
      }
      return { ...item, tasks };
    });

    // ---- vertices, metrics (record and time metrics arrive with the metrics issue) ----
    const vertex = (req: FastifyRequest) => {
      const jm = job(req);
      const vid = (req.params as { vertexid: string }).vertexid;
      const v = jm.submission.job.vertices.find((x) => x.id === vid);
      if (!v) throw new RestError(404, `No vertex with ID '${vid}' exists.`);
      return { jm, v, subs: [...jm.subtasks.values()].filter((s) => s.vertexId === v.id) };
    };
    r.get('/jobs/:jobid/vertices/:vertexid', async (req) => {
      const { jm, v } = vertex(req);
      return vertexDetails(jm, v.id, locate, Date.now());
    });
    const jm = (req: FastifyRequest) => job(req);
    r.get('/jobs/:jobid/vertices/:vertexid/subtasktimes', async (req) => {
      const { v, subs } = vertex(req);
      // `host` is what Flink's 2.0 dashboard reads, `endpoint` what the 2.x spec names: both are sent.
      const now = Date.now();
      return {
        id: v.id,
        name: v.name,
        now,
        subtasks: subs.map((s) => ({ subtask: s.index, host: '127.0.0.1', endpoint: locate(s.slot).endpoint, duration: now - (s.timestamps.CREATED ?? now), timestamps: Object.fromEntries(EXECUTION_STATES.map((st) => [st, (s.timestamps as Record<string, number | undefined>)[st] ?? 0])) })),
      };
    });
    r.get('/jobs/:jobid/vertices/:vertexid/taskmanagers', async (req) => {
      const { jm, v } = vertex(req);
      return vertexTaskManagers(jm, v.id, locate, Date.now());
    });
    r.get('/jobs/:jobid/vertices/:vertexid/backpressure', async (req) => {
      vertex(req);
      return { status: 'deprecated' };
    });
    r.get('/jobs/:jobid/vertices/:vertexid/watermarks', async (req) => {
      // Flink's JobVertexWatermarksHandler: each subtask's currentInputWatermark gauge, a long as a
      // string (Long.MIN_VALUE before any watermark). A source task has no input, so no such gauge.
      const { jm, v } = vertex(req);
      if (v.inputs.length === 0) return [];
      const values = jm.currentInputWatermarks(v.id) ?? [];
      return values.map((value, i) => ({ id: `${i}.currentInputWatermark`, value }));
    });
    // Flink's metric handlers do not check that the job, vertex or TaskManager exists: [] when not.
    r.get('/jobs/:jobid/vertices/:vertexid/metrics', async () => []);
    r.get('/jobs/:jobid/vertices/:vertexid/subtasks/metrics', async () => []);
    r.get('/jobs/:jobid/vertices/:vertexid/accumulators', async (req) => {
      const { v } = vertex(req);
      return { id: v.id, 'user-accumulators': [] };
    });
    r.get('/jobs/:jobid/metrics', async (req) => {
      const id = (req.params as { jobid: string }).jobid;
      let j;
      try {
        j = dispatcher.getJob(id.toLowerCase());
      } catch {
        return []; // Flink's metric handlers never check existence.
      }
      const c = j.coordinator;
      const latest = c.latest;
      const values: Record<string, number> = {
        numRestarts: j.attempt,
        totalNumberOfCheckpoints: c.counts.completed + c.counts.failed,
        numberOfInProgressCheckpoints: c.hasPending() ? 1 : 0,
        numberOfCompletedCheckpoints: c.counts.completed,
        numberOfFailedCheckpoints: c.counts.failed,
        lastCheckpointDuration: latest?.durationMs ?? -1,
        lastCheckpointSize: latest?.stateSize ?? -1,
        lastCheckpointFullSize: latest?.stateSize ?? -1,
        lastCompletedCheckpointId: latest?.id ?? -1,
      };
      return metricsAnswer(values, (req.query as { get?: string }).get);
    });
    const tmMemory = async (t: { slots: readonly number[] }) => sumMemoryStats(await cluster.mini.memoryStats(t.slots));
    r.get('/taskmanagers/:tmid', async (req) => {
      const t = tm(req);
      return taskManagerDetails(t, slotUse(), await tmMemory(t));
    });
    r.get('/taskmanagers/:tmid/metrics', async (req) => {
      const t = cluster.mini.taskManagers.find((x) => x.id === (req.params as { tmid: string }).tmid);
      if (!t) return [];
      return metricsAnswer(jvmMetrics(await tmMemory(t)), (req.query as { get?: string }).get);
    });
    r.get('/jobs/:jobid/resource-requirements', async (req) => {
      const j = job(req);
      return Object.fromEntries(j.submission.job.vertices.map((v) => [v.id, { parallelism: { lowerBound: 1, upperBound: v.parallelism } }]));
    });
    r.put('/jobs/:jobid/resource-requirements', async (req) => {
      const j = job(req);
      const b = body(req) as Record<string, { parallelism?: { upperBound?: unknown } }>;
      const uppers = Object.values(b).map((x) => Number(x?.parallelism?.upperBound));
      if (uppers.length === 0 || uppers.some((u) => !Number.isInteger(u) || u < 1)) throw new RestError(400, 'Request did not match expected format: every vertex needs parallelism.upperBound >= 1.');
      const target = Math.max(...uppers);
      if (target !== Math.max(...j.submission.job.vertices.map((v) => v.parallelism))) {
        void cluster.rescale(j.jobId, target, j.submission.checkpoints.savepointDir ?? join(options.uploadDir, 'rescaling-savepoints')).catch(() => {});
      }
      return {};
    });

    // ---- what the dashboard also reads; logs and profiling arrive with the logging issue ----
    const environment = () => ({ jvm: { version: `Node.js ${process.version}`, arch: process.arch, options: process.execArgv }, classpath: [] });
    const conf = () => Object.entries(cluster.configuration).map(([key, value]) => ({ key, value }));
    r.get('/jobmanager/environment', async () => environment());
    r.get('/jobmanager/logs', async () => ({ logs: [] }));
    r.get('/jobmanager/log', async (_req, reply) => reply.type('text/plain').send(''));
    r.get('/jobmanager/stdout', async (_req, reply) => reply.type('text/plain').send(''));
    r.get('/jobmanager/thread-dump', async () => ({
      threadInfos: [{ threadName: 'main (JobManager)', stringifiedThreadInfo: '"main" JobManager, dispatcher and REST server' }, ...cluster.mini.taskManagers.flatMap((tm) => tm.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${tm.id}` })))],
    }));
    r.get('/jobs/:jobid/jobmanager/config', async (req) => (job(req), conf()));
    r.get('/jobs/:jobid/jobmanager/environment', async (req) => (job(req), environment()));
    r.get('/jobs/:jobid/jobmanager/log-url', async (req) => (job(req), { url: `${base(req)}/jobmanager/log` }));
    r.get('/jobs/:jobid/taskmanagers/:tmid/log-url', async (req) => (job(req), { url: `${base(req)}/taskmanagers/${(req.params as { tmid: string }).tmid}/log` }));
    r.get('/jobs/:jobid/rescales/config', async (req) => (
      job(req),
      { rescaleHistoryMax: 0, schedulerExecutionMode: null, submissionResourceWaitTimeoutInMillis: 0, submissionResourceStabilizationTimeoutInMillis: 0, slotIdleTimeoutInMillis: 0, executingCooldownTimeoutInMillis: 0, executingResourceStabilizationTimeoutInMillis: 0, maximumDelayForTriggeringRescaleInMillis: 0, rescaleOnFailedCheckpointCount: 0 }
    ));
    r.get('/jobs/:jobid/rescales/history', async (req) => (job(req), []));
    r.get('/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid', async (req) => {
      const cid = intParam((req.params as { checkpointid: string }).checkpointid, 'checkpointid', 'path');
      const { v, subs } = vertex(req);
      const item = (checkpointStats(jm(req)) as { history: Array<Record<string, unknown>> }).history.find((h) => h.id === cid);
      if (!item) throw new RestError(404, `Could not find checkpointing statistics for checkpoint ${cid}.`);
      const zero = { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
      const duration = item.end_to_end_duration as number;
      return {
        // Flink's TaskCheckpointStatisticsWithSubtaskDetails: `id` is the checkpoint id (a long).
        id: cid,
        status: 'COMPLETED',
        latest_ack_timestamp: item.latest_ack_timestamp,
        checkpointed_size: 0,
        state_size: 0,
        end_to_end_duration: duration,
        alignment_buffered: 0,
        processed_data: 0,
        persisted_data: 0,
        num_subtasks: v.parallelism,
        num_acknowledged_subtasks: v.parallelism,
        summary: {
          checkpointed_size: zero,
          state_size: zero,
          end_to_end_duration: { ...zero, min: duration, max: duration, avg: duration, p50: duration, p90: duration, p95: duration, p99: duration, p999: duration },
          checkpoint_duration: { sync: zero, async: zero },
          alignment: { buffered: zero, processed: zero, persisted: zero, duration: zero },
          start_delay: zero,
        },
        // Flink's SubtaskCheckpointStatistics carry their type in `className` (completed | pending).
        subtasks: subs.map((x) => ({
          className: 'completed',
          index: x.index,
          status: 'completed',
          ack_timestamp: item.latest_ack_timestamp,
          end_to_end_duration: duration,
          checkpointed_size: 0,
          state_size: 0,
          checkpoint: { sync: 0, async: 0 },
          alignment: { buffered: 0, processed: 0, persisted: 0, duration: 0 },
          start_delay: 0,
          unaligned_checkpoint: false,
          aborted: false,
        })),
      };
    });
    r.get('/jobs/:jobid/vertices/:vertexid/subtasks/accumulators', async (req) => {
      const { v, subs } = vertex(req);
      return { id: v.id, parallelism: v.parallelism, subtasks: subs.map((x) => ({ subtask: x.index, attempt: jm(req).attempt, host: '127.0.0.1', endpoint: locate(x.slot).endpoint, 'user-accumulators': [] })) };
    });
    // Flink's answer when rest.flamegraph.enabled is off (its default): endTimestamp -2 and no data.
    r.get('/jobs/:jobid/vertices/:vertexid/flamegraph', async (req) => (vertex(req), { endTimestamp: -2 }));
    r.get('/taskmanagers/:tmid/logs', async (req) => (tm(req), { logs: [] }));
    r.get('/taskmanagers/:tmid/log', async (req, reply) => (tm(req), reply.type('text/plain').send('')));
    r.get('/taskmanagers/:tmid/stdout', async (req, reply) => (tm(req), reply.type('text/plain').send('')));
    r.get('/taskmanagers/:tmid/thread-dump', async (req) => {
      const t = tm(req);
      return { threadInfos: t.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${t.id}` })) };
    });
    // Flink 2.3's applications (its newest dashboard's home page): every job is a single-job application.
    r.get('/applications/overview', async () => ({ applications: dispatcher.listJobs().map((j) => applicationOverview(j, Date.now())) }));
    const application = (req: FastifyRequest) => {
      const id = (req.params as { applicationid: string }).applicationid;
      try {
        return dispatcher.getJob(id.toLowerCase());
      } catch {
        throw new RestError(404, `Application ${id} not found.`);
      }
    };
    r.get('/applications/:applicationid', async (req) => applicationDetails(application(req), Date.now()));
    r.get('/applications/:applicationid/exceptions', async (req) => {
      const a = application(req);
      return { exceptionHistory: { entries: [...a.failures].reverse().map((f) => ({ exceptionName: f.error.name, stacktrace: f.error.stack ?? `${f.error.name}: ${f.error.message}`, timestamp: f.timestamp, jobId: a.jobId })) } };
    });
    r.post('/applications/:applicationid/cancel', async (req, reply) => {
      const a = application(req);
      if (!TERMINAL.has(a.status)) a.cancel();
      return reply.code(202).send({});
    });

    r.post('/savepoint-disposal', async (req) => {
      const b = body(req);
      const path = str(b['savepoint-path'], 'savepoint-path');
      if (path === undefined) throw new RestError(400, 'Request did not match expected format: savepoint-path is required.');
      const id = ops.start('disposal', '-', async () => {
        disposeSavepoint(path, allowedDirs(cluster.configuration));
        return {};
      });
      return { 'request-id': id };
    });
    r.get('/savepoint-disposal/:triggerid', async (req) => {
      const t = (req.params as { triggerid: string }).triggerid;
      const op = ops.get('disposal', '-', t);
      if (!op) throw new RestError(404, `Operation not found under key: ${t}`);
      return op;
    });
    r.get('/jobs/:jobid/savepoints/:triggerid', async (req) => {
      // The job need not exist (a trigger for an unknown job reports its failure here).
      const id = jobIdParam(req);
      const t = (req.params as { triggerid: string }).triggerid;
      const op = ops.get('savepoint', id, t);
      if (!op) throw new RestError(404, `There is no savepoint operation with triggerId=${t} for job ${id}.`);
      return op;
    });
    registerFaultRoutes(r, cluster); // fault injection, a miniflink extension
  };

  await app.register(async (r) => routes(r));
  await app.register(async (r) => routes(r), { prefix: '/v1' });
  return app;
}

/** Flink's metric answer: ids only, or `{id, value}` (as a string) for the names in `?get=`. */
function metricsAnswer(values: Record<string, number>, get: string | undefined): Array<{ id: string; value?: string }> {
  if (get === undefined) return Object.keys(values).map((id) => ({ id }));
  return get
    .split(',')
    .filter((id) => id in values)
    .map((id) => ({ id, value: String(values[id]) }));
}

/** Directories a savepoint path in a request may lie in. */
function allowedDirs(conf: Readonly<Record<string, string>>): string[] {
  const keys = ['execution.checkpointing.savepoint-dir', 'execution.checkpointing.dir', 'rest.savepoint-dirs.allowed'];
  return keys.flatMap((k) => (conf[k] ?? '').split(/[;,]/)).map((d) => d.trim()).filter((d) => d.length > 0).map((d) => realPath(resolve(unqualify(d))));
}

/** The real path of `p`: its longest existing prefix with symlinks resolved, plus the rest as given. */
function realPath(p: string): string {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return p;
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/**
 * Deletes a savepoint directory: only one that lies inside an allowed directory, is not a symlink,
 * and holds a miniflink `_metadata`. Anything else is refused and nothing is deleted.
 */
export function disposeSavepoint(pathText: string, allowed: readonly string[]): void {
  if (pathText.includes('\0')) throw new Error(`Refusing to dispose ${JSON.stringify(pathText)}: it is not a valid path.`);
  const dir = resolve(unqualify(pathText).replace(/\/_metadata$/, ''));
  // The parent's real path must lie inside an allowed directory (a symlinked parent cannot lead out).
  const real = join(realPath(dirname(dir)), basename(dir));
  const inside = allowed.some((a) => real !== a && real.startsWith(`${a}${sep}`));
  if (!inside) throw new Error(`Refusing to dispose ${pathText}: it is not inside a configured savepoint or checkpoint directory of this cluster (${allowed.join(', ') || 'none configured'}). ${ALLOW_HINT}`);
  const st = existsSync(dir) ? lstatSync(dir) : undefined;
  if (!st || st.isSymbolicLink() || !st.isDirectory()) throw new Error(`Refusing to dispose ${pathText}: it is not a savepoint directory.`);
  readMetadata(dir); // Throws unless it holds a miniflink _metadata.
  rmSync(dir, { recursive: true, force: true });
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


/** An integer path or query parameter, or Flink's 400 for one it cannot parse. */
function intParam(text: string, name: string, where: 'path' | 'query'): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 0) throw new RestError(400, `Bad request, could not parse parameters: Cannot resolve ${where} parameter (${name}) from value "${text}".`);
  return n;
}
