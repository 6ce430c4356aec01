/**
 * The one interface every runtime operator presents (Flink's StreamOperator, arroyo's
 * ArrowOperator): processElement is required, every other hook defaults to doing nothing.
 */
import type { RuntimeContext } from '../../api/index.js';
import type { HeapKeyedStateBackend } from '../../state/index.js';

/** Where an operator emits records: the next operators of the chain and/or record writers. */
export interface Output {
  /** Emits one record. */
  collect(record: unknown): void;
}

/** What the task gives an operator. */
export interface OperatorContext {
  /** The user-facing runtime context. */
  readonly runtimeContext: RuntimeContext;
  /** Keyed state, for keyed operators. */
  readonly keyedBackend: HeapKeyedStateBackend | undefined;
  /** Current processing time. */
  readonly now: () => number;
  /** Sends collected records to the JobManager (executeAndCollect). */
  readonly sendCollected: (collectId: string, records: unknown[]) => void;
  /** Registers async work that must finish before the next input (async sinks). */
  readonly track: (work: Promise<void>) => void;
}

/** A runtime operator. */
export abstract class StreamOperator {
  /** Where records go. Set by the chain before open(). */
  output!: Output;

  constructor(
    /** What the task gives the operator. */
    protected readonly ctx: OperatorContext,
  ) {}

  /** Called once before the first record (opens the user function). */
  open(): void | Promise<void> {}
  /** Processes one record. */
  abstract processElement(record: unknown): void;
  /** All input has ended (bounded input, or drain): flush what is buffered. */
  endInput(): void | Promise<void> {}
  /** Releases resources (closes the user function). Called after endInput or on cancellation. */
  close(): void | Promise<void> {}
}
