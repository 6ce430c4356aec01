/**
 * A failure after the final checkpoint with region failover (review of issue #14's failover): a
 * task of one region fails in close() or notifyCheckpointComplete once the final checkpoint
 * completed, while the other region's tasks finish. Checkpoints are not taken while a task is
 * finished, so restarting that region alone waited for a final checkpoint for good (the job hung
 * RUNNING); now everything restarts from the final checkpoint, and the job finishes with every
 * record once.
 */
import { describe, expect, it } from 'vitest';
import { explain, runCli } from '../helpers/cli.js';

const JOB = 'test/jobs/region-final-failure-job.ts';

describe('region failover after the final checkpoint', () => {
  for (const mode of ['close', 'notify']) {
    it(`region failover - a failure in ${mode === 'close' ? 'close()' : 'notifyCheckpointComplete'} after the final checkpoint, the other region finished: the job finishes, no record twice`, async () => {
      const args = ['run', '-t', 'local', '-D', 'jobmanager.execution.failover-strategy=region', JOB, mode];
      const r = await runCli(args, { timeoutMs: 30_000 });
      expect(r.code, explain(args, r)).toBe(0);
      expect(r.stdout).toMatch(/Job with JobID [0-9a-f]{32} has finished\./);
      const sums = (label: string) => [...r.stdout.matchAll(new RegExp(`^${label} attempt (\\d+): n=(\\d+) sum=(\\d+)$`, 'gm'))].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
      // Attempt 0 got every record; the restart (from the final checkpoint) gets none again.
      expect(sums('A')).toEqual([[0, 1000, 500500], [1, 0, 0]]);
      expect(sums('B')).toEqual([[0, 100, 5050], [1, 0, 0]]);
    }, 40_000);
  }
});
