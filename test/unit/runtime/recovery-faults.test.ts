/**
 * Lost slot threads and the cancellation watchdog in the JobMaster, without slot threads (issue #9,
 * A7, A8, B1): a lost thread fails the job over under its restart strategy (before: the job failed
 * with no restart); the next attempt waits for the slot's replacement, up to slot.request.timeout;
 * a canceled task that does not end is told again every task.cancellation.interval and its slot
 * thread is terminated after task.cancellation.timeout; fault injection reaches the subtask.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkpointSettings, fixedDelay, Harness, submission } from './recovery-harness.js';
import { cancellationSettings } from '../../../src/runtime/jobmanager/cancellation.js';
import type { JobSubmission } from '../../../src/runtime/jobmanager/job-master.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-faults-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

const lost = { name: 'Error', code: 'MF_ERR_TASK_THREAD_DIED', message: 'Slot thread 0 of TaskManager tm-1 exited unexpectedly with code 3' };

/** A harness whose one slot can die and come back; kills are recorded. */
function withSlot(sub: JobSubmission, options?: object) {
  const slot = { alive: true, kills: [] as string[] };
  const h = new Harness(sub, options, { isAlive: () => slot.alive, kill: (_s, reason) => void slot.kills.push(reason) });
  return { h, slot };
}

/** The submission with task.cancellation.* set in the job's configuration. */
function withCancellation(sub: JobSubmission, interval: string, timeout: string): JobSubmission {
  return { ...sub, program: { ...sub.program, configuration: { 'task.cancellation.interval': interval, 'task.cancellation.timeout': timeout } } };
}

describe('recovery - lost slot threads (A8, B1)', () => {
  it('recovery - a lost slot thread restarts the job under its restart strategy; the next attempt waits for the replaced thread', async () => {
    const { h, slot } = withSlot(submission(checkpointSettings(100), fixedDelay(3, 10)));
    h.jm.start();
    h.state('RUNNING');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.of('trigger-checkpoint')).toHaveLength(1);
    slot.alive = false;
    h.jm.slotLost(0, lost);
    expect(h.jm.status).toBe('RESTARTING');
    // The restart aborted the pending checkpoint; the failure names the slot and its TaskManager.
    expect(h.of('notify-checkpoint').map((n) => [n.checkpointId, n.outcome])).toEqual([[1, 'aborted']]);
    expect(h.jm.failures.at(-1)).toMatchObject({ error: { message: lost.message }, task: { slot: 0, attempt: 0 } });
    await vi.advanceTimersByTimeAsync(50);
    // Attempt 1 waits: its slot's thread is dead.
    expect(h.jm.status).toBe('RUNNING');
    expect(h.jm.attempt).toBe(1);
    expect(h.of('deploy')).toHaveLength(1);
    expect([...h.jm.subtasks.values()].map((s) => s.state)).toEqual(['SCHEDULED']);
    slot.alive = true;
    h.jm.slotRestored(0);
    expect(h.of('deploy').map((d) => d.attempt)).toEqual([0, 1]);
    h.jm.cancel();
  });

  it('recovery - lost slot threads count toward the restart strategy like any failure', async () => {
    const { h } = withSlot(submission(checkpointSettings(100), fixedDelay(1, 10)));
    h.jm.start();
    h.state('RUNNING');
    h.jm.slotLost(0, lost);
    await vi.advanceTimersByTimeAsync(10);
    h.state('RUNNING');
    h.jm.slotLost(0, lost);
    expect(h.jm.status).toBe('FAILED');
    await expect(h.jm.result()).rejects.toThrow('Job execution failed.');
  });

  it('recovery - an attempt whose slot thread is not replaced within slot.request.timeout fails the job (NoResourceAvailableException)', async () => {
    const { h, slot } = withSlot(submission(checkpointSettings(100), fixedDelay(3, 10)), { slotRequestTimeoutMs: 1000 });
    h.jm.start();
    h.state('RUNNING');
    slot.alive = false;
    h.jm.slotLost(0, lost);
    await vi.advanceTimersByTimeAsync(10);
    expect(h.jm.status).toBe('RUNNING');
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.jm.status).toBe('FAILED');
    expect(h.jm.failure).toMatchObject({ name: 'NoResourceAvailableException' });
  });

  it('recovery - a job canceled while it waits for its slot thread ends CANCELED at once', async () => {
    const { h, slot } = withSlot(submission(checkpointSettings(100), fixedDelay(3, 10)));
    h.jm.start();
    h.state('RUNNING');
    slot.alive = false;
    h.jm.slotLost(0, lost);
    await vi.advanceTimersByTimeAsync(10);
    h.jm.cancel();
    expect(h.jm.status).toBe('CANCELED');
  });

  it('recovery - a lost thread of a subtask being canceled ends it CANCELED: the job ends CANCELED', async () => {
    const { h } = withSlot(submission(checkpointSettings(100)));
    h.jm.start();
    h.state('RUNNING');
    h.jm.cancel();
    expect(h.jm.status).toBe('CANCELLING');
    h.jm.slotLost(0, lost);
    expect(h.jm.status).toBe('CANCELED');
    expect([...h.jm.subtasks.values()].map((s) => s.state)).toEqual(['CANCELED']);
  });
});

