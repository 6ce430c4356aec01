/**
 * A record's key must fall in the key groups of the subtask that processes it (Flink's
 * KeyGroupRangeOffsets check): a key selector that gives another key downstream than the one the
 * record was partitioned by (a random part, a class lost in the exchange) fails with Flink's
 * message instead of writing state into key groups this subtask does not own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyedProcessFunction, ValueStateDescriptor, type Collector, type KeyedProcessContext, type ValueState } from '../../../src/api/index.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../src/core/key-groups.js';
import { KeyedProcessOperator } from '../../../src/runtime/operators/keyed-operators.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-key-group-range-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAX = 128;
/** Subtask 0 of 2 owns key groups 0..63: 'hello' is in group 35, 'a' in group 81. */
const RANGE = computeKeyGroupRangeForOperatorIndex(MAX, 2, 0);
const FLINK = (kg: number) =>
  `Key group ${kg} is not in KeyGroupRange{startKeyGroup=0, endKeyGroup=63}. Unless you're directly using low level state access APIs, this is most likely caused by non-deterministic shuffle key (hashCode and equals implementation).`;

let dbs = 0;
async function open(kind: 'hashmap' | 'leveldb'): Promise<AbstractKeyedStateBackend> {
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX, RANGE) : new HeapKeyedStateBackend(MAX, RANGE);
  await b.open();
  return b;
}

describe('key group range', () => {
  it('key group range - the keys of the example are where the test says', () => {
    expect(assignToKeyGroup('hello', MAX)).toBe(35);
    expect(assignToKeyGroup('a', MAX)).toBe(81);
  });

  for (const kind of ['hashmap', 'leveldb'] as const) {
    it(`key group range - ${kind}: setting a key of a key group the subtask does not own fails with MF_ERR_INVALID_KEY and Flink's message; the current key stays`, async () => {
      const b = await open(kind);
      const s = b.getValueState(new ValueStateDescriptor<number>('s'));
      b.setCurrentKey('hello');
      s.update(1);
      let thrown: unknown;
      try {
        b.setCurrentKey('a');
      } catch (e) {
        thrown = e;
      }
      expect((thrown as { code?: string })?.code).toBe('MF_ERR_INVALID_KEY');
      expect((thrown as Error).message).toBe(FLINK(81));
      expect(b.getCurrentKey()).toBe('hello');
      expect(b.getCurrentKeyGroup()).toBe(35);
      expect(s.value()).toBe(1);
      await b.dispose();
    });
  }

  it('key group range - a keyed process function fed a record whose key selector answers differently downstream fails the same way', async () => {
    const b = await open('hashmap');
    const rc = new StreamingRuntimeContext({ taskName: 'KeyedProcess', jobId: 'j', index: 0, parallelism: 2, maxParallelism: MAX, attempt: 0 }, b, new Map(), new SimpleMetricGroup());
    class Count extends KeyedProcessFunction<string, string, string> {
      private c!: ValueState<number>;
      override open(): void {
        this.c = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('c'));
      }
      processElement(v: string, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
        const n = (this.c.value() ?? 0) + 1;
        this.c.update(n);
        out.collect(`${v}=${n}`);
      }
    }
    // As a selector with a random part: the upstream partitioner saw 'hello', this subtask sees 'a'.
    let calls = 0;
    const selector = (v: string) => (calls++ === 0 ? v : 'a');
    const op = new KeyedProcessOperator({ runtimeContext: rc, keyedBackend: b, now: () => 0, sendCollected: () => {}, track: () => {}, mailbox: (a) => a() }, new Count(), selector);
    const out: unknown[] = [];
    op.output = { collect: (r) => void out.push(r), emitWatermark: () => {}, emitWatermarkStatus: () => {}, collectSide: () => {} };
    await op.initializeState(undefined, 0, 2);
    await op.open();
    op.processElement('hello');
    expect(() => op.processElement('hello')).toThrow(FLINK(81));
    expect(out).toEqual(['hello=1']);
    await op.close();
    await b.dispose();
  });
});
