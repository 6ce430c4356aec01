/**
 * socketTextStream(host, port, delimiter): Flink's SocketTextStreamFunction. Non-parallel; emits
 * the text between delimiters; ends when the peer closes the connection.
 */
import { connect, type Socket } from 'node:net';
import { RichSourceFunction, type SourceContext } from '../functions/source-function.js';

/** Reads delimited text from a TCP socket. */
export class SocketTextStreamSource extends RichSourceFunction<string> {
  private socket: Socket | undefined;
  private canceled = false;
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly delimiter = '\n',
  ) {
    super();
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`socketTextStream: port must be an integer in 0..65535, got ${port}`);
  }

  /** Connects, then emits each delimited piece of text until the peer closes. */
  async run(ctx: SourceContext<string>): Promise<void> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.host, port: this.port });
      s.once('connect', () => resolve(s));
      s.once('error', (e) => reject(new Error(`socketTextStream: could not connect to ${this.host}:${this.port}: ${e.message}`, { cause: e })));
    });
    this.socket = socket;
    socket.setEncoding('utf8');
    let buffer = '';
    try {
      for await (const chunk of socket) {
        if (this.canceled) break;
        buffer += chunk as string;
        let i: number;
        while ((i = buffer.indexOf(this.delimiter)) >= 0) {
          let piece = buffer.slice(0, i);
          buffer = buffer.slice(i + this.delimiter.length);
          // Flink strips a trailing \r when the delimiter is \n.
          if (this.delimiter === '\n' && piece.endsWith('\r')) piece = piece.slice(0, -1);
          const wait = ctx.collect(piece);
          if (wait) await wait;
        }
      }
      if (buffer.length > 0 && !this.canceled) await ctx.collect(buffer);
    } finally {
      socket.destroy();
    }
  }

  /** Closes the connection. */
  cancel(): void {
    this.canceled = true;
    this.socket?.destroy();
  }
}
