/**
 * REST requests and responses validated against Flink's OpenAPI spec
 * (flink-rest-v1-dispatcher.yml in the reference folder beside the repository, see test/helpers/reference.ts) with ajv, on a real cluster running real jobs.
 *
 * - Responses: every endpoint the cluster serves that the spec describes, for the status code Flink
 *   returns (200, or 202 for the async triggers and PATCH cancel), including the async operations
 *   (checkpoint, savepoint, stop, disposal, rescaling) run to completion.
 * - Requests: the JSON bodies our own CLI sends (src/cli/actions/*.ts, src/cli/remote-executor.ts)
 *   are recorded by a proxy between the CLI and the cluster and validated against the spec's
 *   requestBody schemas, closed to unknown keys (Flink ignores unknown fields, FLINK-REFERENCE 1.1,
 *   so a key the spec does not name would be lost without an error).
 *
 * Where FLINK-REFERENCE.md documents that the spec is wrong (its section 1.10 wins over the spec),
 * the documented shape replaces the spec's schema: see `schemaOverrides` and `referenceOverrides`.
 * Nothing is skipped silently: endpoints without a JSON schema in the spec are listed in `NO_SCHEMA`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../src/api/index.js';
import { RemoteExecutor } from '../../src/cli/remote-executor.js';
import { RestClient } from '../../src/cli/rest-client.js';
import { ROOT, runCli, type CliResult } from '../helpers/cli.js';
import { missingReference, referenceFile } from '../helpers/reference.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

type Schema = Record<string, any>;
interface Spec {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
}
/** One request that went through the recording proxy, and its answer. */
interface Exchange {
  method: string;
  url: string;
  contentType: string | undefined;
  request: string;
  status: number;
  response: string;
}

