/**
 * Checkpoint settings from configuration: directories as users write them become plain absolute
 * paths (a `file://` URL once became a relative directory named `file:` in the working directory).
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointConfig } from '../../../src/api/index.js';
import { resolveCheckpointSettings } from '../../../src/checkpoint/index.js';

const settings = (conf: Record<string, string>) => resolveCheckpointSettings(new CheckpointConfig(), conf, false);

describe('checkpoint settings', () => {
  it.each([
    ['file:///tmp/mf/chk', '/tmp/mf/chk'],
    ['file:/tmp/mf/chk', '/tmp/mf/chk'],
    ['/tmp/mf/chk', '/tmp/mf/chk'],
    ['rel/chk', resolve('rel/chk')],
  ])('checkpoint settings - directory %s is %s', (given, path) => {
    const s = settings({ 'execution.checkpointing.dir': given, 'execution.checkpointing.savepoint-dir': given });
    expect([s.dir, s.savepointDir]).toEqual([path, path]);
  });

  it('checkpoint settings - no directory configured stays undefined (JobManager memory)', () => {
    expect(settings({})).toMatchObject({ dir: undefined, savepointDir: undefined });
  });

  it('checkpoint settings - unaligned checkpoints need EXACTLY_ONCE and one checkpoint at a time, as in Flink', () => {
    expect(settings({ 'execution.checkpointing.unaligned.enabled': 'true' })).toMatchObject({ unaligned: true, maxConcurrent: 1 });
    expect(() => settings({ 'execution.checkpointing.unaligned.enabled': 'true', 'execution.checkpointing.max-concurrent-checkpoints': '2' })).toThrow(
      'Unaligned checkpoints are supported only with execution.checkpointing.max-concurrent-checkpoints 1, as in Flink (got 2)',
    );
    expect(() => settings({ 'execution.checkpointing.unaligned.enabled': 'true', 'execution.checkpointing.mode': 'AT_LEAST_ONCE' })).toThrow(/only with execution.checkpointing.mode EXACTLY_ONCE/);
    expect(settings({ 'execution.checkpointing.max-concurrent-checkpoints': '2' })).toMatchObject({ unaligned: false, maxConcurrent: 2 });
  });
});
