/**
 * A timer (Flink's InternalTimer): key, timestamp and namespace. The timer queues keep timers in
 * columns (heap-priority-queue-set.ts); an InternalTimer is the value they hand out when one fires
 * or is asked for, made then, kept by no one.
 */
import type { NormalizedKey } from './key-normalizer.js';

/** A timer as the queue hands it out: a value, made when asked for (nothing keeps it). */
export class InternalTimer {
  constructor(
    /** When it fires. */
    readonly timestamp: number,
    /** The key it fires for (as registered). */
    readonly key: unknown,
    /** The key, normalized. */
    readonly normalizedKey: NormalizedKey,
    /** The key's group. */
    readonly keyGroup: number,
    /** Flink's namespace: undefined for the void namespace (process functions), a window for windows. */
    readonly namespace: unknown = undefined,
  ) {}
}
