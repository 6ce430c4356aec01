/**
 * Records that collect sinks (`executeAndCollect`) sent to the JobManager (Flink's
 * CollectSinkOperatorCoordinator): with checkpointing, a record is final only once the checkpoint
 * after it completed; a restart drops what came after the last completed checkpoint (without
 * checkpointing, a restart runs the job from scratch and drops everything collected before).
 */

/** Collected records of one job, by collect id. */
export class CollectedRecords {
  private readonly byId = new Map<string, { committed: unknown[]; pending: Array<{ epoch: number; records: unknown[] }> }>();

  /**
   * Records a collect sink sent after passing checkpoint `epoch`'s barrier; committed at once
   * without checkpointing. Returns how many records that sink has sent in all.
   */
  add(collectId: string, epoch: number, records: unknown[], checkpointing: boolean): number {
    let c = this.byId.get(collectId);
    if (!c) this.byId.set(collectId, (c = { committed: [], pending: [] }));
    if (!checkpointing) c.committed.push(...records);
    else c.pending.push({ epoch, records });
    return c.committed.length + c.pending.reduce((a, p) => a + p.records.length, 0);
  }

  /** Records collected before checkpoint `id`'s barrier are final once it completes. */
  commit(id: number): void {
    for (const c of this.byId.values()) {
      for (const p of c.pending.filter((x) => x.epoch < id)) c.committed.push(...p.records);
      c.pending = c.pending.filter((x) => x.epoch >= id);
    }
  }

  /** The job ended well (finished, or canceled at the collect limit): every record is final. */
  commitAll(): void {
    for (const c of this.byId.values()) for (const p of c.pending) c.committed.push(...p.records);
  }

  /** The attempt ended without finishing: what came after the last completed checkpoint is dropped. */
  dropPending(): void {
    for (const c of this.byId.values()) c.pending = [];
  }

  /** The job restarts from scratch (no checkpointing): nothing collected so far counts. */
  dropAll(): void {
    this.byId.clear();
  }

  /** Committed records by collect id. */
  committed(): Map<string, unknown[]> {
    return new Map([...this.byId].map(([k, v]) => [k, v.committed]));
  }
}
