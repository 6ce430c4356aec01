/**
 * Keyed state in every function on a KeyedStream and operator state redistributed as Flink does,
 * with the book's chapter 7 examples (examples/sensors.ts) and test/jobs/keyed-state-job.ts: exact
 * results on both backends at parallelism 1..4, across a failure with restore, and across a
 * savepoint restored at another parallelism.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReadings, type SensorReading, type SensorSourceSettings } from '../../examples/sensors.js';
import { assignKeyToParallelOperator } from '../../src/core/key-groups.js';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';
import { SETTINGS } from '../jobs/keyed-state-settings.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-keyed-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const byKey = (settings: SensorSourceSettings = SETTINGS): Map<string, SensorReading[]> => {
  const m = new Map<string, SensorReading[]>();
  for (const r of allReadings(settings)) m.set(r.id, [...(m.get(r.id) ?? []), r]);
  return m;
};
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** What each mode writes, computed here from the readings. */
function expectedLines(mode: string, settings: SensorSourceSettings = SETTINGS): string[] {
  const out: string[] = [];
  for (const [id, readings] of byKey(settings)) {
    if (mode === 'alert') {
      for (let i = 1; i < readings.length; i++) {
        const d = Math.abs(readings[i]!.temperature - readings[i - 1]!.temperature);
        if (d > 1.7) out.push(`${id},${readings[i]!.temperature},${round(d, 1)}`);
      }
    } else if (mode === 'counter') {
      // The subtask's own count is checked separately (it depends on the interleaving of keys).
      let k = 0;
      for (const r of readings) if (r.temperature > 120) out.push(`${id},${++k}`);
    } else {
      const perDecile = new Map<number, number>();
      let kept = 0;
      let sum: number | undefined;
      let avgSum = 0;
      let seq = 0;
      readings.forEach((r, i) => {
        const decile = Math.floor(r.temperature / 10);
        const c = (perDecile.get(decile) ?? 0) + 1;
        perDecile.set(decile, c);
        if (c % 2 === 0) return;
        kept++;
        // The rolling reduce's first record passes as it is; later ones carry the running sum.
        sum = sum === undefined ? 0 : round(sum + r.temperature, 1);
        const t = kept === 1 ? r.temperature : sum;
        if (kept === 1) sum = 0;
        avgSum += kept;
        out.push(`${id},${i + 1},${kept},${t},${round(avgSum / kept, 3)},${++seq}`);
      });
    }
  }
  return out.sort();
}

function readParts(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0));
}

/** Checks a run's output exactly (every line once) and the source's restored state. */
function check(mode: string, dir: string, parallelism: number, restoredAt: number | undefined): void {
  const lines = readParts(dir);
  if (mode === 'counter') {
    expect(lines.map((l) => l.split(',').slice(0, 2).join(',')).sort()).toEqual(expectedLines(mode));
    if (restoredAt === undefined) {
      // Each subtask counts 1..(its keys' high readings), whichever order its keys interleave in.
      const totals = new Array<number>(parallelism).fill(0);
      for (const [id, readings] of byKey()) totals[assignKeyToParallelOperator(id, 128, parallelism)] += readings.filter((r) => r.temperature > 120).length;
      const expected = totals.flatMap((t) => Array.from({ length: t }, (_, i) => i + 1)).sort((a, b) => a - b);
      expect(lines.map((l) => Number(l.split(',')[2])).sort((a, b) => a - b)).toEqual(expected);
    }
  } else {
    expect(lines.sort()).toEqual(expectedLines(mode));
  }
  // At unchanged parallelism every source subtask gets back its own offsets and its own count; after
  // a rescale the items are cut anew, but together the subtasks hold every offset and count once.
  const restores = readdirSync(dir).filter((x) => x.startsWith('restore-'));
  let offsetSum = 0;
  let countSum = 0;
  for (const f of restores) {
    const [offsets, count] = readFileSync(join(dir, f), 'utf8').split(',').map(Number) as [number, number];
    if (restoredAt === undefined) expect(count, `${f}: restored offsets and count disagree`).toBe(offsets);
    offsetSum += offsets;
    countSum += count;
  }
  if (restoredAt !== undefined) {
    expect(restores.length).toBe(parallelism);
    expect(countSum).toBe(offsetSum);
  }
}

