/**
 * How a job's results travel to a client that ran the program against a remote cluster (Flink's
 * client model: `miniflink run -m` runs the program in the CLI, whose execute() submits over REST
 * and waits). `GET /jobs/:jobid/execution-result` carries them in `accumulator-results`, as Flink
 * carries accumulators there (base64 of serialized values; Flink's collect sink also hands its
 * last records over as an accumulator). Here each value is a msgpack batch, and the records of
 * executeAndCollect travel under one reserved name.
 */
import { RecordBatchCodec } from '../core/serde.js';

/** The configuration key by which a client says which execute() call of its program a jar run is. */
export const EXECUTE_INDEX_KEY = '$internal.miniflink.execute-index';

/** The accumulator that carries executeAndCollect's records. */
export const COLLECT_ACCUMULATOR = '$miniflink.collect';

/** What the execution result carries besides the status. */
export interface RemoteResults {
  readonly accumulators: Record<string, unknown>;
  /** Records by collect id. */
  readonly collected: Map<string, unknown[]>;
  /** The job was canceled because executeAndCollect's limit was reached (a success for the client). */
  readonly limitReached: boolean;
}

const codec = new RecordBatchCodec();

const encode = (value: unknown) => Buffer.from(codec.encode([value])).toString('base64');
const decode = (text: string) => codec.decode(Buffer.from(text, 'base64'))[0];

/** Encodes accumulators and collected records as `accumulator-results` values. */
export function encodeResults(r: RemoteResults): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.accumulators)) out[k] = encode(v);
  if (r.collected.size > 0 || r.limitReached) out[COLLECT_ACCUMULATOR] = encode({ limitReached: r.limitReached, records: Object.fromEntries(r.collected) });
  return out;
}

/** Decodes what encodeResults wrote; a value it cannot decode is kept as the string it was. */
export function decodeResults(values: Readonly<Record<string, unknown>>): RemoteResults {
  const accumulators: Record<string, unknown> = {};
  let collected = new Map<string, unknown[]>();
  let limitReached = false;
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'string') {
      accumulators[k] = v;
      continue;
    }
    let value: unknown;
    try {
      value = decode(v);
    } catch {
      accumulators[k] = v;
      continue;
    }
    if (k === COLLECT_ACCUMULATOR) {
      const c = value as { limitReached: boolean; records: Record<string, unknown[]> };
      limitReached = c.limitReached;
      collected = new Map(Object.entries(c.records));
    } else accumulators[k] = value;
  }
  return { accumulators, collected, limitReached };
}
