/**
 * What every route group shares (src/rest/routes/): the error with an HTTP status, the parsing of
 * path parameters and bodies in Flink's words, the lookups of a request's job, vertex, TaskManager
 * and asynchronous operation, and the check of the paths a request names. server.ts builds one
 * RouteContext and hands it to each group's register function, so a group holds only its own
 * paths and handlers.
 */
import type { Server } from 'node:http';
import { resolve, sep } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { unqualify } from '../checkpoint/index.js';
import { parseDuration } from '../config/index.js';
import type { MetricStore } from '../metrics/index.js';
import { sumMemoryStats, type Dispatcher, type JobMaster, type MemoryStats, type StandaloneCluster, type SubtaskInfo, type TaskManagerInfo } from '../runtime/index.js';
import { ALLOW_HINT, allowedDirs, realPath } from './allowed-dirs.js';
import type { AsyncOperations, OperationStatus } from './async-operations.js';
import type { SlotUse } from './cluster-views.js';
import type { JarStore } from './jar-store.js';
import type { SlotLocation } from './job-views.js';

const JOB_ID = /^[0-9a-fA-F]{32}$/;

/** Options of the server. */
export interface RestOptions {
  /** Where uploads go (`web.upload.dir`). */
  readonly uploadDir: string;
  /** Largest upload, bytes. */
  readonly maxUploadBytes: number;
  /** Called by DELETE /cluster after the response. */
  readonly onShutdown: () => void;
}

/** An error with an HTTP status: the server's error handler answers `{"errors": [message]}` with it. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A vertex of a job's JobGraph, as the routes read it. */
export type JobVertexInfo = JobMaster['submission']['job']['vertices'][number];

/** The cluster, the server's stores and the lookups that several route groups use. */
export interface RouteContext {
  /** The cluster the routes serve. */
  readonly cluster: StandaloneCluster;
  /** Its dispatcher (the cluster's jobs). */
  readonly dispatcher: Dispatcher;
  /** The server's options. */
  readonly options: RestOptions;
  /** Uploaded job modules (Flink's jars). */
  readonly jars: JarStore;
  /** Savepoints, stops, checkpoints, disposals and rescalings in flight or recently done. */
  readonly ops: AsyncOperations;
  /** The REST endpoint's own address (never the request's Host header). */
  base(req?: FastifyRequest): string;
  /** The job of the path (`:jobid`): Flink's 400 for a malformed id, 404 for an unknown job. */
  job(req: FastifyRequest): JobMaster;
  /** The job and vertex of the path (`:jobid`, `:vertexid`) and the vertex's subtasks; 404 for an unknown vertex. */
  vertex(req: FastifyRequest): { jm: JobMaster; v: JobVertexInfo; subs: SubtaskInfo[] };
  /** The TaskManager of the path (`:tmid`), or Flink's 404. */
  tm(req: FastifyRequest): TaskManagerInfo;
  /** The id of the TaskManager that holds a slot. */
  tmOf(slot: number): string;
  /** A slot's TaskManager and endpoint (slots have no data port: the slot index stands in). */
  locate(slot: number): SlotLocation;
  /** Which job holds each slot, for the TaskManager views. */
  slotUse(): SlotUse;
  /** A TaskManager's memory: the sum of its slot threads'. */
  tmMemory(t: { slots: readonly number[] }): Promise<MemoryStats>;
  /** The cluster's metric store, fetched anew from the slot threads when older than `metrics.fetcher.update-interval`. */
  metrics(): Promise<MetricStore>;
  /** `path` (a request's `field`) if it lies inside a directory the cluster allows, else a 400; undefined stays undefined. */
  allowedPath(path: string | undefined, field: string): string | undefined;
  /** The status of a job's `kind` operation under the path's `:triggerid`, or Flink's 404. */
  jobOperation(kind: string, jobId: string, req: FastifyRequest): OperationStatus;
}

