/**
 * Event time through the real CLI (test/jobs/event-time-job.ts, SCRIPT in event-time-settings.ts),
 * with hand-computed expected lines. Each line is `key seq kind t wm=<watermark> [late]
 * ts=<timestamp in the keyed function>><timestamp after the rebalance>`; kind E is a record, T an
 * event-time timer (set 1000 ms after each record). The script, with a periodic watermark going out
 * in each pause:
 *
 *   a@1000 b@1500 | a@2600 b@1200 | b@4000 | a@2100 | a@6000   (then the end: Long.MAX_VALUE)
 *
 *   monotonous:  watermarks 1499, 2599, 3999 (highest - 1); b@1200 and a@2100 are late
 *   bounded 500: watermarks 999, 2099, 3499 (highest - 500 - 1); only a@2100 is late
 *   punctuated:  2500 after a@2600, 3000 after b@4000, 5000 after a@6000 (from onEvent)
 *   none:        no watermark until the end; every timer fires at Long.MAX_VALUE
 *
 * A timer set behind the watermark (a@3100, from the late a@2100) fires at the next watermark that
 * advances, as in Flink. The same lines at parallelism 1..4 on both backends; across a failure
 * restored from a checkpoint and across a savepoint restored at another parallelism the same
 * records and timers come out once each (the watermarks they saw differ: watermarks start again
 * from Long.MIN_VALUE after a restore, as in Flink). Also idle source subtasks, watermark
 * alignment, and REST's current input watermarks.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain, resultOf, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const JOB = 'test/jobs/event-time-job.ts';
const root = mkdtempSync(join(tmpdir(), 'miniflink-event-time-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MONOTONOUS = [
  'a 1 E 1000 wm=MIN ts=1000>1000',
  'a 2 E 2600 wm=1499 ts=2600>2600',
  'a 3 T 2000 wm=2599 ts=2000>2000',
  'a 4 T 3600 wm=3999 ts=3600>3600',
  'a 5 E 2100 wm=3999 late ts=2100>2100',
  'a 6 E 6000 wm=3999 ts=6000>6000',
  'a 7 T 3100 wm=MAX ts=3100>3100',
  'a 8 T 7000 wm=MAX ts=7000>7000',
  'b 1 E 1500 wm=MIN ts=1500>1500',
  'b 2 E 1200 wm=1499 late ts=1200>1200',
  'b 3 T 2200 wm=2599 ts=2200>2200',
  'b 4 T 2500 wm=2599 ts=2500>2500',
  'b 5 E 4000 wm=2599 ts=4000>4000',
  'b 6 T 5000 wm=MAX ts=5000>5000',
];
const BOUNDED = [
  'a 1 E 1000 wm=MIN ts=1000>1000',
  'a 2 E 2600 wm=999 ts=2600>2600',
  'a 3 T 2000 wm=2099 ts=2000>2000',
  'a 4 E 2100 wm=3499 late ts=2100>2100',
  'a 5 E 6000 wm=3499 ts=6000>6000',
  'a 6 T 3100 wm=MAX ts=3100>3100',
  'a 7 T 3600 wm=MAX ts=3600>3600',
  'a 8 T 7000 wm=MAX ts=7000>7000',
  'b 1 E 1500 wm=MIN ts=1500>1500',
  'b 2 E 1200 wm=999 ts=1200>1200',
  'b 3 E 4000 wm=2099 ts=4000>4000',
  'b 4 T 2200 wm=3499 ts=2200>2200',
  'b 5 T 2500 wm=3499 ts=2500>2500',
  'b 6 T 5000 wm=MAX ts=5000>5000',
];
const PUNCTUATED = [
  'a 1 E 1000 wm=MIN ts=1000>1000',
  'a 2 E 2600 wm=MIN ts=2600>2600',
  'a 3 T 2000 wm=2500 ts=2000>2000',
  'a 4 E 2100 wm=3000 late ts=2100>2100',
  'a 5 E 6000 wm=3000 ts=6000>6000',
  'a 6 T 3100 wm=5000 ts=3100>3100',
  'a 7 T 3600 wm=5000 ts=3600>3600',
  'a 8 T 7000 wm=MAX ts=7000>7000',
  'b 1 E 1500 wm=MIN ts=1500>1500',
  'b 2 T 2500 wm=2500 ts=2500>2500',
  'b 3 E 1200 wm=2500 late ts=1200>1200',
  'b 4 E 4000 wm=2500 ts=4000>4000',
  'b 5 T 2200 wm=3000 ts=2200>2200',
  'b 6 T 5000 wm=5000 ts=5000>5000',
];
const NONE = [
  'a 1 E 1000 wm=MIN ts=1000>1000',
  'a 2 E 2600 wm=MIN ts=2600>2600',
  'a 3 E 2100 wm=MIN ts=2100>2100',
  'a 4 E 6000 wm=MIN ts=6000>6000',
  'a 5 T 2000 wm=MAX ts=2000>2000',
  'a 6 T 3100 wm=MAX ts=3100>3100',
  'a 7 T 3600 wm=MAX ts=3600>3600',
  'a 8 T 7000 wm=MAX ts=7000>7000',
  'b 1 E 1500 wm=MIN ts=1500>1500',
  'b 2 E 1200 wm=MIN ts=1200>1200',
  'b 3 E 4000 wm=MIN ts=4000>4000',
  'b 4 T 2200 wm=MAX ts=2200>2200',
  'b 5 T 2500 wm=MAX ts=2500>2500',
  'b 6 T 5000 wm=MAX ts=5000>5000',
];
/** What each strategy prints: `assigner` is monotonous applied after the source, `legacy` the source emitting punctuated watermarks itself. */
const EXPECTED: Record<string, string[]> = { monotonous: MONOTONOUS, bounded: BOUNDED, punctuated: PUNCTUATED, none: NONE, assigner: MONOTONOUS, legacy: PUNCTUATED };

