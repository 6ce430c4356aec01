/**
 * Flink's Evictor: removes elements from a window's contents before and/or after the window
 * function sees them (evictBefore, evictAfter). With an evictor the window keeps every element
 * (with its timestamp) instead of an incremental aggregate, and what the evictor removed stays
 * removed. Built-in: CountEvictor (keeps the last n), TimeEvictor (keeps the last `size` of event
 * time before the newest element), DeltaEvictor (drops elements too far from the last one).
 */
import { checkArgument } from '../../core/errors.js';
import { toCallable } from '../functions/functions.js';
import type { MetricGroup } from '../functions/runtime-context.js';
import { toMillis, type DurationLike } from '../time.js';
import type { Window } from './windows.js';

/** Flink's TimestampedValue: an element with its timestamp, if it has one. */
export class TimestampedValue<T> {
  constructor(
    private value: T,
    private timestamp: number | undefined = undefined,
  ) {}
  /** The element. */
  getValue(): T {
    return this.value;
  }
  /** Replaces the element. */
  setValue(value: T): void {
    this.value = value;
  }
  /** The timestamp. @throws when there is none (check hasTimestamp()). */
  getTimestamp(): number {
    if (this.timestamp === undefined) throw new Error('Record has no timestamp. Is the time characteristic set to event time?');
    return this.timestamp;
  }
  /** Whether the element has a timestamp. */
  hasTimestamp(): boolean {
    return this.timestamp !== undefined;
  }
}

/** Java's Iterator with remove(), what evictors use to drop elements while they walk the contents. */
export interface RemovingIterator<T> {
  /** Whether there is a next element. */
  hasNext(): boolean;
  /** The next element. */
  next(): T;
  /** Removes the element next() returned last. */
  remove(): void;
}

/**
 * The window's elements as an evictor sees them: iterable, with a Java-style iterator whose
 * remove() evicts (and `removeIf` for the common loop).
 */
export class EvictableElements<T> implements Iterable<TimestampedValue<T>> {
  constructor(private readonly items: Array<TimestampedValue<T>>) {}
  /** A Java-style iterator whose remove() evicts the element it returned last. */
  iterator(): RemovingIterator<TimestampedValue<T>> {
    const items = this.items;
    let i = 0;
    let last = -1;
    return {
      hasNext: () => i < items.length,
      next: () => {
        if (i >= items.length) throw new Error('No more elements');
        last = i;
        return items[i++]!;
      },
      remove: () => {
        if (last < 0) throw new Error('remove() without next()');
        items.splice(last, 1);
        i = last;
        last = -1;
      },
    };
  }
  /** Evicts every element the predicate holds for; returns how many. */
  removeIf(predicate: (element: TimestampedValue<T>) => boolean): number {
    let removed = 0;
    for (let i = 0; i < this.items.length; ) {
      if (predicate(this.items[i]!)) {
        this.items.splice(i, 1);
        removed++;
      } else {
        i++;
      }
    }
    return removed;
  }
  /** Number of elements left. */
  size(): number {
    return this.items.length;
  }
  [Symbol.iterator](): Iterator<TimestampedValue<T>> {
    return this.items[Symbol.iterator]();
  }
}

/** What an evictor may ask (Flink's Evictor.EvictorContext). */
export interface EvictorContext {
  /** The current processing time. */
  getCurrentProcessingTime(): number;
  /** The operator's metric group. */
  getMetricGroup(): MetricGroup;
  /** The current watermark. */
  getCurrentWatermark(): number;
}

/** Flink's Evictor. */
export interface Evictor<T = unknown, W extends Window = Window> {
  /** Evicts elements before the window function runs. */
  evictBefore(elements: EvictableElements<T>, size: number, window: W, evictorContext: EvictorContext): void;
  /** Evicts elements after the window function ran. */
  evictAfter(elements: EvictableElements<T>, size: number, window: W, evictorContext: EvictorContext): void;
}

