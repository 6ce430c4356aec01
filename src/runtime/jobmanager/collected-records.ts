/**
 * Records that collect sinks (`executeAndCollect`) sent to the JobManager (Flink's
 * CollectSinkOperatorCoordinator): with checkpointing, a record is final only once the checkpoint
 * after it completed; a restart drops what came after the last completed checkpoint (without
 * checkpointing, a restart runs the job from scratch and drops everything collected before).
 */

/** Records one deployment (attempt) of a collect sink sent after passing checkpoint `epoch`'s barrier. */
interface Batch {
  readonly attempt: number;
  readonly epoch: number;
  readonly records: unknown[];
}

/**
 * Collected records of one job, by collect id. Each batch keeps the attempt that sent it, so a
 * region restart drops only what its own subtasks collected.
 */
export class CollectedRecords {
  private readonly byId = new Map<string, { committed: Batch[]; pending: Batch[] }>();

  /**
   * Records a collect sink of `attempt` sent after passing checkpoint `epoch`'s barrier; committed
   * at once without checkpointing. Returns how many records that sink has sent in all.
   */
  add(collectId: string, attempt: number, epoch: number, records: unknown[], checkpointing: boolean): number {
    let c = this.byId.get(collectId);
    if (!c) this.byId.set(collectId, (c = { committed: [], pending: [] }));
    (checkpointing ? c.pending : c.committed).push({ attempt, epoch, records });
    const count = (l: Batch[]) => l.reduce((a, p) => a + p.records.length, 0);
    return count(c.committed) + count(c.pending);
  }

  /** Records collected before checkpoint `id`'s barrier are final once it completes. */
  commit(id: number): void {
    for (const c of this.byId.values()) {
      c.committed.push(...c.pending.filter((x) => x.epoch < id));
      c.pending = c.pending.filter((x) => x.epoch >= id);
    }
  }

  /** The job ended well (finished, or canceled at the collect limit): every record is final. */
  commitAll(): void {
    for (const c of this.byId.values()) {
      c.committed.push(...c.pending);
      c.pending = [];
    }
  }

  /** Attempts (default: all) ended without finishing: what they sent after the last completed checkpoint is dropped. */
  dropPending(attempts?: ReadonlySet<number>): void {
    for (const c of this.byId.values()) c.pending = attempts ? c.pending.filter((b) => !attempts.has(b.attempt)) : [];
  }

  /** Attempts (default: all) run again from scratch (no checkpointing): nothing they collected counts. */
  dropAll(attempts?: ReadonlySet<number>): void {
    if (!attempts) return this.byId.clear();
    for (const c of this.byId.values()) {
      c.committed = c.committed.filter((b) => !attempts.has(b.attempt));
      c.pending = c.pending.filter((b) => !attempts.has(b.attempt));
    }
  }

  /** Committed records by collect id. */
  committed(): Map<string, unknown[]> {
    return new Map([...this.byId].map(([k, v]) => [k, v.committed.flatMap((b) => b.records)]));
  }
}