describe('recovery - cancellation watchdog (A7)', () => {
  it("recovery - task.cancellation.* default to Flink's 30 s and 180 s; 0 disables the timeout", () => {
    expect(cancellationSettings({})).toEqual({ intervalMs: 30_000, timeoutMs: 180_000 });
    expect(cancellationSettings({ 'task.cancellation.interval': '500 ms', 'task.cancellation.timeout': '0' })).toEqual({ intervalMs: 500, timeoutMs: 0 });
  });

  it('recovery - a canceled task that does not end is told again every interval, then its slot thread is terminated', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { h, slot } = withSlot(withCancellation(submission(checkpointSettings(100)), '500ms', '2s'));
      h.jm.start();
      h.state('RUNNING');
      h.jm.cancel();
      expect(h.of('cancel')).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1600);
      expect(h.of('cancel')).toHaveLength(4);
      expect(warn.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('did not react to cancelling'))).toHaveLength(3);
      expect(slot.kills).toEqual([]);
      await vi.advanceTimersByTimeAsync(400);
      expect(slot.kills).toHaveLength(1);
      expect(slot.kills[0]).toContain('task.cancellation.timeout (2000 ms)');
      // The cluster reports the thread lost: the job ends CANCELED, and the watchdog stops.
      h.jm.slotLost(0, { name: 'Error', code: 'MF_ERR_TASK_THREAD_DIED', message: `Slot thread 0 was terminated: ${slot.kills[0]}` });
      expect(h.jm.status).toBe('CANCELED');
      const sent = h.of('cancel').length;
      await vi.advanceTimersByTimeAsync(5000);
      expect(h.of('cancel')).toHaveLength(sent);
      expect(slot.kills).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('recovery - a task that ends in time stops the watchdog; a timeout of 0 never terminates a thread', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { h, slot } = withSlot(withCancellation(submission(checkpointSettings(100)), '500ms', '0'));
      h.jm.start();
      h.state('RUNNING');
      h.jm.cancel();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(slot.kills).toEqual([]);
      expect(h.of('cancel').length).toBeGreaterThan(10);
      h.state('CANCELED');
      expect(h.jm.status).toBe('CANCELED');
      const sent = h.of('cancel').length;
      await vi.advanceTimersByTimeAsync(5000);
      expect(h.of('cancel')).toHaveLength(sent);
    } finally {
      warn.mockRestore();
    }
  });

  it("recovery - a stop whose tasks do not end after its savepoint is watched too: finish-stopped again, then the thread is terminated", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { h, slot } = withSlot(withCancellation(submission(checkpointSettings(100, join(root, 'sp'))), '1s', '3s'));
      h.jm.start();
      h.state('RUNNING');
      const stopped = h.jm.stopWithSavepoint(undefined);
      // The stop completes only when its tasks ended: here they never do (the test ends first).
      stopped.catch(() => {});
      await vi.advanceTimersByTimeAsync(0);
      h.ack(h.of('trigger-checkpoint').find((x) => x.kind === 'savepoint')!.checkpointId);
      await vi.advanceTimersByTimeAsync(0);
      expect(h.of('finish-stopped')).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(3000);
      expect(h.of('finish-stopped').length).toBeGreaterThanOrEqual(3);
      expect(slot.kills).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('recovery - the cancellation of the tasks during a failover is watched too; the restart waits for the replaced thread', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const sub = withCancellation(submission(checkpointSettings(100), fixedDelay(3, 10)), '1s', '2s');
      const { h, slot } = withSlot(sub);
      h.jm.start();
      h.state('RUNNING');
      // A global failure: the running subtask is canceled for the restart, and does not end.
      (h.jm as unknown as { failover: { onFailure(e: object, r: boolean): void } }).failover.onFailure({ name: 'Error', message: 'global failure' }, true);
      expect(h.jm.status).toBe('RESTARTING');
      await vi.advanceTimersByTimeAsync(2000);
      expect(slot.kills).toHaveLength(1);
      slot.alive = false;
      h.jm.slotLost(0, { name: 'Error', code: 'MF_ERR_TASK_THREAD_DIED', message: 'terminated' });
      await vi.advanceTimersByTimeAsync(10);
      expect(h.jm.attempt).toBe(1);
      expect(h.of('deploy')).toHaveLength(1);
      slot.alive = true;
      h.jm.slotRestored(0);
      expect(h.of('deploy')).toHaveLength(2);
      h.jm.cancel();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('recovery - fault injection', () => {
  it('recovery - injectSubtaskFailure sends the failure to the subtask and names it; unknown subtasks and jobs not RUNNING are refused', () => {
    const { h } = withSlot(submission(checkpointSettings(100)));
    h.jm.start();
    expect(() => h.jm.injectSubtaskFailure(h.vertexId, 0)).toThrow(/DEPLOYING/);
    h.state('RUNNING');
    expect(() => h.jm.injectSubtaskFailure('nope', 0)).toThrow(/no vertex nope/);
    expect(() => h.jm.injectSubtaskFailure(h.vertexId, 1)).toThrow(/out of range/);
    const done = h.jm.injectSubtaskFailure(h.vertexId, 0);
    expect(done).toMatchObject({ vertexId: h.vertexId, subtaskIndex: 0, attempt: 0 });
    expect(done.taskName).toMatch(/\(1\/1\)#0$/);
    expect(h.of('inject-failure')).toEqual([expect.objectContaining({ vertexId: h.vertexId, subtaskIndex: 0, attempt: 0, message: expect.stringContaining('fault injection') })]);
    h.jm.cancel();
    expect(() => h.jm.injectSubtaskFailure(h.vertexId, 0)).toThrow(expect.objectContaining({ code: 'MF_ERR_INVALID_ARGUMENT' }));
  });

  it('recovery - injectCheckpointFaults defaults to subtask 0 of the first vertex', () => {
    const { h } = withSlot(submission(checkpointSettings(100)));
    h.jm.start();
    h.state('RUNNING');
    expect(h.jm.injectCheckpointFaults('stall', 2)).toEqual({ kind: 'stall', count: 2, vertexId: h.vertexId, subtaskIndex: 0 });
    expect(h.of('inject-checkpoint-fault')).toEqual([expect.objectContaining({ kind: 'stall', count: 2, vertexId: h.vertexId, subtaskIndex: 0 })]);
    expect(() => h.jm.injectCheckpointFaults('fail', 0)).toThrow(/positive integer/);
    h.jm.cancel();
  });
});
