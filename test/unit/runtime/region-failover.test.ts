/**
 * Region failover in the JobMaster, without slot threads (issue #14): a job of two disconnected
 * pipelines (two pipelined regions) restarts only the region of a failed subtask, as a new attempt
 * from the latest checkpoint, while the other region runs on; its cancel and release name the
 * region's tasks in an attempt the other region still runs; a failure of the other region while
 * one restarts joins the restart and counts for the restart strategy; the full strategy, a global
 * failure and a lost slot thread of both regions restart everything.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../../../src/core/clock.js';
import { JobMaster, type JobSubmission } from '../../../src/runtime/jobmanager/job-master.js';
import type { ToSlot } from '../../../src/runtime/protocol.js';
import { discard, id, jobGraphOf, newEnv } from '../graph/fixtures.js';
import { checkpointSettings, fixedDelay } from './recovery-harness.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

/** Two pipelines at parallelism 2, each `fromSequence -> keyBy -> map -> sink`: two regions of 4 subtasks. */
function twoRegions(configuration: Record<string, string> = {}, attempts = 10): JobSubmission {
  const env = newEnv({ parallelism: 2 });
  for (const name of ['left', 'right']) env.fromSequence(1, 10).name(`${name} source`).keyBy((x) => x % 2).map(id).name(`${name} map`).addSink(discard);
  return {
    jobId: 'b'.repeat(32),
    job: jobGraphOf(env),
    program: { path: '/nowhere.js', args: [], configuration },
    objectReuse: false,
    bufferTimeout: 100,
    localByReference: false,
    collectLimits: new Map(),
    checkpoints: checkpointSettings(100),
    restartStrategy: fixedDelay(attempts, 10),
    operators: new Map(),
    restore: undefined,
    stateBackend: 'hashmap',
    restartStrategyText: 'test',
  };
}

class Harness {
  readonly sent: Array<{ slot: number; msg: ToSlot }> = [];
  readonly jm: JobMaster;
  constructor(readonly sub: JobSubmission) {
    const placement = Object.fromEntries(sub.job.vertices.map((v) => [v.id, [0, 1]]));
    const ctor = JobMaster as unknown as new (...args: unknown[]) => JobMaster;
    this.jm = new ctor(sub, placement, { send: (slot: number, msg: ToSlot) => this.sent.push({ slot, msg }) }, SystemClock, {});
  }
  vertex(name: string): string {
    return this.sub.job.vertices.find((v) => v.name.includes(name))!.id;
  }
  /** The vertex ids of one pipeline. */
  pipeline(name: string): string[] {
    return this.sub.job.vertices.filter((v) => v.name.includes(name)).map((v) => v.id);
  }
  of<T extends ToSlot['type']>(type: T): Array<Extract<ToSlot, { type: T }> & { slot: number }> {
    return this.sent.filter((m) => m.msg.type === type).map((m) => ({ ...(m.msg as Extract<ToSlot, { type: T }>), slot: m.slot }));
  }
  clear(): void {
    this.sent.length = 0;
  }
  state(vertexId: string, index: number, state: 'RUNNING' | 'FAILED' | 'CANCELED' | 'FINISHED', attempt?: number): void {
    const a = attempt ?? this.jm.subtaskAttempt(vertexId, index)!;
    this.jm.handle({ type: 'task-state', jobId: this.jm.jobId, attempt: a, vertexId, subtaskIndex: index, state, ...(state === 'FAILED' ? { error: { name: 'Error', message: `boom ${vertexId}/${index}` } } : {}) }, index);
  }
  /** Every subtask of the vertices given reports a state (its current attempt). */
  all(vertices: string[], state: 'RUNNING' | 'CANCELED' | 'FINISHED'): void {
    for (const v of vertices) for (const i of [0, 1]) if (!['FAILED', 'CANCELED', 'FINISHED'].includes(this.jm.subtasks.get(`${v}/${i}`)!.state) || state === 'RUNNING') this.state(v, i, state);
  }
  attempts(vertices: string[]): number[] {
    return vertices.flatMap((v) => [0, 1].map((i) => this.jm.subtaskAttempt(v, i)!));
  }
  ackAll(checkpointId: number): void {
    for (const s of this.jm.subtasks.values()) {
      this.jm.handle({ type: 'checkpoint-ack', jobId: this.jm.jobId, attempt: s.attempt, checkpointId, vertexId: s.vertexId, subtaskIndex: s.index, handles: [], syncMs: 0, asyncMs: 0, alignmentMs: 0, startDelayMs: 0 }, s.slot);
    }
  }
}

