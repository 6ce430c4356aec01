/**
 * A job run with `-c main`: its exported class is not registered, and keeps its class anyway
 * (the module's exports are known before main() builds the job). `RESULT <sorted class:norm>`.
 */
import { StreamExecutionEnvironment } from 'miniflink';

/** A record class the job exports and does not register. */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm1(): number {
    return Math.abs(this.x) + Math.abs(this.y);
  }
}

/** The entry point. */
export async function main(): Promise<void> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  env.setParallelism(2);
  const out = await env
    .fromSequence(1, 6)
    .map((n) => new Point(n, -n))
    .keyBy((p) => p.x % 2)
    .map((p) => {
      if (!(p instanceof Point)) throw new Error(`not a Point after the keyBy exchange: ${JSON.stringify(p)}`);
      return new Point(p.x, p.norm1());
    })
    .executeAndCollect();
  console.log(`RESULT ${JSON.stringify(out.map((p) => `${p.constructor.name}:${p.norm1()}`).sort())}`);
}
