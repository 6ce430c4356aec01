/**
 * The cluster: the dashboard's configuration, the cluster overview, the JobManager's configuration
 * and environment, the TaskManagers, and the shutdown (DELETE /cluster). Their metrics are in
 * metrics-routes.ts, their logs and thread dumps in log-routes.ts.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { OPTIONS, parseDuration } from '../../config/index.js';
import { environmentInfo, taskManagerDetails, taskManagerInfo } from '../cluster-views.js';
import { TERMINAL } from '../job-views.js';
import type { RouteContext } from '../route-context.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Registers the cluster routes. */
export function registerClusterRoutes(r: FastifyInstance, ctx: RouteContext): void {
  const { cluster, dispatcher, options, tm, slotUse, tmMemory } = ctx;

  const refreshText = cluster.configuration['web.refresh-interval'];
  const refreshInterval = refreshText !== undefined ? parseDuration(refreshText, 'web.refresh-interval') : 3000;
  r.get('/config', async () => ({
    'refresh-interval': refreshInterval,
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
  r.get('/jobmanager/environment', async () => environmentInfo());
  r.get('/taskmanagers', async () => ({ taskmanagers: cluster.mini.taskManagers.map((tm) => taskManagerInfo(tm, slotUse())) }));
  r.get('/taskmanagers/:tmid', async (req) => {
    const t = tm(req);
    return taskManagerDetails(t, slotUse(), await tmMemory(t));
  });
  r.delete('/cluster', async (_req, reply) => {
    reply.raw.once('finish', () => options.onShutdown());
    return {};
  });
}
