/**
 * What of a client's configuration travels with a job (`run -m`): the keys a job reads and keys
 * miniflink does not know; not the client's or the cluster's own settings, nor keys with no effect.
 */
import { describe, expect, it } from 'vitest';
import { jobConfiguration, OPTIONS } from '../../../src/config/index.js';

describe('job configuration', () => {
  it('config - the keys a job reads travel with it; the cluster-level ones and keys with no effect stay', () => {
    const conf = {
      'parallelism.default': '2',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '3',
      'execution.checkpointing.interval': '1 s',
      'state.backend.type': 'leveldb',
      'pipeline.object-reuse': 'true',
      'task.cancellation.timeout': '0',
      'my.own.setting': 'x',
      'rest.address': '127.0.0.1',
      'rest.port': '8081',
      'execution.target': 'remote',
      'taskmanager.numberOfTaskSlots': '4',
      'heartbeat.timeout': '5 s',
      'web.upload.dir': '/tmp/up',
      'taskmanager.memory.process.size': '2g',
      'execution.checkpointing.incremental': 'true',
    };
    expect(jobConfiguration(conf)).toEqual({
      'parallelism.default': '2',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '3',
      'execution.checkpointing.interval': '1 s',
      'state.backend.type': 'leveldb',
      'pipeline.object-reuse': 'true',
      'task.cancellation.timeout': '0',
      'my.own.setting': 'x',
    });
  });

  it('config - every option declares whether the job or the cluster reads it', () => {
    for (const o of OPTIONS) expect(['job', 'cluster'], o.key).toContain(o.scope);
    expect(OPTIONS.find((o) => o.key === 'parallelism.default')?.scope).toBe('job');
    expect(OPTIONS.find((o) => o.key === 'taskmanager.numberOfTaskSlots')?.scope).toBe('cluster');
  });
});
