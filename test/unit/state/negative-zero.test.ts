/**
 * -0 stays -0 in keyed state on both backends (issue #10: as a Java double keeps -0.0): in a
 * value read back from LevelDB after a flush, and through a snapshot restored into either backend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { packValue, unpackValue } from '../../../src/core/serde.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-negzero-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MAX_P = 128;
let dbs = 0;

async function backend(kind: string): Promise<AbstractKeyedStateBackend> {
  if (kind === 'hashmap') return new HeapKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1));
  const b = new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX_P, new KeyGroupRange(0, MAX_P - 1));
  await b.open();
  return b;
}

function write(b: AbstractKeyedStateBackend): void {
  b.setCurrentKey('k');
  b.getValueState(new ValueStateDescriptor<number>('zero')).update(-0);
  b.getValueState(new ValueStateDescriptor<{ t: number; v: number[] }>('obj')).update({ t: -0, v: [1, -0] });
  b.getListState(new ListStateDescriptor<number>('list')).update([0, -0]);
}

function expectNegativeZeros(b: AbstractKeyedStateBackend): void {
  b.setCurrentKey('k');
  expect(Object.is(b.getValueState(new ValueStateDescriptor<number>('zero')).value(), -0)).toBe(true);
  const o = b.getValueState(new ValueStateDescriptor<{ t: number; v: number[] }>('obj')).value()!;
  expect([Object.is(o.t, -0), Object.is(o.v[1], -0), o.v[0]]).toEqual([true, true, 1]);
  const l = [...b.getListState(new ListStateDescriptor<number>('list')).get()];
  expect(l.map((x) => Object.is(x, -0))).toEqual([false, true]);
}

describe('-0 in keyed state', () => {
  it('leveldb - -0 read back from the database after a flush is still -0', async () => {
    const b = (await backend('leveldb')) as LevelDbKeyedStateBackend;
    write(b);
    await b.flush();
    expectNegativeZeros(b);
    await b.dispose();
  });

  for (const [from, to] of [['hashmap', 'leveldb'], ['leveldb', 'hashmap'], ['leveldb', 'leveldb']] as const) {
    it(`${from} -> ${to} - -0 survives a snapshot and its restore`, async () => {
      const a = await backend(from);
      write(a);
      const ref = a.snapshot();
      const canonical = unpackValue(packValue(await a.toCanonical(ref))) as KeyedSnapshot;
      a.releaseSnapshot(ref);
      const b = await backend(to);
      await b.restore([canonical]);
      expectNegativeZeros(b);
      await a.dispose();
      await b.dispose();
    });
  }
});
