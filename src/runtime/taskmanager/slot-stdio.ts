/**
 * A slot thread's stdout, stderr and log lines go to the JobManager through the slot's own port, in
 * order with its task-state messages (so that a job's printed output is complete before the job is
 * reported finished; Node's own worker stdio travels on another port, with no such order), and in
 * the order they were written (stdout and stderr interleaved as written, as a `.out` file of
 * `2>&1` keeps them).
 *
 * What is posted but not yet written by the JobManager is counted in memory both threads share
 * (`pending`): beyond PENDING_LIMIT characters, a write waits (Atomics.wait) until the JobManager
 * has written enough, so a task that prints faster than the cluster's stdout drains is slowed down
 * (as a Flink task blocks on a full stdout) instead of the JobManager's memory growing without bound.
 */
import type { FromSlot } from '../protocol.js';

/** Flush when this much text is buffered. */
const MAX_BUFFERED = 64 * 1024;
/**
 * Writes posted at once in one turn of the thread's loop; the rest of the turn's are batched. A
 * line written just before the thread blocks (a hang) or exits was kept back for the next turn,
 * which never came: lost, and with it what one needs to tell why (found by a review).
 */
const IMMEDIATE_PER_TURN = 32;
/** Characters posted and not yet written by the JobManager beyond which a write waits. */
export const PENDING_LIMIT = 1024 * 1024;

type Kind = 'stdout' | 'stderr' | 'log';

/** Buffers stdio text and log lines and posts them in batches, in order. */
export class SlotStdio {
  /** Buffered chunks in the order written; consecutive text of one stream is joined. */
  private chunks: Array<{ kind: Kind; parts: string[] }> = [];
  private buffered = 0;
  private scheduled = false;
  /** Writes posted at once since the last batch (see IMMEDIATE_PER_TURN). */
  private immediate = 0;

  /** Characters posted and not yet written by the JobManager (index 0), shared with it; none: no limit. */
  private pending: Int32Array | undefined;

  constructor(private readonly post: (msg: FromSlot) => void) {}

  /** Counts what is posted and not yet written in `shared` (from the slot's init). */
  countPendingIn(shared: SharedArrayBuffer): void {
    this.pending = new Int32Array(shared);
  }

  /** Replaces process.stdout.write and process.stderr.write in this thread. */
  install(): void {
    const patch = (stream: NodeJS.WriteStream, which: 'stdout' | 'stderr') => {
      stream.write = ((chunk: unknown, encodingOrCb?: unknown, cb?: unknown) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : 'utf8');
        this.write(which, text);
        const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    };
    patch(process.stdout, 'stdout');
    patch(process.stderr, 'stderr');
  }

  /** Text written to stdout or stderr; waits while the JobManager is behind. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    this.waitForJobManager();
    this.append(stream, text);
  }

  /** A line for the TaskManager's log (one log event: it rolls over as one). */
  appendLog(line: string): void {
    this.append('log', line);
  }

  private append(kind: Kind, text: string): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.kind === kind) last.parts.push(text);
    else this.chunks.push({ kind, parts: [text] });
    this.buffered += text.length;
    if (this.immediate < IMMEDIATE_PER_TURN) {
      this.immediate++;
      this.postBuffered();
    } else if (this.buffered >= MAX_BUFFERED) this.postBuffered();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Blocks this thread while more than PENDING_LIMIT characters wait to be written by the JobManager. */
  private waitForJobManager(): void {
    const p = this.pending;
    if (!p || Atomics.load(p, 0) <= PENDING_LIMIT) return;
    this.flush();
    for (let now = Atomics.load(p, 0); now > PENDING_LIMIT; now = Atomics.load(p, 0)) Atomics.wait(p, 0, now, 1000);
  }

  /** Posts everything buffered, in order; the next turn's first writes go out at once again. */
  flush(): void {
    this.scheduled = false;
    this.immediate = 0;
    this.postBuffered();
  }

  private postBuffered(): void {
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    for (const c of chunks) {
      if (c.kind === 'log') {
        this.post({ type: 'log', lines: c.parts });
        continue;
      }
      const text = c.parts.join('');
      if (this.pending) Atomics.add(this.pending, 0, text.length);
      this.post({ type: 'stdio', stream: c.kind, text });
    }
  }
}
