/**
 * A job's checkpoints and savepoints: statistics and configuration, manual checkpoints,
 * checkpoint details, savepoint and stop-with-savepoint triggers, and savepoint disposal. Triggers
 * answer a `request-id` at once (async-operations.ts); the status routes poll it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SubtaskCheckpointStats } from '../../checkpoint/index.js';
import type { JobMaster } from '../../runtime/index.js';
import { allowedDirs, disposeSavepoint } from '../allowed-dirs.js';
import { checkpointStats, percentiles } from '../job-views.js';
import { body, bool, intParam, jobIdParam, oneOf, RestError, str, triggerId, triggerIdParam, type RouteContext } from '../route-context.js';

/** Registers the checkpoint and savepoint routes. */
export function registerCheckpointRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher, ops, job, vertex, allowedPath, jobOperation } = ctx;

  // ---- checkpoints ----
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
      unaligned_checkpoints: s.unaligned,
      tolerable_failed_checkpoints: s.tolerableFailures,
      aligned_checkpoint_timeout: s.alignedTimeout,
      checkpoints_after_tasks_finish: true,
      state_changelog_enabled: false,
      changelog_periodic_materialization_interval: 0,
      changelog_storage: 'memory',
    };
  });
  r.post('/jobs/:jobid/checkpoints', async (req, reply) => {
    const jm = job(req);
    const b = body(req);
    oneOf(b.checkpointType, 'checkpointType', ['CONFIGURED', 'FULL', 'INCREMENTAL']);
    if (b.checkpointType === 'INCREMENTAL') throw new RestError(500, 'Flink does not support triggering incremental checkpoint explicitly. See FLINK-33723.');
    if (jm.submission.checkpoints.interval === undefined) throw new RestError(400, `Checkpointing is not enabled for job ${jm.jobId}.`);
    const id = ops.start('checkpoint', jm.jobId, async () => ({ checkpointId: (await jm.coordinator.trigger('checkpoint', undefined)).id }), 'failureCause', triggerId(b.triggerId));
    return reply.code(202).send({ 'request-id': id });
  });
  // As the savepoint status: Flink looks the operation up by job id and trigger id, the job known or not.
  r.get('/jobs/:jobid/checkpoints/:triggerid', async (req) => jobOperation('checkpoint', jobIdParam(req), req));
  /** A checkpoint of the statistics (completed, failed, in progress) and, for a completed one, its subtasks' acknowledgements. */
  const checkpointOf = (jm: JobMaster, cid: number) => {
    const item = (checkpointStats(jm) as { history: Array<Record<string, unknown>> }).history.find((h) => h.id === cid);
    if (!item) throw new RestError(404, `Could not find checkpointing statistics for checkpoint ${cid}.`);
    const c = jm.coordinator;
    // A completed checkpoint's acknowledgements, a failed one's up to its failure, or those so far.
    const acks = c.history.find((h) => h.id === cid)?.subtasks ?? c.failedHistory.find((f) => f.id === cid)?.subtasks ?? c.pendingAcks(cid) ?? {};
    return { item, acks };
  };
  /** Flink's TaskCheckpointStatistics of one vertex (`id` is the checkpoint id, a long). */
  const taskStats = (cid: number, item: Record<string, unknown>, parallelism: number, acks: readonly SubtaskCheckpointStats[]) => {
    const trigger = item.trigger_timestamp as number;
    const latest = acks.reduce((m, a) => Math.max(m, a.ackTimestamp), -1);
    const size = acks.reduce((n, a) => n + a.stateSize, 0);
    return {
      id: cid,
      status: item.status,
      latest_ack_timestamp: latest,
      checkpointed_size: size,
      state_size: size,
      end_to_end_duration: latest < 0 ? -1 : Math.max(0, latest - trigger),
      alignment_buffered: 0,
      processed_data: acks.reduce((n, a) => n + (a.processedBytes ?? 0), 0),
      persisted_data: acks.reduce((n, a) => n + (a.persistedBytes ?? 0), 0),
      num_subtasks: parallelism,
      num_acknowledged_subtasks: acks.length,
    };
  };
  // A checkpoint id is a Long to Flink: a negative one parses, and is not found (404).
  r.get('/jobs/:jobid/checkpoints/details/:checkpointid', async (req) => {
    // Parameters are parsed before the job is looked up, as Flink's handlers do.
    const cid = intParam((req.params as { checkpointid: string }).checkpointid, 'checkpointid', 'path', true);
    const jm = job(req);
    if (jm.submission.checkpoints.interval === undefined) throw new RestError(404, `Checkpointing was not enabled for job ${jm.jobId}.`);
    const { item, acks } = checkpointOf(jm, cid);
    const tasks: Record<string, unknown> = {};
    for (const v of jm.submission.job.vertices) tasks[v.id] = taskStats(cid, item, v.parallelism, acks[v.id] ?? []);
    return { ...item, tasks };
  });
  r.get('/jobs/:jobid/checkpoints/details/:checkpointid/subtasks/:vertexid', async (req) => {
    const cid = intParam((req.params as { checkpointid: string }).checkpointid, 'checkpointid', 'path', true);
    const { jm, v, subs } = vertex(req);
    const { item, acks } = checkpointOf(jm, cid);
    const mine = acks[v.id] ?? [];
    const trigger = item.trigger_timestamp as number;
    const round = (ms: number) => Math.round(ms);
    const byIndex = new Map(mine.map((a) => [a.subtaskIndex, a]));
    const zero = percentiles([]);
    return {
      ...taskStats(cid, item, v.parallelism, mine),
      summary: {
        checkpointed_size: percentiles(mine.map((a) => a.stateSize)),
        state_size: percentiles(mine.map((a) => a.stateSize)),
        end_to_end_duration: percentiles(mine.map((a) => Math.max(0, a.ackTimestamp - trigger))),
        checkpoint_duration: { sync: percentiles(mine.map((a) => round(a.syncMs))), async: percentiles(mine.map((a) => round(a.asyncMs))) },
        alignment: { buffered: zero, processed: percentiles(mine.map((a) => a.processedBytes ?? 0)), persisted: percentiles(mine.map((a) => a.persistedBytes ?? 0)), duration: percentiles(mine.map((a) => round(a.alignmentMs))) },
        start_delay: percentiles(mine.map((a) => round(a.startDelayMs))),
      },
      // Flink's SubtaskCheckpointStatistics carry their type in `className`: completed, or pending
      // for a subtask that did not acknowledge (as Flink shows it).
      subtasks: subs.map((x) => {
        const a = byIndex.get(x.index);
        if (!a) return { className: 'pending', index: x.index, status: 'pending_or_failed' };
        return {
          className: 'completed',
          index: x.index,
          status: 'completed',
          ack_timestamp: a.ackTimestamp,
          end_to_end_duration: Math.max(0, a.ackTimestamp - trigger),
          checkpointed_size: a.stateSize,
          state_size: a.stateSize,
          checkpoint: { sync: round(a.syncMs), async: round(a.asyncMs) },
          alignment: { buffered: 0, processed: a.processedBytes ?? 0, persisted: a.persistedBytes ?? 0, duration: round(a.alignmentMs) },
          start_delay: round(a.startDelayMs),
          unaligned_checkpoint: a.unaligned === true,
          aborted: false,
        };
      }),
    };
  });

  // ---- savepoints ----
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
  // The job need not exist (a trigger for an unknown job reports its failure here).
  r.get('/jobs/:jobid/savepoints/:triggerid', async (req) => jobOperation('savepoint', jobIdParam(req), req));
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
    const t = triggerIdParam(req);
    const op = ops.get('disposal', '-', t);
    if (!op) throw new RestError(404, `Operation not found under key: ${t}`);
    return op;
  });
}
