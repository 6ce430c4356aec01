/**
 * Bad input gets a clear error, a non-zero exit, and no thread left running (every command here
 * must exit by itself: runCli kills and fails on a timeout).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = (...args: string[]) => runCli(['run', '-t', 'local', ...args], { timeoutMs: 30_000 });

describe('bad input', () => {
  it('bad input - a job module that does not exist', async () => {
    const r = await run('test/jobs/no-such-job.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('JAR file does not exist:');
    expect(r.stderr).toContain('no-such-job.ts');
  });

  it('bad input - a module that never calls execute()', async () => {
    const r = await run('test/jobs/bad-no-execute.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("The program didn't contain a Flink job. Perhaps you forgot to call execute() on the execution environment.");
  });

  it('bad input - a module that throws while building its graph', async () => {
    const r = await run('test/jobs/bad-throws.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The program finished with the following exception:');
    expect(r.stderr).toContain('config file missing: cannot build the pipeline');
  });

  it('bad input - parallelism 0 on the command line', async () => {
    const r = await run('-p', '0', 'test/jobs/bad-no-execute.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The parallelism must be a positive number: 0');
    expect(r.stderr).toContain('Use the help option (-h or --help) to get help on the command.');
  });

  it('bad input - parallelism above the max parallelism', async () => {
    const r = await run('-p', '8', 'test/jobs/bad-max-parallelism.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The parallelism \(8\).* must not be greater than (its|the) max parallelism \(4\)/);
  });

  it('bad input - keyBy on an undefined key fails the job with the record', async () => {
    const r = await run('test/jobs/bad-null-key.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Job execution failed.');
    expect(r.stderr).toContain('Assigned key must not be null!');
    expect(r.stderr).toContain('{"name":"b"}');
  });

  it("bad input - a user function's error reaches the user with its stack", async () => {
    const r = await run('-p', '2', 'test/jobs/bad-user-error.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Caused by: TypeError: not a price: 'abc'");
    // The stack points into the user's own file (source maps of the compiled module).
    expect(r.stderr).toMatch(/at \S*parsePrice \(.*test\/jobs\/bad-user-error\.ts:\d+:\d+\)/);
  });

  it('bad input - a graph that differs in the slot threads is refused', async () => {
    const r = await run('test/jobs/bad-mismatch.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('built a different job graph in slot thread');
    expect(r.stderr).toContain('MF_ERR_GRAPH_MISMATCH');
  });

  it('bad input - a socket that refuses to connect', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const r = await run('test/jobs/bad-socket.ts', String(port));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not connect to 127.0.0.1:${port}`);
    expect(r.stderr).toContain('ECONNREFUSED');
  });

  it('bad input - more slots than the cluster can offer names both numbers', async () => {
    const r = await run('-p', '4', '-D', 'taskmanager.numberOfTaskSlots=2', 'test/jobs/bad-user-error.ts');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs 4 task slots but the cluster offers only 2');
  });

  it('bad input - a local run reads the cluster keys a cluster reads (jobstore.*, slot.request.timeout)', async () => {
    const a = await run('-D', 'jobstore.max-capacity=many', 'test/jobs/bad-user-error.ts');
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("Could not parse value 'many' for key 'jobstore.max-capacity'");
    const b = await run('-D', 'slot.request.timeout=soon', 'test/jobs/bad-user-error.ts');
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('slot.request.timeout');
  });

  it('bad input - an unknown action and an unknown option', async () => {
    const a = await runCli(['frobnicate']);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('"frobnicate" is not a valid action.');
    const o = await runCli(['run', '--bogus', 'x.ts']);
    expect(o.code).toBe(1);
    expect(o.stderr).toContain('Unrecognized option: --bogus');
  });

  it('bad input - a jobmanager address that is not host:port, or whose port is out of range (found by a review)', async () => {
    for (const m of ['127.0.0.1:99999', 'nohost', '127.0.0.1:80x']) {
      const r = await runCli(['list', '-m', m]);
      expect(r.code, m).toBe(1);
      expect(r.stderr, m).toContain(`Invalid jobmanager address '${m}': expected host:port (a port from 1 to 65535)`);
    }
    // A REST address written as a URL is taken as its host:port.
    const url = await runCli(['list', '-m', 'http://127.0.0.1:1']);
    expect(url.stderr).toContain("Could not reach the cluster's REST endpoint at http://127.0.0.1:1:");
  });
});