/** Lines in key, then sequence order (each key's lines come from one subtask, in its order). */
const ordered = (lines: string[]) =>
  [...lines].sort((x, y) => {
    const [kx, sx] = x.split(' ');
    const [ky, sy] = y.split(' ');
    return kx! < ky! ? -1 : kx! > ky! ? 1 : Number(sx) - Number(sy);
  });
/** A line without the watermark it saw (and whether it was late by it). */
const withoutWatermark = (line: string) => line.replace(/ wm=\S+( late)?/, '');

async function run(args: string[], timeoutMs = 90_000) {
  const full = ['run', '-t', 'local', ...args];
  const r = await runCli(full, { timeoutMs });
  return { r, why: explain(full, r) };
}

describe('event time', () => {
  it.concurrent.each(['monotonous', 'bounded', 'punctuated', 'none', 'assigner', 'legacy'])(
    'event time - %s: timestamps, watermarks, late records and timers as hand-computed; timestamps kept across the chain and the exchanges',
    async (strategy) => {
      const { r, why } = await run(['-p', '2', JOB, 'strategy', strategy]);
      expect(r.code, why).toBe(0);
      expect(ordered(resultOf(r) as string[]), why).toEqual(EXPECTED[strategy]);
    },
  );

  const matrix: Array<[number, string]> = [];
  for (const backend of ['hashmap', 'leveldb']) for (const p of [1, 3, 4]) matrix.push([p, backend]);
  matrix.push([2, 'leveldb']);
  it.concurrent.each(matrix)('event time - the same lines at parallelism %i on %s', async (p, backend) => {
    const { r, why } = await run(['-p', String(p), '-D', `state.backend.type=${backend}`, JOB, 'strategy', 'monotonous']);
    expect(r.code, why).toBe(0);
    expect(ordered(resultOf(r) as string[]), why).toEqual(MONOTONOUS);
  });

  it.concurrent.each([
    [2, 'hashmap', 'monotonous'],
    [3, 'leveldb', 'punctuated'],
  ])('event time - a failure at parallelism %i on %s (%s) restores from a checkpoint: every record and timer once', async (p, backend, strategy) => {
    const marker = join(root, `failed-${p}-${backend}`);
    const { r, why } = await run(['-p', String(p), '-D', `state.backend.type=${backend}`, JOB, 'strategy', strategy, 'fail', marker]);
    expect(r.code, why).toBe(0);
    expect(existsSync(marker), `the map did not fail\n${why}`).toBe(true);
    expect(ordered(resultOf(r) as string[]).map(withoutWatermark), why).toEqual(EXPECTED[strategy]!.map(withoutWatermark));
  });

  it.concurrent.each([
    [2, 'hashmap', 3, 'leveldb', 'monotonous'],
    [3, 'leveldb', 1, 'hashmap', 'bounded'],
  ])('event time - a savepoint at parallelism %i on %s restored at %i on %s (%s): pending timers fire after the restore, every record and timer once', async (p1, b1, p2, b2, strategy) => {
    const dir = join(root, `sp-${p1}-${b1}`);
    const stop = await run(['-p', String(p1), '-D', `state.backend.type=${b1}`, JOB, 'stop', dir, strategy]);
    expect(stop.r.code, stop.why).toBe(0);
    const savepoint = /SAVEPOINT (\S+)/.exec(stop.r.stdout)?.[1];
    expect(savepoint, stop.why).toBeDefined();
    const before = stop.r.stdout
      .split('\n')
      .filter((l) => / [ET] \d+ /.test(l))
      .map((l) => l.replace(/^\d+> /, ''));
    const resume = await run(['-p', String(p2), '-D', `state.backend.type=${b2}`, '-s', savepoint!, JOB, 'resume', strategy]);
    expect(resume.r.code, resume.why).toBe(0);
    const after = resultOf(resume.r) as string[];
    // Something on each side: timers set before the savepoint fire after it.
    expect(before.length, stop.why).toBeGreaterThan(0);
    expect(after.filter((l) => / T /.test(l)).length, resume.why).toBeGreaterThan(0);
    expect(ordered([...before, ...after]).map(withoutWatermark), `${stop.why}\n${resume.why}`).toEqual(EXPECTED[strategy]!.map(withoutWatermark));
  });
});

