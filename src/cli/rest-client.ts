/**
 * The CLI's only way to a running cluster: Flink's REST API over HTTP (fetch).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { basename } from 'node:path';
import type { ConfigMap } from '../config/index.js';
import { ERROR_CODES, MiniFlinkError } from '../core/errors.js';
import { headlineOnly } from './output.js';

/** A REST client for one cluster. */
export class RestClient {
  constructor(
    readonly baseUrl: string,
    /** What the error for an unreachable cluster suggests (`run` adds -t local). */
    private readonly unreachableHint = "Start one with 'miniflink cluster start'.",
  ) {}

  /** The client for the configured cluster (`rest.address`, `rest.port`, or `-m`). */
  static fromConfig(conf: ConfigMap, unreachableHint?: string): RestClient {
    return new RestClient(`http://${conf['rest.address'] ?? '127.0.0.1'}:${conf['rest.port'] ?? '8081'}`, unreachableHint);
  }

  /** Sends a request; returns the JSON body; throws with the server's errors (their message, no frames). */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body instanceof Multipart ? body : body !== undefined ? { type: 'application/json', bytes: Buffer.from(JSON.stringify(body)) } : undefined;
    let res: { status: number; text: string };
    try {
      res = await request(`${this.baseUrl}${path}`, method, payload);
    } catch (e) {
      throw headlineOnly(new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', `Could not reach the cluster's REST endpoint at ${this.baseUrl}: ${(e as Error).message}. ${this.unreachableHint}`));
    }
    const text = res.text;
    let json: Record<string, unknown>;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { errors: [text] };
    }
    if (res.status >= 400) {
      const errors = Array.isArray(json.errors) ? (json.errors as string[]).join('\n') : text;
      // The cluster's own error (`MiniFlinkError [MF_ERR_...]: ...`, maybe after Flink's preamble) keeps its code and words, as a local run reports it.
      const own = /MiniFlinkError \[(MF_ERR_[A-Z_]+)\]: ([\s\S]*)$/.exec(errors);
      if (own && own[1]! in ERROR_CODES) throw headlineOnly(new MiniFlinkError(own[1] as keyof typeof ERROR_CODES, own[2]!));
      // A 404 is an unknown job only when it says so (an unknown vertex, trigger or upload is another argument).
      const unknownJob = res.status === 404 && /\bjob\b/i.test(errors) && !/vertex|trigger|jar|TaskExecutor/i.test(errors);
      throw headlineOnly(new MiniFlinkError(unknownJob ? 'MF_ERR_JOB_NOT_FOUND' : 'MF_ERR_INVALID_ARGUMENT', `${method} ${path} failed with ${res.status}: ${errors}`));
    }
    return json as T;
  }

  /** Uploads a job module; returns its jar id. */
  async upload(path: string): Promise<string> {
    const r = await this.call<{ filename: string }>('POST', '/jars/upload', Multipart.file('jarfile', basename(path), readFileSync(path)));
    return basename(r.filename);
  }

  /** Polls an asynchronous operation until it completes; returns its operation payload. */
  async waitFor(path: string): Promise<Record<string, unknown>> {
    for (;;) {
      const r = await this.call<{ status: { id: string }; operation: Record<string, unknown> | null }>('GET', path);
      if (r.status.id === 'COMPLETED') return r.operation ?? {};
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The failure of a completed asynchronous operation (its `failure-cause` stack trace), if it failed. */
export function operationFailure(op: Record<string, unknown>): string | undefined {
  const f = op['failure-cause'] as { 'stack-trace'?: string } | undefined;
  return f ? (f['stack-trace'] ?? 'unknown failure') : undefined;
}

/** A multipart/form-data body with one file. */
class Multipart {
  private constructor(
    readonly type: string,
    readonly bytes: Buffer,
  ) {}

  static file(field: string, name: string, content: Buffer): Multipart {
    const boundary = `----miniflink${randomBytes(12).toString('hex')}`;
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/javascript\r\n\r\n`;
    return new Multipart(`multipart/form-data; boundary=${boundary}`, Buffer.concat([Buffer.from(head), content, Buffer.from(`\r\n--${boundary}--\r\n`)]));
  }
}

/**
 * One HTTP request with node:http (fetch refuses ports browsers block, such as 6000 or 6666, on
 * which a cluster may well listen).
 */
function request(url: string, method: string, body: { type: string; bytes: Buffer } | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: body ? { 'content-type': body.type, 'content-length': body.bytes.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body?.bytes);
  });
}
