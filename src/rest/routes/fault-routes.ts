/**
 * Fault injection (a miniflink extension, for teaching and testing; Flink has no such endpoints):
 *
 *   POST /jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/fail   the subtask throws InjectedFailure
 *   POST /taskmanagers/:taskmanagerid/kill                             every slot thread of the TaskManager is terminated
 *   POST /jobs/:jobid/checkpoints/faults                               the next n checkpoints of a subtask fail or stall
 *
 * Each answers 202 with what was injected. Errors have Flink's `{"errors": [...]}` shape (RestError,
 * through the server's error handler): 400 for a malformed id, index or body, 404 for an unknown
 * job, vertex or TaskManager, 409 when the job is not RUNNING (a well-formed request that conflicts
 * with the job's state and may succeed later, as cancelling a finished job or rescaling a job that
 * does not run).
 *
 * The extensions group of the routes (routes/index.ts): miniflink's own endpoints, beside Flink's.
 */
import type { FastifyInstance } from 'fastify';
import { isMiniFlinkError } from '../../core/errors.js';
import type { JobMaster } from '../../runtime/index.js';
import { badParameter, body, jobIdParam, RestError, type RouteContext } from '../route-context.js';

const KINDS = ['fail', 'stall'] as const;

const badRequest = (message: string) => new RestError(400, message);

/** A non-negative integer path parameter, or Flink's 400. */
function indexParam(text: string, name: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw badParameter(name, text);
  return n;
}

/** What a checkpoint-fault request asks for, checked before the job is looked up (as Flink parses a body first). */
interface CheckpointFaultRequest {
  readonly kind: (typeof KINDS)[number];
  readonly count: number;
  readonly vertex: string | undefined;
  readonly subtask: number | undefined;
}

function checkpointFaultRequest(b: Record<string, unknown>): CheckpointFaultRequest {
  const { kind, count, vertex, subtask } = b;
  if (kind === undefined || kind === null) throw badRequest(`Request did not match expected format: kind is required (one of ${KINDS.join(', ')}).`);
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) throw badRequest(`Request did not match expected format: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}.`);
  if (count !== undefined && count !== null && (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1)) {
    throw badRequest(`Request did not match expected format: count must be a positive integer, got ${JSON.stringify(count)}.`);
  }
  if (vertex !== undefined && vertex !== null && typeof vertex !== 'string') throw badRequest('Request did not match expected format: vertex must be a string (a vertex id).');
  if (subtask !== undefined && subtask !== null && (typeof subtask !== 'number' || !Number.isSafeInteger(subtask) || subtask < 0)) {
    throw badRequest(`Request did not match expected format: subtask must be a non-negative integer, got ${JSON.stringify(subtask)}.`);
  }
  return { kind: kind as CheckpointFaultRequest['kind'], count: (count as number | null | undefined) ?? 1, vertex: (vertex as string | null | undefined) ?? undefined, subtask: (subtask as number | null | undefined) ?? undefined };
}

/** Registers the fault-injection routes on the server (under both `/` and `/v1`, as every route). */
export function registerFaultRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher } = ctx;

  /** The job of an id already parsed; the 404 names the id in lower case. */
  const job = (id: string): JobMaster => {
    try {
      return dispatcher.getJob(id);
    } catch {
      throw new RestError(404, `Job ${id} not found`);
    }
  };
  const vertexOf = (jm: JobMaster, vertexId: string) => {
    const v = jm.submission.job.vertices.find((x) => x.id === vertexId);
    if (!v) throw new RestError(404, `No vertex with ID '${vertexId}' exists.`);
    return v;
  };
  const inRange = (v: { id: string; name: string; parallelism: number }, index: number, what: string) => {
    if (index >= v.parallelism) throw badRequest(`${what} ${index} is out of range: vertex '${v.name}' (${v.id}) has parallelism ${v.parallelism} (subtasks 0 to ${v.parallelism - 1}).`);
  };
  const running = (jm: JobMaster, what: string) => {
    if (jm.status !== 'RUNNING') throw new RestError(409, `Job ${jm.jobId} is ${jm.status}: ${what} only into a RUNNING job.`);
  };
  /**
   * Runs the JobMaster's injection; what it refuses after the checks above (a subtask not deployed
   * yet, the job leaving RUNNING meanwhile) conflicts with the job's state: 409.
   */
  const inject = <T>(work: () => T): T => {
    try {
      return work();
    } catch (e) {
      if (isMiniFlinkError(e) && e.code === 'MF_ERR_INVALID_ARGUMENT') throw new RestError(409, e.message);
      throw e;
    }
  };

  r.post('/jobs/:jobid/vertices/:vertexid/subtasks/:subtaskindex/fail', async (req, reply) => {
    const params = req.params as { vertexid: string; subtaskindex: string };
    // Parameters are parsed before anything is looked up, as Flink's handlers do.
    const id = jobIdParam(req);
    const index = indexParam(params.subtaskindex, 'subtaskindex');
    const jm = job(id);
    const v = vertexOf(jm, params.vertexid);
    inRange(v, index, 'Subtask index');
    running(jm, 'a subtask failure can be injected');
    const done = inject(() => jm.injectSubtaskFailure(v.id, index));
    return reply.code(202).send({ injected: 'subtask-failure', exceptionName: 'InjectedFailure', jobId: jm.jobId, vertexId: done.vertexId, subtaskIndex: done.subtaskIndex, attempt: done.attempt, taskName: done.taskName });
  });

  r.post('/taskmanagers/:taskmanagerid/kill', async (req, reply) => {
    const tmId = (req.params as { taskmanagerid: string }).taskmanagerid;
    const tm = cluster.mini.taskManagers.find((t) => t.id === tmId);
    if (!tm) throw new RestError(404, `Could not find TaskExecutor ${tmId}.`);
    try {
      cluster.mini.killTaskManager(tm.id, `TaskManager ${tm.id} was killed by fault injection (POST /taskmanagers/${tm.id}/kill)`);
    } catch (e) {
      if (isMiniFlinkError(e) && e.code === 'MF_ERR_INVALID_ARGUMENT') throw new RestError(404, e.message);
      throw e;
    }
    const restartDelay = cluster.configuration['cluster.taskmanager.restart-delay'] ?? '1 s';
    return reply.code(202).send({ injected: 'taskmanager-kill', taskManagerId: tm.id, slots: [...tm.slots], restartDelay });
  });

  r.post('/jobs/:jobid/checkpoints/faults', async (req, reply) => {
    const id = jobIdParam(req);
    const want = checkpointFaultRequest(body(req));
    const jm = job(id);
    if (jm.submission.checkpoints.interval === undefined) throw badRequest(`Checkpointing is not enabled for job ${jm.jobId}.`);
    const v = want.vertex !== undefined ? vertexOf(jm, want.vertex) : jm.submission.job.vertices[0]!;
    if (want.subtask !== undefined) inRange(v, want.subtask, 'Subtask');
    running(jm, 'checkpoint faults can be injected');
    const done = inject(() => jm.injectCheckpointFaults(want.kind, want.count, want.vertex, want.subtask));
    return reply.code(202).send({ injected: 'checkpoint-faults', jobId: jm.jobId, kind: done.kind, count: done.count, vertexId: done.vertexId, subtaskIndex: done.subtaskIndex });
  });
}
