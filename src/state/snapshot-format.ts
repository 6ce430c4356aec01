/**
 * The canonical snapshot format: what one operator subtask's state looks like in a checkpoint or
 * savepoint, whichever backend wrote it, so that either backend restores it.
 *
 *   OperatorSnapshot
 *     keyed?:    { maxParallelism, startKeyGroup, endKeyGroup,
 *                  states: [{ name, kind, groups: [[keyGroup, [[key, value], ...]], ...] }] }
 *     operator?: { [stateName]: { mode: 'split' | 'union' | 'broadcast', items: [...] } }
 *
 * Keys are the original keys (objects come back as their canonical JSON form); MapState values
 * are lists of [userKey, value] pairs. `version` lets a later format migrate this one.
 */
import type { StateKind } from '../api/index.js';

/** Current format version. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** One keyed state of one operator subtask. */
export interface KeyedStateData {
  /** The state's name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: StateKind;
  /** Entries by key group. */
  readonly groups: ReadonlyArray<readonly [keyGroup: number, entries: ReadonlyArray<readonly [key: unknown, value: unknown]>]>;
}

/** The keyed state of one operator subtask. */
export interface KeyedSnapshot {
  readonly maxParallelism: number;
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
  readonly states: readonly KeyedStateData[];
}

/** How operator list state is redistributed on restore. */
export type RedistributionMode = 'split' | 'union' | 'broadcast';

/** The operator (non-keyed) state of one operator subtask. */
export type OperatorStateData = Readonly<Record<string, { readonly mode: RedistributionMode; readonly items: readonly unknown[] }>>;

/** The state of one operator subtask. */
export interface OperatorSnapshot {
  readonly version: number;
  readonly keyed?: KeyedSnapshot;
  readonly operator?: OperatorStateData;
}
