/**
 * state: keyed state backends (hashmap now, LevelDB next), operator list state, and the canonical
 * snapshot format both backends write and restore. Depends on core and api.
 */
export { HeapKeyedStateBackend, heapSnapshotToCanonical, type HeapSnapshotRef } from './heap-keyed-state-backend.js';
export { DefaultOperatorStateStore } from './operator-state-store.js';
export { normalizeKey, denormalizeKey, type NormalizedKey } from './key-normalizer.js';
export { SNAPSHOT_FORMAT_VERSION, type OperatorSnapshot, type KeyedSnapshot, type KeyedStateData, type OperatorStateData, type RedistributionMode } from './snapshot-format.js';
