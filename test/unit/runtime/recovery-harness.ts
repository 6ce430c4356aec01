/**
 * A JobMaster without slot threads, for recovery unit tests: a one-vertex job (a sequence chained
 * to a sink), a gateway that records what the JobMaster sends, and helpers that answer as a slot
 * thread would. Use with vi.useFakeTimers(): the coordinator's timers and clock are faked too.
 */
import type { CheckpointSettings } from '../../../src/checkpoint/index.js';
import { SystemClock } from '../../../src/core/clock.js';
import type { JobSubmission } from '../../../src/runtime/jobmanager/job-master.js';
import { JobMaster } from '../../../src/runtime/jobmanager/job-master.js';
import type { RestartStrategy } from '../../../src/runtime/jobmanager/restart-strategy.js';
import type { ToSlot } from '../../../src/runtime/protocol.js';
import { discard, jobGraphOf, newEnv } from '../graph/fixtures.js';

/** Checkpoint settings of the tests: every `interval` ms, in JobManager memory. */
export function checkpointSettings(interval: number, savepointDir?: string): CheckpointSettings {
  return { interval, mode: 'EXACTLY_ONCE', timeout: 60_000, minPause: 0, maxConcurrent: 1, tolerableFailures: 1000, retention: 'NO_EXTERNALIZED_CHECKPOINTS', numRetained: 1, dir: undefined, savepointDir, compression: 'none', unaligned: false, alignedTimeout: 0 };
}

/** Restarts up to `attempts` times, `delay` ms apart. */
export function fixedDelay(attempts: number, delay: number): RestartStrategy {
  let failures = 0;
  return {
    description: 'test',
    notifyFailure: () => (failures++, true),
    canRestart: () => failures <= attempts,
    getBackoffTime: () => delay,
  };
}

/** A submission of `fromSequence(1, 10).addSink(discard)` at parallelism 1: one vertex. */
export function submission(checkpoints: CheckpointSettings, restartStrategy: RestartStrategy = fixedDelay(10, 10)): JobSubmission {
  const env = newEnv({ parallelism: 1 });
  env.fromSequence(1, 10).addSink(discard);
  return {
    jobId: 'a'.repeat(32),
    job: jobGraphOf(env),
    program: { path: '/nowhere.js', args: [], configuration: {} },
    objectReuse: false,
    bufferTimeout: 100,
    localByReference: false,
    collectLimits: new Map(),
    checkpoints,
    restartStrategy,
    operators: new Map(),
    restore: undefined,
    stateBackend: 'hashmap',
    restartStrategyText: 'test',
  };
}

/** A JobMaster over a recording gateway, and the answers of its one subtask. */
export class Harness {
  readonly sent: ToSlot[] = [];
  readonly jm: JobMaster;
  readonly vertexId: string;

  constructor(sub: JobSubmission, options?: object, slots: { isAlive?: (slot: number) => boolean; kill?: (slot: number, reason: string) => void } = {}) {
    this.vertexId = sub.job.vertices[0]!.id;
    const ctor = JobMaster as unknown as new (...args: unknown[]) => JobMaster;
    this.jm = new ctor(sub, { [this.vertexId]: [0] }, { send: (_slot: number, msg: ToSlot) => this.sent.push(msg), ...slots }, SystemClock, options ?? {});
  }

  /** Messages of one type sent so far. */
  of<T extends ToSlot['type']>(type: T): Array<Extract<ToSlot, { type: T }>> {
    return this.sent.filter((m): m is Extract<ToSlot, { type: T }> => m.type === type);
  }

  /** The subtask reports a state. */
  state(state: 'RUNNING' | 'FAILED' | 'CANCELED' | 'FINISHED', error?: { name: string; message: string }): void {
    this.jm.handle({ type: 'task-state', jobId: this.jm.jobId, attempt: this.jm.attempt, vertexId: this.vertexId, subtaskIndex: 0, state, ...(error ? { error } : {}) }, 0);
  }

  /** The subtask acknowledges a checkpoint. */
  ack(checkpointId: number): void {
    this.jm.handle({ type: 'checkpoint-ack', jobId: this.jm.jobId, attempt: this.jm.attempt, checkpointId, vertexId: this.vertexId, subtaskIndex: 0, handles: [], syncMs: 0, asyncMs: 0, alignmentMs: 0, startDelayMs: 0 }, 0);
  }

  /** The subtask declines a checkpoint (not counted toward tolerable failures). */
  decline(checkpointId: number): void {
    this.jm.handle({ type: 'checkpoint-decline', jobId: this.jm.jobId, attempt: this.jm.attempt, checkpointId, vertexId: this.vertexId, subtaskIndex: 0, error: { name: 'Error', message: 'declined' }, counts: false }, 0);
  }

  /** The subtask's input ended. */
  inputEnded(): void {
    this.jm.handle({ type: 'input-ended', jobId: this.jm.jobId, attempt: this.jm.attempt, vertexId: this.vertexId, subtaskIndex: 0 }, 0);
  }
}
