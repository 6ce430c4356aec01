/**
 * KeyedBroadcastProcessFunction's applyToKeyedState visits every key before it returns, as
 * Flink's does, on both backends: LevelDB (whose iterators are asynchronous) lists the keys before
 * the broadcast element's function is called, and the task takes its next input once that call
 * is done. Writes made while the keys are being listed (a processing-time timer firing) are seen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  KeyedBroadcastProcessFunction,
  MapStateDescriptor,
  ValueStateDescriptor,
  type Collector,
  type KeyedBroadcastContext,
  type KeyedReadOnlyBroadcastContext,
  type ValueState,
} from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { KeyedBroadcastProcessOperator } from '../../../src/runtime/operators/broadcast-operators.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend } from '../../../src/state/index.js';

const root = mkdtempSync(join(tmpdir(), 'miniflink-apply-keyed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MAX = 128;
let dbs = 0;
const kinds = ['hashmap', 'leveldb'] as const;
async function backendOf(kind: (typeof kinds)[number], bufferEntries?: number): Promise<AbstractKeyedStateBackend> {
  const range = new KeyGroupRange(0, MAX - 1);
  const b = kind === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX, range, bufferEntries === undefined ? {} : { bufferEntries }) : new HeapKeyedStateBackend(MAX, range);
  await b.open();
  return b;
}

const RULES = new MapStateDescriptor<string, number>('rules');
const COUNT = new ValueStateDescriptor<number>('count');

/** The reproducer's function: counts per key; a rule multiplies every count by 100 and says what it visited. */
class Scale extends KeyedBroadcastProcessFunction<string, string, number, string> {
  private c!: ValueState<number>;
  override open(): void {
    this.c = this.getRuntimeContext().getState(COUNT);
  }
  processElement(k: string, ctx: KeyedReadOnlyBroadcastContext<string>, out: Collector<string>): void {
    this.c.update((this.c.value() ?? 0) + 1);
    out.collect(`${k} count=${this.c.value()} rule=${ctx.getBroadcastState(RULES).get('x') ?? '-'}`);
  }
  processBroadcastElement(r: number, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    const seen: string[] = [];
    ctx.applyToKeyedState(COUNT, (key: unknown, s: ValueState<number>) => {
      seen.push(`${String(key)}=${s.value()}`);
      s.update(s.value()! * r);
    });
    out.collect(`after applyToKeyedState: visited=${seen.length} ${seen.sort().join(',')}`);
    ctx.getBroadcastState(RULES).put('x', r);
  }
}

for (const kind of kinds) {
  describe(`applyToKeyedState (${kind})`, () => {
    it(`${kind} - applyToKeyedState has visited every key when it returns; the next record sees the change`, async () => {
      const backend = await backendOf(kind, 2);
      const rc = new StreamingRuntimeContext({ taskName: 'bcast', jobId: 'j', index: 0, parallelism: 1, maxParallelism: MAX, attempt: 0 }, backend, new Map(), new SimpleMetricGroup());
      const tracked: Array<Promise<void>> = [];
      const op = new KeyedBroadcastProcessOperator(
        { runtimeContext: rc, keyedBackend: backend, now: () => 0, sendCollected: () => {}, track: (w) => void tracked.push(w), mailbox: (a) => a() },
        new Scale(),
        (x: string) => x,
        [RULES],
      );
      const out: unknown[] = [];
      op.output = { collect: (r) => void out.push(r), emitWatermark: () => {}, emitWatermarkStatus: () => {}, collectSide: () => {} };
      await op.initializeState(undefined, 0, 1);
      await op.open();
      // As the task feeds input: each element, then whatever it asked the task to wait for.
      const feed = async (f: () => void) => {
        f();
        while (tracked.length > 0) await tracked.shift();
      };
      for (const k of ['a', 'b', 'c', 'a']) await feed(() => op.processElement(k));
      await feed(() => op.processElement2(100));
      await feed(() => op.processElement('a'));
      await feed(() => op.processElement('d'));
      await feed(() => op.processElement2(2));
      expect(out).toEqual([
        'a count=1 rule=-',
        'b count=1 rule=-',
        'c count=1 rule=-',
        'a count=2 rule=-',
        'after applyToKeyedState: visited=3 a=2,b=1,c=1',
        'a count=201 rule=100',
        'd count=1 rule=100',
        'after applyToKeyedState: visited=4 a=201,b=100,c=100,d=1',
      ]);
      await op.close();
      await op.disposeState();
    });

    it(`${kind} - within a key iteration, getKeys answers at once and sees the writes made since it began, also those written to LevelDB meanwhile`, async () => {
      const b = await backendOf(kind, 4);
      const s = b.getValueState(new ValueStateDescriptor<number>('v'));
      const other = b.getValueState(new ValueStateDescriptor<number>('w'));
      for (let k = 0; k < 20; k++) {
        b.setCurrentKey(k);
        s.update(k);
        if (k < 3) other.update(k);
      }
      const listed = b.prepareKeyIteration();
      expect(listed === undefined).toBe(kind === 'hashmap');
      // Writes while the keys are listed (a timer firing): more than a batch, so some reach LevelDB meanwhile.
      for (let k = 0; k < 10; k++) {
        b.setCurrentKey(k);
        s.clear();
      }
      for (let k = 100; k < 110; k++) {
        b.setCurrentKey(k);
        s.update(k);
      }
      await listed;
      const keys = b.getKeys('v');
      expect(Array.isArray(keys)).toBe(true);
      const expected = [...Array.from({ length: 10 }, (_, i) => 10 + i), ...Array.from({ length: 10 }, (_, i) => 100 + i)];
      expect([...(keys as unknown[])].sort((x, y) => (x as number) - (y as number))).toEqual(expected);
      expect([...(b.getKeys('w') as unknown[])].sort()).toEqual([0, 1, 2]);
      // A state registered during the iteration has the keys written to it since.
      const late = b.getValueState(new ValueStateDescriptor<number>('late'));
      b.setCurrentKey('z');
      late.update(1);
      const visited: unknown[] = [];
      expect(b.applyToAllKeys('late', (k) => void visited.push(k))).toBeUndefined();
      expect(visited).toEqual(['z']);
      b.endKeyIteration();
      const after = b.getKeys('v');
      expect(Array.isArray(after)).toBe(kind === 'hashmap');
      expect((await after).length).toBe(20);
      await b.dispose();
    });
  });
}