/** Builds the context of the routes of one server (`server` is its HTTP server, for base()). */
export function createRouteContext(server: Server, cluster: StandaloneCluster, options: RestOptions, jars: JarStore, ops: AsyncOperations): RouteContext {
  const dispatcher = cluster.mini.dispatcher;

  /** The REST endpoint's own address (never the request's Host header). */
  const base = (_req?: FastifyRequest) => {
    const a = server.address();
    return typeof a === 'object' && a ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : 'http://127.0.0.1';
  };
  const job = (req: FastifyRequest): JobMaster => {
    const id = jobIdParam(req);
    try {
      return dispatcher.getJob(id);
    } catch {
      throw new RestError(404, `Job ${(req.params as { jobid: string }).jobid} not found`);
    }
  };
  const vertex = (req: FastifyRequest) => {
    // Path parameters are parsed before anything is looked up (a malformed one is a 400 for an unknown job too).
    const vid = vertexIdParam(req);
    const jm = job(req);
    const v = jm.submission.job.vertices.find((x) => x.id === vid);
    if (!v) throw new RestError(404, `No vertex with ID '${vid}' exists.`);
    return { jm, v, subs: [...jm.subtasks.values()].filter((s) => s.vertexId === v.id) };
  };
  const tm = (req: FastifyRequest) => {
    const id = (req.params as { tmid: string }).tmid;
    const t = cluster.mini.taskManagers.find((x) => x.id === id);
    if (!t) throw new RestError(404, `Could not find TaskExecutor ${id}.`);
    return t;
  };
  // A subtask of a job that waits for slots has none yet (slot -1): '(unassigned)', as Flink's dashboard shows it.
  const tmOf = (slot: number) => cluster.mini.taskManagers.find((t) => t.slots.includes(slot))?.id ?? '(unassigned)';
  /** A slot's TaskManager and endpoint (slots have no data port: the slot index stands in). */
  const locate = (slot: number) => ({ taskManagerId: tmOf(slot), endpoint: slot < 0 ? '(unassigned)' : `127.0.0.1:${slot}` });
  const slotUse = () => ({ owners: dispatcher.slotOwners(), jobs: dispatcher.listJobs() });
  const tmMemory = async (t: { slots: readonly number[] }) => sumMemoryStats(await cluster.mini.memoryStats(t.slots));
  const fetchInterval = parseDuration(cluster.configuration['metrics.fetcher.update-interval'] ?? '10 s', 'metrics.fetcher.update-interval');
  const metrics = () => cluster.mini.fetchMetrics(fetchInterval);
  const jobOperation = (kind: string, jobId: string, req: FastifyRequest) => {
    const t = triggerIdParam(req);
    const op = ops.get(kind, jobId, t);
    if (!op) throw new RestError(404, `There is no ${kind} operation with triggerId=${t} for job ${jobId}.`);
    return op;
  };

  /**
   * A path in a request (a savepoint to restore or dispose, a savepoint's target directory, a
   * job's checkpoint or savepoint directory in its flinkConfiguration) must lie inside a
   * directory the cluster's own configuration allows (allowedDirs): a REST client cannot make the
   * cluster read, write or delete anywhere else. What a job writes into its directories is then
   * inside them too, so it can be restored and disposed.
   */
  const allowedPath = (path: string | undefined, field: string): string | undefined => {
    if (path === undefined) return undefined;
    const dirs = allowedDirs(cluster.configuration);
    if (path.includes('\0') || path.length > 4096) throw new RestError(400, `The ${field} is not a valid path.`);
    // Symlinks resolved on both sides: a link inside an allowed directory cannot lead out of it.
    const abs = realPath(resolve(unqualify(path)));
    if (!dirs.some((d) => abs === d || abs.startsWith(`${d}${sep}`))) {
      throw new RestError(
        400,
        `The ${field} ${path} is not inside a configured savepoint or checkpoint directory of this cluster (${dirs.join(', ') || 'none configured'}). ${ALLOW_HINT}`,
      );
    }
    return path;
  };

  return { cluster, dispatcher, options, jars, ops, base, job, vertex, tm, tmOf, locate, slotUse, tmMemory, metrics, allowedPath, jobOperation };
}

