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
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const k in v as Record<string, unknown>) out[k] = copyRecord((v as Record<string, unknown>)[k]);
    return out as T;
  }
  return structuredClone(v);
}
