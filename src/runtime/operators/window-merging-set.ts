/**
 * Flink's MergingWindowSet: the session windows of one key that are in flight, each mapped to the
 * window whose namespace holds its state (the "state window"). When windows merge, the merged
 * window keeps the state window of one of them, so merging costs one merge of contents, never a
 * move of every element; the state window of a window never changes while the window lives.
 *
 *   mapping:  window -> state window      e.g. [0, 30) -> [0, 10)   after [0,10) and [5,30) merged
 *
 * It lives per key in the ValueState `merging-window-set` as [start, end, stateStart, stateEnd]
 * rows, read when a key's element or timer is processed and written back (persist) only when it
 * changed.
 */
import { TimeWindow, type MergingWindowAssigner, type ValueState } from '../../api/index.js';
import { checkState } from '../../core/errors.js';

/** One row of the stored mapping. */
type Row = [start: number, end: number, stateStart: number, stateEnd: number];

/** Called when windows merge: the merged window, the windows merged into it (without the new one), its state window and the state windows to merge into it. */
export type MergeFunction = (mergeResult: TimeWindow, mergedWindows: TimeWindow[], stateWindowResult: TimeWindow, mergedStateWindows: TimeWindow[]) => void;

/** The in-flight merging windows of the current key. */
export class MergingWindowSet {
  /** start of a window -> [window, state window] (windows in flight never overlap: the start tells them apart). */
  private readonly mapping = new Map<number, [TimeWindow, TimeWindow]>();
  /** Whether the mapping changed since it was read (persist writes it back then). */
  private dirty = false;

  constructor(
    private readonly assigner: MergingWindowAssigner<unknown, TimeWindow>,
    private readonly state: ValueState<Row[]>,
  ) {
    for (const [s, e, ss, se] of state.value() ?? []) {
      const w = new TimeWindow(s, e);
      this.mapping.set(s, [w, s === ss && e === se ? w : new TimeWindow(ss, se)]);
    }
  }

  /** Writes the mapping back when it changed. */
  persist(): void {
    if (!this.dirty) return;
    const rows: Row[] = [...this.mapping.values()].map(([w, s]) => [w.getStart(), w.getEnd(), s.getStart(), s.getEnd()]);
    this.state.update(rows.length > 0 ? rows : null);
    this.dirty = false;
  }

  /** The state window of a window in flight, or undefined. */
  getStateWindow(window: TimeWindow): TimeWindow | undefined {
    const entry = this.mapping.get(window.getStart());
    return entry !== undefined && entry[0].getEnd() === window.getEnd() ? entry[1] : undefined;
  }

  /**
   * Removes a window (its state was purged).
   * @throws MF_ERR_INTERNAL when it is not in flight.
   */
  retireWindow(window: TimeWindow): void {
    checkState(this.getStateWindow(window) !== undefined && this.mapping.delete(window.getStart()), `Window ${window.toString()} is not in in-flight window set.`);
    this.dirty = true;
  }

  /**
   * Adds a new window, merging it with the windows in flight where the assigner says so; calls
   * `mergeFunction` for each merge (Flink's addWindow). Returns the window the new one ended up
   * in: itself, or the merged window that contains it.
   */
  addWindow(newWindow: TimeWindow, mergeFunction: MergeFunction): TimeWindow {
    const windows = [...[...this.mapping.values()].map(([w]) => w), newWindow];
    const mergeResults: Array<[TimeWindow, TimeWindow[]]> = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => mergeResults.push([mergeResult, [...toBeMerged]]));

    if (mergeResults.length > 0) this.dirty = true;
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, merged] of mergeResults) {
      // The new window never had state: it is left out of what merges.
      const i = merged.findIndex((w) => w.equals(newWindow));
      if (i >= 0) {
        merged.splice(i, 1);
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      // The merged window keeps the state window of the first window merged (sorted by start).
      const mergedStateWindow = this.getStateWindow(merged[0]!)!;
      const mergedStateWindows: TimeWindow[] = [];
      for (const w of merged) {
        const state = this.getStateWindow(w);
        if (state) {
          this.mapping.delete(w.getStart());
          mergedStateWindows.push(state);
        }
      }
      this.mapping.set(mergeResult.getStart(), [mergeResult, mergedStateWindow]);
      const others = mergedStateWindows.filter((s) => !s.equals(mergedStateWindow));
      // Merging one window in flight into itself (the new one fell inside it) is no merge.
      if (!(merged.length === 1 && merged[0]!.equals(mergeResult))) mergeFunction(mergeResult, merged, mergedStateWindow, others);
    }
    // The new window stands alone (or is one in flight already, whose state window stays).
    if ((mergeResults.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow)) && this.getStateWindow(resultWindow) === undefined) {
      this.mapping.set(resultWindow.getStart(), [resultWindow, resultWindow]);
      this.dirty = true;
    }
    return resultWindow;
  }
}
