/**
 * Flink's built-in aggregations as reduce functions (SumAggregator, ComparableAggregator):
 * sum/min/max keep the first record's other fields and change only the aggregated field;
 * minBy/maxBy return a whole record, the first one on a tie.
 *
 * A field is a property name (dotted for nesting, `a.b`) or, for array "tuples", a position; on
 * records of a basic type (numbers, bigints, strings, booleans) position 0 and the wildcards `*`
 * and `_` are the value itself, as Flink's field accessors take them (`DataStream<Long>...sum(0)`).
 */

import { copyRecord } from '../core/record-copy.js';

/** A field expression: position in an array or (dotted) property name. */
export type FieldExpression = number | string;

/** Reads a field. */
export function getField(record: unknown, field: FieldExpression): unknown {
  if (typeof field === 'number') {
    if (field === 0 && isBasic(record)) return record;
    if (!Array.isArray(record)) throw new TypeError(`Aggregation on position ${field} needs array (tuple) records, or position 0 on a number, bigint, string or boolean; got ${typeof record}`);
    return record[field];
  }
  if ((field === '*' || field === '_') && isBasic(record)) return record;
  let v: unknown = record;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') throw new TypeError(`Aggregation field '${field}' does not exist on record ${JSON.stringify(record)}`);
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Which built-in aggregation. */
export type AggregationType = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

/** Reads and replaces one field; compiled once per aggregation (this runs for every record). */
interface FieldAccess {
  get(record: unknown): unknown;
  /** A copy of the record with the field replaced. */
  with(record: unknown, value: unknown): unknown;
  /** The record itself with the field replaced. */
  set(record: unknown, value: unknown): unknown;
}

/** A record of a basic type (Flink's BasicTypeInfo): its only field, position 0, is itself. */
function isBasic(r: unknown): boolean {
  const t = typeof r;
  return t === 'number' || t === 'bigint' || t === 'string' || t === 'boolean';
}

/** A basic value's field `*` or `_` replaced: the new value (any other field of it does not exist). */
function wildcardOf(r: unknown, field: string, v: unknown): unknown {
  getField(r, field); // throws for a field a basic value does not have
  return v;
}

function compileField(field: FieldExpression): FieldAccess {
  if (typeof field === 'number') {
    return {
      get: (r) => getField(r, field),
      // Position 0 of a basic value (never an array): the new value is the record.
      with: (r, v) => {
        if (field === 0 && isBasic(r)) return v;
        const copy = [...(r as unknown[])];
        copy[field] = v;
        return copy;
      },
      set: (r, v) => {
        if (field === 0 && isBasic(r)) return v;
        (r as unknown[])[field] = v;
        return r;
      },
    };
  }
  if (!field.includes('.')) {
    return {
      get: (r) => {
        if (r === null || typeof r !== 'object') return getField(r, field);
        return (r as Record<string, unknown>)[field];
      },
      with: (r, v) => {
        if (r === null || typeof r !== 'object') return wildcardOf(r, field, v);
        // A copy as Flink's serializer.copy makes it (deep, keeping a registered class; a spread
        // made a plain object of a class instance), then the field: the copy keeps the record's shape.
        const c = copyRecord(r) as Record<string, unknown>;
        c[field] = v;
        return c;
      },
      set: (r, v) => {
        if (r === null || typeof r !== 'object') return wildcardOf(r, field, v);
        (r as Record<string, unknown>)[field] = v;
        return r;
      },
    };
  }
  const parts = field.split('.');
  const setIn = (r: unknown, v: unknown) => {
    let o = r as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) o = o[parts[i]!] as Record<string, unknown>;
    o[parts[parts.length - 1]!] = v;
    return r;
  };
  return { get: (r) => getField(r, field), with: (r, v) => setIn(copyRecord(r), v), set: setIn };
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const sa = a as string | number;
  const sb = b as string | number;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * The form of a built-in aggregation's reducer that changes its first argument (the running
 * aggregate) instead of returning a changed copy, as the reducer's property under this symbol. An
 * operator uses it only where it owns that aggregate and no one else can see it change (the keyed
 * reduce operator without object reuse: what it emits is copied before any function sees it).
 */
export const IN_PLACE: unique symbol = Symbol('miniflink.aggregation.inPlace');

/** A built-in aggregation's reducer. */
export type AggregationReducer = ((a: unknown, b: unknown) => unknown) & { readonly [IN_PLACE]?: (a: unknown, b: unknown) => unknown };

/** The reduce function of an aggregation on a field. */
export function aggregationReducer(type: AggregationType, field: FieldExpression): AggregationReducer {
  const f = compileField(field);
  const sum = (put: (r: unknown, v: unknown) => unknown) => (a: unknown, b: unknown) => {
    const x = f.get(a);
    const y = f.get(b);
    if (typeof x === 'number' && typeof y === 'number') return put(a, x + y);
    if (typeof x === 'bigint' && typeof y === 'bigint') return put(a, x + y);
    throw new TypeError(`sum('${field}') needs numbers, got ${typeof x} and ${typeof y}`);
  };
  const min = (put: (r: unknown, v: unknown) => unknown) => (a: unknown, b: unknown) => (compare(f.get(b), f.get(a)) < 0 ? put(a, f.get(b)) : a);
  const max = (put: (r: unknown, v: unknown) => unknown) => (a: unknown, b: unknown) => (compare(f.get(b), f.get(a)) > 0 ? put(a, f.get(b)) : a);
  const withInPlace = (make: (put: (r: unknown, v: unknown) => unknown) => (a: unknown, b: unknown) => unknown): AggregationReducer => Object.assign(make(f.with), { [IN_PLACE]: make(f.set) });
  switch (type) {
    case 'sum':
      return withInPlace(sum);
    case 'min':
      return withInPlace(min);
    case 'max':
      return withInPlace(max);
    case 'minBy':
      return (a, b) => (compare(f.get(b), f.get(a)) < 0 ? b : a);
    case 'maxBy':
      return (a, b) => (compare(f.get(b), f.get(a)) > 0 ? b : a);
  }
}