describe('keyed state in every keyed function, operator state as Flink redistributes it', () => {
  const cases: Array<[string, string, number]> = [];
  for (const backend of ['hashmap', 'leveldb']) {
    for (const p of [1, 2, 3, 4]) cases.push(['functions', backend, p]);
    for (const p of [1, 3]) cases.push(['alert', backend, p], ['counter', backend, p]);
  }
  it.each(cases)('keyed state - %s job on %s at parallelism %i, across a failure with restore', async (mode, backend, p) => {
    const dir = join(root, `${mode}-${backend}-${p}`);
    const args = ['run', '-t', 'local', '-p', String(p), 'test/jobs/keyed-state-job.ts', mode, dir, backend, '1'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    // The failure happened and the job restored from a checkpoint.
    expect(readdirSync(dir).filter((f) => f.startsWith('restore-')).length, explain(args, r)).toBeGreaterThan(0);
    check(mode, dir, p, undefined);
  });

  it('keyed state - a map before keyBy has no keyed state: the error says so', async () => {
    const job = join(root, 'not-keyed.ts');
    writeFileSync(
      job,
      `import { RichMapFunction, StreamExecutionEnvironment, ValueStateDescriptor } from 'miniflink';
class M extends RichMapFunction<number, number> {
  override open() { this.getRuntimeContext().getState(new ValueStateDescriptor<number>('x')); }
  map(x: number) { return x; }
}
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromElements(1, 2).map(new M()).keyBy((x) => x).map(new M()).print();
await env.execute();
`,
    );
    const r = await runCli(['run', '-t', 'local', job], { timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.");
  });
});

describe("the book's chapter 7 examples", () => {
  const settings = { partitions: 4, perPartition: 25, sensors: 3 };
  /** Printed lines without the subtask prefix, as the test job writes them. */
  const printed = (stdout: string) =>
    stdout
      .split('\n')
      .filter((l) => /^\d+> \[/.test(l))
      .map((l) => (JSON.parse(l.replace(/^\d+> /, '')) as unknown[]).join(','));
  it('examples - temperature-alert.ts: an alert per jump above 1.7 degrees of a sensor', async () => {
    const r = await runCli(['run', '-t', 'local', '-p', '2', 'examples/temperature-alert.ts'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout).sort()).toEqual(expectedLines('alert', settings));
  });
  it('examples - high-temp-counter.ts: a count per sensor and per subtask of readings above 120', async () => {
    const r = await runCli(['run', '-t', 'local', '-p', '2', 'examples/high-temp-counter.ts'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const lines = printed(r.stdout);
    expect(lines.map((l) => l.split(',').slice(0, 2).join(',')).sort()).toEqual(expectedLines('counter', settings));
    const totals = [0, 0];
    for (const [id, readings] of byKey(settings)) totals[assignKeyToParallelOperator(id, 128, 2)] += readings.filter((x) => x.temperature > 120).length;
    expect(lines.map((l) => Number(l.split(',')[2])).sort((a, b) => a - b)).toEqual(totals.flatMap((t) => Array.from({ length: t }, (_, i) => i + 1)).sort((a, b) => a - b));
  });
});

describe('keyed and operator state across a savepoint restored at another parallelism', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', `web.upload.dir=${join(root, 'uploads')}`, `execution.checkpointing.savepoint-dir=${join(root, 'savepoints')}`]));
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  for (const [mode, backend, from, to] of [
    ['counter', 'hashmap', 2, 3],
    ['functions', 'leveldb', 3, 2],
    ['alert', 'leveldb', 1, 4],
  ] as const) {
    it(`keyed state - ${mode} on ${backend}: savepoint at parallelism ${from}, restored at ${to}`, async () => {
      const m = base.replace('http://', '');
      const dir = join(root, `savepoint-${mode}-${backend}`);
      const gate = join(root, `gate-${mode}-${backend}`);
      const start = ['run', '-m', m, '-d', '-p', String(from), 'test/jobs/keyed-state-job.ts', mode, dir, backend, '0', gate];
      const r = await runCli(start);
      expect(r.code, explain(start, r)).toBe(0);
      const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
      const stop = ['stop', '-m', m, jobId];
      // The source holds at half until the gate exists: stop-with-savepoint acts on a running job.
      let s = await runCli(stop);
      for (let i = 0; i < 20 && s.code !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        s = await runCli(stop);
      }
      expect(s.code, explain(stop, s)).toBe(0);
      const savepoint = /Savepoint completed\. Path: (\S+)/.exec(s.stdout)![1]!;
      writeFileSync(gate, '');
      const resume = ['run', '-m', m, '-p', String(to), '-s', savepoint, 'test/jobs/keyed-state-job.ts', mode, dir, backend, '0', gate];
      const r2 = await runCli(resume, { timeoutMs: 60_000 });
      expect(r2.code, explain(resume, r2)).toBe(0);
      check(mode, dir, to, from);
    }, 90_000);
  }
});

describe('state values without prototype', () => {
  it('state - a dictionary without prototype in ValueState stays one across checkpoints (the copy of a value a snapshot holds made it a plain object, and the word "constructor" counted on from Object.prototype.constructor; found by a review)', async () => {
    const args = ['run', '-t', 'local', 'test/jobs/null-proto-state-job.ts', '40000'];
    const r = await runCli(args);
    expect(r.code, explain(args, r)).toBe(0);
    const line = /^RESULT (.*)$/m.exec(r.stdout);
    expect(line, explain(args, r)).not.toBeNull();
    const got = JSON.parse(line![1]!) as { proto: string; counts: Record<string, number>; checkpoints: number };
    expect(got.checkpoints, 'a checkpoint completed while the job ran').toBeGreaterThanOrEqual(1);
    expect({ proto: got.proto, counts: got.counts }).toEqual({ proto: 'null', counts: { a: 15000, b: 15000, constructor: 5000, toString: 5000 } });
  }, 60_000);
});
