import { describe, expect, it } from 'vitest';
import { checkConfiguration, NOT_IMPLEMENTED, notImplemented, OPTIONS } from '../../../src/config/index.js';

const warnings = (conf: Record<string, string>) => {
  const seen: string[] = [];
  checkConfiguration(conf, (m) => seen.push(m));
  return seen;
};

describe('configuration keys miniflink does not implement', () => {
  it('config - implemented keys and their deprecated names pass without a warning', () => {
    expect(warnings({ 'parallelism.default': '2', 'state.checkpoints.dir': '/x', 'restart-strategy.failure-rate.delay': '1 s', 'execution.state-recovery.path': '/sp' })).toEqual([]);
  });

  it('config - an unimplemented key warns, naming it and what miniflink does instead', () => {
    expect(warnings({ 'execution.checkpointing.incremental': 'true' })).toEqual([
      "Configuration key 'execution.checkpointing.incremental' is not implemented by miniflink and has no effect: every checkpoint is a full snapshot.",
    ]);
    expect(warnings({ 'high-availability.type': 'zookeeper' })[0]).toContain('there is no high availability');
  });

  it('config - prefixes cover whole families of keys (reporters, memory, RocksDB options)', () => {
    expect(notImplemented('metrics.reporter.prom.factory.class')).toBeUndefined();
    expect(notImplemented('metrics.reporter.prom.filter.includes')).toContain('a reporter reads only');
    expect(notImplemented('taskmanager.memory.process.size')).toContain("V8's heap");
    expect(notImplemented('state.backend.rocksdb.block.cache-size')).toContain('LevelDB');
    expect(notImplemented('taskmanager.numberOfTaskSlots')).toBeUndefined();
  });

  it('config - an unknown key warns that it has no effect', () => {
    expect(warnings({ 'no.such.key': 'x' })).toEqual(["Configuration key 'no.such.key' is not one miniflink knows: it has no effect (the job can still read it from its configuration)."]);
  });

  it('config - state.backend.type: rocksdb warns that LevelDB stands in, also under its 1.x name', () => {
    expect(warnings({ 'state.backend.type': 'rocksdb' })).toEqual(["Configuration 'state.backend.type: rocksdb': LevelDB stands in for RocksDB (state.backend.type: leveldb)."]);
    expect(warnings({ 'state.backend.type': 'RocksDB' })).toHaveLength(1);
    expect(warnings({ 'state.backend.type': 'leveldb' })).toEqual([]);
  });

  it("config - Flink's keys for checkpoint folders, restarts, the web UI, REST and RPC warn with what miniflink does instead", () => {
    const keys = [
      'execution.checkpointing.create-subdir',
      'state.checkpoints.create-subdir',
      'web.submit.enable',
      'web.checkpoints.history',
      'rest.async.store-duration',
      'rest.bind-port',
      'jobmanager.rpc.address',
      'web.address',
      'web.cancel.enable',
      'web.rescale.enable',
    ];
    for (const key of keys) {
      expect(notImplemented(key), key).toBeDefined();
      expect(warnings({ [key]: 'x' }), key).toEqual([`Configuration key '${key}' is not implemented by miniflink and has no effect: ${notImplemented(key)!}.`]);
    }
  });

  it('config - the list names no key that miniflink implements', () => {
    const implemented = new Set(OPTIONS.flatMap((o) => [o.key, ...(o.deprecatedKeys ?? [])]));
    for (const key of NOT_IMPLEMENTED.keys()) expect(implemented.has(key), key).toBe(false);
  });
});
