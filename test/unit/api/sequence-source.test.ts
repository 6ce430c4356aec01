/**
 * fromSequence's SequenceSource through real operator state stores: what it emits on a fresh
 * start, after a snapshot restored at another parallelism (each number once in all), after a
 * snapshot taken when it had finished (nothing), and restored from a snapshot that did not have
 * it (an operator added to a job, restored with -n: everything, as Flink's NumberSequenceSource
 * does with no enumerator state).
 */
import { describe, expect, it } from 'vitest';
import { EMIT_RANGE, SequenceSource, type RangeSourceContext, type RuntimeContext, type SourceContext } from '../../../src/api/index.js';
import { DefaultOperatorStateStore } from '../../../src/state/operator-state-store.js';
import type { OperatorStateData } from '../../../src/state/snapshot-format.js';

/** One subtask of the source: its store (restored from `restored`), and what it emitted. */
function subtask(from: number, to: number, index: number, parallelism: number, restored?: ReadonlyArray<OperatorStateData | undefined>) {
  const store = new DefaultOperatorStateStore(restored ?? [], index, parallelism);
  const source = new SequenceSource(from, to);
  source.setRuntimeContext({ getNumberOfParallelSubtasks: () => parallelism, getIndexOfThisSubtask: () => index } as unknown as RuntimeContext);
  source.initializeState({ isRestored: () => restored !== undefined, getOperatorStateStore: () => store, getKeyedStateStore: () => undefined as never });
  const out: number[] = [];
  return { source, store, out };
}

/** Runs the source, stopping it (cancel) after `limit` records; returns its snapshot. */
async function run(s: ReturnType<typeof subtask>, limit = Infinity): Promise<OperatorStateData | undefined> {
  const ctx = {
    collect: (n: number) => {
      s.out.push(n);
      if (s.out.length >= limit) s.source.cancel();
    },
  } as unknown as SourceContext<number>;
  await s.source.run(ctx);
  s.source.snapshotState();
  return s.store.isEmpty() ? undefined : s.store.snapshot();
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('SequenceSource', () => {
  it('sequence - a snapshot restored at another parallelism emits the rest, each number once', async () => {
    const first = [subtask(1, 100, 0, 2), subtask(1, 100, 1, 2)];
    const snapshots = [await run(first[0]!, 10), await run(first[1]!, 30)];
    const second = [0, 1, 2].map((i) => subtask(1, 100, i, 3, snapshots));
    for (const s of second) await run(s);
    const all = [...first, ...second].flatMap((s) => s.out).sort((a, b) => a - b);
    expect(all).toEqual(range(1, 100));
  });

  it('sequence - through a context that emits runs of numbers: a snapshot taken while a run waits covers what it emitted, and a restore emits the rest once', async () => {
    const first = subtask(1, 100, 0, 1);
    let snapshot: OperatorStateData | undefined;
    let calls = 0;
    // Emits at most 7 numbers per call, then waits; during the third wait the checkpoint is taken
    // and the task fails (the source is canceled).
    const ctx = {
      collect: () => {
        throw new Error('the run emitter is used');
      },
      [EMIT_RANGE]: (range: [number, number]) => {
        for (let i = 0; i < 7 && range[0] <= range[1]; i++) first.out.push(range[0]++);
        if (++calls === 3) {
          first.source.snapshotState();
          snapshot = first.store.snapshot();
          first.source.cancel();
        }
        return Promise.resolve();
      },
    } as unknown as RangeSourceContext;
    await first.source.run(ctx);
    expect(first.out).toEqual(range(1, 21));
    const second = subtask(1, 100, 0, 1, [snapshot]);
    await run(second);
    expect(second.out).toEqual(range(22, 100));
  });

  it('sequence - restored from a snapshot taken after it had finished: nothing more, at any parallelism', async () => {
    const done = await run(subtask(1, 50, 0, 1));
    expect(done).toBeDefined();
    for (const p of [1, 3]) {
      const again = Array.from({ length: p }, (_, i) => subtask(1, 50, i, p, [done]));
      for (const s of again) await run(s);
      expect(again.flatMap((s) => s.out)).toEqual([]);
    }
  });

  it('sequence - restored from a snapshot without this source (added to the job, -n): the whole range, as a fresh start', async () => {
    for (const p of [1, 2]) {
      const fresh = Array.from({ length: p }, (_, i) => subtask(1, 50, i, p, [undefined, undefined]));
      for (const s of fresh) await run(s);
      expect(fresh.flatMap((s) => s.out).sort((a, b) => a - b)).toEqual(range(1, 50));
    }
  });
});
