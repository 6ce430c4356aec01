/**
 * The CLI's only way to a running cluster: Flink's REST API over HTTP (fetch).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ConfigMap } from '../config/index.js';
import { MiniFlinkError } from '../core/errors.js';

/** A REST client for one cluster. */
export class RestClient {
  constructor(readonly baseUrl: string) {}

  /** The client for the configured cluster (`rest.address`, `rest.port`, or `-m`). */
  static fromConfig(conf: ConfigMap): RestClient {
    return new RestClient(`http://${conf['rest.address'] ?? '127.0.0.1'}:${conf['rest.port'] ?? '8081'}`);
  }

  /** Sends a request; returns the JSON body; throws with the server's errors. */
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        ...(body instanceof FormData ? { body } : body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
    } catch (e) {
      throw new MiniFlinkError('MF_ERR_CLUSTER_SHUT_DOWN', `Could not reach the cluster's REST endpoint at ${this.baseUrl}: ${((e as Error).cause as Error)?.message ?? (e as Error).message}. Start one with 'miniflink cluster start' or use -t local.`);
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (res.status >= 400) {
      const errors = Array.isArray(json.errors) ? (json.errors as string[]).join('\n') : text;
      throw new MiniFlinkError(res.status === 404 ? 'MF_ERR_JOB_NOT_FOUND' : 'MF_ERR_INVALID_ARGUMENT', `${method} ${path} failed with ${res.status}: ${errors}`);
    }
    return json as T;
  }

  /** Uploads a job module; returns its jar id. */
  async upload(path: string): Promise<string> {
    const form = new FormData();
    form.append('jarfile', new Blob([readFileSync(path)], { type: 'application/javascript' }), basename(path));
    const r = await this.call<{ filename: string }>('POST', '/jars/upload', form);
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
