/**
 * The DataStream API end to end: real jobs through the CLI on slot threads, results checked exactly.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resultOf, runCli, runNode, ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'miniflink-jobs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => runCli(['run', '-t', 'local', ...args], { timeoutMs: 60_000 });

describe('jobs', () => {
  it('sources - elements, collection, sequence, text file and socket, each record once', async () => {
    const file = join(dir, 'lines.txt');
    writeFileSync(file, 'l1\nl2\nl3\nl4\nl5\n');
    const server = createServer((sock) => sock.end('s1\ns2\r\ns3'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const r = await run('-p', '3', 'test/jobs/sources-job.ts', file, String((server.address() as { port: number }).port));
      expect(r.code).toBe(0);
      const expected = [
        ...['a', 'b'].map((v) => `elements:${v}`),
        ...[10, 20, 30].map((v) => `collection:${v}`),
        ...[5, 6, 7, 8, 9].map((v) => `sequence:${v}`),
        ...['l1', 'l2', 'l3', 'l4', 'l5'].map((v) => `file:${v}`),
        ...['s1', 's2', 's3'].map((v) => `socket:${v}`),
      ].sort();
      expect(resultOf(r)).toEqual(expected);
    } finally {
      server.close();
    }
  });

  it('operators - flatMap, filter, map, process and the aggregations keep Flink semantics', async () => {
    const r = await run('-p', '2', 'test/jobs/operators-job.ts');
    expect(r.code).toBe(0);
    const res = resultOf(r) as Record<string, unknown>;
    expect(res.flatMap).toEqual(['AA', 'CC']);
    // sum/min/max keep the first record's other fields; minBy/maxBy return a whole record, the first on a tie.
    expect(res.sum).toEqual({ x: { shop: 'x', item: 'apple', price: 7, n: 1 }, y: { shop: 'y', item: 'pear', price: 14, n: 2 } });
    expect(res.min).toEqual({ x: { shop: 'x', item: 'apple', price: 1, n: 1 }, y: { shop: 'y', item: 'pear', price: 5, n: 2 } });
    expect(res.max).toEqual({ x: { shop: 'x', item: 'apple', price: 3, n: 1 }, y: { shop: 'y', item: 'pear', price: 9, n: 2 } });
    expect(res.minBy).toEqual({ x: { shop: 'x', item: 'plum', price: 1, n: 3 }, y: { shop: 'y', item: 'pear', price: 5, n: 2 } });
    expect(res.maxBy).toEqual({ x: { shop: 'x', item: 'apple', price: 3, n: 1 }, y: { shop: 'y', item: 'kiwi', price: 9, n: 5 } });
    expect(res.reduce).toEqual({ x: { shop: 'x', item: 'apple', price: 3, n: 12 }, y: { shop: 'y', item: 'pear', price: 5, n: 10 } });
    for (const tag of ['sum', 'min', 'max', 'minBy', 'maxBy', 'reduce']) expect(res[`${tag}Count`]).toBe(5);
  });

  it('state - ValueState, ListState and MapState per key', async () => {
    const r = await run('-p', '3', 'test/jobs/state-job.ts');
    expect(r.code).toBe(0);
    const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
    const expected: string[] = [];
    for (let u = 0; u < 5; u++) {
      const counts: Record<string, number> = {};
      let n = 0;
      for (let i = u; i < 1000; i += 5) {
        const page = `p${(i * 7) % 3}`;
        counts[page] = (counts[page] ?? 0) + 1;
        n++;
        if (n % 10 === 0) {
          const top = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
          expected.push(`${users[u]}|${n}|${n}|${top[0]}=${top[1]}`);
        }
      }
    }
    expect(resultOf(r)).toEqual(expected.sort());
  });

  it('state - timers fire (processing time while running, event time at the end of input), TTL expires, reducing and aggregating state', async () => {
    const r = await run('-p', '2', 'test/jobs/timers-ttl-job.ts');
    expect(r.code).toBe(0);
    const expected: string[] = [];
    for (const k of ['a', 'b']) {
      // Round 2 comes after the 200 ms TTL: the count starts again; sum and average do not expire.
      expected.push(`el:${k}:1:count=1:sum=1:avg=1`, `el:${k}:2:count=2:sum=3:avg=1.5`, `el:${k}:3:count=3:sum=6:avg=2`);
      expected.push(`el:${k}:2:count=1:sum=8:avg=2`, `el:${k}:4:count=2:sum=12:avg=2.4`, `el:${k}:6:count=3:sum=18:avg=3`);
      for (const ts of [1001, 1002, 1003, 1004, 1006]) expected.push(`timer:EVENT_TIME:${k}:${ts}`);
      expected.push(`timer:PROCESSING_TIME:${k}:now+50`);
    }
    expect(resultOf(r)).toEqual(expected.sort());
  });

  it('sinks - print prefixes subtasks, a RichSinkFunction writes, accumulators merge, -c picks the entry', async () => {
    const out = join(dir, 'sink.txt');
    const r = await run('-p', '2', '-c', 'main', 'test/jobs/sink-job.ts', out);
    expect(r.code).toBe(0);
    const printed = r.stdout.split('\n').filter((l) => /^\d> /.test(l));
    expect(printed.map((l) => l.slice(3)).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(new Set(printed.map((l) => l.slice(0, 1)))).toEqual(new Set(['1', '2']));
    expect(readFileSync(out, 'utf8').trim().split('\n').sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect(resultOf(r)).toEqual({ seen: 6 });
    expect(r.stdout).toContain('Accumulator Results: \n- seen (number): 6');
    expect(r.stdout).toMatch(/Job has been submitted with JobID [0-9a-f]{32}\n/);
    expect(r.stdout).toMatch(/Program execution finished\nJob with JobID [0-9a-f]{32} has finished.\nJob Runtime: \d+ ms\n/);
  });

  it('sinks - -c naming a function the module does not export fails before the module runs: no job of its own top-level code (found by a review)', async () => {
    const r = await run('-c', 'nope', 'test/jobs/args-job.ts', 'a');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("MF_ERR_INVALID_PROGRAM]: The job module");
    expect(r.stderr).toContain("has no exported function 'nope' (-c/--class)");
    expect(r.stdout).not.toContain('Job has been submitted');
  });

  it('print - no prefix at parallelism 1, primitives as String, objects as JSON', async () => {
    const r = await run('-p', '1', 'examples/word-count.ts');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{"word":"to","count":3}\n');
    expect(r.stdout).not.toMatch(/^\d> /m);
  });

  it('print - a job runs where code generation from strings is disallowed (node --disallow-code-generation-from-strings): chained outputs fall back to closures', async () => {
    const r = await runCli(['run', '-t', 'local', '-p', '1', 'examples/word-count.ts'], { env: { NODE_OPTIONS: '--disallow-code-generation-from-strings' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('{"word":"to","count":3}\n');
  });

  it('collect - a limit ends an endless job', async () => {
    const r = await run('-p', '2', 'test/jobs/unbounded-job.ts');
    expect(r.code).toBe(0);
    expect(resultOf(r)).toEqual({ n: 25, allTens: true });
  });

  it('backpressure - a slow sink slows the source down', async () => {
    const r = await run('-p', '1', 'test/jobs/backpressure-job.ts');
    expect(r.code).toBe(0);
    const took = Number(/SOURCE_TOOK (\d+)/.exec(r.stdout)?.[1]);
    // 1500 records at >= 1 ms each in the sink; unthrottled, the source would be done in a few ms.
    // The buffers between them hold at most a few hundred 1 KB records.
    expect(took).toBeGreaterThan(800);
  });

  it('threads - subtasks of one operator run on different slot threads', async () => {
    const r = await run('-p', '2', 'test/jobs/threads-job.ts');
    expect(r.code).toBe(0);
    expect(resultOf(r)).toEqual({ n: 4000, threads: 2 });
  });

  it('direct run - npx tsx job.ts and node job.mjs run on an embedded cluster', async () => {
    const tsx = await runNode([join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'examples/word-count.ts'], { timeoutMs: 60_000 });
    expect(tsx.code).toBe(0);
    expect(tsx.stdout).toMatch(/\{"word":"to","count":3\}/);
    const js = join(ROOT, 'test/.tmp');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(js, { recursive: true });
    const file = join(js, 'plain-job.mjs');
    writeFileSync(file, "import { StreamExecutionEnvironment } from 'miniflink';\nconst env = StreamExecutionEnvironment.getExecutionEnvironment();\nenv.setParallelism(2);\nconst out = await env.fromSequence(1, 100).map((x) => x * 2).executeAndCollect();\nconsole.log('SUM', out.reduce((a, b) => a + b, 0));\n");
    const node = await runNode([file], { timeoutMs: 60_000 });
    expect(node.code).toBe(0);
    expect(node.stdout).toContain('SUM 10100');
  });

  it('records - strings with a lone surrogate keep it across exchanges and in keyed state, and an own __proto__ field its name (p=1, p=2)', async () => {
    for (const p of ['1', '2']) {
      const r = await run('-p', p, 'test/jobs/odd-strings-job.ts');
      expect(r.code, `p=${p}\n${r.stderr.slice(-2000)}`).toBe(0);
      expect(resultOf(r), `p=${p}`).toEqual(['61 d800 62=61 d800 62 1', 'd800=d800 1', 'd800=d800 2', 'd800=d800 3', 'dc00=dc00 1', 'dc00=dc00 2', 'fffd=fffd 1', 'id,__proto__']);
    }
  });

  it('sinks - executeAndCollect(limit) returns once the limit arrived, also when the source then idles (no checkpoints, fewer records than a batch)', async () => {
    for (const args of [['10', '5'], ['10', '5', '100'], ['2000', '5']]) {
      const r = await run('test/jobs/collect-limit-job.ts', ...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(resultOf(r), args.join(' ')).toEqual([0, 2, 4, 6, 8]);
    }
  });
});
