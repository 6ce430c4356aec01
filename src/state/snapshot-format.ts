/**
 * The canonical snapshot format: what one operator subtask's state looks like in a checkpoint or
 * savepoint, whichever backend wrote it, so that either backend restores it.
 *
 *   OperatorSnapshot
 *     keyed?:    { maxParallelism, startKeyGroup, endKeyGroup,
 *                  states: [{ name, kind, groups: [[keyGroup, [[key, value], ...]], ...] }],
 *                  timers?: [{ name, groups: [[keyGroup, [[key, timestamp] | [key, timestamp, namespace], ...]], ...] }] }
 *     operator?: { [stateName]: { mode: 'split' | 'union' | 'broadcast', items: [...] } }
 *
 * Keys are the original keys, of the same types (a Date, bigint, Map or Set comes back as itself:
 * state/key-normalizer.ts); MapState values are lists of [userKey, value] pairs. Timers are the
 * keyed backend's priority queues (Flink's
 * PRIORITY_QUEUE state), one per timer service and time domain, named as Flink names them
 * (`_timer_state/event_user-timers`, `_timer_state/processing_user-timers`); the namespace is
 * left out when it is the void namespace. Like keyed state they are written per key group, so a
 * restore at any parallelism takes exactly the key groups it owns.
 *
 * Versions (`version`):
 *   1  no `timers`: a KeyedProcessOperator kept its timers as union operator state `__timers`,
 *      items [domain, key, timestamp]. Still restored (keyed-operators.ts moves them into the
 *      timer queues, keeping the key groups the subtask owns).
 *   2  `keyed.timers`.
 */
import type { StateKind } from '../api/index.js';

/** Current format version. */
export const SNAPSHOT_FORMAT_VERSION = 2;

/** One keyed state of one operator subtask. */
export interface KeyedStateData {
  /** The state's name. */
  readonly name: string;
  /** Its kind. */
  readonly kind: StateKind;
  /** Entries by key group. */
  readonly groups: ReadonlyArray<readonly [keyGroup: number, entries: ReadonlyArray<readonly [key: unknown, value: unknown]>]>;
}

/** One timer in a snapshot: key and timestamp, plus the namespace unless it is the void namespace. */
export type TimerData = readonly [key: unknown, timestamp: number] | readonly [key: unknown, timestamp: number, namespace: unknown];

/** One timer queue (a timer service's timers of one time domain) of one operator subtask. */
export interface KeyedTimersData {
  /** The queue's name (`_timer_state/event_<service>` or `_timer_state/processing_<service>`). */
  readonly name: string;
  /** Timers by key group (in no particular order within a group). */
  readonly groups: ReadonlyArray<readonly [keyGroup: number, timers: readonly TimerData[]]>;
}

/** The keyed state of one operator subtask. */
export interface KeyedSnapshot {
  readonly maxParallelism: number;
  readonly startKeyGroup: number;
  readonly endKeyGroup: number;
  readonly states: readonly KeyedStateData[];
  /** Timer queues (version 2; absent when there are no timers). */
  readonly timers?: readonly KeyedTimersData[];
}

/** How operator list state is redistributed on restore. */
export type RedistributionMode = 'split' | 'union' | 'broadcast';

/** The operator (non-keyed) state of one operator subtask. */
export type OperatorStateData = Readonly<Record<string, { readonly mode: RedistributionMode; readonly items: readonly unknown[] }>>;

/** A buffer of in-flight records: its bytes (msgpack, as on the wire), and whether timestamps travel beside the records. */
export type InFlightBuffer = readonly [bytes: Uint8Array, timestamps: boolean];

/**
 * The in-flight data of an unaligned checkpoint at one subtask (Flink's channel state), stored with
 * its head operator's snapshot: per channel (`<edgeId>/<producer>/<consumer>`), in order, the
 * buffers received but not processed before the snapshot (input) and those sent after the barrier
 * that overtook them (output).
 */
export interface ChannelStateData {
  readonly input: ReadonlyArray<readonly [channel: string, inputIndex: number, buffers: readonly InFlightBuffer[]]>;
  readonly output: ReadonlyArray<readonly [channel: string, buffers: readonly InFlightBuffer[]]>;
  /** The job edges the channels belong to: [edge index, producing vertex id, consuming vertex id] (checked on restore). */
  readonly edges?: ReadonlyArray<readonly [edgeId: number, source: string, target: string]>;
}

/** The state of one operator subtask. */
export interface OperatorSnapshot {
  readonly version: number;
  readonly keyed?: KeyedSnapshot;
  readonly operator?: OperatorStateData;
  /** The subtask's in-flight data (its head operator's snapshot only, of an unaligned checkpoint). */
  readonly channels?: ChannelStateData;
}

/** Version 1's union operator state holding a KeyedProcessOperator's timers. */
export const LEGACY_TIMERS_STATE = '__timers';
