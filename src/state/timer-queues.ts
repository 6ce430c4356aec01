/**
 * Timer queues as the keyed backends keep them (Flink's PRIORITY_QUEUE state): a
 * KeyGroupPartitionedPriorityQueue per timer service and time domain, and their way into and out
 * of the canonical snapshot, per key group. Timers equal on (key, timestamp, namespace) are the
 * same timer; they are ordered by timestamp only (ties in no particular order, as in Flink).
 */
import type { KeyGroupRange } from '../core/key-groups.js';
import type { TimerHeapSnapshot } from './heap-priority-queue-set.js';
import { KeyGroupPartitionedPriorityQueue, type TimerEntry } from './key-group-partitioned-priority-queue.js';
import { normalizeKey } from './key-normalizer.js';
import type { KeyedTimersData, TimerData } from './snapshot-format.js';

/** The timer queue of one timer service and time domain. */
export type TimerQueue = KeyGroupPartitionedPriorityQueue;

/** A new, empty timer queue over a key-group range. */
export function createTimerQueue(range: KeyGroupRange): TimerQueue {
  return new KeyGroupPartitionedPriorityQueue(range);
}

/** The synchronous part of a snapshot of timer queues: arrays shared copy-on-write. */
export type TimerQueuesSnapshot = ReadonlyArray<{ readonly name: string; readonly groups: ReadonlyArray<[number, TimerHeapSnapshot]> }>;

/** Takes the synchronous part of a snapshot of timer queues (O(key groups)). */
export function snapshotTimerQueues(queues: ReadonlyMap<string, TimerQueue>): TimerQueuesSnapshot {
  const out: Array<{ name: string; groups: Array<[number, TimerHeapSnapshot]> }> = [];
  for (const [name, q] of queues) {
    const groups = q.snapshotKeyGroups();
    if (groups.length > 0) out.push({ name, groups });
  }
  return out;
}

/** The canonical form of a snapshot of timer queues (the asynchronous part). */
export function timerQueuesToCanonical(s: TimerQueuesSnapshot): KeyedTimersData[] {
  return s.map(({ name, groups }) => ({
    name,
    groups: groups.map(([kg, snap]) => {
      const timers: TimerData[] = [];
      for (let i = 0; i < snap.length; i++) {
        const slot = snap.heap[i]!;
        if (snap.removed[slot] !== 0) continue;
        const ns = snap.namespaces?.[slot];
        timers.push(ns === undefined ? [snap.keys[slot], snap.ts[slot]!] : [snap.keys[slot], snap.ts[slot]!, ns]);
      }
      return [kg, timers] as const;
    }),
  }));
}

/**
 * Adds the timers of the key groups in `range` to the queues (created through `queue`), from
 * canonical snapshots of any subtasks.
 */
export function restoreTimerQueues(data: readonly KeyedTimersData[], range: KeyGroupRange, queue: (name: string) => TimerQueue): void {
  for (const { name, groups } of data) {
    const q = queue(name);
    for (const [kg, timers] of groups) {
      if (!range.contains(kg)) continue;
      q.addAllToKeyGroup(
        kg,
        timers.map((t): TimerEntry => {
          const ns = t.length > 2 ? t[2] : undefined;
          return [t[0], normalizeKey(t[0]), t[1], ns, ns === undefined ? undefined : normalizeKey(ns)];
        }),
      );
    }
  }
}
