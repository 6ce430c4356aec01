/**
 * What keyed state hands out, on both backends: a ValueStateDescriptor's default value is a fresh
 * copy for every read (Flink copies it with the state's serializer), so changing what value()
 * returned for one key never changes what another key reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-state-values-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dbs = 0;
const kinds = ['hashmap', 'leveldb'] as const;
async function open(kind: (typeof kinds)[number]): Promise<AbstractKeyedStateBackend> {
  const range = new KeyGroupRange(0, 127);
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), 128, range) : new HeapKeyedStateBackend(128, range);
  await b.open();
  return b;
}

for (const kind of kinds) {
  describe(`state values (${kind})`, () => {
    it(`${kind} - a ValueStateDescriptor's default value is a fresh copy per read: changing it for one key leaves the others' default alone`, async () => {
      const b = await open(kind);
      const defaultValue = { n: 0, tags: ['x'] };
      const s = b.getValueState(new ValueStateDescriptor<{ n: number; tags: string[] }>('s', defaultValue));
      b.setCurrentKey('a');
      const a = s.value()!;
      a.n++;
      a.tags.push('a');
      // Changed in place but never written back (key 'b' of the reproducer): still the default next time.
      expect(s.value()).toEqual({ n: 0, tags: ['x'] });
      b.setCurrentKey('b');
      const fromB = s.value()!;
      expect(fromB).toEqual({ n: 0, tags: ['x'] });
      fromB.n = 5;
      s.update(fromB);
      b.setCurrentKey('c');
      expect(s.value()).toEqual({ n: 0, tags: ['x'] });
      expect(defaultValue).toEqual({ n: 0, tags: ['x'] });
      b.setCurrentKey('b');
      expect(s.value()).toEqual({ n: 5, tags: ['x'] });
      await b.dispose();
    });
  });
}
