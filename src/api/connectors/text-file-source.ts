/**
 * readTextFile(path): lines of a text file. Parallel: subtask i of p emits the lines whose 0-based
 * number n has n % p == i, so each line is emitted exactly once at any parallelism.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RichParallelSourceFunction, type SourceContext } from '../functions/source-function.js';
import type { CheckpointedFunction, FunctionInitializationContext } from '../functions/checkpointed-function.js';
import { ListStateDescriptor, type ListState } from '../state/state.js';

/** What one subtask of one run has emitted: lines n with n % parallelism == index, up to `count` of them. */
type Progress = [index: number, parallelism: number, count: number];

/**
 * Emits a file's lines (without line terminators). Checkpointed: each subtask's progress is union
 * state, so after a restore at any parallelism every subtask knows which lines were emitted.
 */
export class TextFileSource extends RichParallelSourceFunction<string> implements CheckpointedFunction {
  private canceled = false;
  private restored: Progress[] = [];
  private emitted = 0;
  private state!: ListState<Progress>;
  constructor(private readonly path: string) {
    super();
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('readTextFile needs a file path');
  }

  /** Registers the progress state. */
  initializeState(ctx: FunctionInitializationContext): void {
    this.state = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<Progress>('file-progress'));
    if (ctx.isRestored()) this.restored = [...this.state.get()];
  }

  /** Stores this subtask's progress, and the restored progress it carries on. */
  snapshotState(): void {
    const rc = this.getRuntimeContext();
    // Union state reaches every subtask: only subtask 0 carries the restored progress forward.
    const carried = rc.getIndexOfThisSubtask() === 0 ? this.restored : [];
    this.state.update([...carried, [rc.getIndexOfThisSubtask(), rc.getNumberOfParallelSubtasks(), this.emitted]]);
  }

  private alreadyEmitted(n: number): boolean {
    for (const [index, p, count] of this.restored) if (n % p === index && Math.floor(n / p) < count) return true;
    return false;
  }

  /** Reads the file and emits this subtask's lines. */
  async run(ctx: SourceContext<string>): Promise<void> {
    try {
      const s = await stat(this.path);
      if (!s.isFile()) throw new Error('not a regular file');
    } catch (e) {
      throw new Error(`readTextFile: cannot read ${this.path}: ${(e as Error).message}`, { cause: e });
    }
    const rc = this.getRuntimeContext();
    const p = rc.getNumberOfParallelSubtasks();
    const me = rc.getIndexOfThisSubtask();
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    try {
      for await (const line of lines) {
        if (this.canceled) break;
        const lineNo = n++;
        if (lineNo % p !== me) continue;
        // Count every line of this subtask's share, emitted now or before a restore.
        this.emitted++;
        if (this.alreadyEmitted(lineNo)) continue;
        const wait = ctx.collect(line);
        if (wait) await wait;
      }
    } finally {
      lines.close();
    }
  }

  /** Stops reading. */
  cancel(): void {
    this.canceled = true;
  }
}
