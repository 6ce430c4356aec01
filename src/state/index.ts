/**
 * state: keyed state backends (hashmap: HeapKeyedStateBackend; LevelDB: LevelDbKeyedStateBackend)
 * over one base (AbstractKeyedStateBackend) that also keeps the timer queues (a heap set of timers
 * per key group, heap-priority-queue-set.ts, under a heap of those heaps,
 * key-group-partitioned-priority-queue.ts; timer-queues.ts, internal-timer.ts), operator list state, and the canonical snapshot format both backends write
 * and restore. Depends on core and api.
 */
export { AbstractKeyedStateBackend, defaultValueOf, type InternalValueState, type KeyedStateFunction } from './abstract-keyed-state-backend.js';
export { HeapPriorityQueueSet, type TimerHeapSnapshot } from './heap-priority-queue-set.js';
export { KeyGroupPartitionedPriorityQueue, type TimerEntry } from './key-group-partitioned-priority-queue.js';
export { InternalTimer } from './internal-timer.js';
export { createTimerQueue, type TimerQueue } from './timer-queues.js';
export { HeapKeyedStateBackend, heapSnapshotToCanonical, type HeapSnapshotRef } from './heap-keyed-state-backend.js';
export { LevelDbKeyedStateBackend } from './leveldb-keyed-state-backend.js';
export { DefaultOperatorStateStore } from './operator-state-store.js';
export { normalizeKey, denormalizeKey, type NormalizedKey } from './key-normalizer.js';
export {
  SNAPSHOT_FORMAT_VERSION,
  LEGACY_TIMERS_STATE,
  canonicalKeyedSnapshot,
  upgradeWindowContents,
  splitWindowKey,
  WINDOW_CONTENTS,
  WINDOW_CONTENTS_ARRAY_WINDOWS,
  WINDOW_CONTENTS_MORE,
  normalizedEntries,
  type RawKeyGroup,
  type OperatorSnapshot,
  type KeyedSnapshot,
  type KeyedStateData,
  type KeyedTimersData,
  type TimerData,
  type OperatorStateData,
  type RedistributionMode,
  type ChannelStateData,
  type InFlightBuffer,
} from './snapshot-format.js';
