/**
 * The one interface every runtime operator presents (Flink's StreamOperator, arroyo's
 * ArrowOperator): processElement is required, every other hook defaults to doing nothing.
 */
import { isCheckpointListener, isCheckpointedFunction, isRichFunction, type FunctionInitializationContext, type OutputTag, type RuntimeContext } from '../../api/index.js';
import { DefaultOperatorStateStore, type AbstractKeyedStateBackend, type ChannelStateData, type KeyedSnapshot, type OperatorStateData } from '../../state/index.js';
import type { SubtaskWatermarks } from '../watermark-table.js';
import type { UserCallSite } from './user-function.js';

/** Where an operator emits records: the next operators of the chain and/or record writers. */
export interface Output {
  /** Emits one record, with its event-time timestamp if it has one. */
  collect(record: unknown, timestamp?: number): void;
  /** Emits a watermark (after every record before it). */
  emitWatermark(watermark: number): void;
  /** Tells downstream that this stream became idle (no watermarks for now) or active again. */
  emitWatermarkStatus(idle: boolean): void;
  /** Emits one record to a side output (dropped when nothing reads that side output, as in Flink). */
  collectSide(tag: OutputTag<unknown>, record: unknown, timestamp?: number): void;
}

/** What the task gives an operator. */
export interface OperatorContext {
  /** The user-facing runtime context. */
  readonly runtimeContext: RuntimeContext;
  /** Keyed state, for keyed operators. */
  readonly keyedBackend: AbstractKeyedStateBackend | undefined;
  /** Current processing time. */
  readonly now: () => number;
  /** Sends collected records to the JobManager (executeAndCollect), tagged with the last checkpoint passed. */
  readonly sendCollected: (collectId: string, records: unknown[], epoch: number) => void;
  /** Registers async work that must finish before the next input (async sinks). */
  readonly track: (work: Promise<void>) => void;
  /** Runs an action from outside the task's loop (a timer) in the task's order; a failure fails the task. */
  readonly mailbox: (action: () => void) => void;
  /** The job's shared watermark table as this subtask uses it (watermark alignment of sources); absent in unit tests. */
  readonly watermarks?: SubtaskWatermarks | undefined;
  /** The operator's name (its transformation's), for messages; the task's name stands in when absent. */
  readonly operatorName?: string | undefined;
  /**
   * Object reuse (ExecutionConfig#enableObjectReuse): false means every record an operator emits
   * is copied before a function can hold it (chained copies; network and collect sinks copy
   * always). Unknown (unit tests): treated as on.
   */
  readonly objectReuse?: boolean | undefined;
}

/** What an operator restores: its slices of an earlier checkpoint, already redistributed. */
export interface OperatorRestore {
  /** Keyed state of every old subtask whose key groups overlap this subtask's. */
  readonly keyed: readonly KeyedSnapshot[];
  /** Operator state of every old subtask, indexed by old subtask (undefined: none); its length is the old parallelism. */
  readonly operator: ReadonlyArray<OperatorStateData | undefined>;
  /** Local recovery: the keyed state is the slot thread's local copy (the backend restores it), not `keyed`. */
  readonly localKeyed?: unknown;
  /** The subtask's in-flight data of an unaligned checkpoint (its head operator's restore only): the task replays it. */
  readonly channels?: ChannelStateData;
}

/** The synchronous part of an operator's snapshot. */
export interface OperatorSnapshotRef {
  /** The keyed backend and its opaque snapshot reference. */
  readonly keyed?: { readonly backend: AbstractKeyedStateBackend; readonly ref: unknown };
  readonly operator?: OperatorStateData;
}

/**
 * A one-input operator's processElement as statements that a chained output compiles into its own
 * collect (operator-chain.ts), so that a chain of n operators costs V8 n call levels, not 2n:
 * V8 inlines at most a few levels deep, and a chain inlined into its source's loop runs at the
 * speed of a hand-written loop. The statements see `r` (the record, already copied when the
 * output copies), `ts` (its timestamp), `next` (the operator's output's collect), `aux` and `self`
 * (the operator, whose user function they call as processElement does, `self.call(...)`, so that
 * it gets the operator as `this`); they do what processElement does.
 */
export interface FusedElement {
  readonly code: string;
  readonly next?: Output['collect'];
  readonly aux?: unknown;
}

/** A runtime operator. */
export abstract class StreamOperator {
  /** Where records go. Set by the chain before open(). */
  output!: Output;
  /** The user function, for the state and checkpoint hooks (undefined for built-in operators). */
  protected userFunction: unknown = undefined;
  /** Operator (non-keyed) list state, checkpointed with the operator. */
  protected stateStore = new DefaultOperatorStateStore();
  /**
   * Whether the operator runs its user function with a current key (on a KeyedStream): then a
   * promise it returns fails the task (user-function.ts), since the key would change under it.
   */
  protected keyedInput = false;

  constructor(
    /** What the task gives the operator. */
    protected readonly ctx: OperatorContext,
  ) {}

