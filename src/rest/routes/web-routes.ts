/**
 * The web UI (src/web/): plain browser modules with no build step, served from the package at the
 * REST port's root; the graph layout library (dagre) from the package's own dependencies. Only the
 * files listed when the server starts are served (no path reaches elsewhere).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { RestError } from '../route-context.js';

/** src/web, from src/rest/routes (tests) and from dist/rest/routes (the built package) alike. */
const WEB_DIR = fileURLToPath(new URL('../../../src/web/', import.meta.url));
const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

/** dagre's browser bundle (a global `dagre`), from node_modules. */
function dagreBundle(): string {
  const pkg = createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json');
  return join(dirname(pkg), 'dist', 'dagre.min.js');
}

/** Registers `/` and `/web/*` (at the root only, not under /v1). */
export function registerWebRoutes(r: FastifyInstance): void {
  const files = new Map<string, string>();
  for (const name of readdirSync(WEB_DIR)) if (TYPES[extname(name)] !== undefined) files.set(name, join(WEB_DIR, name));
  files.set('dagre.min.js', dagreBundle());
  const serve = (name: string) => {
    const path = files.get(name);
    if (path === undefined) throw new RestError(404, `Not found: /web/${name}`);
    return { body: readFileSync(path), type: TYPES[extname(name)]! };
  };
  r.get('/', async (_req, reply) => {
    const f = serve('index.html');
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
  r.get('/web/:file', async (req, reply) => {
    const f = serve((req.params as { file: string }).file);
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });
}
