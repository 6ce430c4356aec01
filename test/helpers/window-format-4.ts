/**
 * Window contents as miniflink wrote them up to snapshot format 4: one entry per (key, window)
 * under the composite key "<namespace>\u0001<tag><normalized key>" (window-state.ts's
 * namespacedKey), for the tests that restore such snapshots (format 5 keeps one value per key).
 */
import { readMetadata, readState, writeMetadata, writeState } from '../../src/checkpoint/metadata.js';
import { packValue, unpackValue } from '../../src/core/serde.js';
import { namespacedKey } from '../../src/runtime/operators/window-state.js';
import { canonicalKeyedSnapshot, normalizeKey, type KeyedSnapshot, type OperatorSnapshot } from '../../src/state/index.js';

/** A format-5 keyed snapshot's window contents back in format 4, and how many (key, window) entries that made. */
export function windowContentsToFormat4(s: KeyedSnapshot): { snapshot: KeyedSnapshot; windows: number } {
  let windows = 0;
  const canonical = canonicalKeyedSnapshot(s);
  const states = canonical.states.map((st) => {
    if (st.name !== 'window-contents') return st;
    const groups = st.groups.map(([kg, entries]) => {
      const out: Array<readonly [unknown, unknown]> = [];
      for (const [key, value] of entries) {
        const nk = normalizeKey(key);
        const pairs: Array<[string, unknown]> = value instanceof Map ? [...(value as Map<string, unknown>)] : [];
        if (Array.isArray(value)) for (let i = 0; i < value.length; i += 2) pairs.push([value[i] as string, value[i + 1]]);
        for (const [ns, contents] of pairs) out.push([namespacedKey(nk, ns), contents]);
      }
      windows += out.length;
      return [kg, out] as const;
    });
    return { ...st, groups };
  });
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
      if (!snap.keyed?.states.some((st) => st.name === 'window-contents')) return h;
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