describe('region failover', () => {
  it('regions - a failed subtask restarts its region only, from the latest checkpoint, while the other region runs on', async () => {
    const h = new Harness(twoRegions());
    const left = h.pipeline('left');
    const right = h.pipeline('right');
    h.jm.start();
    h.all([...left, ...right], 'RUNNING');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.of('trigger-checkpoint').map((t) => t.checkpointId)).toContain(1);
    h.ackAll(1);
    h.clear();

    h.state(h.vertex('left map'), 1, 'FAILED');
    expect(h.jm.status).toBe('RESTARTING');
    // Only the left region's subtasks are canceled, named, in attempt 0 that the right region still runs.
    const cancels = h.of('cancel');
    expect(cancels.every((c) => c.attempt === 0 && c.tasks !== undefined)).toBe(true);
    expect(cancels.flatMap((c) => c.tasks!.map((t) => t.vertexId)).every((v) => left.includes(v))).toBe(true);
    expect(cancels.flatMap((c) => c.tasks!).length).toBe(3);
    expect([...h.jm.subtasks.values()].filter((s) => right.includes(s.vertexId)).every((s) => s.state === 'RUNNING')).toBe(true);

    h.all(left, 'CANCELED');
    // Released by name too; the restart waits for the backoff.
    expect(h.of('release').every((r) => r.attempt === 0 && r.tasks !== undefined && r.tasks.every((t) => left.includes(t.vertexId)))).toBe(true);
    expect(h.of('deploy')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(10);
    const deploys = h.of('deploy');
    expect(deploys.map((d) => d.slot).sort()).toEqual([0, 1]);
    expect(deploys.every((d) => d.attempt === 1 && d.restore?.checkpointId === 1 && d.tasks.every((t) => left.includes(t.vertexId)))).toBe(true);
    expect(h.jm.status).toBe('RUNNING');
    expect(h.attempts(left)).toEqual([1, 1, 1, 1]);
    expect(h.attempts(right)).toEqual([0, 0, 0, 0]);
    expect(h.jm.restarts).toBe(1);
    expect(h.jm.failures).toHaveLength(1);
    expect(h.jm.failures[0]!.task).toMatchObject({ vertexId: h.vertex('left map'), subtaskIndex: 1, attempt: 0 });

    // A stale report of the left region's old attempt changes nothing; the new one counts.
    h.state(h.vertex('left map'), 0, 'FAILED', 0);
    expect(h.jm.status).toBe('RUNNING');
    h.all(left, 'RUNNING');
    // Checkpoints trigger each source in its own attempt.
    h.clear();
    await vi.advanceTimersByTimeAsync(200);
    const triggers = h.of('trigger-checkpoint');
    expect(new Set(triggers.map((t) => t.attempt))).toEqual(new Set([0, 1]));
    for (const t of triggers) for (const d of t.tasks) expect(h.jm.subtaskAttempt(d.vertexId, d.subtaskIndex)).toBe(t.attempt);
    h.all([...left, ...right], 'FINISHED');
    expect(h.jm.status).toBe('FINISHED');
  });

  it('regions - the other region failing while one restarts joins the restart and counts as a failure', async () => {
    const sub = twoRegions({}, 1);
    const h = new Harness(sub);
    const left = h.pipeline('left');
    const right = h.pipeline('right');
    h.jm.start();
    h.all([...left, ...right], 'RUNNING');
    h.state(h.vertex('left source'), 0, 'FAILED');
    expect(h.jm.status).toBe('RESTARTING');
    h.all(left, 'CANCELED');
    // Before the backoff passes, the right region fails: the restart strategy (1 restart) gives up.
    h.state(h.vertex('right source'), 1, 'FAILED');
    expect(h.jm.status).toBe('FAILING');
    h.all(right, 'CANCELED');
    expect(h.jm.status).toBe('FAILED');
    expect(h.jm.failures.map((f) => f.task?.vertexId)).toEqual([h.vertex('left source'), h.vertex('right source')]);
  });

  it('regions - with restarts left, the other region joins and both restart as one new attempt', async () => {
    const h = new Harness(twoRegions());
    const left = h.pipeline('left');
    const right = h.pipeline('right');
    h.jm.start();
    h.all([...left, ...right], 'RUNNING');
    h.state(h.vertex('left source'), 0, 'FAILED');
    h.all(left, 'CANCELED');
    h.state(h.vertex('right map'), 0, 'FAILED');
    expect(h.jm.status).toBe('RESTARTING');
    // The left restart waits for the right region's subtasks to end.
    await vi.advanceTimersByTimeAsync(50);
    expect(h.of('deploy').filter((d) => d.attempt > 0)).toHaveLength(0);
    h.all(right, 'CANCELED');
    await vi.advanceTimersByTimeAsync(10);
    expect(h.attempts([...left, ...right])).toEqual(new Array(8).fill(1));
    // Two failures handled by restarts, as Flink's numRestarts counts them (one deployment served both).
    expect(h.jm.restarts).toBe(2);
    expect(h.jm.failures).toHaveLength(2);
    h.jm.cancel();
  });

  it('regions - the full strategy restarts every subtask, with whole-attempt messages', async () => {
    const h = new Harness(twoRegions({ 'jobmanager.execution.failover-strategy': 'full' }));
    const all = [...h.pipeline('left'), ...h.pipeline('right')];
    h.jm.start();
    h.all(all, 'RUNNING');
    h.state(h.vertex('left map'), 0, 'FAILED');
    expect(h.of('cancel').every((c) => c.tasks === undefined)).toBe(true);
    h.all(all, 'CANCELED');
    await vi.advanceTimersByTimeAsync(10);
    expect(h.attempts(all)).toEqual(new Array(8).fill(1));
    h.jm.cancel();
  });

  it('regions - a lost slot thread fails subtasks of both regions: one failure, both regions restart', async () => {
    const h = new Harness(twoRegions({}, 1));
    const all = [...h.pipeline('left'), ...h.pipeline('right')];
    h.jm.start();
    h.all(all, 'RUNNING');
    h.jm.slotLost(0, { name: 'Error', message: 'slot thread 0 exited' });
    expect(h.jm.status).toBe('RESTARTING');
    expect(h.jm.failures).toHaveLength(1);
    expect(h.jm.failures[0]!.concurrent).toHaveLength(3);
    for (const v of all) h.state(v, 1, 'CANCELED');
    await vi.advanceTimersByTimeAsync(10);
    expect(h.jm.status).toBe('RUNNING');
    expect(h.attempts(all)).toEqual(new Array(8).fill(1));
    h.jm.cancel();
  });

  it('regions - an unknown failover strategy is refused with the key named', () => {
    expect(() => new Harness(twoRegions({ 'jobmanager.execution.failover-strategy': 'partial' }))).toThrow(/jobmanager.execution.failover-strategy/);
  });
});
