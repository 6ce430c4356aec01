/**
 * checkpoint: the coordinator, checkpoint metadata and state handles, compression and settings.
 * Depends on core, config, api (descriptors), graph (types) and state.
 */
export { acknowledgedTotals, CheckpointCoordinator, type AcknowledgedSubtasks, type CheckpointTaskGateway, type CompletedCheckpoint, type TaskRef, type CheckpointCounts, type SubtaskCheckpointStats } from './coordinator.js';
export { readMetadata, writeMetadata, readState, writeState, qualify, unqualify, savepointDirName, INLINE_THRESHOLD, type CheckpointMetadata, type StateHandle, type OperatorEntry } from './metadata.js';
export { compress, decompress, parseCompression, type Compression } from './compression.js';
export { resolveCheckpointSettings, type CheckpointSettings, type Retention } from './settings.js';
