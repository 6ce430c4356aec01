/**
 * No configuration key is silently ignored: keys miniflink accepts but does not implement, and
 * keys it does not know, warn wherever they come from (config.yaml, -D, a jar run's
 * flinkConfiguration); `state.backend.type: rocksdb` runs on LevelDB with a warning. A
 * security.* key's warning says truthfully where the REST endpoint listens.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain, ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('configuration warnings', () => {
  it('config - -D and config.yaml keys miniflink does not implement warn; rocksdb runs on LevelDB', async () => {
    const conf = join(root, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'config.yaml'), 'pipeline:\n  auto-watermark-interval: 200 ms\nmetrics.reporter.prom.port: 9249\n');
    const args = ['run', '-t', 'local', '--conf-dir', conf, '-D', 'state.backend.type=rocksdb', '-D', 'jobmanager.execution.failover-strategy=region', 'test/jobs/exactly-once-job.ts', join(root, 'out'), '1000', '-1'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(r.stderr).toContain("Configuration key 'pipeline.auto-watermark-interval' is not implemented by miniflink and has no effect: no periodic watermarks are emitted.");
    expect(r.stderr).toContain("Configuration key 'metrics.reporter.prom.port' is not implemented by miniflink and has no effect: no metric reporter runs");
    expect(r.stderr).toContain("Configuration key 'jobmanager.execution.failover-strategy' is not implemented by miniflink and has no effect: a failure restarts the whole job (full).");
    expect(r.stderr).toContain("Configuration 'state.backend.type: rocksdb': LevelDB stands in for RocksDB (state.backend.type: leveldb).");
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('config - a security.* key warns that the REST endpoint has no security, and says so when it is open beyond loopback', async () => {
    const base = "Configuration key 'security.ssl.rest.enabled' is not implemented by miniflink and has no effect: there is no SSL, Kerberos or authentication: the REST endpoint serves plain HTTP to whoever can reach its bind address";
    const open = await runCli(['info', '-D', 'security.ssl.rest.enabled=true', '-D', 'rest.bind-address=0.0.0.0', 'test/jobs/client-job.ts']);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toContain(base);
    expect(open.stderr).toContain('This configuration binds it to 0.0.0.0, not to loopback only: other machines may reach it.');
    expect(open.stderr).not.toContain('binds to loopback');
    const closed = await runCli(['info', '-D', 'security.ssl.rest.enabled=true', 'test/jobs/client-job.ts']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).toContain(base);
    expect(closed.stderr).not.toContain('This configuration binds');
  });

  it("config - a cluster warns about its own keys at start and about a jar run's flinkConfiguration", async () => {
    const { cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', 'execution.checkpointing.incremental=true']);
    let stderr = '';
    cluster.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const form = new FormData();
      form.append('jarfile', new Blob([readFileSync(join(ROOT, 'test/jobs/exactly-once-job.ts'))]), 'exactly-once-job.ts');
      const jar = (await (await fetch(`${base}/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string };
      const run = await fetch(`${base}/jars/${jar.filename.split('/').pop()}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ programArgsList: [join(root, 'jar-out'), '100', '-1'], flinkConfiguration: { 'taskmanager.memory.process.size': '2g' } }),
      });
      expect(run.status).toBe(200);
      for (let i = 0; i < 100 && !stderr.includes('taskmanager.memory.process.size'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toContain("Configuration key 'taskmanager.memory.process.size' is not implemented by miniflink and has no effect: memory is V8's heap of each slot thread");
      // The cluster's own key, reported when it started (stderr stays buffered until read).
      expect(stderr).toContain("Configuration key 'execution.checkpointing.incremental' is not implemented by miniflink and has no effect: every checkpoint is a full snapshot.");
    } finally {
      await stopCluster(cluster);
    }
  });
});