  /** What to call when the user's code writes operator list state (nothing, but for a source). */
  protected onOperatorStateWrite(): (() => void) | undefined {
    return undefined;
  }

  /**
   * Restores state and calls the user's initializeState (before open(), as Flink does).
   * @param restore the state to restore, or undefined on a fresh start.
   */
  async initializeState(restore: OperatorRestore | undefined, index: number, parallelism: number): Promise<void> {
    if (this.ctx.keyedBackend) {
      await this.ctx.keyedBackend.open();
      if (restore?.localKeyed !== undefined) await this.ctx.keyedBackend.restoreLocal(restore.localKeyed);
      else if (restore) await this.ctx.keyedBackend.restore(restore.keyed);
    }
    this.stateStore = new DefaultOperatorStateStore(restore?.operator ?? [], index, parallelism);
    this.stateStore.onWrite = this.onOperatorStateWrite();
    const fn = this.userFunction;
    if (isRichFunction(fn)) fn.setRuntimeContext(this.ctx.runtimeContext);
    if (isCheckpointedFunction(fn)) {
      const rc = this.ctx.runtimeContext;
      const init: FunctionInitializationContext = {
        isRestored: () => restore !== undefined,
        getOperatorStateStore: () => this.stateStore,
        getKeyedStateStore: () => rc,
      };
      await fn.initializeState(init);
    }
  }

  /**
   * The synchronous part of a snapshot: the user's snapshotState, then references to the state.
   * It stays synchronous (no await) when the user's snapshotState is, so that nothing else runs
   * on the thread between the snapshot and the barrier.
   */
  snapshotState(checkpointId: number, timestamp: number): OperatorSnapshotRef | Promise<OperatorSnapshotRef> {
    const fn = this.userFunction;
    const refs = (): OperatorSnapshotRef => {
      const out: { keyed?: OperatorSnapshotRef['keyed']; operator?: OperatorStateData } = {};
      if (this.ctx.keyedBackend) out.keyed = { backend: this.ctx.keyedBackend, ref: this.ctx.keyedBackend.snapshot() };
      if (!this.stateStore.isEmpty()) out.operator = this.stateStore.snapshot();
      return out;
    };
    if (!isCheckpointedFunction(fn)) return refs();
    const r = fn.snapshotState({ getCheckpointId: () => checkpointId, getCheckpointTimestamp: () => timestamp });
    return r && typeof (r as Promise<void>).then === 'function' ? (r as Promise<void>).then(refs) : refs();
  }

  /** Releases state storage (a LevelDB database). Called after close(). */
  async disposeState(): Promise<void> {
    await this.ctx.keyedBackend?.dispose();
  }

  /** A checkpoint completed: tell the user function. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (isCheckpointListener(this.userFunction)) await this.userFunction.notifyCheckpointComplete(checkpointId);
  }

  /** A checkpoint was aborted: tell the user function. */
  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    const fn = this.userFunction;
    if (isCheckpointListener(fn) && fn.notifyCheckpointAborted) await fn.notifyCheckpointAborted(checkpointId);
  }

  /**
   * Scopes keyed state to each record's key: before every record the key it selects becomes the
   * backend's current key (for operators on a KeyedStream that do not set it themselves).
   */
  setKeyContext(backend: AbstractKeyedStateBackend, keyOf: (record: unknown) => unknown): void {
    this.keyedInput = true;
    const process = this.processElement.bind(this);
    this.processElement = (record, timestamp) => {
      backend.setCurrentKey(keyOf(record));
      process(record, timestamp);
    };
  }

  /**
   * Where the user function runs, for the failure asyncUserFunctionError makes when it returned a
   * promise (built only then).
   */
  protected callSite(fn: unknown, method: string, kind: string): UserCallSite {
    return { fn, method, kind, runtimeContext: this.ctx.runtimeContext, operatorName: this.ctx.operatorName };
  }

  /**
   * processElement as code for the chained output into this operator (FusedElement), or undefined
   * (the output calls processElement). Called once the operator's output is set.
   */
  fusedElement(): FusedElement | undefined {
    return undefined;
  }

  /** Called once before the first record (opens the user function). */
  open(): void | Promise<void> {}
  /** Processes one record (of the first input, for a two-input operator), with its timestamp if it has one. */
  abstract processElement(record: unknown, timestamp?: number): void;
  /** Processes one record of the second input (two-input operators only). */
  processElement2(_record: unknown, _timestamp?: number): void {
    throw new Error(`${this.constructor.name} has one input (this is a bug in miniflink)`);
  }
  /**
   * The input's watermark advanced: operators with event-time timers fire those it passed, then
   * every operator passes it on (Flink's processWatermark).
   */
  processWatermark(watermark: number): void {
    this.output.emitWatermark(watermark);
  }
  /** The input became idle or active again: passed on. */
  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }
  /** All input has ended (bounded input, or drain): flush what is buffered. */
  endInput(): void | Promise<void> {}
  /** Releases resources (closes the user function). Called after endInput or on cancellation. */
  close(): void | Promise<void> {}
}
