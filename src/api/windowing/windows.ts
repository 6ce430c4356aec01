/**
 * Flink's windows: TimeWindow (a half-open interval [start, end) of event or processing time) and
 * GlobalWindow (the one window of GlobalWindows). A window is also the namespace its state and
 * timers live under in the keyed backend, so each window has a namespace string that compares by
 * value (`windowNamespace`) and reads back (`windowOfNamespace`).
 */
import { checkArgument } from '../../core/errors.js';
import { MAX_WATERMARK } from '../../core/watermarks.js';

/** Flink's Window: a grouping of elements into a finite bucket, with a largest timestamp. */
export abstract class Window {
  /** The largest timestamp that still belongs to the window. */
  abstract maxTimestamp(): number;
  /** Whether the other window is the same window. */
  abstract equals(other: unknown): boolean;
  /** The window as a namespace of keyed state and timers (compares by value). */
  abstract namespace(): string;
}

/** Flink's TimeWindow: the interval [start, end), end exclusive. */
export class TimeWindow extends Window {
  /** The namespace string, computed once. */
  private ns: string | undefined;
  constructor(
    /** The first timestamp in the window. */
    private readonly start: number,
    /** The first timestamp after the window. */
    private readonly end: number,
  ) {
    super();
  }

  /** The starting timestamp of the window. */
  getStart(): number {
    return this.start;
  }

  /** The end timestamp of the window, exclusive. */
  getEnd(): number {
    return this.end;
  }

  /** The largest timestamp in the window: end - 1. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** Whether the two windows overlap or touch (Flink's TimeWindow.intersects). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window covering both (Flink's TimeWindow.cover). */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  namespace(): string {
    return (this.ns ??= `${this.start}:${this.end}`);
  }

  /** As Flink prints it. */
  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of `windowSize` (aligned to `offset`) that contains `timestamp`
   * (Flink's TimeWindow.getWindowStartWithOffset; right for negative timestamps too).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    // Java's (and JavaScript's) % keeps the dividend's sign: a negative remainder goes one window back.
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping windows (Flink's TimeWindow.mergeWindows): sorts by start, gathers runs of
   * intersecting windows, and calls `callback(toBeMerged, mergeResult)` for every run of more than
   * one distinct window. Windows equal by value count once.
   */
  static mergeWindows(windows: readonly TimeWindow[], callback: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    const merged: Array<[TimeWindow, TimeWindow[]]> = [];
    let current: [TimeWindow, TimeWindow[]] | undefined;
    for (const candidate of sorted) {
      if (current === undefined) {
        current = [candidate, [candidate]];
      } else if (current[0].intersects(candidate)) {
        current[0] = current[0].cover(candidate);
        if (!current[1].some((w) => w.equals(candidate))) current[1].push(candidate);
      } else {
        merged.push(current);
        current = [candidate, [candidate]];
      }
    }
    if (current !== undefined) merged.push(current);
    for (const [result, members] of merged) if (members.length > 1) callback(members, result);
  }
}

/** Flink's GlobalWindow: the single window of GlobalWindows, never ending. */
export class GlobalWindow extends Window {
  private static readonly INSTANCE = new GlobalWindow();
  private constructor() {
    super();
  }

  /** The one global window. */
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  /** Flink's Long.MAX_VALUE. */
  maxTimestamp(): number {
    return MAX_WATERMARK;
  }

  equals(other: unknown): boolean {
    return other instanceof GlobalWindow;
  }

  namespace(): string {
    return 'global';
  }

  /** As Flink prints it. */
  override toString(): string {
    return 'GlobalWindow';
  }
}

/** The window a namespace string names (the inverse of Window.namespace()). */
export function windowOfNamespace(ns: string): TimeWindow | GlobalWindow {
  if (ns === 'global') return GlobalWindow.get();
  const colon = ns.indexOf(':', 1);
  checkArgument(colon > 0, `Not a window namespace: ${ns}`);
  return new TimeWindow(Number(ns.slice(0, colon)), Number(ns.slice(colon + 1)));
}
