/**
 * The REST routes, one group per resource as Flink's WebMonitorEndpoint groups its handlers. Each
 * group declares its paths once, in a `register…Routes(r, ctx)` function; server.ts calls every
 * group twice, under `/` and under `/v1`. What the groups share (RestError, parameter and body
 * parsing, the job, vertex and TaskManager lookups) is ../route-context.ts; the response bodies
 * are ../job-views.ts and ../cluster-views.ts.
 *
 *   cluster-routes.ts     /config, /overview, /jobmanager/config|environment, /taskmanagers[/:tmid], DELETE /cluster
 *   jar-routes.ts         /jars: upload, list, delete, run, plan
 *   job-routes.ts         /jobs, a job's details, cancel, rescaling and resource requirements, vertices; /applications
 *   checkpoint-routes.ts  a job's checkpoints, savepoints and stop-with-savepoint; /savepoint-disposal
 *   metrics-routes.ts     every …/metrics route
 *   log-routes.ts         logs, stdout and thread dumps of the JobManager and TaskManagers, a job's log URLs
 *   fault-routes.ts       miniflink's extensions: fault injection
 *   web-routes.ts         the web UI at `/` and `/web/*` (root only)
 *
 * Paths of different groups never coincide (Fastify refuses a method and path registered twice);
 * a static segment wins over a parameter whatever the order (`/jobs/overview` over `/jobs/:jobid`).
 */
export { registerCheckpointRoutes } from './checkpoint-routes.js';
export { registerClusterRoutes } from './cluster-routes.js';
export { registerFaultRoutes } from './fault-routes.js';
export { registerJarRoutes } from './jar-routes.js';
export { registerJobRoutes } from './job-routes.js';
export { registerLogRoutes } from './log-routes.js';
export { registerMetricsRoutes } from './metrics-routes.js';
export { registerWebRoutes } from './web-routes.js';
