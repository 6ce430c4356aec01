/**
 * Records that collect sinks (`executeAndCollect`) sent to the JobManager (Flink's
 * CollectSinkOperatorCoordinator): with checkpointing, a record is final only once the checkpoint
 * after it completed; a restart drops what came after the last completed checkpoint (without
 * checkpointing, a restart runs the job from scratch and drops everything collected before).
 */

/** Records one collect sink subtask (`<vertexId>/<index>`) sent after passing checkpoint `epoch`'s barrier. */
interface Batch {
  readonly task: string;
  readonly epoch: number;
  readonly records: unknown[];
}

/**
 * Collected records of one job, by collect id. Each batch keeps the subtask that sent it, so a
 * region restart drops only what its own subtasks collected (the other regions' subtasks of the
 * same attempt run on).
 */
export class CollectedRecords {
  private readonly byId = new Map<string, { committed: Batch[]; pending: Batch[] }>();

  /**
   * Records a collect sink subtask (`task`: `<vertexId>/<index>`) sent after passing checkpoint
   * `epoch`'s barrier; committed at once without checkpointing. Returns how many records that sink
   * has sent in all.
   */
  add(collectId: string, task: string, epoch: number, records: unknown[], checkpointing: boolean): number {
    let c = this.byId.get(collectId);
    if (!c) this.byId.set(collectId, (c = { committed: [], pending: [] }));
    (checkpointing ? c.pending : c.committed).push({ task, epoch, records });
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

  /** Subtasks (default: all) ended without finishing: what they sent after the last completed checkpoint is dropped. */
  dropPending(tasks?: ReadonlySet<string>): void {
    for (const c of this.byId.values()) c.pending = tasks ? c.pending.filter((b) => !tasks.has(b.task)) : [];
  }

  /** Subtasks (default: all) run again from scratch (no checkpointing): nothing they collected counts. */
  dropAll(tasks?: ReadonlySet<string>): void {
    if (!tasks) return this.byId.clear();
    for (const c of this.byId.values()) {
      c.committed = c.committed.filter((b) => !tasks.has(b.task));
      c.pending = c.pending.filter((b) => !tasks.has(b.task));
    }
  }

  /** Committed records by collect id. */
  committed(): Map<string, unknown[]> {
    return new Map([...this.byId].map(([k, v]) => [k, v.committed.flatMap((b) => b.records)]));
  }
}
