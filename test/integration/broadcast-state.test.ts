/**
 * Broadcast state (test/jobs/broadcast-job.ts): BroadcastProcessFunction and
 * KeyedBroadcastProcessFunction with read-only broadcast state on the data side, keyed state and
 * timers on the keyed side, applyToKeyedState, checkpointed and restored at any parallelism, on
 * both backends. Every result is exact.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReadings } from '../../examples/sensors.js';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';
import { BROADCAST_SETTINGS as SETTINGS, RULES } from '../jobs/broadcast-settings.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-broadcast-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const finalThreshold = (partition: number) => RULES.filter((r) => r.partition === partition).at(-1)!.threshold;

function expected(mode: string): string[] {
  const readings = allReadings(SETTINGS);
  if (mode === 'plain') return readings.map((r) => `${r.id},${r.timestamp},${finalThreshold(Number(r.id.split('_')[1]))}`).sort();
  const byKey = new Map<string, number[]>();
  for (const r of readings) byKey.set(r.id, [...(byKey.get(r.id) ?? []), r.temperature]);
  const out = [...byKey].map(([id, temps]) => {
    const threshold = finalThreshold(Number(id.split('_')[1]));
    return `${id},${temps.filter((t) => t > threshold).length},${threshold},${temps.length}`;
  });
  if (mode === 'report') out.push(...[...byKey].map(([id, temps]) => `report,${id},${temps.length}`));
  return out.sort();
}

function lines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0))
    .sort();
}

describe('broadcast state', () => {
  const cases: Array<[string, string, number, string]> = [];
  for (const backend of ['hashmap', 'leveldb']) {
    for (const p of [1, 2, 3, 4]) cases.push(['keyed', backend, p, '1'], ['plain', backend, p, '1']);
    cases.push(['report', backend, 3, '0']);
  }
  it.each(cases)('broadcast - %s on %s at parallelism %i (fail once: %s)', async (mode, backend, p, fail) => {
    const dir = join(root, `${mode}-${backend}-${p}`);
    const args = ['run', '-t', 'local', '-p', String(p), 'test/jobs/broadcast-job.ts', mode, dir, backend, fail, `${dir}-markers`];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    expect(lines(dir)).toEqual(expected(mode));
    // The failure happened: what came after it was restored from a checkpoint.
    if (fail === '1') expect(readdirSync(`${dir}-markers`)).toContain('failed');
  });
});

describe('broadcast state across a savepoint restored at another parallelism', () => {
  let cluster: ChildProcess | undefined;
  let base = '';
  beforeAll(async () => {
    ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=4', `web.upload.dir=${join(root, 'uploads')}`, `execution.checkpointing.savepoint-dir=${join(root, 'savepoints')}`]));
  }, 60_000);
  afterAll(() => stopCluster(cluster));

  for (const [mode, backend, from, to] of [
    ['keyed', 'leveldb', 3, 2],
    ['plain', 'hashmap', 2, 4],
  ] as const) {
    it(`broadcast - ${mode} on ${backend}: savepoint at parallelism ${from}, restored at ${to}`, async () => {
      const m = base.replace('http://', '');
      const dir = join(root, `savepoint-${mode}-${backend}`);
      const markers = `${dir}-markers`;
      const gate = `${dir}-gate`;
      const start = ['run', '-m', m, '-d', '-p', String(from), 'test/jobs/broadcast-job.ts', mode, dir, backend, '0', markers, gate];
      const r = await runCli(start);
      expect(r.code, explain(start, r)).toBe(0);
      const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
      // The readings hold at half until the gate exists: stop-with-savepoint acts on a running job.
      const stop = ['stop', '-m', m, jobId];
      let s = await runCli(stop);
      for (let i = 0; i < 20 && s.code !== 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        s = await runCli(stop);
      }
      expect(s.code, explain(stop, s)).toBe(0);
      const savepoint = /Savepoint completed\. Path: (\S+)/.exec(s.stdout)![1]!;
      writeFileSync(gate, '');
      const resume = ['run', '-m', m, '-p', String(to), '-s', savepoint, 'test/jobs/broadcast-job.ts', mode, dir, backend, '0', markers, gate];
      const r2 = await runCli(resume, { timeoutMs: 60_000 });
      expect(r2.code, explain(resume, r2)).toBe(0);
      expect(lines(dir)).toEqual(expected(mode));
    }, 90_000);
  }
});
