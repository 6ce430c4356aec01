/**
 * The heap backend's long operations give the slot thread's event loop turns (issue #9): the
 * asynchronous part of a checkpoint (toCanonical) and a restore of many keys, so the task answers
 * heartbeats and goes on with records meanwhile. A setImmediate scheduled before the call runs
 * before the call resolves only if the call yielded to the event loop.
 */
import { describe, expect, it } from 'vitest';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { HeapKeyedStateBackend } from '../../../src/state/index.js';

const MAX_P = 128;
const N = 50_000;

function filled(): HeapKeyedStateBackend {
  const b = new HeapKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1));
  const v = b.getValueState(new ValueStateDescriptor<number>('v'));
  const m = b.getMapState(new MapStateDescriptor<string, number>('m'));
  for (let i = 0; i < N; i++) {
    b.setCurrentKey(`k${i}`);
    v.update(i);
    m.put('x', -i);
  }
  return b;
}

/** Whether `run` let a macrotask in before it resolved. */
async function yields<T>(run: () => Promise<T>): Promise<[boolean, T]> {
  let turned = false;
  setImmediate(() => (turned = true));
  const result = await run();
  return [turned, result];
}

describe('heap backend turns', () => {
  it('heap - the asynchronous part of a snapshot of 50,000 keys yields to the event loop, and converts every entry', async () => {
    const b = filled();
    const ref = b.snapshot();
    const [turned, canonical] = await yields(() => b.toCanonical(ref));
    b.releaseSnapshot();
    expect(turned).toBe(true);
    const count = (name: string) => canonical.states.find((s) => s.name === name)!.groups.reduce((a, [, e]) => a + e.length, 0);
    expect([count('v'), count('m')]).toEqual([N, N]);
  });

  it('heap - a restore of 50,000 keys yields to the event loop, and restores every value', async () => {
    const src = filled();
    const ref = src.snapshot();
    const canonical = await src.toCanonical(ref);
    const b = new HeapKeyedStateBackend(MAX_P, new KeyGroupRange(0, MAX_P - 1));
    const [turned] = await yields(() => b.restore([canonical]));
    expect(turned).toBe(true);
    const v = b.getValueState(new ValueStateDescriptor<number>('v'));
    const m = b.getMapState(new MapStateDescriptor<string, number>('m'));
    for (const i of [0, 1, 19_999, 20_000, 20_001, N - 1]) {
      b.setCurrentKey(`k${i}`);
      expect([v.value(), m.get('x')]).toEqual([i, -i]);
    }
  });
});