/** Keeps at most `maxCount` elements: the last ones (Flink's CountEvictor). */
export class CountEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly maxCount: number,
    private readonly doEvictAfter: boolean,
  ) {}
  /**
   * An evictor keeping the last `maxCount` elements, before the function runs (or after, when
   * `doEvictAfter`).
   * @throws MF_ERR_INVALID_ARGUMENT unless maxCount is a non-negative integer.
   */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    checkArgument(Number.isInteger(maxCount) && maxCount >= 0, `CountEvictor needs a count >= 0, got ${String(maxCount)}`);
    return new CountEvictor(maxCount, doEvictAfter);
  }
  evictBefore(elements: EvictableElements<unknown>, size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }
  evictAfter(elements: EvictableElements<unknown>, size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }
  private evict(elements: EvictableElements<unknown>, size: number): void {
    if (size <= this.maxCount) return;
    // The first size - maxCount elements go.
    let evicted = 0;
    for (const it = elements.iterator(); it.hasNext(); ) {
      it.next();
      if (++evicted > size - this.maxCount) break;
      it.remove();
    }
  }
  /** The count kept. */
  getMaxCount(): number {
    return this.maxCount;
  }
}

/**
 * Keeps the elements within `windowSize` of the newest element's timestamp: those with a
 * timestamp <= max - windowSize go (Flink's TimeEvictor). Elements without timestamps are kept.
 */
export class TimeEvictor implements Evictor<unknown, Window> {
  private constructor(
    private readonly windowSize: number,
    private readonly doEvictAfter: boolean,
  ) {}
  /**
   * An evictor keeping the last `windowSize` of event time.
   * @throws MF_ERR_INVALID_ARGUMENT for a negative size.
   */
  static of(windowSize: DurationLike, doEvictAfter = false): TimeEvictor {
    const ms = toMillis(windowSize, 'The evictor window size');
    checkArgument(ms >= 0, `TimeEvictor needs a size >= 0, got ${ms}`);
    return new TimeEvictor(ms, doEvictAfter);
  }
  evictBefore(elements: EvictableElements<unknown>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: EvictableElements<unknown>): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: EvictableElements<unknown>): void {
    const first = elements[Symbol.iterator]().next();
    // Flink looks at the first element only: no timestamp there, no eviction.
    if (first.done || !first.value.hasTimestamp()) return;
    let max = -Infinity;
    for (const e of elements) max = Math.max(max, e.getTimestamp());
    const cutoff = max - this.windowSize;
    elements.removeIf((e) => e.getTimestamp() <= cutoff);
  }
  /** The size kept, in milliseconds. */
  getWindowSize(): number {
    return this.windowSize;
  }
}

/** Flink's DeltaFunction: the distance between two elements. */
export type DeltaFunction<T> = ((oldDataPoint: T, newDataPoint: T) => number) | { getDelta(oldDataPoint: T, newDataPoint: T): number };

/** Evicts the elements whose delta to the last element is >= the threshold (Flink's DeltaEvictor). */
export class DeltaEvictor<T> implements Evictor<T, Window> {
  private readonly delta: (a: T, b: T) => number;
  private constructor(
    private readonly threshold: number,
    deltaFunction: DeltaFunction<T>,
    private readonly doEvictAfter: boolean,
  ) {
    this.delta = toCallable(deltaFunction, 'getDelta', 'DeltaFunction');
  }
  /** An evictor dropping elements at `threshold` or more from the last one. */
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    checkArgument(typeof threshold === 'number' && !Number.isNaN(threshold), `DeltaEvictor needs a numeric threshold, got ${String(threshold)}`);
    return new DeltaEvictor<T>(threshold, deltaFunction, doEvictAfter);
  }
  evictBefore(elements: EvictableElements<T>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: EvictableElements<T>): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: EvictableElements<T>): void {
    let last: TimestampedValue<T> | undefined;
    for (const e of elements) last = e;
    if (last === undefined) return;
    const lastValue = last.getValue();
    elements.removeIf((e) => this.delta(e.getValue(), lastValue) >= this.threshold);
  }
  /** The threshold. */
  getThreshold(): number {
    return this.threshold;
  }
}
