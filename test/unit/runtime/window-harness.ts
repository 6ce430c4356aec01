/**
 * A window operator on its own (Flink's KeyedOneInputStreamOperatorTestHarness): a real
 * WindowOperator over a real keyed backend, fed elements and watermarks by hand; what it emits is
 * recorded with timestamps, side outputs by tag. Snapshots go through the canonical format, so a
 * restore may use the other backend and another key-group range.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { toCallable, type DataStream, type OperatorSpec, type WindowOperatorSpec } from '../../../src/api/index.js';
import { KeyGroupRange } from '../../../src/core/key-groups.js';
import { SimpleMetricGroup, StreamingRuntimeContext } from '../../../src/runtime/operators/streaming-runtime-context.js';
import { WindowOperator } from '../../../src/runtime/operators/window-operator.js';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type AbstractKeyedStateBackend, type KeyedSnapshot } from '../../../src/state/index.js';

const MAX = 128;
let dbs = 0;
const root = mkdtempSync(join(tmpdir(), 'miniflink-window-harness-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The window operator spec and key selector of a stream built by the window API. */
export function windowSpecOf(stream: DataStream<unknown>): { spec: WindowOperatorSpec; keyOf: (v: unknown) => unknown } {
  const op = stream.transformation.operator as Extract<OperatorSpec, { type: 'window' }>;
  if (op?.type !== 'window') throw new Error('not a window operator');
  return { spec: op.window, keyOf: toCallable(op.keySelector, 'getKey', 'key selector') };
}

/** One emitted record: value @ timestamp. */
export type Emitted = [value: unknown, timestamp: number | undefined];

/** A running window operator. */
export interface Harness {
  readonly op: WindowOperator;
  readonly backend: AbstractKeyedStateBackend;
  /** Main output. */
  readonly out: Emitted[];
  /** Side outputs by tag id. */
  readonly side: Map<string, Emitted[]>;
  /** Watermarks passed on. */
  readonly watermarks: number[];
  /** Number of late records dropped. */
  dropped(): number;
  element(value: unknown, timestamp?: number): void;
  watermark(w: number): void;
  /** Takes a snapshot in the canonical format. */
  snapshot(): Promise<KeyedSnapshot>;
  /** Ends the input (final watermark first, as the task does) and closes. */
  end(): Promise<void>;
  /** Takes and clears what was emitted so far. */
  take(): Emitted[];
}

/** Opens a window operator for a stream built with the API. */
export async function windowHarness(
  stream: DataStream<unknown>,
  options: { backend?: 'hashmap' | 'leveldb'; now?: () => number; restore?: KeyedSnapshot[]; range?: KeyGroupRange } = {},
): Promise<Harness> {
  const { spec, keyOf } = windowSpecOf(stream);
  const range = options.range ?? new KeyGroupRange(0, MAX - 1);
  const backend: AbstractKeyedStateBackend = options.backend === 'leveldb' ? new LevelDbKeyedStateBackend(join(root, `db-${dbs++}`), MAX, range) : new HeapKeyedStateBackend(MAX, range);
  const metrics = new SimpleMetricGroup();
  const rc = new StreamingRuntimeContext({ taskName: 'window', jobId: 'j', index: 0, parallelism: 1, maxParallelism: MAX, attempt: 0 }, backend, new Map(), metrics);
  const now = options.now ?? (() => 0);
  const op = new WindowOperator({ runtimeContext: rc, keyedBackend: backend, now, sendCollected: () => {}, track: () => {}, mailbox: (a) => a() }, spec);
  const out: Emitted[] = [];
  const side = new Map<string, Emitted[]>();
  const watermarks: number[] = [];
  op.output = {
    collect: (r, ts) => void out.push([r, ts]),
    emitWatermark: (w) => void watermarks.push(w),
    emitWatermarkStatus: () => {},
    collectSide: (tag, r, ts) => {
      let l = side.get(tag.id);
      if (!l) side.set(tag.id, (l = []));
      l.push([r, ts]);
    },
  };
  await op.initializeState(options.restore ? { keyed: options.restore, operator: [] } : undefined, 0, 1);
  await op.open();
  return {
    op,
    backend,
    out,
    side,
    watermarks,
    dropped: () => metrics.counter('numLateRecordsDropped').getCount(),
    element(value, timestamp) {
      backend.setCurrentKey(keyOf(value));
      op.processElement(value, timestamp);
    },
    watermark: (w) => op.processWatermark(w),
    async snapshot() {
      const ref = backend.snapshot();
      const s = await backend.toCanonical(ref);
      backend.releaseSnapshot(ref);
      // Through JSON-like plain data, as a checkpoint file would be.
      return structuredClone(s);
    },
    async end() {
      op.processWatermark(2 ** 63);
      await op.endInput();
      await op.close();
      await op.disposeState();
    },
    take() {
      return out.splice(0, out.length);
    },
  };
}
