/**
 * Recovery in the JobMaster, without slot threads (issue #9): an intermediate savepoint neither
 * notifies completion nor becomes the restart point (Flink 1.15+, FLINK-25191); a declined final
 * checkpoint is retried by one chain, one interval apart; the exception history keeps the newest
 * `web.exception-history-size` failures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointSettings, fixedDelay, Harness, submission } from './recovery-harness.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

/** A running job asked to stop with a savepoint (into `<root>/<dir>`): its harness, the stop's failure (if it fails), the savepoint's trigger. */
async function stopping(dir: string) {
  const h = new Harness(submission(checkpointSettings(100, join(root, dir))));
  h.jm.start();
  h.state('RUNNING');
  const failed = h.jm.stopWithSavepoint(undefined).then(
    () => undefined,
    (e: Error) => e,
  );
  await vi.advanceTimersByTimeAsync(0);
  return { h, failed, t: h.of('trigger-checkpoint').find((x) => x.kind === 'savepoint')! };
}

describe('recovery - savepoints (A4)', () => {
  it('recovery - an intermediate savepoint does not notify completion and a restart restores the latest checkpoint', async () => {
    const h = new Harness(submission(checkpointSettings(100, join(root, 'sp')), fixedDelay(3, 10)));
    h.jm.start();
    h.state('RUNNING');
    await vi.advanceTimersByTimeAsync(100);
    const [first] = h.of('trigger-checkpoint');
    expect(first).toMatchObject({ checkpointId: 1, kind: 'checkpoint' });
    h.ack(1);
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome])).toEqual([[1, 'complete']]);

    const savepoint = h.jm.triggerSavepoint(undefined);
    const spTrigger = h.of('trigger-checkpoint').find((t) => t.kind === 'savepoint')!;
    h.ack(spTrigger.checkpointId);
    expect((await savepoint).id).toBe(spTrigger.checkpointId);
    // No notifyCheckpointComplete for the savepoint.
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome])).toEqual([[1, 'complete']]);

    // A failure: the restart restores checkpoint 1, not the savepoint.
    h.state('FAILED', { name: 'Error', message: 'boom' });
    expect(h.jm.status).toBe('RESTARTING');
    await vi.advanceTimersByTimeAsync(10);
    const deploys = h.of('deploy');
    expect(deploys).toHaveLength(2);
    expect(deploys[1]!.attempt).toBe(1);
    expect(deploys[1]!.restore?.checkpointId).toBe(1);
    expect(h.jm.restored?.spec.checkpointId).toBe(1);
    h.jm.cancel();
  });

  it('recovery - an intermediate savepoint does not subsume a pending checkpoint', async () => {
    const h = new Harness(submission(checkpointSettings(100, join(root, 'sp2'))));
    h.jm.start();
    h.state('RUNNING');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.of('trigger-checkpoint').map((t) => t.checkpointId)).toEqual([1]);
    const savepoint = h.jm.triggerSavepoint(undefined);
    h.ack(2);
    await savepoint;
    // Checkpoint 1 is still pending: its acknowledgement completes it.
    expect(h.of('notify-checkpoint')).toEqual([]);
    h.ack(1);
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome])).toEqual([[1, 'complete']]);
    h.jm.cancel();
  });

  it('recovery - the savepoint of a stop still notifies completion', async () => {
    const h = new Harness(submission(checkpointSettings(100, join(root, 'sp3'))));
    h.jm.start();
    h.state('RUNNING');
    const stopped = h.jm.stopWithSavepoint(undefined);
    await vi.advanceTimersByTimeAsync(0);
    const t = h.of('trigger-checkpoint').find((x) => x.kind === 'savepoint')!;
    expect(t.stop).toBe(true);
    h.ack(t.checkpointId);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome])).toEqual([[t.checkpointId, 'complete']]);
    expect(h.of('finish-stopped')).toHaveLength(1);
    // The stop completes once its tasks ended FINISHED (Flink's stop-with-savepoint future).
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    h.state('FINISHED');
    expect((await stopped).id).toBe(t.checkpointId);
    expect(h.jm.status).toBe('FINISHED');
  });

  it('recovery - no final checkpoint starts while a stop\'s savepoint is in flight; a stop or a rescale meanwhile is refused; should the savepoint fail, the final checkpoint follows', async () => {
    const { h, failed, t } = await stopping('sp5');
    // Found by a review: a second stop, or a rescale, was accepted while the savepoint was in flight.
    await expect(h.jm.stopWithSavepoint(undefined)).rejects.toThrow(/already being stopped or rescaled/);
    await expect(h.jm.stopForRescale(join(root, 'sp5'))).rejects.toThrow(/already being rescaled or stopped: only a RUNNING job can be rescaled/);
    // Every task's input ends meanwhile: before the fix the final checkpoint started beside the
    // savepoint, and the tasks took it after the savepoint and were never notified of it.
    h.inputEnded();
    await vi.advanceTimersByTimeAsync(0);
    expect([...new Set(h.of('trigger-checkpoint').map((x) => x.checkpointId))]).toEqual([t.checkpointId]);
    // The savepoint fails: the job runs on, and its final checkpoint is taken now.
    h.decline(t.checkpointId);
    expect((await failed)?.message).toBeDefined();
    await vi.advanceTimersByTimeAsync(0);
    const final = h.of('trigger-checkpoint').filter((x) => x.checkpointId !== t.checkpointId);
    expect(final).toHaveLength(1);
    expect(final[0]!.kind).toBe('checkpoint');
    h.ack(final[0]!.checkpointId);
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome, n.final])).toEqual([
      [t.checkpointId, 'aborted', false],
      [final[0]!.checkpointId, 'complete', true],
    ]);
    h.jm.cancel();
  });

  it('recovery - a cancel after the stop\'s savepoint completed fails the stop with a message naming the savepoint (found by a review: no message said it existed)', async () => {
    const { h, failed, t } = await stopping('sp-cancel');
    h.ack(t.checkpointId);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.of('finish-stopped')).toHaveLength(1);
    h.jm.cancel();
    h.state('CANCELED');
    await vi.advanceTimersByTimeAsync(0);
    const e = await failed;
    expect(e?.message).toMatch(/The stop's savepoint .*sp-cancel.* had completed and can be restored \(run -s\)\./);
    expect((e as { code?: string } | undefined)?.code).toBe('MF_ERR_JOB_CANCELED');
  });

  it('recovery - a task failing after the stop\'s savepoint fails the stop; the job restarts from that savepoint', async () => {
    const { h, failed, t } = await stopping('sp4');
    h.ack(t.checkpointId);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.of('finish-stopped')).toHaveLength(1);
    h.state('FAILED', { name: 'Error', message: 'close failed' });
    expect((await failed)?.message).toMatch(/Inconsistent execution state after stopping with savepoint.*close failed.*The stop's savepoint .*sp4.* had completed and can be restored \(run -s\)\./);
    expect(h.jm.status).toBe('RESTARTING');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.jm.status).toBe('RUNNING');
    // The next attempt restores the stop's savepoint (its sinks committed up to it).
    const deploy = h.of('deploy').at(-1)!;
    expect(deploy.restore?.checkpointId).toBe(t.checkpointId);
  });
});

