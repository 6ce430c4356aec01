/**
 * state: keyed state backends. The core type is HeapKeyedStateBackend (the hashmap backend);
 * the LevelDB backend and snapshots arrive with checkpoints. Depends on core and api.
 */
export { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
export { normalizeKey, type NormalizedKey } from './key-normalizer.js';
