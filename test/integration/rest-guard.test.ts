/**
 * A cluster left running beside a browser: requests forged as a DNS-rebinding page or a foreign
 * site's page would send them (Host and Origin headers) get 403 in Flink's error shape, and upload
 * nothing; the CLI, plain clients, the cluster's own origin and hosts listed in rest.allowed-hosts
 * keep working.
 */
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

let cluster: ChildProcess | undefined;
let base = '';
beforeAll(async () => {
  ({ cluster, base } = await startCluster(['rest.allowed-hosts=proxy.local']));
}, 60_000);
afterAll(() => stopCluster(cluster));

/** A raw HTTP request with the given headers (fetch does not let a client forge Host). */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
/** A multipart upload of a job module, as a page's form would send it. */
function upload(): { body: Buffer; type: string } {
  const boundary = '----miniflinkguard';
  const file = readFileSync(join(ROOT, 'test/jobs/ticker-job.ts'));
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="jarfile"; filename="evil-job.ts"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}
const jars = async () => ((await (await fetch(`${base}/jars`)).json()) as { files: Array<{ name: string }> }).files.map((f) => f.name);

describe('rest guard', () => {
  it('rest guard - a DNS-rebinding request (foreign Host) is refused, reading and uploading alike', async () => {
    const list = await send('GET', '/jars', { host: 'evil.example.com' });
    expect(list.status).toBe(403);
    expect(JSON.parse(list.body).errors[0]).toContain("The Host 'evil.example.com' is not an address of this cluster");
    const u = upload();
    const up = await send('POST', '/jars/upload', { host: 'evil.example.com', origin: 'http://evil.example.com', 'content-type': u.type }, u.body);
    expect(up.status).toBe(403);
    expect(await jars()).not.toContain('evil-job.ts');
  });

  it("rest guard - another site's page may not change the cluster; its own origin, the CLI and allowed hosts may", async () => {
    const host = new URL(base).host;
    const u = upload();
    const foreign = await send('POST', '/jars/upload', { host, origin: 'http://evil.example.com', 'content-type': u.type }, u.body);
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).errors[0]).toContain("from the page of another origin ('http://evil.example.com') is refused");
    expect(await jars()).not.toContain('evil-job.ts');
    // Reading from a foreign page goes on (the browser keeps the answer from it: no CORS header).
    const read = await send('GET', '/overview', { host, origin: 'http://evil.example.com' });
    expect(read.status).toBe(200);
    // The cluster's own origin (its web UI) uploads.
    const own = await send('POST', '/jars/upload', { host, origin: base, 'content-type': u.type }, u.body);
    expect(own.status, own.body).toBe(200);
    // A proxy's host listed in rest.allowed-hosts (Flink's dashboard behind it): Host and Origin pass.
    const proxied = await send('GET', '/overview', { host: 'proxy.local:9000', origin: 'http://proxy.local:9000' });
    expect(proxied.status).toBe(200);
    const del = await send('DELETE', `/jars/${JSON.parse(own.body).filename.split('/').pop()}`, { host: 'proxy.local:9000', origin: 'http://proxy.local:9000' });
    expect(del.status, del.body).toBe(200);
    // The CLI sends no Origin.
    const r = await runCli(['list', '-m', host]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("rest guard - Flink's GET yarn-cancel from another site's page (an <img>: no Origin, Sec-Fetch-Site cross-site) is refused; the job runs on", async () => {
    const host = new URL(base).host;
    const run = await runCli(['run', '-d', '-m', host, 'test/jobs/ticker-job.ts']);
    expect(run.code, run.stderr).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    const img = await send('GET', `/jobs/${jobId}/yarn-cancel`, { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' });
    expect(img.status).toBe(403);
    const foreign = await send('GET', `/jobs/${jobId}/yarn-cancel`, { host, origin: 'http://evil.example.com' });
    expect(foreign.status).toBe(403);
    expect(((await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string }).state).toBe('RUNNING');
    // curl (no Origin, no Sec-Fetch-Site) cancels, as on Flink.
    const plain = await send('GET', `/jobs/${jobId}/yarn-cancel`, { host });
    expect(plain.status).toBe(202);
  });
});
