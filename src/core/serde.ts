/**
 * The msgpackr codec for record batches between tasks.
 *
 * A batch is packed as one msgpack array with msgpackr's record extension, so objects of the same
 * shape are described once per batch and decoded through a generated class (fast). Each batch is
 * self-describing: no structures are shared across batches, so a lost or reordered batch can never
 * make another undecodable.
 */
import { Packr, Unpackr, addExtension } from 'msgpackr';
import { MiniFlinkError } from './errors.js';

const options = { useRecords: true, moreTypes: true } as const;

// msgpackr would silently drop a function; Flink fails to serialize it, and so do we.
addExtension({
  Class: Function,
  type: 0x66,
  write() {
    throw new TypeError('a function cannot be serialized');
  },
  read() {
    return undefined;
  },
});

/** Packs and unpacks record batches. One instance per thread is enough; it is not reentrant. */
export class RecordBatchCodec {
  private readonly packr = new Packr(options);
  private readonly unpackr = new Unpackr(options);

  /** Packs the records into a standalone byte array (its own ArrayBuffer, safe to transfer). */
  encode(records: readonly unknown[]): Uint8Array {
    let packed: Uint8Array;
    try {
      packed = this.packr.pack(records);
    } catch (e) {
      throw serializationError(records, e);
    }
    // msgpackr returns a view of its reusable buffer: copy out the bytes of this batch.
    return new Uint8Array(packed);
  }

  /** Unpacks a batch. */
  decode(bytes: Uint8Array): unknown[] {
    return this.unpackr.unpack(bytes) as unknown[];
  }
}

function serializationError(records: readonly unknown[], cause: unknown): MiniFlinkError {
  const bad = records.find((r) => {
    try {
      new Packr(options).pack(r);
      return false;
    } catch {
      return true;
    }
  });
  const where = bad === undefined ? undefined : unserializablePart(bad, 'record', new Set());
  const reason = where ?? String((cause as Error)?.message ?? cause);
  return new MiniFlinkError('MF_ERR_SERIALIZATION', `Could not serialize record ${describe(bad)} to send it to the next task: ${reason}`, { cause });
}

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
        ? [...v].map(([k, x]) => [`${path}.get(${describe(k)})`, x])
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

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Packs one value (state, control data) into a standalone byte array. */
export function packValue(v: unknown): Uint8Array {
  return new Uint8Array(new Packr(options).pack(v));
}

/** Unpacks one value packed by {@link packValue}. */
export function unpackValue(bytes: Uint8Array): unknown {
  return new Unpackr(options).unpack(bytes);
}
