/**
 * The REST API (Flink 2.0's paths, bodies and status codes) over a StandaloneCluster. The caller
 * listens: `const app = await buildRestServer(cluster, opts); await app.listen(...)`.
 * Every path also answers with a `/v1` prefix. Errors are `{"errors": [...]}`.
 *
 * This file builds Fastify (body parsing, the error shape) and assembles the route groups of
 * routes/ (one per resource; routes/index.ts lists them).
 */
import { parse as parseQuery } from 'node:querystring';
import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import { ERROR_CODES, isMiniFlinkError } from '../core/errors.js';
import { watchGarbageCollection, type StandaloneCluster } from '../runtime/index.js';
import { AsyncOperations } from './async-operations.js';
import { JarStore } from './jar-store.js';
import { startReporters } from './reporters.js';
import { refusal } from './request-guard.js';
import { createRouteContext, RestError, type RestOptions, type RouteContext } from './route-context.js';
import { registerCheckpointRoutes, registerClusterRoutes, registerFaultRoutes, registerJarRoutes, registerJobRoutes, registerLogRoutes, registerMetricsRoutes, registerWebRoutes } from './routes/index.js';

export type { RestOptions } from './route-context.js';

/** Builds the server (not listening yet). */
export async function buildRestServer(cluster: StandaloneCluster, options: RestOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    routerOptions: {
      // An uploaded module's id is `<uuid>_<file name>`: long file names are ids too.
      maxParamLength: 2048,
      // A repeated query parameter is one list (Flink's query parameters are lists): `get=a&get=b` is `get=a,b`.
      querystringParser: (text: string) => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(parseQuery(text))) out[k] = Array.isArray(v) ? v.join(',') : (v ?? '');
        return out;
      },
    },
    // The router's own refusals (a malformed path, an overlong path parameter) in Flink's error shape.
    frameworkErrors: (err, _req, reply) => {
      const e = err as { message?: string; code?: string };
      void (reply as unknown as { code(n: number): { send(b: unknown): unknown } }).code(400).send({ errors: [`Bad request: ${e.message ?? e.code ?? 'malformed URL'}`] });
    },
  });
  const ctx = createRouteContext(app.server, cluster, options, new JarStore(options.uploadDir), new AsyncOperations());
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
  // Host and Origin checks before anything else (request-guard.ts).
  const conf = cluster.configuration;
  const guard = { bindAddress: conf['rest.bind-address'] ?? conf['rest.address'] ?? '127.0.0.1', allowedHosts: conf['rest.allowed-hosts'] };
  app.addHook('onRequest', (req, reply, done) => {
    const site = req.headers['sec-fetch-site'];
    const why = refusal(guard, req.method, req.headers.host, req.headers.origin, req.url, typeof site === 'string' ? site : undefined);
    if (why === undefined) done();
    else void reply.code(403).send({ errors: [why] });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ errors: [`Not found: ${req.url}`] }));

  // Metric reporters (metrics.reporter.*) run as long as the server does.
  const reporters = await startReporters(ctx);
  app.addHook('onClose', async () => reporters.close());
  for (const [name, port] of reporters.prometheusPorts) process.stdout.write(`Metric reporter ${name} (Prometheus) listening at http://127.0.0.1:${port}/metrics\n`);
  await app.register(async (r) => registerWebRoutes(r));
  await app.register(async (r) => routes(r, ctx));
  await app.register(async (r) => routes(r, ctx), { prefix: '/v1' });
  return app;
}

/** Registers every route group on `r` (the root, or the `/v1` prefix). */
function routes(r: FastifyInstance, ctx: RouteContext): void {
  registerClusterRoutes(r, ctx);
  registerJarRoutes(r, ctx);
  registerJobRoutes(r, ctx);
  registerCheckpointRoutes(r, ctx);
  registerMetricsRoutes(r, ctx);
  registerLogRoutes(r, ctx);
  registerFaultRoutes(r, ctx); // fault injection, a miniflink extension
}
