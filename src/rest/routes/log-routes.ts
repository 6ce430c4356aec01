/**
 * Logs and thread dumps of the JobManager and the TaskManagers (the dashboard's Logs, Stdout and
 * Thread Dump tabs), and the log URLs a job's pages link to. Logs and profiling arrive with the
 * logging issue: until then every log is empty.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context.js';

/** Registers the log routes. */
export function registerLogRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, base, job, tm } = ctx;

  r.get('/jobmanager/logs', async () => ({ logs: [] }));
  r.get('/jobmanager/log', async (_req, reply) => reply.type('text/plain').send(''));
  r.get('/jobmanager/stdout', async (_req, reply) => reply.type('text/plain').send(''));
  r.get('/jobmanager/thread-dump', async () => ({
    threadInfos: [{ threadName: 'main (JobManager)', stringifiedThreadInfo: '"main" JobManager, dispatcher and REST server' }, ...cluster.mini.taskManagers.flatMap((tm) => tm.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${tm.id}` })))],
  }));
  r.get('/taskmanagers/:tmid/logs', async (req) => (tm(req), { logs: [] }));
  r.get('/taskmanagers/:tmid/log', async (req, reply) => (tm(req), reply.type('text/plain').send('')));
  r.get('/taskmanagers/:tmid/stdout', async (req, reply) => (tm(req), reply.type('text/plain').send('')));
  r.get('/taskmanagers/:tmid/thread-dump', async (req) => {
    const t = tm(req);
    return { threadInfos: t.slots.map((sl) => ({ threadName: `slot-${sl}`, stringifiedThreadInfo: `"slot-${sl}" TaskManager ${t.id}` })) };
  });
  r.get('/jobs/:jobid/jobmanager/log-url', async (req) => (job(req), { url: `${base(req)}/jobmanager/log` }));
  r.get('/jobs/:jobid/taskmanagers/:tmid/log-url', async (req) => (job(req), { url: `${base(req)}/taskmanagers/${(req.params as { tmid: string }).tmid}/log` }));
}
