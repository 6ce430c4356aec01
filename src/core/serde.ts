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
  return new MiniFlinkError('MF_ERR_SERIALIZATION', `Could not serialize record ${describe(bad)} to send it to the next task: ${String((cause as Error)?.message ?? cause)}`, { cause });
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
