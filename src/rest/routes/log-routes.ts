/**
 * Logs and thread dumps of the JobManager and the TaskManagers (the dashboard's Logs, Stdout, Log
 * List and Thread Dump tabs), and the log URLs a job's pages link to. Logs are plain text, each the
 * whole file (Flink's); a log file is read only by a name its owner lists (no path reaches out of
 * the log folder).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { RestError, type RouteContext } from '../route-context.js';

/** Registers the log routes. */
export function registerLogRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, base, job, tm } = ctx;
  const logs = () => cluster.mini.options.logs;
  const text = (reply: FastifyReply, body: string | undefined, what: string) => {
    if (body === undefined) throw new RestError(404, `${what} does not exist.`);
    return reply.type('text/plain; charset=utf-8').send(body);
  };
  const logname = (req: { params: unknown }) => (req.params as { logname: string }).logname;

  r.get('/jobmanager/logs', async () => ({ logs: logs()?.jobManagerFiles() ?? [] }));
  r.get('/jobmanager/log', async (_req, reply) => text(reply, logs()?.jobManagerLog() ?? '', 'The log'));
  r.get('/jobmanager/stdout', async (_req, reply) => text(reply, logs()?.jobManagerStdout() ?? '', 'The stdout'));
  r.get('/jobmanager/logs/:logname', async (req, reply) => text(reply, logs()?.jobManagerFile(logname(req)), `The file ${logname(req)} of the JobManager`));
  r.get('/taskmanagers/:tmid/logs', async (req) => ({ logs: logs()?.taskManagerFiles(tm(req).id) ?? [] }));
  r.get('/taskmanagers/:tmid/log', async (req, reply) => text(reply, logs()?.taskManagerLogText(tm(req).id) ?? '', 'The log'));
  r.get('/taskmanagers/:tmid/stdout', async (req, reply) => text(reply, logs()?.taskManagerStdoutText(tm(req).id) ?? '', 'The stdout'));
  r.get('/taskmanagers/:tmid/logs/:logname', async (req, reply) => {
    const t = tm(req);
    return text(reply, logs()?.taskManagerFile(t.id, logname(req)), `The file ${logname(req)} of TaskManager ${t.id}`);
  });
  r.get('/jobmanager/thread-dump', async () => ({
    threadInfos: [{ threadName: 'main (JobManager)', stringifiedThreadInfo: '"main" JobManager, dispatcher and REST server' }, ...cluster.mini.taskManagers.flatMap((tm) => tm.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${tm.id}` })))],
  }));
  r.get('/taskmanagers/:tmid/thread-dump', async (req) => {
    const t = tm(req);
    return { threadInfos: t.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${t.id}` })) };
  });
  r.get('/jobs/:jobid/jobmanager/log-url', async (req) => (job(req), { url: `${base(req)}/jobmanager/log` }));
  r.get('/jobs/:jobid/taskmanagers/:tmid/log-url', async (req) => (job(req), { url: `${base(req)}/taskmanagers/${(req.params as { tmid: string }).tmid}/log` }));
}
