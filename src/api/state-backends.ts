/**
 * State backend descriptors (Flink's HashMapStateBackend; LevelDB stands where Flink has RocksDB).
 */

/** Which backend keeps keyed state. */
export type StateBackendType = 'hashmap' | 'leveldb';

/** A state backend descriptor. */
export interface StateBackend {
  /** The backend's type, as in `state.backend.type`. */
  readonly type: StateBackendType;
}

/** Keyed state as objects in memory. */
export class HashMapStateBackend implements StateBackend {
  readonly type = 'hashmap' as const;
}

/** Keyed state serialized in a LevelDB database per keyed subtask. */
export class LevelDbStateBackend implements StateBackend {
  readonly type = 'leveldb' as const;
}
