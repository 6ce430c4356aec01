/**
 * Jobs: the list and overview, a job's details, status, result, plan, configuration and
 * exceptions, cancel, rescaling and resource requirements, the JobManager as a job sees it, the
 * job's vertices, and Flink 2.3's applications (every job is a single-job application). A job's
 * checkpoints and savepoints are in checkpoint-routes.ts, its metrics in metrics-routes.ts.
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeConfiguredRestartStrategy } from '../../config/index.js';
import { isMiniFlinkError } from '../../core/errors.js';
import type { FailureEntry, JobMaster } from '../../runtime/index.js';
import { environmentInfo } from '../cluster-views.js';
import { applicationDetails, applicationOverview, EXECUTION_STATES, executionResult, jobDetails, jobOverview, subtaskDetails, TERMINAL, userAccumulators, vertexDetails, vertexTaskManagers } from '../job-views.js';
import { backPressureInfo, currentSubtaskMetrics } from '../metric-views.js';
import { body, intParam, jobIdParam, parseParallelism, RestError, type RouteContext } from '../route-context.js';

/** Flink's restart-strategy text of a job that set none itself. */
const CLUSTER_DEFAULT_RESTART = 'Cluster level default restart strategy';

/** Registers the job routes. */
export function registerJobRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher, options, ops, job, vertex, tmOf, locate, jobOperation } = ctx;
  /** The job of the path, with the metric store brought up to date (its views show task metrics). */
  const jobWithMetrics = async (req: FastifyRequest) => {
    const jm = job(req);
    await ctx.metrics();
    return jm;
  };
  const vertexWithMetrics = async (req: FastifyRequest) => {
    const found = vertex(req);
    await ctx.metrics();
    return found;
  };
  /** Flink's task name with subtask and attempt: `<name> (i/p)#attempt`. */
  const taskName = (jm: JobMaster, t: { vertexId: string; subtaskIndex: number; attempt: number }) => {
    const v = jm.submission.job.vertices.find((x) => x.id === t.vertexId);
    return `${v?.name ?? t.vertexId} (${t.subtaskIndex + 1}/${v?.parallelism ?? '?'})#${t.attempt}`;
  };

  // ---- jobs ----
  r.get('/jobs', async () => ({ jobs: dispatcher.listJobs().map((j) => ({ id: j.jobId, status: j.status })) }));
  r.get('/jobs/overview', async () => ({ jobs: dispatcher.listJobs().map((j) => jobOverview(j, Date.now())) }));
  r.get('/jobs/:jobid', async (req) => jobDetails(await jobWithMetrics(req), Date.now()));
  r.get('/jobs/:jobid/accumulators', async (req) => ({ 'job-accumulators': [], 'user-task-accumulators': userAccumulators(job(req).accumulatorResults()), 'serialized-user-task-accumulators': {} }));
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
    const maxText = (req.query as { maxExceptions?: string }).maxExceptions;
    const max = maxText === undefined ? 20 : intParam(maxText, 'maxExceptions', 'query');
    const jm = job(req);
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
  r.patch('/jobs/:jobid/rescaling', async (req) => {
    const pText = (req.query as { parallelism?: string }).parallelism;
    // A mandatory parameter left out: Flink's AbstractHandler message (found by a review).
    if (pText === undefined || pText === '') throw new RestError(400, 'Bad request, could not parse parameters: One or more mandatory parameters is missing.');
    const parallelism = parseParallelism(pText);
    if (parallelism === undefined) {
      throw new RestError(400, `Bad request, could not parse parameters: Cannot resolve query parameter (parallelism) from value "${pText ?? ''}".`);
    }
    const jm = job(req);
    if (jm.status !== 'RUNNING') throw new RestError(409, `Job ${jm.jobId} is ${jm.status}: only a RUNNING job can be rescaled.`);
    const dir = jm.submission.checkpoints.savepointDir ?? join(options.uploadDir, 'rescaling-savepoints');
    const id = ops.start('rescaling', jm.jobId, async () => {
      await cluster.rescale(jm.jobId, parallelism, dir);
      return {};
    });
    return { 'request-id': id };
  });
  r.get('/jobs/:jobid/rescaling/:triggerid', async (req) => jobOperation('rescaling', jobIdParam(req), req));
  r.get('/jobs/:jobid/resource-requirements', async (req) => {
    const j = job(req);
    return Object.fromEntries(j.submission.job.vertices.map((v) => [v.id, { parallelism: { lowerBound: 1, upperBound: v.parallelism } }]));
  });
  r.put('/jobs/:jobid/resource-requirements', async (req) => {
    const j = job(req);
    const b = body(req) as Record<string, { parallelism?: { lowerBound?: unknown; upperBound?: unknown } }>;
    const vertices = new Map(j.submission.job.vertices.map((v) => [v.id, v]));
    const named = Object.entries(b);
    if (named.length === 0) throw new RestError(400, 'Request did not match expected format: no vertex requirements given.');
    const wanted = new Map<string, number>();
    for (const [id, req_] of named) {
      const v = vertices.get(id.toLowerCase());
      if (!v) throw new RestError(400, `Request did not match expected format: the job has no vertex ${id}.`);
      const upper = parseParallelism(req_?.parallelism?.upperBound);
      const lowerRaw = req_?.parallelism?.lowerBound;
      const lower = lowerRaw === undefined ? 1 : parseParallelism(lowerRaw);
      if (upper === undefined || lower === undefined || lower > upper) throw new RestError(400, `Request did not match expected format: vertex ${id} needs 1 <= parallelism.lowerBound <= parallelism.upperBound (integers).`);
      if (upper > v.maxParallelism) throw new RestError(400, `Request did not match expected format: vertex ${id} cannot run at ${upper}, above its max parallelism ${v.maxParallelism}.`);
      wanted.set(v.id, upper);
    }
    if (j.status !== 'RUNNING') throw new RestError(409, `Job ${j.jobId} is ${j.status}: only a RUNNING job can be rescaled.`);
    // miniflink rescales a job as a whole (its default parallelism, as PATCH /rescaling): to the
    // largest parallelism asked for, vertices not named keeping theirs.
    const target = Math.max(...[...vertices.values()].map((v) => wanted.get(v.id) ?? v.parallelism));
    const current = Math.max(...[...vertices.values()].map((v) => v.parallelism));
    if (target === current) {
      // A lower bound for some vertices alone: the largest stays, so nothing would change (it
      // answered {} and did nothing; found by a review). What GET answered, PUT back, is a no-op.
      const lowered = [...wanted].filter(([id, upper]) => upper !== vertices.get(id)!.parallelism);
      if (lowered.length > 0) {
        throw new RestError(
          400,
          `miniflink rescales a job as a whole, to the largest upperBound of its vertices (named or not), which stays ${target}: the upperBound ${lowered.map(([id, upper]) => `${upper} of vertex ${id}`).join(', ')} would change nothing. Give every vertex the same upperBound.`,
        );
      }
    } else {
      const dir = j.submission.checkpoints.savepointDir ?? join(options.uploadDir, 'rescaling-savepoints');
      // A stop or another rescale under way: 409, as Flink's "another update is in progress".
      const busy = cluster.rescaleRefusal(j.jobId);
      if (busy !== undefined) throw new RestError(409, busy);
      // A rescale that cannot run or would change nothing (a job that sets its parallelism
      // itself) is refused here, with the job untouched: this request has no operation whose
      // status would tell. The savepoint and restart run on, as Flink's, as a rescaling operation
      // like PATCH /rescaling's.
      // More slots than the cluster has free: 409, the cluster's state and not the request is
      // wrong (Flink's adaptive scheduler would take what it gets; miniflink rescales only to
      // a parallelism it can place).
      const rest = await cluster.prepareRescale(j.jobId, target).catch((e: unknown) => {
        throw isMiniFlinkError(e) && e.code === 'MF_ERR_NOT_ENOUGH_SLOTS' ? new RestError(409, e.message) : e;
      });
      ops.start('rescaling', j.jobId, async () => {
        await rest(dir);
        return {};
      });
    }
    return {};
  });
  r.get('/jobs/:jobid/jobmanager/config', async (req) => (job(req), Object.entries(cluster.configuration).map(([key, value]) => ({ key, value }))));
  r.get('/jobs/:jobid/jobmanager/environment', async (req) => (job(req), environmentInfo()));
  r.get('/jobs/:jobid/rescales/config', async (req) => (
    job(req),
    { rescaleHistoryMax: 0, schedulerExecutionMode: null, submissionResourceWaitTimeoutInMillis: 0, submissionResourceStabilizationTimeoutInMillis: 0, slotIdleTimeoutInMillis: 0, executingCooldownTimeoutInMillis: 0, executingResourceStabilizationTimeoutInMillis: 0, maximumDelayForTriggeringRescaleInMillis: 0, rescaleOnFailedCheckpointCount: 0 }
  ));
  r.get('/jobs/:jobid/rescales/history', async (req) => (job(req), []));

  // ---- vertices ----
  r.get('/jobs/:jobid/vertices/:vertexid', async (req) => {
    const { jm, v } = await vertexWithMetrics(req);
    return vertexDetails(jm, v.id, locate, Date.now());
  });
  /** The subtask of the path (`:subtaskindex`), or Flink's 404. */
  const subtask = async (req: FastifyRequest) => {
    const found = await vertexWithMetrics(req);
    const index = intParam((req.params as { subtaskindex: string }).subtaskindex, 'subtaskindex', 'path');
    const s = found.subs.find((x) => x.index === index);
    if (!s) throw new RestError(404, `Invalid subtask index ${index} for vertex ${found.v.id} (parallelism ${found.v.parallelism}).`);
    return { ...found, s };
  };
  /** The attempt of the path: the current one, or a prior one of the execution history (Flink keeps 16). */
  const attemptOf = (req: FastifyRequest, jm: JobMaster, s: { vertexId: string; index: number }) => {
    const a = intParam((req.params as { attempt: string }).attempt, 'attempt', 'path');
    const current = jm.subtaskAttempt(s.vertexId, s.index);
    if (a === current) return { attempt: a, prior: undefined };
    const prior = jm.priorAttempts.get(`${s.vertexId}/${s.index}`)?.find((p) => p.attempt === a);
    if (!prior) throw new RestError(404, `Attempt ${a} of this subtask is not kept: the current attempt is ${current}, and the execution history keeps the last 16 before it.`);
    return { attempt: a, prior };
  };
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex', async (req) => {
    const { jm, s } = await subtask(req);
    return subtaskDetails(jm, s, locate, Date.now());
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt', async (req) => {
    const { jm, s } = await subtask(req);
    return subtaskDetails(jm, s, locate, Date.now(), attemptOf(req, jm, s).prior);
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/attempts/:attempt/accumulators', async (req) => {
    const { jm, v, s } = await subtask(req);
    const { attempt } = attemptOf(req, jm, s);
    return { subtask: s.index, attempt, id: `${v.id}_${s.index}_${attempt}`, 'user-accumulators': [] };
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasktimes', async (req) => {
    const { v, subs } = vertex(req);
    // `host` is what Flink's 2.0 dashboard reads, `endpoint` what the 2.x spec names: both are sent.
    const now = Date.now();
    return {
      id: v.id,
      name: v.name,
      now,
      subtasks: subs.map((s) => {
        // Flink's SubtasksTimesHandler: from SCHEDULED to the terminal state's time, or to now
        // while running (-1 before it was scheduled); it grew on after the subtask ended (found by a review).
        const ts = s.timestamps as Record<string, number | undefined>;
        const start = ts['SCHEDULED'] ?? -1;
        const end = TERMINAL.has(s.state) ? (ts[s.state] ?? now) : now;
        return { subtask: s.index, host: '127.0.0.1', endpoint: locate(s.slot).endpoint, duration: start >= 0 ? end - start : -1, timestamps: Object.fromEntries(EXECUTION_STATES.map((st) => [st, ts[st] ?? 0])) };
      }),
    };
  });
  r.get('/jobs/:jobid/vertices/:vertexid/taskmanagers', async (req) => {
    const { jm, v } = await vertexWithMetrics(req);
    return vertexTaskManagers(jm, v.id, locate, Date.now());
  });
  r.get('/jobs/:jobid/vertices/:vertexid/backpressure', async (req) => {
    // Flink's JobVertexBackPressureHandler: from each subtask's backPressuredTimeMsPerSecond (no sampling).
    const { jm, v, subs } = await vertexWithMetrics(req);
    const store = jm.metricStore;
    return backPressureInfo(
      subs.map((s) => ({ index: s.index, attempt: s.attempt, metrics: store && currentSubtaskMetrics(store, jm.jobId, v.id, s.index, s.attempt) })),
      Date.now(),
    );
  });
  r.get('/jobs/:jobid/vertices/:vertexid/watermarks', async (req) => {
    // Flink's JobVertexWatermarksHandler: each subtask's currentInputWatermark gauge, a long as a
    // string (Long.MIN_VALUE before any watermark). A source task has no input, so no such gauge.
    const { jm, v } = vertex(req);
    if (v.inputs.length === 0) return [];
    const values = jm.currentInputWatermarks(v.id) ?? [];
    return values.map((value, i) => ({ id: `${i}.currentInputWatermark`, value }));
  });
  r.get('/jobs/:jobid/vertices/:vertexid/accumulators', async (req) => {
    const { v } = vertex(req);
    return { id: v.id, 'user-accumulators': [] };
  });
  r.get('/jobs/:jobid/vertices/:vertexid/subtasks/accumulators', async (req) => {
    const { v, subs } = vertex(req);
    return { id: v.id, parallelism: v.parallelism, subtasks: subs.map((x) => ({ subtask: x.index, attempt: x.attempt, host: '127.0.0.1', endpoint: locate(x.slot).endpoint, 'user-accumulators': [] })) };
  });
  // Flink's answer when rest.flamegraph.enabled is off (its default): endTimestamp -2 and no data.
  r.get('/jobs/:jobid/vertices/:vertexid/flamegraph', async (req) => (vertex(req), { endTimestamp: -2 }));

  // ---- applications ----
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
}
