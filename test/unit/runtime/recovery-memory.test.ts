/**
 * What the JobManager and the data plane keep (issue #9, A11): the coordinator's history holds
 * statistics only, never a checkpoint's state; the dispatcher evicts finished jobs as Flink's job
 * store does (`jobstore.max-capacity`, `jobstore.expiration-time`); a slot thread's transport frees
 * the messages of a released job attempt, also those that arrive after the release.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointCoordinator, type CheckpointTaskGateway, type StateHandle } from '../../../src/checkpoint/index.js';
import { ManualClock } from '../../../src/core/clock.js';
import { Dispatcher, dispatcherOptions } from '../../../src/runtime/jobmanager/dispatcher.js';
import { Transport } from '../../../src/runtime/network/transport.js';
import type { ToSlot } from '../../../src/runtime/protocol.js';
import { checkpointSettings, submission } from './recovery-harness.js';

describe('recovery - checkpoint history (A11)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('recovery - the history keeps the statistics of the last 10 checkpoints, without their state; the latest keeps its state for restore', () => {
    const sub = submission(checkpointSettings(100));
    const task = { vertexId: sub.job.vertices[0]!.id, subtaskIndex: 0 };
    const gateway: CheckpointTaskGateway = { allRunning: () => true, tasksToTrigger: () => [task], allTasks: () => [task], trigger: () => {}, allInputEnded: () => false, notify: () => {}, failJob: () => {} };
    const c = new CheckpointCoordinator(sub.jobId, sub.job, new Map(), sub.checkpoints, gateway);
    const operatorId = sub.job.vertices[0]!.operators[0]!.operatorId;
    for (let id = 1; id <= 12; id++) {
      void c.trigger('checkpoint', undefined);
      const handle = { operatorId, subtaskIndex: 0, size: 1000, rawSize: 1000, inline: new Uint8Array(1000) } as unknown as StateHandle;
      c.acknowledge(id, task, [handle]);
    }
    expect(c.history.map((h) => h.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const h of c.history) {
      expect(h).not.toHaveProperty('metadata');
      expect(h).toMatchObject({ kind: 'checkpoint', stateSize: 1000 });
    }
    expect(c.latest?.id).toBe(12);
    expect(c.latest?.metadata.operators.find((o) => o.operatorId === operatorId)?.handles).toHaveLength(1);
  });
});

describe('recovery - job store (A11)', () => {
  const sent: ToSlot[] = [];
  const cluster = { totalSlots: 4, send: (_slot: number, msg: ToSlot) => void sent.push(msg), isAlive: () => true, kill: () => {} };

  /** Submits a job and cancels it: its one subtask reports CANCELED. */
  function runAndCancel(d: Dispatcher, jobId: string): void {
    const jm = d.submitJob({ ...submission(checkpointSettings(100)), jobId });
    jm.cancel();
    jm.handle({ type: 'task-state', jobId, attempt: 0, vertexId: jm.submission.job.vertices[0]!.id, subtaskIndex: 0, state: 'CANCELED' }, 0);
    expect(jm.status).toBe('CANCELED');
  }

  const ids = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32), '4'.repeat(32)];

  it("recovery - jobstore options are read as Flink's: defaults Integer.MAX_VALUE jobs and 3600 s; exception history 16", () => {
    expect(dispatcherOptions({})).toEqual({ slotRequestTimeoutMs: 300_000, jobStoreMaxCapacity: 2147483647, jobStoreExpirationMs: 3_600_000, exceptionHistorySize: 16 });
    expect(dispatcherOptions({ 'jobstore.max-capacity': '3', 'jobstore.expiration-time': '60', 'web.exception-history-size': '5', 'slot.request.timeout': '1 s' })).toEqual({
      slotRequestTimeoutMs: 1000,
      jobStoreMaxCapacity: 3,
      jobStoreExpirationMs: 60_000,
      exceptionHistorySize: 5,
    });
    expect(() => dispatcherOptions({ 'jobstore.max-capacity': '-1' })).toThrow("Could not parse value '-1' for key 'jobstore.max-capacity'");
    expect(() => dispatcherOptions({ 'jobstore.expiration-time': '1 h' })).toThrow("Could not parse value '1 h' for key 'jobstore.expiration-time'");
  });

  it('recovery - jobstore.max-capacity: the oldest finished jobs are evicted beyond it; running jobs are never evicted', () => {
    const clock = new ManualClock(1_000);
    const d = new Dispatcher(cluster, clock, { jobStoreMaxCapacity: 2 });
    const running = d.submitJob({ ...submission(checkpointSettings(100)), jobId: 'f'.repeat(32) });
    for (const id of ids.slice(0, 3)) {
      runAndCancel(d, id);
      clock.advance(10);
    }
    expect(d.listJobs().map((j) => j.jobId)).toEqual([running.jobId, ids[1], ids[2]]);
    expect(() => d.getJob(ids[0]!)).toThrow(`Job ${ids[0]} not found`);
    d.close();
  });

  it('recovery - jobstore.expiration-time: a finished job is evicted once it ended longer ago than that', () => {
    const clock = new ManualClock(1_000);
    const d = new Dispatcher(cluster, clock, { jobStoreExpirationMs: 60_000 });
    runAndCancel(d, ids[0]!);
    clock.advance(30_000);
    runAndCancel(d, ids[1]!);
    clock.advance(30_000);
    expect(d.listJobs().map((j) => j.jobId)).toEqual([ids[0], ids[1]]);
    clock.advance(1);
    expect(d.listJobs().map((j) => j.jobId)).toEqual([ids[1]]);
    expect(() => d.getJob(ids[0]!)).toThrow('not found');
    clock.advance(30_000);
    expect(d.listJobs()).toEqual([]);
    d.close();
  });

  it('recovery - the dispatcher passes web.exception-history-size to its jobs', async () => {
    vi.useFakeTimers();
    try {
      const d = new Dispatcher(cluster, new ManualClock(), { exceptionHistorySize: 1 });
      const jm = d.submitJob({ ...submission(checkpointSettings(100)), jobId: ids[3]! });
      const vertexId = jm.submission.job.vertices[0]!.id;
      for (const message of ['one', 'two']) {
        jm.handle({ type: 'task-state', jobId: jm.jobId, attempt: jm.attempt, vertexId, subtaskIndex: 0, state: 'RUNNING' }, 0);
        jm.handle({ type: 'task-state', jobId: jm.jobId, attempt: jm.attempt, vertexId, subtaskIndex: 0, state: 'FAILED', error: { name: 'Error', message } }, 0);
        await vi.advanceTimersByTimeAsync(10);
      }
      expect(jm.attempt).toBe(2);
      expect(jm.failures.map((f) => f.error.message)).toEqual(['two']);
      d.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('recovery - transport (A11)', () => {
  const buf = (ch: string) => ({ t: 'buf' as const, ch, bytes: new Uint8Array(4) });

  it('recovery - messages parked for a channel are freed when its attempt is released, and later ones are not parked', () => {
    const t = new Transport(0, new Map());
    t.send(0, buf('job1/0/1/0/0'));
    t.send(0, buf('job1/1/1/0/0'));
    expect(t.parkedMessages).toBe(2);
    t.release('job1/0/');
    expect(t.parkedMessages).toBe(1);
    // A message of the released attempt still in flight arrives after the release: dropped.
    t.send(0, buf('job1/0/1/0/0'));
    t.send(0, { t: 'credit', ch: 'job1/0/1/0/0', n: 1 });
    expect(t.parkedMessages).toBe(1);
    // The next attempt's messages still wait for their channel, and are delivered on registration.
    const got: unknown[] = [];
    t.register('in:job1/1/1/0/0', { deliver: (m) => got.push(m) });
    expect(got).toHaveLength(1);
    expect(t.parkedMessages).toBe(0);
    // Another job with a name that starts alike is not affected.
    t.send(0, buf('job10/0/1/0/0'));
    expect(t.parkedMessages).toBe(1);
  });

  it('recovery - a job id used again after its release starts over: its channels register and get their messages', () => {
    const t = new Transport(0, new Map());
    t.release('job3/0/');
    const got: unknown[] = [];
    t.register('in:job3/0/1/0/0', { deliver: (m) => got.push(m) });
    t.send(0, buf('job3/0/1/0/0'));
    t.send(0, buf('job3/0/2/0/0'));
    expect(got).toHaveLength(1);
    expect(t.parkedMessages).toBe(1);
  });

  it('recovery - a deployment of a later attempt drops messages of earlier attempts, except those other regions still run', () => {
    const t = new Transport(0, new Map());
    t.deployed('job2', 3, [1]);
    t.send(0, buf('job2/0/1/0/0'));
    t.send(0, buf('job2/2/1/0/0'));
    expect(t.parkedMessages).toBe(0);
    // Attempt 1 still runs (another region): its messages wait for their channel.
    t.send(0, buf('job2/1/1/0/0'));
    t.send(0, buf('job2/3/1/0/0'));
    expect(t.parkedMessages).toBe(2);
    // Released later (that region restarted): dropped, and so are later ones.
    t.release('job2/1/');
    expect(t.parkedMessages).toBe(1);
    t.send(0, buf('job2/1/1/0/0'));
    expect(t.parkedMessages).toBe(1);
  });

  it('recovery - releasing one attempt keeps an earlier attempt that another region still runs', () => {
    const t = new Transport(0, new Map());
    t.release('job4/3/');
    t.send(0, buf('job4/1/1/0/0'));
    expect(t.parkedMessages).toBe(1);
    t.send(0, buf('job4/3/1/0/0'));
    expect(t.parkedMessages).toBe(1);
  });

  it('recovery - releasing a region\'s channels drops their late messages, not the attempt\'s others', () => {
    const t = new Transport(0, new Map());
    t.send(0, buf('job5/0/1/0/0'));
    t.send(0, buf('job5/0/2/1/1'));
    t.releaseChannels(['job5/0/1/0/0']);
    expect(t.parkedMessages).toBe(1);
    t.send(0, buf('job5/0/1/0/0'));
    t.send(0, buf('job5/0/2/1/1'));
    expect(t.parkedMessages).toBe(2);
  });
});
