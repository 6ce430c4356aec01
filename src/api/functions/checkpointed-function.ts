/**
 * Flink's CheckpointedFunction and CheckpointListener: operator (non-keyed) state that a function
 * snapshots at each checkpoint and gets back on restore, and a hook called when a checkpoint
 * completed (two-phase-commit sinks commit there).
 */
import type { ListState } from '../state/state.js';
import type { ListStateDescriptor, MapStateDescriptor } from '../state/state.js';
import type { BroadcastState } from './broadcast-process-function.js';
import type { RuntimeContext } from './runtime-context.js';

/** Flink's OperatorStateStore. */
export interface OperatorStateStore {
  /** List state redistributed by splitting on restore (each item to one subtask). */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** List state given whole to every subtask on restore. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Broadcast state: every subtask keeps its copy; on restore subtask i gets old subtask (i % old parallelism)'s. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Flink's FunctionInitializationContext. */
export interface FunctionInitializationContext {
  /** Whether state was restored from a checkpoint or savepoint. */
  isRestored(): boolean;
  /** The operator state store. */
  getOperatorStateStore(): OperatorStateStore;
  /** Keyed state (only in keyed operators); the same as the runtime context's. */
  getKeyedStateStore(): Pick<RuntimeContext, 'getState' | 'getListState' | 'getMapState' | 'getReducingState' | 'getAggregatingState'>;
}

/** Flink's FunctionSnapshotContext. */
export interface FunctionSnapshotContext {
  /** The checkpoint's id. */
  getCheckpointId(): number;
  /** When the checkpoint was triggered (ms since the epoch). */
  getCheckpointTimestamp(): number;
}

/** Flink's CheckpointedFunction. */
export interface CheckpointedFunction {
  /** Called at each checkpoint: put the function's state into its operator state. */
  snapshotState(context: FunctionSnapshotContext): void | Promise<void>;
  /** Called before open(): register operator state and read what was restored. */
  initializeState(context: FunctionInitializationContext): void | Promise<void>;
}

/** Flink's CheckpointListener. */
export interface CheckpointListener {
  /** A checkpoint this task took part in has completed. */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  /** A checkpoint was aborted (optional). */
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
}

/** Whether a function implements CheckpointedFunction (duck-typed). */
export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return typeof fn === 'object' && fn !== null && typeof (fn as CheckpointedFunction).snapshotState === 'function' && typeof (fn as CheckpointedFunction).initializeState === 'function';
}

/** Whether a function implements CheckpointListener (duck-typed). */
export function isCheckpointListener(fn: unknown): fn is CheckpointListener {
  return typeof fn === 'object' && fn !== null && typeof (fn as CheckpointListener).notifyCheckpointComplete === 'function';
}
