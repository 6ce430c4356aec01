/**
 * readTextFile(path): lines of a text file. Parallel: subtask i of p emits the lines whose 0-based
 * number n has n % p == i, so each line is emitted exactly once at any parallelism.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RichParallelSourceFunction, type SourceContext } from '../functions/source-function.js';

/** Emits a file's lines (without line terminators). */
export class TextFileSource extends RichParallelSourceFunction<string> {
  private canceled = false;
  constructor(private readonly path: string) {
    super();
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('readTextFile needs a file path');
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
        if (n++ % p === me) {
          const wait = ctx.collect(line);
          if (wait) await wait;
        }
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
