/**
 * Finds why a record cannot be copied or serialized (a function, a symbol, a cycle), for the
 * messages of MF_ERR_SERIALIZATION. Only called after a copy or an encoding failed: it walks the
 * record again, slowly, to name the first bad part by its path (`record.a[2].f is a function`).
 */

/** The first part of a value that cannot be serialized, as a path with the reason, or undefined. */
export function unserializablePart(v: unknown, path: string, ancestors: Set<object>): string | undefined {
  if (typeof v === 'function') return `${path} is a function`;
  if (typeof v === 'symbol') return `${path} is a symbol`;
  if (v === null || typeof v !== 'object') return undefined;
  if (ancestors.has(v)) return `${path} refers back to an enclosing object (a cycle)`;
  ancestors.add(v);
  try {
    const children: Array<[string, unknown]> = Array.isArray(v)
      ? v.map((x, i) => [`${path}[${i}]`, x])
      : v instanceof Map
        ? [...v].flatMap(([k, x]): Array<[string, unknown]> => [
            [`${path} (key ${describeRecord(k)})`, k],
            [`${path}.get(${describeRecord(k)})`, x],
          ])
        : v instanceof Set
          ? [...v].map((x, i) => [`${path} (set element ${i})`, x])
          : Object.keys(v).map((k) => [`${path}.${k}`, (v as Record<string, unknown>)[k]]);
    for (const [p, x] of children) {
      const found = unserializablePart(x, p, ancestors);
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    ancestors.delete(v);
  }
}

/**
 * Why a record cannot be copied or serialized: the first bad part, or else the error's message
 * (a record nested too deeply to walk is named by the stack overflow it causes).
 */
export function unserializableReason(v: unknown, cause: unknown): string {
  try {
    const part = unserializablePart(v, 'record', new Set());
    if (part !== undefined) return part;
  } catch {
    // Nested too deeply even for this walk: the cause says so.
  }
  return String((cause as Error)?.message ?? cause);
}

/** A short text for a record in an error message (JSON, at most 200 characters). */
export function describeRecord(v: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) => {
        if (typeof x === 'bigint') return `${x}n`;
        if (typeof x === 'object' && x !== null) {
          if (seen.has(x)) return '[Circular]';
          seen.add(x);
        }
        return x;
      })?.slice(0, 200) ?? String(v)
    );
  } catch {
    try {
      return String(v);
    } catch {
      return Object.prototype.toString.call(v);
    }
  }
}