// ---- request parsing, in Flink's words ----

/** Flink's 400 for a path or query parameter it cannot parse. */
export function badParameter(name: string, value: string, where: 'path' | 'query' = 'path'): RestError {
  return new RestError(400, `Bad request, could not parse parameters: Cannot resolve ${where} parameter (${name}) from value "${value}".`);
}

/** The job id of the path, lower case, or Flink's 400 for one that is not 32 hex digits. */
export function jobIdParam(req: FastifyRequest): string {
  const id = (req.params as { jobid: string }).jobid;
  if (!JOB_ID.test(id)) throw badParameter('jobid', id);
  return id.toLowerCase();
}

/** The trigger id of the path (an async operation's), or Flink's 400 for one that is not 32 hex digits. */
export function triggerIdParam(req: FastifyRequest): string {
  const t = (req.params as { triggerid: string }).triggerid;
  if (!JOB_ID.test(t)) throw badParameter('triggerid', t);
  return t;
}

/** The vertex id of the path, lower case, or Flink's 400 for one that is not 32 hex digits. */
export function vertexIdParam(req: FastifyRequest): string {
  const id = (req.params as { vertexid: string }).vertexid;
  if (!JOB_ID.test(id)) throw badParameter('vertexid', id);
  return id.toLowerCase();
}

/** A parallelism as Flink's integer parser takes it (decimal digits, at most 2^31 - 1), at least 1; else undefined. */
export function parseParallelism(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined || !/^[0-9]{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 2 ** 31 - 1 ? n : undefined;
}

/** The items of a list in a query parameter or a configuration value, trimmed, empty ones left out. */
export function splitList(text: string, separators: string | RegExp = ','): string[] {
  return text
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** An integer path or query parameter, or Flink's 400 for one it cannot parse. */
export function intParam(text: string, name: string, where: 'path' | 'query', negative = false): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || (n < 0 && !negative)) throw badParameter(name, text, where);
  return n;
}

/** The request body as an object, or Flink's 400. */
export function body(req: FastifyRequest): Record<string, unknown> {
  let b = req.body;
  // Flink reads a body as JSON whatever its content type (curl -d sends form-urlencoded).
  if (typeof b === 'string') {
    const text = b.trim();
    if (text === '') return {};
    try {
      b = JSON.parse(text) as unknown;
    } catch {
      throw new RestError(400, 'Request did not match expected format (malformed JSON).');
    }
  }
  if (b === undefined || b === null || b === '') return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new RestError(400, 'Request did not match expected format: the body must be a JSON object.');
  return b as Record<string, unknown>;
}

/** A boolean field of a body, or Flink's 400 for another type. */
export function bool(v: unknown, name: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new RestError(400, `Request did not match expected format: ${name} must be a boolean.`);
  return v;
}

/** A string field of a body, or Flink's 400 for another type. */
export function str(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RestError(400, `Request did not match expected format: ${name} must be a string.`);
  return v;
}

/** One of the listed values, or Flink's 400. */
export function oneOf(v: unknown, name: string, values: readonly string[]): string | undefined {
  const x = str(v, name);
  if (x !== undefined && !values.includes(x)) throw new RestError(400, `Request did not match expected format: ${name} must be one of ${values.join(', ')}, got '${x}'.`);
  return x;
}

/** A trigger id given by the client: Flink's TriggerId, 32 hex digits. */
export function triggerId(v: unknown): string | undefined {
  const t = str(v, 'triggerId');
  if (t !== undefined && !/^[0-9a-f]{32}$/i.test(t)) throw new RestError(400, `Request did not match expected format: triggerId must be 32 hexadecimal digits, got '${t}'.`);
  return t;
}