const SPEC_NAME = 'flink-rest-v1-dispatcher.yml';
/** Decided before anything is built: without the spec the whole file is one skipped test. */
const SPEC = referenceFile(SPEC_NAME);
/** Made in beforeAll, only where the spec is present. */
let root = '';
/** The savepoint directory the cluster allows (`rest.savepoint-dirs.allowed`). */
let spDir = '';
let cluster: ChildProcess;
let base = '';
let proxy: Server;
/** host:port of the recording proxy, for the CLI's -m. */
let viaProxy = '';
const exchanges: Exchange[] = [];
let jobId = '';
let vertexId = '';
let tmId = '';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cli = async (args: string[]): Promise<CliResult> => {
  const r = await runCli([args[0]!, '-m', viaProxy, ...args.slice(1)]);
  if (r.code !== 0) throw new Error(`miniflink ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};
const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${base}${url}`, body === undefined ? { method } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
};
const state = async (id: string) => ((await call('GET', `/jobs/${id}/status`)).body as { status: string }).status;
const waitForState = async (id: string, states: string[]): Promise<string> => {
  for (let i = 0; i < 300; i++) {
    const s = await state(id);
    if (states.includes(s)) return s;
    await sleep(100);
  }
  throw new Error(`job ${id} never reached ${states.join('|')} (${await state(id)})`);
};
/** Waits until the job and every one of its tasks run (a savepoint needs all tasks running). */
const waitForTasks = async (id: string): Promise<void> => {
  for (let i = 0; i < 300; i++) {
    const d = (await call('GET', `/jobs/${id}`)).body as { state: string; vertices: Array<{ status: string }> };
    if (d.state === 'RUNNING' && d.vertices.every((v) => v.status === 'RUNNING')) return;
    await sleep(100);
  }
  throw new Error(`the tasks of job ${id} never all ran`);
};
/** Polls an async operation's status URL until COMPLETED; returns every answer seen. */
const pollOperation = async (url: string): Promise<Array<{ status: number; body: any }>> => {
  const seen: Array<{ status: number; body: any }> = [];
  for (let i = 0; i < 300; i++) {
    const r = await call('GET', url);
    seen.push(r);
    if (r.status !== 200 || r.body?.status?.id === 'COMPLETED') return seen;
    await sleep(100);
  }
  throw new Error(`${url} never completed`);
};
const jobIdOf = (r: CliResult) => /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;

if (SPEC === undefined) {
  it.skip(missingReference(SPEC_NAME), () => {});
} else {
  const spec: Spec = parse(readFileSync(SPEC, 'utf8')) as Spec;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'miniflink-schema-'));
    spDir = join(root, 'sp');
    ({ cluster, base } = await startCluster([
      'taskmanager.numberOfTaskSlots=4',
      `web.upload.dir=${join(root, 'up')}`,
      // Savepoint paths in requests must lie inside a configured directory.
      `rest.savepoint-dirs.allowed=${spDir}`,
    ]));
    // A proxy that records what the CLI sends (and what it gets back), for the request-body checks.
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request = Buffer.concat(chunks);
        const contentType = req.headers['content-type'];
        void fetch(`${base}${req.url}`, { method: req.method, headers: contentType ? { 'content-type': contentType } : {}, body: request.length > 0 ? request : undefined })
          .then(async (r) => {
            const response = Buffer.from(await r.arrayBuffer());
            exchanges.push({ method: req.method!, url: req.url!, contentType, request: request.toString('utf8'), status: r.status, response: response.toString('utf8') });
            res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' }).end(response);
          })
          .catch((e: unknown) => res.writeHead(502).end(String(e)));
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    viaProxy = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // The main job: long enough to outlive the whole file (it is stopped at the end), with checkpoints.
    const run = await cli(['run', '-d', 'test/jobs/savepoint-job.ts', join(root, 'out'), '50000000', '100', 'run', 'slow']);
    jobId = jobIdOf(run);
    await waitForTasks(jobId);
    vertexId = ((await call('GET', `/jobs/${jobId}`)).body as { vertices: Array<{ id: string }> }).vertices[0]!.id;
    tmId = ((await call('GET', '/taskmanagers')).body as { taskmanagers: Array<{ id: string }> }).taskmanagers[0]!.id;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await stopCluster(cluster);
    rmSync(root, { recursive: true, force: true });
  });

  describe('rest schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // The spec's formats, checked (Java's int and long; the byte and binary strings are base64 in JSON).
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    ajv.addFormat('binary', /^[A-Za-z0-9+/]*={0,2}$/);
    const ref = (name: string): Schema => {
      if (!spec.components.schemas[name]) throw new Error(`no schema ${name} in the spec`);
      return { $ref: `#/components/schemas/${name}` };
    };
    const errorsOf = (schema: Schema, value: unknown) => {
      const validate = ajv.compile({ ...schema, components: spec.components });
      return validate(value) ? [] : validate.errors;
    };

    /**
     * Endpoints whose success response has no JSON schema in the spec (only a status code): checked
     * for that status and Flink's `{}` for handlers with no payload (reference 1.1). DELETE /cluster
     * is not called here: it would stop the cluster every test in this file uses.
     */
    const NO_SCHEMA = new Set(['DELETE /jars/{jarid}', 'PATCH /jobs/{jobid}', 'PUT /jobs/{jobid}/resource-requirements']);
    /** A Java exception as Flink serializes it: the spec names only `serialized-throwable`; 1.10 adds `class` and `stack-trace`. */
    const throwable: Schema = { allOf: [ref('SerializedThrowable'), { type: 'object', required: ['class', 'stack-trace', 'serialized-throwable'], properties: { class: { type: 'string' }, 'stack-trace': { type: 'string' } } }] };
    /**
     * An async operation's status (reference 1.2): `operation` is null while IN_PROGRESS and the
     * operation's payload once COMPLETED. The spec's `oneOf` of three schemas that have only optional
     * properties cannot match any object (every object matches all three) nor null, so the payload
     * schema of the endpoint's operation (1.2 item 3) replaces it.
     */
    const asyncResult = (payload: Schema): Schema => ({
      type: 'object',
      required: ['status', 'operation'],
      properties: { status: ref('QueueStatus') },
      if: { properties: { status: { properties: { id: { const: 'IN_PROGRESS' } } } } },
      then: { properties: { operation: { type: 'null' } } },
      else: { properties: { operation: payload } },
    });
    /** Savepoint and stop: `location` or `failure-cause`, exactly one of them (1.2 item 3). */
    const savepointPayload: Schema = { allOf: [ref('SavepointInfo'), { type: 'object', properties: { 'failure-cause': throwable }, oneOf: [{ required: ['location'] }, { required: ['failure-cause'] }] }] };
    /** Disposal: `{}` or `failure-cause` (1.2 item 3). */
    const disposalPayload: Schema = { allOf: [ref('AsynchronousOperationInfo'), { type: 'object', properties: { 'failure-cause': throwable } }] };

    /**
     * Where FLINK-REFERENCE.md documents that the spec is wrong, the documented shape replaces the
     * spec's schema for that endpoint (keyed `METHOD path`); the reason is the reference's section.
     */
    const metricList: Schema = { type: 'array', items: ref('Metric') };
    const aggregatedList: Schema = {
      type: 'array',
      items: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string' }, min: { type: 'number' }, max: { type: 'number' }, sum: { type: 'number' }, avg: { type: 'number' }, skew: { type: 'number' } } },
    };
    const schemaOverrides: Record<string, Schema> = {
      // 1.10 "Metrics: the real response is a bare array, not {metrics:[..]}" (MetricCollectionResponseBody).
      'GET /jobmanager/metrics': metricList,
      'GET /taskmanagers/{taskmanagerid}/metrics': metricList,
      'GET /jobs/{jobid}/metrics': metricList,
      'GET /jobs/{jobid}/vertices/{vertexid}/metrics': metricList,
      'GET /jobs/{jobid}/vertices/{vertexid}/watermarks': metricList,
      'GET /jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics': metricList,
      'GET /jobs/{jobid}/vertices/{vertexid}/jm-operator-metrics': metricList,
      // 1.8: the aggregate metric endpoints answer `[{"id", <requested aggs>}]`; the spec says only `{type: object}`.
      'GET /jobs/{jobid}/vertices/{vertexid}/subtasks/metrics': aggregatedList,
      'GET /jobs/metrics': aggregatedList,
      'GET /taskmanagers/metrics': aggregatedList,
      // 1.10 "JobConfigInfo: the real keys are jid, name and execution-config"; 1.5 lists the execution-config keys of 2.x.
      'GET /jobs/{jobid}/config': {
        type: 'object',
        required: ['jid', 'name', 'execution-config'],
        properties: {
          jid: ref('JobID'),
          name: { type: 'string' },
          'execution-config': { allOf: [ref('ExecutionConfigInfo'), { required: ['restart-strategy', 'job-parallelism', 'object-reuse-mode', 'user-config'] }] },
        },
      },
      // 1.10 "JobResult: it uses the kebab-case keys given in 1.5"; accumulator values are serialized (base64) values.
      'GET /jobs/{jobid}/execution-result': {
        allOf: [
          ref('JobExecutionResultResponseBody'),
          {
            properties: {
              'job-execution-result': {
                type: 'object',
                required: ['id', 'application-status', 'accumulator-results', 'net-runtime'],
                properties: {
                  id: ref('JobID'),
                  name: { type: 'string' },
                  'application-status': { enum: ['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN'] },
                  'accumulator-results': { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
                  'net-runtime': { type: 'integer', format: 'int64' },
                  'failure-cause': throwable,
                  'start-time': { type: 'integer', format: 'int64' },
                  'end-time': { type: 'integer', format: 'int64' },
                },
              },
            },
            // 1.5: the result is there once the job is done.
            if: { properties: { status: { properties: { id: { const: 'COMPLETED' } } } } },
            then: { required: ['job-execution-result'] },
          },
        ],
      },
      // 1.2: the payload of each async operation (see asyncResult).
      'GET /jobs/{jobid}/savepoints/{triggerid}': asyncResult(savepointPayload),
      'GET /jobs/{jobid}/checkpoints/{triggerid}': asyncResult({ allOf: [ref('CheckpointInfo'), { type: 'object', properties: { failureCause: throwable }, oneOf: [{ required: ['checkpointId'] }, { required: ['failureCause'] }] }] }),
      'GET /savepoint-disposal/{triggerid}': asyncResult(disposalPayload),
      // Rescaling is disabled in Flink (1.7: always 503); miniflink really rescales, in place (README),
      // and answers as the spec describes, with the generic payload: `{}` or `failure-cause`.
      'GET /jobs/{jobid}/rescaling/{triggerid}': asyncResult(disposalPayload),
    };
    /** 1.4: GET /jars/:jarid/plan still works, hidden from the docs since about 1.16; it answers what POST does. */
    const aliases: Record<string, string> = { 'GET /jars/{jarid}/plan': 'POST /jars/{jarid}/plan' };
    /**
     * Where FLINK-REFERENCE.md documents real Flink behaviour the spec does not describe, the field is
     * checked here and then taken out before validation: nullable fields (1.6: latest.* may be null,
     * savepointFormat may be null), the lowercase checkpointing mode (1.6), and the SlotSharingGroupId
     * serialized as a hex string (1.5, 1.10). One more, documented at its entry, comes from Flink's
     * source rather than the reference (rescales/config).
     */
    /** FLINK-REFERENCE 1.10: an ApplicationID is a hex string (the spec says an object with bytes). */
    const hexApplicationId = (a: { id: unknown }) => {
      expect(a.id).toMatch(/^[0-9a-f]{32}$/);
      delete (a as { id?: unknown }).id;
    };
    const referenceOverrides: Record<string, (b: any) => void> = {
      'GET /applications/overview': (b) => b.applications.forEach(hexApplicationId),
      'GET /applications/{applicationid}': (b) => hexApplicationId(b),
      'GET /jobs/{jobid}': (b) => {
        for (const v of b.vertices) {
          expect(v.slotSharingGroupId).toMatch(/^[0-9a-f]{32}$/);
          delete v.slotSharingGroupId;
        }
      },
      'GET /jobs/{jobid}/checkpoints': (b) => {
        for (const k of Object.keys(b.latest)) if (b.latest[k] === null) delete b.latest[k];
        for (const h of [...b.history, b.latest.completed, b.latest.savepoint].filter(Boolean)) if (h.savepointFormat === null) delete h.savepointFormat;
      },
      'GET /jobs/{jobid}/checkpoints/details/{checkpointid}': (b) => {
        if (b.savepointFormat === null) delete b.savepointFormat;
      },
      'GET /jobs/{jobid}/checkpoints/config': (b) => {
        expect(['exactly_once', 'at_least_once']).toContain(b.mode);
        delete b.mode;
      },
      // Not in FLINK-REFERENCE.md, from Flink's source: JobRescaleConfigInfo's fields are boxed and
      // nullable, and Flink's REST ObjectMapper (RestMapperUtils) writes nulls, so without the reactive
      // mode `schedulerExecutionMode` is null; the generated spec cannot say "nullable". Checked: null
      // or the spec's enum, nothing else.
      'GET /jobs/{jobid}/rescales/config': (b) => {
        expect([null, 'REACTIVE']).toContain(b.schedulerExecutionMode);
        if (b.schedulerExecutionMode === null) delete b.schedulerExecutionMode;
      },
    };

    /** The spec's schema for a response, resolving a discriminator (OpenAPI) to the mapped schema. */
    const responseSchema = (key: string, body: any): { code: number; schema: Schema | undefined } => {
      const [method, path] = (aliases[key] ?? key).split(' ') as [string, string];
      const op = spec.paths[path]?.[method.toLowerCase()];
      if (!op) throw new Error(`${key} is not in the spec`);
      const codes = Object.keys(op.responses);
      expect(codes, `${key}: one success code in the spec`).toHaveLength(1);
      let schema: Schema | undefined = op.responses[codes[0]!].content?.['application/json']?.schema;
      const target = schema?.$ref ? spec.components.schemas[String(schema.$ref).split('/').pop()!] : undefined;
      if (target?.discriminator) {
        const mapped = target.discriminator.mapping[body?.[target.discriminator.propertyName]];
        expect(mapped, `${key}: ${target.discriminator.propertyName} is one of the spec's mapping`).toBeDefined();
        schema = { $ref: mapped };
      }
      return { code: Number(codes[0]), schema: schemaOverrides[key] ?? schema };
    };
    /** Checks a response: the status code the spec gives, and the body against the (overridden) schema. */
    const expectResponse = (key: string, status: number, body: any) => {
      const { code, schema } = responseSchema(key, body);
      expect(status, `${key}: ${JSON.stringify(body)}`).toBe(code);
      if (!schema) {
        expect(NO_SCHEMA.has(key), `${key} has a schema`).toBe(true);
        expect(body ?? {}).toEqual({});
        return;
      }
      const copy = structuredClone(body);
      referenceOverrides[key]?.(copy);
      expect(errorsOf(schema, copy), `${key}: ${JSON.stringify(body).slice(0, 2000)}`).toEqual([]);
    };
    /** Checks a JSON request body against the spec's requestBody schema, closed to keys the spec does not name. */
    const expectRequest = (key: string, body: unknown) => {
      const [method, path] = key.split(' ') as [string, string];
      const schema = spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      if (!schema?.$ref) throw new Error(`${key} has no JSON request body in the spec`);
      const named = spec.components.schemas[String(schema.$ref).split('/').pop()!]!;
      // A map (additionalProperties given, e.g. JobResourceRequirementsBody) keeps its own rule.
      const closed = 'additionalProperties' in named ? named : { ...named, additionalProperties: false };
      expect(errorsOf(closed, body), `${key} request ${JSON.stringify(body)}`).toEqual([]);
    };
    /** Checks query parameters against the spec's (required, typed, no unknown ones). */
    const expectQuery = (key: string, query: Record<string, string>) => {
      const [method, path] = (aliases[key] ?? key).split(' ') as [string, string];
      const params = ((spec.paths[path]?.[method.toLowerCase()]?.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema: Schema }>).filter((p) => p.in === 'query');
      for (const p of params) if (p.required) expect(query, `${key}: required query parameter ${p.name}`).toHaveProperty(p.name);
      for (const [name, text] of Object.entries(query)) {
        const p = params.find((x) => x.name === name);
        expect(p, `${key}: query parameter ${name} is in the spec`).toBeDefined();
        const value = p!.schema.type === 'integer' && /^-?\d+$/.test(text) ? Number(text) : p!.schema.type === 'boolean' && /^(true|false)$/.test(text) ? text === 'true' : text;
        expect(errorsOf(p!.schema, value), `${key}: ${name}=${text}`).toEqual([]);
      }
    };
    /** What went through the proxy for a method and path pattern. */
    const recorded = (method: string, path: RegExp) => exchanges.filter((e) => e.method === method && path.test(e.url.split('?')[0]!));
    const json = (text: string): any => (text === '' ? undefined : JSON.parse(text));

    it('rest schema - the checks and overrides reject what Flink would not send', () => {
      const bad = (key: string, body: unknown) => {
        const { schema } = responseSchema(key, body);
        expect(errorsOf(schema!, body), `${key} accepts ${JSON.stringify(body)}`).not.toEqual([]);
      };
      const throwableBody = { class: 'java.lang.Exception', 'stack-trace': 'java.lang.Exception: x', 'serialized-throwable': 'AA==' };
      bad('GET /jobs/{jobid}/savepoints/{triggerid}', { status: { id: 'COMPLETED' }, operation: null });
      bad('GET /jobs/{jobid}/savepoints/{triggerid}', { status: { id: 'IN_PROGRESS' }, operation: { location: 'file:/x' } });
      bad('GET /jobs/{jobid}/savepoints/{triggerid}', { status: { id: 'COMPLETED' }, operation: { location: 'file:/x', 'failure-cause': throwableBody } });
      bad('GET /jobs/{jobid}/savepoints/{triggerid}', { status: { id: 'COMPLETED' }, operation: {} });
      bad('GET /jobs/{jobid}/checkpoints/{triggerid}', { status: { id: 'COMPLETED' }, operation: { 'failure-cause': throwableBody } });
      bad('GET /savepoint-disposal/{triggerid}', { status: { id: 'COMPLETED' }, operation: { 'failure-cause': { 'serialized-throwable': 'AA==' } } });
      bad('GET /jobs/{jobid}/config', { jobId: '0'.repeat(32), jobName: 'x', executionConfigInfo: {} });
      bad('GET /jobs/{jobid}/execution-result', { status: { id: 'COMPLETED' }, 'job-execution-result': { jobId: '0'.repeat(32), jobName: 'x', netRuntime: 1, accumulatorResults: {} } });
      bad('GET /jobs/{jobid}/execution-result', { status: { id: 'COMPLETED' } });
      bad('GET /jobs/{jobid}/metrics', { metrics: [{ id: 'numRestarts' }] });
      bad('GET /jobs/{jobid}/metrics', [{ id: 'numRestarts', value: 0 }]);
      bad('GET /jobs/{jobid}/vertices/{vertexid}/subtasks/metrics', {});
      bad('GET /jobs/{jobid}/checkpoints/details/{checkpointid}', { className: 'completed', id: 1, tasks: { v: { id: 'v' } } });
      expect(errorsOf({ ...spec.components.schemas.JarRunRequestBody, additionalProperties: false }, { programArgs: 'a b' })).not.toEqual([]);
    });

    // ---- plain GETs on the running job ----
    const cases: Array<[string, () => string]> = [
      ['/config', () => '/config'],
      ['/overview', () => '/overview'],
      ['/taskmanagers', () => '/taskmanagers'],
      ['/taskmanagers/{taskmanagerid}', () => `/taskmanagers/${tmId}`],
      ['/taskmanagers/{taskmanagerid}/metrics', () => `/taskmanagers/${tmId}/metrics`],
      ['/taskmanagers/{taskmanagerid}/logs', () => `/taskmanagers/${tmId}/logs`],
      ['/taskmanagers/{taskmanagerid}/thread-dump', () => `/taskmanagers/${tmId}/thread-dump`],
      ['/jobmanager/config', () => '/jobmanager/config'],
      ['/jobmanager/metrics', () => '/jobmanager/metrics'],
      ['/jobmanager/metrics', () => '/jobmanager/metrics?get=numRunningJobs,taskSlotsTotal,nope'],
      ['/jobmanager/environment', () => '/jobmanager/environment'],
      ['/jobmanager/logs', () => '/jobmanager/logs'],
      ['/jobmanager/thread-dump', () => '/jobmanager/thread-dump'],
      ['/jars', () => '/jars'],
      ['/jobs', () => '/jobs'],
      ['/jobs/overview', () => '/jobs/overview'],
      ['/jobs/{jobid}', () => `/jobs/${jobId}`],
      ['/jobs/{jobid}/plan', () => `/jobs/${jobId}/plan`],
      ['/jobs/{jobid}/status', () => `/jobs/${jobId}/status`],
      ['/jobs/{jobid}/config', () => `/jobs/${jobId}/config`],
      ['/jobs/{jobid}/execution-result', () => `/jobs/${jobId}/execution-result`],
      ['/jobs/{jobid}/exceptions', () => `/jobs/${jobId}/exceptions`],
      ['/jobs/{jobid}/metrics', () => `/jobs/${jobId}/metrics`],
      ['/jobs/{jobid}/metrics', () => `/jobs/${jobId}/metrics?get=numRestarts,lastCompletedCheckpointId`],
      ['/jobs/{jobid}/checkpoints', () => `/jobs/${jobId}/checkpoints`],
      ['/jobs/{jobid}/checkpoints/config', () => `/jobs/${jobId}/checkpoints/config`],
      ['/jobs/{jobid}/jobmanager/config', () => `/jobs/${jobId}/jobmanager/config`],
      ['/jobs/{jobid}/jobmanager/environment', () => `/jobs/${jobId}/jobmanager/environment`],
      ['/jobs/{jobid}/jobmanager/log-url', () => `/jobs/${jobId}/jobmanager/log-url`],
      ['/jobs/{jobid}/taskmanagers/{taskmanagerid}/log-url', () => `/jobs/${jobId}/taskmanagers/${tmId}/log-url`],
      ['/jobs/{jobid}/resource-requirements', () => `/jobs/${jobId}/resource-requirements`],
      ['/jobs/{jobid}/rescales/config', () => `/jobs/${jobId}/rescales/config`],
      ['/jobs/{jobid}/rescales/history', () => `/jobs/${jobId}/rescales/history`],
      ['/jobs/{jobid}/vertices/{vertexid}', () => `/jobs/${jobId}/vertices/${vertexId}`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasktimes', () => `/jobs/${jobId}/vertices/${vertexId}/subtasktimes`],
      ['/jobs/{jobid}/vertices/{vertexid}/taskmanagers', () => `/jobs/${jobId}/vertices/${vertexId}/taskmanagers`],
      ['/jobs/{jobid}/vertices/{vertexid}/backpressure', () => `/jobs/${jobId}/vertices/${vertexId}/backpressure`],
      ['/jobs/{jobid}/vertices/{vertexid}/watermarks', () => `/jobs/${jobId}/vertices/${vertexId}/watermarks`],
      ['/jobs/{jobid}/vertices/{vertexid}/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/metrics`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics`],
      ['/jobs/{jobid}/vertices/{vertexid}/accumulators', () => `/jobs/${jobId}/vertices/${vertexId}/accumulators`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/accumulators', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/accumulators`],
      ['/jobs/{jobid}/vertices/{vertexid}/flamegraph', () => `/jobs/${jobId}/vertices/${vertexId}/flamegraph`],
      ['/jobs/{jobid}/vertices/{vertexid}/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/metrics?get=0.numRecordsOut,0.busyTimeMsPerSecond`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics?get=numRecordsOut,busyTimeMsPerSecond&agg=min,max,avg,sum,skew`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/0`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/attempts/{attempt}', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/0/attempts/0`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/attempts/{attempt}/accumulators', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/0/attempts/0/accumulators`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/0/metrics`],
      ['/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics', () => `/jobs/${jobId}/vertices/${vertexId}/subtasks/0/metrics?get=numRecordsOut,idleTimeMsPerSecond`],
      ['/jobs/{jobid}/vertices/{vertexid}/jm-operator-metrics', () => `/jobs/${jobId}/vertices/${vertexId}/jm-operator-metrics`],
      ['/jobs/{jobid}/accumulators', () => `/jobs/${jobId}/accumulators`],
      ['/jobs/metrics', () => '/jobs/metrics'],
      ['/jobs/metrics', () => `/jobs/metrics?get=numRestarts,runningTime&jobs=${jobId}`],
      ['/taskmanagers/metrics', () => '/taskmanagers/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.CPU.Load&agg=max,sum'],
      ['/applications/overview', () => '/applications/overview'],
      ['/applications/{applicationid}', () => `/applications/${jobId}`],
      ['/applications/{applicationid}/exceptions', () => `/applications/${jobId}/exceptions`],
    ];
    it.each(cases)('rest schema - GET %s matches the OpenAPI spec', async (specPath, url) => {
      const r = await call('GET', url());
      expectResponse(`GET ${specPath}`, r.status, r.body);
    });

    it('rest schema - the CLI run -m (upload, jar run, jar delete) sends and gets what the spec says', () => {
      // Flink's CLI sends the jar as multipart form data with one file (reference 1.4); the spec's
      // requestBody (application/x-java-archive, binary) has no JSON schema to check.
      const uploads = recorded('POST', /^\/jars\/upload$/);
      expect(uploads).toHaveLength(1);
      expect(uploads[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
      expectResponse('POST /jars/upload', uploads[0]!.status, json(uploads[0]!.response));
      const runs = recorded('POST', /^\/jars\/[^/]+\/run$/);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.contentType).toBe('application/json');
      expectRequest('POST /jars/{jarid}/run', json(runs[0]!.request));
      expectResponse('POST /jars/{jarid}/run', runs[0]!.status, json(runs[0]!.response));
      const deletes = recorded('DELETE', /^\/jars\/[^/]+$/);
      expect(deletes).toHaveLength(1);
      expectResponse('DELETE /jars/{jarid}', deletes[0]!.status, json(deletes[0]!.response));
    });

    it('rest schema - a manual checkpoint: trigger, status until COMPLETED, details, subtask details', async () => {
      const request = { checkpointType: 'CONFIGURED' };
      expectRequest('POST /jobs/{jobid}/checkpoints', request);
      const trig = await call('POST', `/jobs/${jobId}/checkpoints`, request);
      expectResponse('POST /jobs/{jobid}/checkpoints', trig.status, trig.body);
      const seen = await pollOperation(`/jobs/${jobId}/checkpoints/${trig.body['request-id']}`);
      for (const s of seen) expectResponse('GET /jobs/{jobid}/checkpoints/{triggerid}', s.status, s.body);
      const cid = seen.at(-1)!.body.operation.checkpointId as number;
      expect(cid).toBeGreaterThan(0);
      const details = await call('GET', `/jobs/${jobId}/checkpoints/details/${cid}`);
      expectResponse('GET /jobs/{jobid}/checkpoints/details/{checkpointid}', details.status, details.body);
      // Keyed by vertex id; each entry's `id` is the checkpoint id (Flink's TaskCheckpointStatistics).
      expect(details.body.tasks[vertexId]).toMatchObject({ id: cid });
      const sub = await call('GET', `/jobs/${jobId}/checkpoints/details/${cid}/subtasks/${vertexId}`);
      expectResponse('GET /jobs/{jobid}/checkpoints/details/{checkpointid}/subtasks/{vertexid}', sub.status, sub.body);
      expect(sub.body).toMatchObject({ id: cid });
      expect(sub.body.subtasks.length).toBeGreaterThan(0);
    });

    let savepoint = '';
    it('rest schema - the CLI savepoint: its request body, the 202 trigger and the status until COMPLETED', async () => {
      const r = await cli(['savepoint', jobId, spDir]);
      savepoint = /Savepoint completed\. Path: (\S+)/.exec(r.stdout)![1]!;
      const triggers = recorded('POST', /^\/jobs\/[0-9a-f]{32}\/savepoints$/);
      expect(triggers).toHaveLength(1);
      expectRequest('POST /jobs/{jobid}/savepoints', json(triggers[0]!.request));
      expectResponse('POST /jobs/{jobid}/savepoints', triggers[0]!.status, json(triggers[0]!.response));
      const polls = recorded('GET', /^\/jobs\/[0-9a-f]{32}\/savepoints\/[0-9a-f]{32}$/);
      expect(polls.length).toBeGreaterThan(0);
      for (const p of polls) expectResponse('GET /jobs/{jobid}/savepoints/{triggerid}', p.status, json(p.response));
      expect(json(polls.at(-1)!.response).operation).toEqual({ location: savepoint });
    });

    it('rest schema - the CLI savepoint -d (disposal): its request body, the 200 trigger and the status until COMPLETED', async () => {
      await cli(['savepoint', '-d', savepoint]);
      const triggers = recorded('POST', /^\/savepoint-disposal$/);
      expect(triggers).toHaveLength(1);
      expectRequest('POST /savepoint-disposal', json(triggers[0]!.request));
      expectResponse('POST /savepoint-disposal', triggers[0]!.status, json(triggers[0]!.response));
      const polls = recorded('GET', /^\/savepoint-disposal\/[0-9a-f]{32}$/);
      expect(polls.length).toBeGreaterThan(0);
      for (const p of polls) expectResponse('GET /savepoint-disposal/{triggerid}', p.status, json(p.response));
      expect(json(polls.at(-1)!.response).operation).toEqual({});
    });

    const upload = async (file: string): Promise<string> => {
      const form = new FormData();
      form.append('jarfile', new Blob([readFileSync(join(ROOT, file))], { type: 'application/javascript' }), file.split('/').pop());
      const res = await fetch(`${base}/jars/upload`, { method: 'POST', body: form });
      const body = (await res.json()) as { filename: string };
      expectResponse('POST /jars/upload', res.status, body);
      return body.filename.split('/').pop()!;
    };

    it('rest schema - jars: upload, plan (GET and POST), run, cancel with a savepoint (CLI cancel -s), PATCH cancel, delete', async () => {
      const jar = await upload('test/jobs/savepoint-job.ts');
      const jars = await call('GET', '/jars');
      expectResponse('GET /jars', jars.status, jars.body);
      expect(jars.body.files.map((f: { id: string }) => f.id)).toContain(jar);
      const args = [join(root, 'out-jar'), '50000000', '100', 'run', 'slow'];
      const query = { programArg: args.join(','), parallelism: '1' };
      expectQuery('GET /jars/{jarid}/plan', query);
      const getPlan = await call('GET', `/jars/${jar}/plan?${new URLSearchParams(query)}`);
      expectResponse('GET /jars/{jarid}/plan', getPlan.status, getPlan.body);
      const planRequest = { programArgsList: args, parallelism: 1 };
      expectRequest('POST /jars/{jarid}/plan', planRequest);
      const postPlan = await call('POST', `/jars/${jar}/plan`, planRequest);
      expectResponse('POST /jars/{jarid}/plan', postPlan.status, postPlan.body);
      expect(postPlan.body.plan.nodes.length).toBeGreaterThan(0);
      const runRequest = { programArgsList: args, parallelism: 1, allowNonRestoredState: false, claimMode: 'NO_CLAIM', flinkConfiguration: { 'pipeline.name': 'schema-cancel' } };
      expectRequest('POST /jars/{jarid}/run', runRequest);
      const run = await call('POST', `/jars/${jar}/run`, runRequest);
      expectResponse('POST /jars/{jarid}/run', run.status, run.body);
      const id = run.body.jobid as string;
      await waitForTasks(id);
      // The CLI's deprecated cancel -s: a savepoint with cancel-job true.
      const before = exchanges.length;
      await cli(['cancel', '-s', spDir, id]);
      const mine = exchanges.slice(before);
      const trigger = mine.find((e) => e.method === 'POST' && e.url === `/jobs/${id}/savepoints`)!;
      expect(json(trigger.request)).toMatchObject({ 'cancel-job': true });
      expectRequest('POST /jobs/{jobid}/savepoints', json(trigger.request));
      expectResponse('POST /jobs/{jobid}/savepoints', trigger.status, json(trigger.response));
      const cancelPolls = mine.filter((e) => e.method === 'GET' && /^\/jobs\/[0-9a-f]{32}\/savepoints\/[0-9a-f]{32}$/.test(e.url));
      expect(cancelPolls.length).toBeGreaterThan(0);
      for (const p of cancelPolls) expectResponse('GET /jobs/{jobid}/savepoints/{triggerid}', p.status, json(p.response));
      expect(await waitForState(id, ['CANCELED', 'FAILED', 'FINISHED'])).toBe('CANCELED');
      // PATCH cancel answers 202 {} (also for a job already CANCELED, reference 1.5).
      const cancel = await call('PATCH', `/jobs/${id}`);
      expectResponse('PATCH /jobs/{jobid}', cancel.status, cancel.body);
      const result = await call('GET', `/jobs/${id}/execution-result`);
      expectResponse('GET /jobs/{jobid}/execution-result', result.status, result.body);
      expect(result.body['job-execution-result']['application-status']).toBe('CANCELED');
      const del = await call('DELETE', `/jars/${jar}`);
      expectResponse('DELETE /jars/{jarid}', del.status, del.body);
    });

    it('rest schema - a failed job: exceptions with an entry and the execution result with its failure cause', async () => {
      const jar = await upload('test/jobs/bad-user-error.ts');
      const run = await call('POST', `/jars/${jar}/run`, {});
      expectResponse('POST /jars/{jarid}/run', run.status, run.body);
      const id = run.body.jobid as string;
      expect(await waitForState(id, ['FAILED', 'FINISHED', 'CANCELED'])).toBe('FAILED');
      const exceptions = await call('GET', `/jobs/${id}/exceptions`);
      expectResponse('GET /jobs/{jobid}/exceptions', exceptions.status, exceptions.body);
      expect(exceptions.body.exceptionHistory.entries.length).toBeGreaterThan(0);
      const result = await call('GET', `/jobs/${id}/execution-result`);
      expectResponse('GET /jobs/{jobid}/execution-result', result.status, result.body);
      expect(result.body['job-execution-result']).toHaveProperty('failure-cause');
      expect(result.body['job-execution-result']['application-status']).toBe('FAILED');
      const del = await call('DELETE', `/jars/${jar}`);
      expectResponse('DELETE /jars/{jarid}', del.status, del.body);
    });

    it('rest schema - the client of run -m (RemoteExecutor): jar run, savepoint and stop bodies, the attached execution result', async () => {
      // In process: `miniflink run -m` hands the program a copy of this client ({...client} in
      // src/cli/actions/run.ts), which loses the class's methods, so a program cannot reach
      // triggerSavepoint/stopWithSavepoint through the real CLI; the executor itself is what sends them.
      const before = exchanges.length;
      const path = join(ROOT, 'test/jobs/savepoint-job.ts');
      const executor = new RemoteExecutor(
        new RestClient(`http://${viaProxy}`),
        { path, args: [join(root, 'out-client'), '50000000', '100', 'run', 'slow'], entry: undefined, parallelism: undefined, savepointPath: undefined, allowNonRestoredState: false, claimMode: undefined, configuration: {}, detached: false },
        () => {},
      );
      const client = await executor.execute({ jobName: 'savepoint-job', env: { transformations: [] } as unknown as Pipeline['env'], programPath: path });
      await waitForTasks(client.getJobID());
      expect(await client.triggerSavepoint(spDir)).toMatch(/^file:\//);
      expect(await client.stopWithSavepoint(false, spDir)).toMatch(/^file:\//);
      expect((await client.getJobExecutionResult()).getJobID()).toBe(client.getJobID());
      await executor.close();
      const mine = exchanges.slice(before);
      const one = (method: string, path: RegExp) => {
        const hits = mine.filter((e) => e.method === method && path.test(e.url));
        expect(hits, `${method} ${path}`).toHaveLength(1);
        return hits[0]!;
      };
      const upload = one('POST', /^\/jars\/upload$/);
      expectResponse('POST /jars/upload', upload.status, json(upload.response));
      const run = one('POST', /^\/jars\/[^/]+\/run$/);
      expectRequest('POST /jars/{jarid}/run', json(run.request));
      expectResponse('POST /jars/{jarid}/run', run.status, json(run.response));
      const savepoint = one('POST', /^\/jobs\/[0-9a-f]{32}\/savepoints$/);
      expectRequest('POST /jobs/{jobid}/savepoints', json(savepoint.request));
      expectResponse('POST /jobs/{jobid}/savepoints', savepoint.status, json(savepoint.response));
      const stop = one('POST', /^\/jobs\/[0-9a-f]{32}\/stop$/);
      expectRequest('POST /jobs/{jobid}/stop', json(stop.request));
      expectResponse('POST /jobs/{jobid}/stop', stop.status, json(stop.response));
      const polls = mine.filter((e) => e.method === 'GET' && /\/savepoints\//.test(e.url));
      expect(polls.length).toBeGreaterThanOrEqual(2);
      for (const p of polls) expectResponse('GET /jobs/{jobid}/savepoints/{triggerid}', p.status, json(p.response));
      const results = mine.filter((e) => e.method === 'GET' && /\/execution-result$/.test(e.url));
      expect(results.length).toBeGreaterThan(0);
      for (const p of results) expectResponse('GET /jobs/{jobid}/execution-result', p.status, json(p.response));
      expect(json(results.at(-1)!.response)['job-execution-result']['application-status']).toBe('SUCCEEDED');
      const del = one('DELETE', /^\/jars\/[^/]+$/);
      expectResponse('DELETE /jars/{jarid}', del.status, json(del.response));
    });

    it('rest schema - PATCH rescaling and its status until COMPLETED, then the CLI stop on the rescaled job', async () => {
      // PUT resource-requirements with what GET answers: accepted (200 {}), nothing changes.
      const requirements = (await call('GET', `/jobs/${jobId}/resource-requirements`)).body;
      expectRequest('PUT /jobs/{jobid}/resource-requirements', requirements);
      const put = await call('PUT', `/jobs/${jobId}/resource-requirements`, requirements);
      expectResponse('PUT /jobs/{jobid}/resource-requirements', put.status, put.body);
      // Our CLI sends no rescaling request (Flink's CLI has none either); the query this test sends is checked.
      const query = { parallelism: '2' };
      expectQuery('PATCH /jobs/{jobid}/rescaling', query);
      const trig = await call('PATCH', `/jobs/${jobId}/rescaling?${new URLSearchParams(query)}`);
      expectResponse('PATCH /jobs/{jobid}/rescaling', trig.status, trig.body);
      const seen = await pollOperation(`/jobs/${jobId}/rescaling/${trig.body['request-id']}`);
      for (const s of seen) expectResponse('GET /jobs/{jobid}/rescaling/{triggerid}', s.status, s.body);
      expect(seen.at(-1)!.body.operation, 'the rescaling succeeded').toEqual({});
      // In place: the same job runs again at the new parallelism, restored from the rescale's savepoint.
      const rescaled = jobId;
      await waitForTasks(rescaled);
      const details = await call('GET', `/jobs/${rescaled}`);
      expectResponse('GET /jobs/{jobid}', details.status, details.body);
      expect(details.body.vertices.map((v: { parallelism: number }) => v.parallelism)).toEqual(details.body.vertices.map(() => 2));
      const stats = await call('GET', `/jobs/${rescaled}/checkpoints`);
      expectResponse('GET /jobs/{jobid}/checkpoints', stats.status, stats.body);
      expect(stats.body.latest.restored).not.toBeNull();
      const before = exchanges.length;
      await cli(['stop', '-p', spDir, rescaled]);
      const mine = exchanges.slice(before);
      const stop = mine.find((e) => e.method === 'POST' && e.url === `/jobs/${rescaled}/stop`)!;
      expectRequest('POST /jobs/{jobid}/stop', json(stop.request));
      expectResponse('POST /jobs/{jobid}/stop', stop.status, json(stop.response));
      const polls = mine.filter((e) => e.method === 'GET' && /^\/jobs\/[0-9a-f]{32}\/savepoints\/[0-9a-f]{32}$/.test(e.url));
      expect(polls.length).toBeGreaterThan(0);
      for (const p of polls) expectResponse('GET /jobs/{jobid}/savepoints/{triggerid}', p.status, json(p.response));
      expect(await waitForState(rescaled, ['FINISHED', 'FAILED', 'CANCELED'])).toBe('FINISHED');
    });
  });
}
