/**
 * No configuration key is silently ignored: keys miniflink accepts but does not implement, and
 * keys it does not know, warn wherever they come from (config.yaml, -D, a jar run's
 * flinkConfiguration); `state.backend.type: rocksdb` runs on LevelDB with a warning. A
 * security.* key's warning says truthfully where the REST endpoint listens. A value that does not
 * parse as its option's type is refused with Flink's words wherever it comes from; a
 * configuration directory that does not exist is an error, a lone flink-conf.yaml a warning;
 * `run -m` names the cluster's keys it was given with -D; and a job's capture in the cluster does
 * not swallow the warnings of other jobs submitted meanwhile.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, ROOT, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('configuration warnings', () => {
  it('config - -D and config.yaml keys miniflink does not implement warn; rocksdb runs on LevelDB', async () => {
    const conf = join(root, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'config.yaml'), 'execution:\n  checkpointing:\n    incremental: true\nmetrics.reporter.prom.filter.includes: jobmanager\n');
    const args = ['run', '-t', 'local', '--conf-dir', conf, '-D', 'state.backend.type=rocksdb', '-D', 'execution.runtime-mode=STREAMING', 'test/jobs/exactly-once-job.ts', join(root, 'out'), '1000', '-1'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(r.stderr).toContain("Configuration key 'execution.checkpointing.incremental' is not implemented by miniflink and has no effect: every checkpoint is a full snapshot.");
    expect(r.stderr).toContain("Configuration key 'metrics.reporter.prom.filter.includes' is not implemented by miniflink and has no effect: a reporter reads only factory.class, port, interval and scope.variables.excludes.");
    expect(r.stderr).toContain("Configuration key 'execution.runtime-mode' is not implemented by miniflink and has no effect: jobs run in STREAMING mode (bounded inputs end with a final watermark and checkpoint).");
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

/** Uploads a job module's source to a cluster; returns its jar id. */
async function upload(base: string, file: string): Promise<string> {
  const form = new FormData();
  form.append('jarfile', new Blob([readFileSync(join(ROOT, file))]), file.split('/').pop()!);
  const jar = (await (await fetch(`${base}/jars/upload`, { method: 'POST', body: form })).json()) as { filename: string };
  return jar.filename.split('/').pop()!;
}

