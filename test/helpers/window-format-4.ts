/**
 * Window contents as miniflink wrote them up to snapshot format 4: one entry per (key, window) in
 * the table `window-contents` under the composite key "<namespace>\u0001<tag><normalized key>"
 * (window-state.ts's namespacedKey), for the tests that restore such snapshots (format 5 keeps a
 * key's first windows in one value of `_window-contents`, the others in `_window-contents/more`).
 */
import { readMetadata, readState, writeMetadata, writeState } from '../../src/checkpoint/metadata.js';
import { packValue, unpackValue } from '../../src/core/serde.js';
import { namespacedKey } from '../../src/runtime/operators/window-state.js';
import type { StateKind } from '../../src/api/index.js';
import { canonicalKeyedSnapshot, normalizeKey, WINDOW_CONTENTS, WINDOW_CONTENTS_MORE, type KeyedSnapshot, type OperatorSnapshot } from '../../src/state/index.js';

/** A format-5 keyed snapshot's window contents back in format 4, and how many (key, window) entries that made. */
export function windowContentsToFormat4(s: KeyedSnapshot): { snapshot: KeyedSnapshot; windows: number } {
  const canonical = canonicalKeyedSnapshot(s);
  const byGroup = new Map<number, Array<readonly [unknown, unknown]>>();
  const add = (kg: number, entry: readonly [unknown, unknown]) => {
    let l = byGroup.get(kg);
    if (!l) byGroup.set(kg, (l = []));
    l.push(entry);
  };
  let windows = 0;
  let kind: StateKind = 'value';
  for (const st of canonical.states) {
    if (st.name === WINDOW_CONTENTS) {
      for (const [kg, entries] of st.groups) {
        for (const [key, value] of entries) {
          const nk = normalizeKey(key);
          const v = value as unknown[];
          for (let i = 0; i + 1 < v.length; i += 2, windows++) add(kg, [namespacedKey(nk, v[i] as string), v[i + 1]]);
        }
      }
    } else if (st.name === WINDOW_CONTENTS_MORE) {
      for (const [kg, entries] of st.groups) {
        windows += entries.length;
        for (const e of entries) add(kg, e);
      }
    } else if (st.name === 'window-contents') {
      // A user's state of the old table's name shared the table.
      kind = st.kind;
      for (const [kg, entries] of st.groups) for (const e of entries) add(kg, e);
    }
  }
  const states = canonical.states.filter((st) => st.name !== WINDOW_CONTENTS && st.name !== WINDOW_CONTENTS_MORE && st.name !== 'window-contents');
  if (byGroup.size > 0) states.push({ name: 'window-contents', kind, groups: [...byGroup].sort((a, b) => a[0] - b[0]) });
  return { snapshot: { ...canonical, states, version: 4 }, windows };
}

/**
 * Rewrites a savepoint (or checkpoint) directory as format 4: every operator subtask's state file
 * with window contents is written again in format 4 (version 4); returns the number of (key,
 * window) entries written.
 */
export function savepointToFormat4(dir: string): number {
  const { metadata } = readMetadata(dir);
  let windows = 0;
  const operators = metadata.operators.map((o) => ({
    ...o,
    handles: o.handles.map((h) => {
      const snap = unpackValue(readState(h, dir)) as OperatorSnapshot;
      if (!snap.keyed?.states.some((st) => st.name === WINDOW_CONTENTS)) return h;
      const { snapshot, windows: n } = windowContentsToFormat4(snap.keyed);
      windows += n;
      const { version: _, ...keyed } = snapshot;
      const { file: _f, inline: _i, size: _s, rawSize: _r, checksum: _c, compression, ...meta } = h;
      return writeState(packValue({ ...snap, version: 4, keyed }), meta, compression, dir);
    }),
  }));
  writeMetadata(dir, { ...metadata, operators });
  return windows;
}