describe('sources and plans', () => {
  it('event time - fromSource with a built-in source (SequenceSource at parallelism 2): every record carries the assigned timestamp', async () => {
    const { r, why } = await run(['-p', '2', JOB, 'sequence']);
    expect(r.code, why).toBe(0);
    expect((resultOf(r) as string[]).sort(), why).toEqual(Array.from({ length: 200 }, (_, i) => `${i + 1}@${(i + 1) * 10}`).sort());
  });

  it.each([
    ['monotonous', 'Source: Script -&gt; Map'],
    ['assigner', 'Source: Script -&gt; Timestamps/Watermarks -&gt; Map'],
  ])('event time - the plan of %s: %s', async (strategy, head) => {
    const args = ['info', '-p', '2', JOB, 'strategy', strategy];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const descriptions = [...r.stdout.matchAll(/"description": "([^"]*)"/g)].map((m) => m[1]);
    expect(descriptions[0], explain(args, r)).toBe(head);
  });
});

describe('idle sources', () => {
  // Subtask 0 emits a@1000 and a@5000, then waits for the timer at 2000 to fire (up to 1.5 s),
  // then a@6000; subtask 1 emits nothing.
  it.concurrent.each([
    [
      'A: the idle subtask calls markAsTemporarilyIdle',
      'A',
      ['a 1 E 1000 wm=MIN ts=1000>1000', 'a 2 E 5000 wm=999 ts=5000>5000', 'a 3 T 2000 wm=4999 ts=2000>2000', 'a 4 E 6000 wm=4999 ts=6000>6000', 'a 5 T 6000 wm=MAX ts=6000>6000', 'a 6 T 7000 wm=MAX ts=7000>7000'],
    ],
    [
      'B: withIdleness(200 ms) marks the subtask without records idle',
      'B',
      ['a 1 E 1000 wm=MIN ts=1000>1000', 'a 2 E 5000 wm=MIN ts=5000>5000', 'a 3 T 2000 wm=4999 ts=2000>2000', 'a 4 E 6000 wm=4999 ts=6000>6000', 'a 5 T 6000 wm=MAX ts=6000>6000', 'a 6 T 7000 wm=MAX ts=7000>7000'],
    ],
    [
      'C: without idleness the silent subtask holds event time back until the end',
      'C',
      ['a 1 E 1000 wm=MIN ts=1000>1000', 'a 2 E 5000 wm=MIN ts=5000>5000', 'a 3 E 6000 wm=MIN ts=6000>6000', 'a 4 T 2000 wm=MAX ts=2000>2000', 'a 5 T 6000 wm=MAX ts=6000>6000', 'a 6 T 7000 wm=MAX ts=7000>7000'],
    ],
  ])('idle - %s', async (_what, variant, expected) => {
    const dir = join(root, `idle-${variant}`);
    mkdirSync(dir);
    const { r, why } = await run(['-p', '2', JOB, 'idle', variant, dir]);
    expect(r.code, why).toBe(0);
    // A and B: the timer at 2000 fired while the source ran (at watermark 4999), before a@6000.
    expect(ordered(resultOf(r) as string[]), why).toEqual(expected);
  });
});

