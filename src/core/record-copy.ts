/**
 * Defensive copies between chained operators (Flink copies a record for the next operator unless
 * object reuse is on, so a function may keep or change what it was given). Primitives need no copy.
 */

/** A deep copy of plain data; other objects go through structuredClone. */
export function copyRecord<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyRecord(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype) {
    // Spread is V8's fast object clone; then only nested objects need their own copy.
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    for (const k in out) {
      const x = out[k];
      if (x !== null && typeof x === 'object') out[k] = copyRecord(x);
    }
    return out as T;
  }
  if (proto === null) return Object.assign(Object.create(null), copyRecord({ ...(v as object) })) as T;
  return structuredClone(v);
}
