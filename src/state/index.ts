/**
 * state: keyed state backends (hashmap: HeapKeyedStateBackend; LevelDB: LevelDbKeyedStateBackend)
 * over one base (AbstractKeyedStateBackend), operator list state, and the canonical snapshot format
 * both backends write and restore. Depends on core and api.
 */
export { AbstractKeyedStateBackend } from './abstract-keyed-state-backend.js';
export { HeapKeyedStateBackend, heapSnapshotToCanonical, type HeapSnapshotRef } from './heap-keyed-state-backend.js';
export { LevelDbKeyedStateBackend } from './leveldb-keyed-state-backend.js';
export { DefaultOperatorStateStore } from './operator-state-store.js';
export { normalizeKey, denormalizeKey, type NormalizedKey } from './key-normalizer.js';
export { SNAPSHOT_FORMAT_VERSION, type OperatorSnapshot, type KeyedSnapshot, type KeyedStateData, type OperatorStateData, type RedistributionMode } from './snapshot-format.js';