describe('configuration values and directories', () => {
  it('config - a value that does not parse as its type is refused with Flink\'s message, from -D and config.yaml, without frames', async () => {
    const cases: Array<[string, string]> = [
      ['pipeline.operator-chaining.enabled', 'flase'],
      ['pipeline.object-reuse', 'maybe'],
      ['restart-strategy.fixed-delay.attempts', 'abc'],
      ['execution.checkpointing.timeout', 'soon'],
      ['execution.checkpointing.mode', 'SOMETIMES'],
      ['restart-strategy.exponential-delay.backoff-multiplier', 'double'],
    ];
    for (const [key, value] of cases) {
      const args = ['info', '-D', `${key}=${value}`, 'test/jobs/client-job.ts'];
      const r = await runCli(args);
      expect(r.code, explain(args, r)).toBe(1);
      expect(r.stderr, explain(args, r)).toContain(`Could not parse value '${value}' for key '${key}'.`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).not.toContain('Execution Plan');
    }
    // Deprecated keys are checked as their option; values of the right type pass, in any case.
    const deprecated = await runCli(['info', '-D', 'pipeline.operator-chaining=nope', 'test/jobs/client-job.ts']);
    expect(deprecated.code).toBe(1);
    expect(deprecated.stderr).toContain("Could not parse value 'nope' for key 'pipeline.operator-chaining.enabled'.");
    const fine = await runCli(['info', '-D', 'pipeline.operator-chaining.enabled=FALSE', '-D', 'execution.checkpointing.mode=at_least_once', '-D', 'execution.checkpointing.timeout=2 min', 'test/jobs/client-job.ts']);
    expect(fine.code, fine.stderr).toBe(0);
    const conf = join(root, 'bad-value-conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'config.yaml'), 'pipeline:\n  object-reuse: maybe\n');
    const fromFile = await runCli(['run', '-t', 'local', '--conf-dir', conf, 'test/jobs/client-job.ts']);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toContain("Could not parse value 'maybe' for key 'pipeline.object-reuse'.");
    expect(fromFile.stdout).not.toContain('Job has been submitted');
  });

  it('config - a configuration directory that does not exist fails, as Flink\'s FLINK_CONF_DIR does; a lone flink-conf.yaml is ignored with a warning', async () => {
    const missing = join(root, 'no-such-conf');
    const flag = await runCli(['info', '--conf-dir', missing, 'test/jobs/client-job.ts']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain(`The configuration directory '${missing}', specified with --conf-dir, does not exist.`);
    expect(flag.stderr).not.toMatch(/^\s+at /m);
    for (const variable of ['MINIFLINK_CONF_DIR', 'FLINK_CONF_DIR']) {
      const r = await runCli(['info', 'test/jobs/client-job.ts'], { env: { [variable]: missing } });
      expect(r.code, variable).toBe(1);
      expect(r.stderr).toContain(`The configuration directory '${missing}', specified in the '${variable}' environment variable, does not exist.`);
    }
    // A Flink 1.x configuration file: Flink 2.0 reads config.yaml only, and so does miniflink, saying so.
    const legacy = join(root, 'legacy-conf');
    mkdirSync(legacy);
    writeFileSync(join(legacy, 'flink-conf.yaml'), 'parallelism.default: 3\n');
    const r = await runCli(['info', 'test/jobs/client-job.ts'], { env: { FLINK_CONF_DIR: legacy } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${join(legacy, 'flink-conf.yaml')} is ignored: miniflink reads ${join(legacy, 'config.yaml')} only, as Flink 2.0 does.`);
    expect(r.stdout).not.toContain('"parallelism": 3');
  });
});

describe('configuration on a running cluster', () => {
  let cluster: ChildProcess;
  let base = '';
  let stderr = '';
  let stdout = '';

  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=2', 'cluster.program-capture.timeout=4 s', `web.upload.dir=${join(root, 'uploads')}`]));
    cluster.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    cluster.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  it("config - a jar run's flinkConfiguration with a value that does not parse is refused with 400 and Flink's message", async () => {
    const jar = await upload(base, 'test/jobs/client-job.ts');
    const run = await fetch(`${base}/jars/${jar}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flinkConfiguration: { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 'abc' } }),
    });
    expect(run.status).toBe(400);
    expect(((await run.json()) as { errors: string[] }).errors[0]).toContain("Could not parse value 'abc' for key 'restart-strategy.fixed-delay.attempts'.");
    expect(((await (await fetch(`${base}/jobs/overview`)).json()) as { jobs: unknown[] }).jobs).toEqual([]);
  });

  it("config - run -m names the cluster's keys it was given with -D: the running cluster keeps its own", async () => {
    const m = ['-m', base.replace('http://', '')];
    const args = ['run', ...m, '-D', 'heartbeat.timeout=1ms', '-D', 'taskmanager.numberOfTaskSlots=8', '-D', 'local.number-taskmanager=3', '-D', 'pipeline.name.extra=yes', 'test/jobs/client-job.ts', '20'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    expect(r.stderr).toContain(
      "Configuration keys 'heartbeat.timeout', 'taskmanager.numberOfTaskSlots', 'local.number-taskmanager' given with -D are the cluster's, not the job's: a job submitted to a running cluster does not take them, and the cluster keeps the values it started with.",
    );
    // The job's own key went with it, unnamed; so do the client's own (-m).
    const line = r.stderr.split('\n').find((l) => l.includes('given with -D'))!;
    expect(line).not.toContain("'pipeline.name.extra'");
    expect(line).not.toContain("'rest.address'");
    const local = await runCli(['run', '-t', 'local', '-D', 'heartbeat.timeout=1 min', 'test/jobs/client-job.ts', '20']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toContain("the cluster's, not the job's");
  });

  it("config - while one job's capture runs in the cluster, another job's warnings are printed; the capture's own output is not", async () => {
    // Run from its own folder, the hanging job reaches execute() in the client; the cluster's capture waits.
    const hangDir = join(root, 'hang');
    mkdirSync(hangDir);
    const hang = runCli(['run', '-m', base.replace('http://', ''), join(ROOT, 'test/jobs/capture-hang-job.ts'), hangDir], { cwd: hangDir });
    // Its upload is there, and its capture started right after: then the other job is submitted.
    const uploaded = async () => ((await (await fetch(`${base}/jars`)).json()) as { files: Array<{ name: string }> }).files.some((f) => f.name === 'capture-hang-job.mjs');
    for (let i = 0; i < 300 && !(await uploaded()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await uploaded()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const jar = await upload(base, 'test/jobs/exactly-once-job.ts');
    const run = fetch(`${base}/jars/${jar}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ programArgsList: [join(root, 'meanwhile-out'), '100', '-1'], flinkConfiguration: { 'taskmanager.memory.process.size': '2g' } }),
    });
    const warning = "Configuration key 'taskmanager.memory.process.size' is not implemented by miniflink and has no effect";
    for (let i = 0; i < 40 && !stderr.includes(warning); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    // Printed while the other capture still runs (it gives up only after cluster.program-capture.timeout, 4 s).
    expect(stderr).toContain(warning);
    const hung = await hang;
    expect(hung.code).toBe(1);
    expect(hung.stderr).toContain('did not reach execute() within 4000 ms (cluster.program-capture.timeout)');
    expect((await run).status).toBe(200);
    expect(stderr + stdout).not.toContain('capture-hang-job still waiting');
  });
});