describe('recovery - checkpoint statistics', () => {
  it('recovery - a checkpoint aborted by a failover counts as failed (Flink reports every aborted checkpoint), without counting towards the tolerable failures', async () => {
    const sub = submission({ ...checkpointSettings(100), tolerableFailures: 0 }, fixedDelay(3, 10));
    const h = new Harness(sub);
    h.jm.start();
    h.state('RUNNING');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.of('trigger-checkpoint')).toHaveLength(1);
    h.state('FAILED', { name: 'Error', message: 'boom' });
    const c = h.jm.coordinator;
    expect(c.counts.failed).toBe(1);
    expect(c.failedHistory.map((f) => [f.id, f.message])).toEqual([[1, 'The job failed: boom']]);
    // One restart (the failure), none for the aborted checkpoint, though no failure is tolerable.
    expect(h.jm.status).toBe('RESTARTING');
    await vi.advanceTimersByTimeAsync(50);
    expect(h.jm.status).toBe('RUNNING');
  });
});

describe('recovery - final checkpoint (A6)', () => {
  it('recovery - a declined final checkpoint is retried by one chain, one checkpoint interval apart', async () => {
    const h = new Harness(submission(checkpointSettings(100)));
    // The subtask declines every checkpoint right away (at most 300, so a runaway retry cannot hang the test).
    let declined = 0;
    const send = h.sent.push.bind(h.sent);
    h.sent.push = (...msgs) => {
      for (const m of msgs) if (m.type === 'trigger-checkpoint' && declined++ < 300) setTimeout(() => h.decline(m.checkpointId), 0);
      return send(...msgs);
    };
    h.jm.start();
    h.state('RUNNING');
    h.inputEnded();
    expect(h.of('trigger-checkpoint')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(950);
    // The first one at 0 ms, then one every 100 ms: 100, 200, ..., 900.
    expect(h.of('trigger-checkpoint')).toHaveLength(10);
    h.jm.cancel();
  });

  it('recovery - no retry of an earlier attempt runs after a restart', async () => {
    const h = new Harness(submission(checkpointSettings(100), fixedDelay(3, 10)));
    h.jm.start();
    h.state('RUNNING');
    h.inputEnded();
    h.decline(1);
    // The task fails before the retry: the restart's attempt has not ended its input, so no final checkpoint.
    h.state('FAILED', { name: 'Error', message: 'boom' });
    await vi.advanceTimersByTimeAsync(10);
    h.state('RUNNING');
    const before = h.of('trigger-checkpoint').length;
    await vi.advanceTimersByTimeAsync(95);
    expect(h.of('trigger-checkpoint').length).toBe(before);
    h.jm.cancel();
  });
});

describe('recovery - exception history', () => {
  it('recovery - the exception history keeps the newest web.exception-history-size failures', async () => {
    const h = new Harness(submission(checkpointSettings(100), fixedDelay(10, 10)), { exceptionHistorySize: 2 });
    h.jm.start();
    for (let i = 1; i <= 3; i++) {
      h.state('RUNNING');
      h.state('FAILED', { name: 'Error', message: `failure ${i}` });
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(h.jm.failures.map((f) => f.error.message)).toEqual(['failure 2', 'failure 3']);
    h.jm.cancel();
  });

  it('recovery - failures that come while a failure of the same attempt is handled are its concurrent exceptions (a lost TaskManager is one entry)', async () => {
    const h = new Harness(submission(checkpointSettings(100), fixedDelay(3, 10)));
    h.jm.start();
    h.state('RUNNING');
    const failover = (h.jm as unknown as { failover: { onFailure(e: object, r: boolean): void } }).failover;
    failover.onFailure({ name: 'Error', message: 'slot 0 lost' }, true);
    failover.onFailure({ name: 'Error', message: 'slot 1 lost' }, true);
    expect(h.jm.failures.map((f) => [f.error.message, f.concurrent.map((c) => c.error.message)])).toEqual([['slot 0 lost', ['slot 1 lost']]]);
    // The next attempt's failure is an entry of its own.
    h.state('CANCELED');
    await vi.advanceTimersByTimeAsync(50);
    expect(h.jm.attempt).toBe(1);
    h.state('RUNNING');
    h.state('FAILED', { name: 'Error', message: 'later' });
    expect(h.jm.failures.map((f) => f.error.message)).toEqual(['slot 0 lost', 'later']);
    h.jm.cancel();
  });

  it("recovery - the exception history keeps 16 failures by default (Flink's default)", async () => {
    const h = new Harness(submission(checkpointSettings(100), fixedDelay(30, 10)));
    h.jm.start();
    for (let i = 1; i <= 20; i++) {
      h.state('RUNNING');
      h.state('FAILED', { name: 'Error', message: `failure ${i}` });
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(h.jm.failures).toHaveLength(16);
    expect(h.jm.failures[15]!.error.message).toBe('failure 20');
    h.jm.cancel();
  });
});
