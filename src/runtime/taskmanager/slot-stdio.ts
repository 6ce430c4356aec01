/**
 * A slot thread's stdout, stderr and log lines go to the JobManager through the slot's own port, in order
 * with its task-state messages, so that a job's printed output is complete before the job is
 * reported finished (Node's own worker stdio travels on another port, with no such order).
 */
import type { FromSlot } from '../protocol.js';

/** Flush when this much text is buffered. */
const MAX_BUFFERED = 64 * 1024;

/** Buffers stdio text and posts it in batches. */
export class SlotStdio {
  private out = '';
  private err = '';
  private log = '';
  private scheduled = false;

  constructor(private readonly post: (msg: FromSlot) => void) {}

  /** Replaces process.stdout.write and process.stderr.write in this thread. */
  install(): void {
    const patch = (stream: NodeJS.WriteStream, which: 'stdout' | 'stderr') => {
      stream.write = ((chunk: unknown, encodingOrCb?: unknown, cb?: unknown) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encodingOrCb === 'string' ? (encodingOrCb as BufferEncoding) : 'utf8');
        this.append(which, text);
        const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
    };
    patch(process.stdout, 'stdout');
    patch(process.stderr, 'stderr');
  }

  /** Lines for the TaskManager's log (in order with the task-state messages, as stdio). */
  appendLog(text: string): void {
    this.append('log', text);
  }

  private append(which: 'stdout' | 'stderr' | 'log', text: string): void {
    if (which === 'stdout') this.out += text;
    else if (which === 'stderr') this.err += text;
    else this.log += text;
    if (this.out.length + this.err.length + this.log.length >= MAX_BUFFERED) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Posts everything buffered. */
  flush(): void {
    this.scheduled = false;
    if (this.out) this.post({ type: 'stdio', stream: 'stdout', text: this.out });
    if (this.err) this.post({ type: 'stdio', stream: 'stderr', text: this.err });
    if (this.log) this.post({ type: 'log', text: this.log });
    this.out = '';
    this.err = '';
    this.log = '';
  }
}
