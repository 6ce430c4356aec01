/**
 * The book's chapter 10 slot-sharing example (examples/slot-sharing.ts): its exact output (a
 * CoProcessFunction over readings and broadcast thresholds), and on a standalone cluster the three
 * slot-sharing groups the job shows through REST, which need 4 + 2 + 4 = 10 slots.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedAlerts } from '../../examples/slot-sharing-data.js';
import { explain, runCli } from '../helpers/cli.js';
import { startCluster, stopCluster } from '../helpers/cluster.js';

const printed = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => /^(\d+> )?sensor_/.test(l))
    .map((l) => l.replace(/^\d+> /, ''));

describe('chapter 10 slot-sharing example', () => {
  it('slot sharing example - runs locally with the exact alerts', async () => {
    const args = ['run', '-t', 'local', 'examples/slot-sharing.ts', '30'];
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.code, explain(args, r)).toBe(0);
    const want = expectedAlerts(30).sort();
    expect(want.length).toBeGreaterThan(30);
    expect(printed(r.stdout).sort(), explain(args, r)).toEqual(want);
  }, 90_000);

  describe('on a standalone cluster of 10 slots', () => {
    let cluster: ChildProcess | undefined;
    let base = '';
    beforeAll(async () => {
      ({ cluster, base } = await startCluster(['taskmanager.numberOfTaskSlots=10']));
    }, 60_000);
    afterAll(() => stopCluster(cluster));

    it('slot sharing example - three groups, each as wide as its widest operator: 10 slots in all', async () => {
      const args = ['run', '-m', base.replace('http://', ''), 'examples/slot-sharing.ts', '10'];
      const r = await runCli(args, { timeoutMs: 60_000 });
      expect(r.code, explain(args, r)).toBe(0);
      const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
      const job = (await (await fetch(`${base}/jobs/${jobId}`)).json()) as { state: string; vertices: Array<{ name: string; parallelism: number; slotSharingGroupId: string }> };
      expect(job.state).toBe('FINISHED');
      const widths = new Map<string, number>();
      for (const v of job.vertices) widths.set(v.slotSharingGroupId, Math.max(widths.get(v.slotSharingGroupId) ?? 0, v.parallelism));
      expect([...widths.values()].sort()).toEqual([2, 4, 4]);
      const byName = (n: string) => job.vertices.find((v) => v.name.includes(n))!;
      // Source a and map b share "green"; d and the sink "blue"; the thresholds are alone in "yellow".
      expect(byName('readings').slotSharingGroupId).toBe(byName('to Celsius').slotSharingGroupId);
      expect(byName('alerts').slotSharingGroupId).toBe(byName('Sink').slotSharingGroupId);
      expect(new Set([byName('readings'), byName('thresholds'), byName('alerts')].map((v) => v.slotSharingGroupId)).size).toBe(3);
      const overview = (await (await fetch(`${base}/overview`)).json()) as { 'slots-total': number };
      expect(overview['slots-total']).toBe(10);
    }, 90_000);
  });
});
