/**
 * Channel selection per ship strategy (Flink's StreamPartitioner subclasses). A partitioner picks
 * the index of a channel among the producer's channels (see graph/connections.ts for which
 * consumers those are).
 */
import { MiniFlinkError } from '../../core/errors.js';
import { assignKeyToParallelOperator } from '../../core/key-groups.js';
import type { ShipStrategy } from '../../graph/index.js';
import { formatForPrint } from '../../api/index.js';

/** Chooses a channel for each record; `-1` means every channel (broadcast). */
export interface ChannelSelector {
  /** Index of the channel the record goes to, or -1 for all. */
  select(record: unknown): number;
}

/** Round-robin from a random start (Flink's RebalancePartitioner / RescalePartitioner). */
class RoundRobin implements ChannelSelector {
  private next: number;
  constructor(private readonly n: number) {
    this.next = Math.floor(Math.random() * n);
  }
  select(): number {
    this.next = this.next + 1 === this.n ? 0 : this.next + 1;
    return this.next;
  }
}

/** Flink's KeyGroupStreamPartitioner: key -> key group -> consumer subtask. */
class KeyGroupSelector implements ChannelSelector {
  constructor(
    private readonly keyOf: (record: unknown) => unknown,
    private readonly maxParallelism: number,
    private readonly n: number,
  ) {}
  select(record: unknown): number {
    const key = this.keyOf(record);
    if (key === null || key === undefined) {
      throw new MiniFlinkError('MF_ERR_NULL_KEY', `Assigned key must not be null! The key selector returned ${String(key)} for record ${formatForPrint(record)}`);
    }
    return assignKeyToParallelOperator(key, this.maxParallelism, this.n);
  }
}

/** Builds the channel selector of an edge for a producer with `n` channels. */
export function createChannelSelector(
  strategy: ShipStrategy,
  n: number,
  keyOf: ((record: unknown) => unknown) | undefined,
  consumerMaxParallelism: number,
): ChannelSelector {
  switch (strategy) {
    case 'FORWARD':
    case 'GLOBAL':
      return { select: () => 0 };
    case 'REBALANCE':
    case 'RESCALE':
      return n === 1 ? { select: () => 0 } : new RoundRobin(n);
    case 'SHUFFLE':
      return { select: () => Math.floor(Math.random() * n) };
    case 'BROADCAST':
      return { select: () => -1 };
    case 'HASH':
      if (!keyOf) throw new Error('A HASH edge needs a key selector (this is a bug in miniflink)');
      return new KeyGroupSelector(keyOf, consumerMaxParallelism, n);
  }
}
