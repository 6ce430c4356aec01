/**
 * One running subtask: opens its chain, feeds it (a source's run(), or buffers from the input
 * gate), ends it, and reports its state. Single-threaded like Flink's mailbox: everything a task
 * does runs on its slot thread's event loop, and it yields between buffers so that other tasks in
 * the thread, credits and cancellation get their turn.
 *
 *   INITIALIZING -> RUNNING -> FINISHED        (input ended)
 *                           -> CANCELED        (cancel())
 *                           -> FAILED          (a user function or the runtime threw)
 */
import type { Accumulator } from '../../api/index.js';
import { serializeError, type SerializedError } from '../../core/errors.js';
import type { ReportedState } from '../protocol.js';
import { SourceOperator } from '../operators/source-operator.js';
import { buildOperatorChain, type ChainSpec, type OperatorChain } from './operator-chain.js';

/** Buffers processed before a task yields to the event loop. */
const BUFFERS_PER_TURN = 4;

/** How a task reports. */
export type TaskReporter = (state: ReportedState, extra?: { error?: SerializedError; accumulators?: Record<string, unknown> }) => void;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A running subtask. */
export class StreamTask {
  private chain: OperatorChain | undefined;
  private canceled = false;
  private pendingWork: Promise<void>[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: Omit<ChainSpec, 'track'>,
    private readonly report: TaskReporter,
  ) {}

  /** Runs the task to its end; never rejects (failures are reported). */
  async run(): Promise<void> {
    this.report('INITIALIZING');
    let opened: OperatorChain['operators'] = [];
    try {
      const chain = buildOperatorChain({ ...this.spec, track: (w) => void this.pendingWork.push(w) });
      this.chain = chain;
      // Open tail first, as Flink does, so an operator never emits into an unopened one.
      for (const op of [...chain.operators].reverse()) {
        await op.open();
        opened = [op, ...opened];
      }
      if (this.canceled) throw new CanceledSignal();
      this.report('RUNNING');
      this.startFlushTimer();
      if (chain.head instanceof SourceOperator) {
        const writers = chain.writers;
        await chain.head.run({
          isAvailable: () => writers.every((w) => w.isAvailable()),
          whenAvailable: async () => {
            for (const w of writers) await w.whenAvailable();
          },
          isCanceled: () => this.canceled,
        });
      } else {
        await this.consumeInput(chain);
      }
      if (this.canceled) throw new CanceledSignal();
      await this.awaitPendingWork();
      for (const op of chain.operators) await op.endInput();
      for (const w of chain.writers) w.finish();
      for (const w of chain.writers) await w.whenFinished();
      this.stopFlushTimer();
      await closeAll(opened);
      if (this.canceled) throw new CanceledSignal();
      this.report('FINISHED', { accumulators: localValues(chain.accumulators) });
    } catch (e) {
      this.stopFlushTimer();
      for (const w of this.chain?.writers ?? []) w.cancel();
      await closeAll(opened).catch(() => {});
      if (e instanceof CanceledSignal || this.canceled) this.report('CANCELED');
      else this.report('FAILED', { error: serializeError(e) });
    }
  }

  private async consumeInput(chain: OperatorChain): Promise<void> {
    const gate = chain.gate!;
    const head = chain.head;
    let turn = 0;
    for (;;) {
      if (this.canceled) return;
      for (const w of chain.writers) if (!w.isAvailable()) await w.whenAvailable();
      const buf = gate.poll();
      if (!buf) {
        if (gate.isFinished()) return;
        await gate.whenData();
        continue;
      }
      const records = chain.codec.decode(buf.bytes);
      for (let i = 0; i < records.length; i++) head.processElement(records[i]);
      buf.release();
      if (this.pendingWork.length > 0) await this.awaitPendingWork();
      if (++turn % BUFFERS_PER_TURN === 0) await nextTurn();
    }
  }

  private async awaitPendingWork(): Promise<void> {
    while (this.pendingWork.length > 0) {
      const w = this.pendingWork;
      this.pendingWork = [];
      await Promise.all(w);
    }
  }

  private startFlushTimer(): void {
    const timeout = this.spec.bufferTimeout;
    if (timeout <= 0 || !this.chain || this.chain.writers.length === 0) return;
    const writers = this.chain.writers;
    this.flushTimer = setInterval(() => {
      for (const w of writers) w.flush();
    }, timeout);
  }

  private stopFlushTimer(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Asks the task to stop: the source is canceled, waits are woken. */
  cancel(): void {
    if (this.canceled) return;
    this.canceled = true;
    const chain = this.chain;
    if (!chain) return;
    if (chain.head instanceof SourceOperator) {
      try {
        chain.head.cancel();
      } catch {
        // A failing cancel() must not keep the task alive.
      }
    }
    for (const w of chain.writers) w.cancel();
    chain.gate?.wake();
  }
}

class CanceledSignal extends Error {}

async function closeAll(ops: OperatorChain['operators']): Promise<void> {
  let first: unknown;
  for (const op of ops) {
    try {
      await op.close();
    } catch (e) {
      first ??= e;
    }
  }
  if (first !== undefined) throw first;
}

function localValues(accs: Map<string, Accumulator<unknown, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of accs) out[k] = a.getLocalValue();
  return out;
}
