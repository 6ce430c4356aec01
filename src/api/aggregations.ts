/**
 * Flink's built-in aggregations as reduce functions (SumAggregator, ComparableAggregator):
 * sum/min/max keep the first record's other fields and change only the aggregated field;
 * minBy/maxBy return a whole record, the first one on a tie.
 *
 * A field is a property name (dotted for nesting, `a.b`) or, for array "tuples", a position.
 */

/** A field expression: position in an array or (dotted) property name. */
export type FieldExpression = number | string;

/** Reads a field. */
export function getField(record: unknown, field: FieldExpression): unknown {
  if (typeof field === 'number') {
    if (!Array.isArray(record)) throw new TypeError(`Aggregation on position ${field} needs array (tuple) records, got ${typeof record}`);
    return record[field];
  }
  let v: unknown = record;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') throw new TypeError(`Aggregation field '${field}' does not exist on record ${JSON.stringify(record)}`);
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A copy of the record with one field replaced. */
function withField(record: unknown, field: FieldExpression, value: unknown): unknown {
  if (typeof field === 'number') {
    const copy = [...(record as unknown[])];
    copy[field] = value;
    return copy;
  }
  const parts = field.split('.');
  const set = (obj: Record<string, unknown>, i: number): Record<string, unknown> => {
    const copy = { ...obj };
    copy[parts[i]!] = i === parts.length - 1 ? value : set(obj[parts[i]!] as Record<string, unknown>, i + 1);
    return copy;
  };
  return set(record as Record<string, unknown>, 0);
}

/** Which built-in aggregation. */
export type AggregationType = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const sa = a as string | number;
  const sb = b as string | number;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** The reduce function of an aggregation on a field. */
export function aggregationReducer(type: AggregationType, field: FieldExpression): (a: unknown, b: unknown) => unknown {
  switch (type) {
    case 'sum':
      return (a, b) => {
        const x = getField(a, field);
        const y = getField(b, field);
        if (typeof x === 'bigint' && typeof y === 'bigint') return withField(a, field, x + y);
        if (typeof x !== 'number' || typeof y !== 'number') throw new TypeError(`sum('${field}') needs numbers, got ${typeof x} and ${typeof y}`);
        return withField(a, field, x + y);
      };
    case 'min':
      return (a, b) => (compare(getField(b, field), getField(a, field)) < 0 ? withField(a, field, getField(b, field)) : a);
    case 'max':
      return (a, b) => (compare(getField(b, field), getField(a, field)) > 0 ? withField(a, field, getField(b, field)) : a);
    case 'minBy':
      return (a, b) => (compare(getField(b, field), getField(a, field)) < 0 ? b : a);
    case 'maxBy':
      return (a, b) => (compare(getField(b, field), getField(a, field)) > 0 ? b : a);
  }
}
