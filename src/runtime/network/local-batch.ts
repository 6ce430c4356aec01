/**
 * A batch of records handed to a task in the same slot thread by reference (with
 * `pipeline.local-exchange.by-reference`): the producer's copies of its records, never
 * serialized on the way. Its bytes are packed only when something needs them: an unaligned
 * checkpoint's in-flight data, or the bytes processed during an alignment. That is always before
 * the consumer takes the records (a buffer still queued), so the bytes are those of the records
 * as they were sent.
 */
import type { RecordBatchCodec } from '../../core/serde.js';

export class LocalBatch {
  private packed: Uint8Array | undefined;
  constructor(
    /** The records (the producer's copies: no one else holds them). */
    readonly records: unknown[],
    /** Their timestamps (a timestamp or null each), or undefined when none has one. */
    readonly stamps: Array<number | null> | undefined,
    private readonly codec: RecordBatchCodec,
  ) {}

  /** Whether timestamps travel beside the records (as a serialized buffer's flag). */
  get timestamps(): boolean {
    return this.stamps !== undefined;
  }

  /** The batch packed as a serialized buffer would be (made once, when first asked for). */
  get bytes(): Uint8Array {
    this.packed ??= this.stamps === undefined ? this.codec.encode(this.records) : this.codec.encode([this.records, this.stamps]);
    return this.packed;
  }
}
