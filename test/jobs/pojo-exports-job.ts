/**
 * A job whose top-level code runs it (no -c): its exported class is not registered, and keeps its
 * class anyway (the compiled module hands its exports over before its code runs).
 * `RESULT <sorted class:norm>`.
 */
import { StreamExecutionEnvironment } from 'miniflink';

/** A record class the job exports and does not register. */
export class Vec {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm1(): number {
    return Math.abs(this.x) + Math.abs(this.y);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
const out = await env
  .fromSequence(1, 6)
  .map((n) => new Vec(n, -n))
  .keyBy((p) => p.x % 2)
  .map((p) => {
    if (!(p instanceof Vec)) throw new Error(`not a Vec after the keyBy exchange: ${JSON.stringify(p)}`);
    return new Vec(p.x, p.norm1());
  })
  .executeAndCollect();
console.log(`RESULT ${JSON.stringify(out.map((p) => `${p.constructor.name}:${p.norm1()}`).sort())}`);