describe('watermark alignment', () => {
  // Subtask 0 emits every 5 ms, subtask 1 every 20 ms, 100 ms of event time each: unaligned,
  // subtask 0 ends about 7.5 s of event time ahead; aligned (drift 500 ms, updates every 10 ms) it
  // pauses once ahead by more than the drift, and its lead stays near it.
  it.concurrent.each([
    ['on', (lead: number) => expect(lead).toBeLessThanOrEqual(2500)],
    ['off', (lead: number) => expect(lead).toBeGreaterThanOrEqual(5000)],
  ] as const)('alignment - %s: how far subtask 0 gets ahead of subtask 1', async (on, check) => {
    const dir = join(root, `align-${on}`);
    mkdirSync(dir);
    const { r, why } = await run(['-p', '2', JOB, 'align', on, dir]);
    expect(r.code, why).toBe(0);
    const lead = resultOf(r) as number;
    try {
      check(lead);
    } catch (e) {
      throw new Error(`lead ${lead}\n${why}`, { cause: e });
    }
  });
});

describe('REST watermarks', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', `web.upload.dir=${join(root, 'uploads')}`]));
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  const get = async (path: string): Promise<unknown> => (await fetch(`${base}${path}`)).json();

  it.each([
    ['monotonous', '4999'],
    ['none', '-9223372036854775808'],
  ])('rest - /jobs/:id/vertices/:vid/watermarks: each subtask’s current input watermark (%s: %s); none for the source', async (strategy, value) => {
    const gate = join(root, `gate-${strategy}`);
    const args = ['run', '-m', base.replace('http://', ''), '-d', JOB, 'rest', gate, strategy];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
    try {
      const job = (await get(`/jobs/${jobId}`)) as { vertices: Array<{ id: string; name: string; parallelism: number }> };
      const [source, keyed] = job.vertices;
      expect(await get(`/jobs/${jobId}/vertices/${source!.id}/watermarks`)).toEqual([]);
      const want = [
        { id: '0.currentInputWatermark', value },
        { id: '1.currentInputWatermark', value },
      ];
      let seen: unknown;
      for (let i = 0; i < 100; i++) {
        seen = await get(`/jobs/${jobId}/vertices/${keyed!.id}/watermarks`);
        if (JSON.stringify(seen) === JSON.stringify(want)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen).toEqual(want);
    } finally {
      writeFileSync(gate, '');
    }
    for (let i = 0; i < 100; i++) {
      const s = (await get(`/jobs/${jobId}/status`)) as { status: string };
      if (s.status === 'FINISHED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Finished: the final watermark reached every input.
    const job = (await get(`/jobs/${jobId}`)) as { vertices: Array<{ id: string }> };
    expect(await get(`/jobs/${jobId}/vertices/${job.vertices[1]!.id}/watermarks`)).toEqual([
      { id: '0.currentInputWatermark', value: '9223372036854775807' },
      { id: '1.currentInputWatermark', value: '9223372036854775807' },
    ]);
  }, 60_000);
});
