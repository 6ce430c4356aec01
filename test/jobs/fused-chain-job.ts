/**
 * Chains of map, filter and sink at parallelism 1, whose chained outputs compile the operators in
 * (FusedElement) and copy records by the layout of the last one (object reuse off, Flink's
 * default), one mode per run (the first argument). Each prints `RESULT <json>` or fails:
 *   then         a map returns records of a class with a then() method: they are records
 *   truthy       a filter returns 1, 0, '', 'x', null, undefined, NaN, {}: truthy ones pass
 *   async-map    a map returns a promise from record 3 on: the task fails naming the MapFunction
 *   async-filter a filter returns a promise at record 3: the task fails naming the FilterFunction
 *   bad-field    200 records {n, f} of one layout, then one whose f is a function: the job fails
 *                naming the Map whose output could not be copied and the field
 *   classes      plain records {x, y} and instances of an exported class with the same fields,
 *                alternating: each keeps its kind through two copying outputs
 *   mutate       a filter changes the record it was given: the map's own object (kept) is not changed
 *   async-sink   an async sink chained behind a map and a filter: each invoke once, in order
 *   this         plain functions that keep a count on `this` as map, filter and sink, chained
 *                (compiled in) and at the head of a chain: `this` is the operator in both
 *   wrapped      sources that run a SequenceSource with a context made from theirs ({...ctx} and
 *                Object.create(ctx)) with a collect of their own: it sees every record
 */
import { RestartStrategies, RichParallelSourceFunction, SequenceSource, StreamExecutionEnvironment, type SourceContext } from 'miniflink';

/** A record class the job exports (so it is registered and keeps its class when copied). */
export class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  sum(): number {
    return this.x + this.y;
  }
}

/** A record whose class has a then() method (a fluent builder, not a promise). */
export class Rule {
  constructor(public name: string) {}
  then(next: string): string {
    return `${this.name} then ${next}`;
  }
}

const [mode] = process.argv.slice(2);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(1);
env.setRestartStrategy(RestartStrategies.noRestart());

const print = (v: unknown) => console.log(`RESULT ${JSON.stringify(v)}`);

if (mode === 'then') {
  const out = await env
    .fromSequence(1, 3)
    .map((n) => new Rule(`r${n}`))
    .filter((r) => r.name !== 'r2')
    .map((r) => (r instanceof Rule ? r.then('x') : 'not a Rule'))
    .executeAndCollect();
  print(out);
} else if (mode === 'truthy') {
  const values: unknown[] = [1, 0, '', 'x', null, undefined, NaN, {}];
  const out = await env
    .fromSequence(0, values.length - 1)
    .filter((n) => values[n] as boolean)
    .executeAndCollect();
  print(out);
} else if (mode === 'async-map') {
  await env
    .fromSequence(1, 10)
    .map((n) => (n >= 3 ? Promise.resolve(n) : n))
    .addSink(() => {});
  await env.execute('async map');
} else if (mode === 'async-filter') {
  await env
    .fromSequence(1, 10)
    .filter((n) => (n === 3 ? (Promise.resolve(true) as unknown as boolean) : true))
    .addSink(() => {});
  await env.execute('async filter');
} else if (mode === 'bad-field') {
  await env
    .fromSequence(1, 300)
    .map((n) => ({ n, f: n === 201 ? ((() => n) as unknown as number) : n }))
    .filter((r) => r.n > 0)
    .addSink(() => {});
  await env.execute('bad field');
} else if (mode === 'classes') {
  const out = await env
    .fromSequence(1, 100)
    .map((n) => (n % 2 === 0 ? new Point(n, 1) : { x: n, y: 1 }))
    .filter((p) => p.x > 0)
    .map((p) => `${p instanceof Point ? 'Point' : Object.getPrototypeOf(p) === Object.prototype ? 'plain' : 'other'}:${p.x}`)
    .executeAndCollect();
  print(out);
} else if (mode === 'mutate') {
  // The map keeps the object it emitted; the filter changes what it was given (all in the slot thread).
  const kept: Array<{ n: number }> = [];
  const seen: string[] = [];
  env
    .fromSequence(1, 50)
    .map((n) => {
      const r = { n };
      kept.push(r);
      return r;
    })
    .filter((r) => {
      r.n = -1;
      return true;
    })
    .map((r) => `${r.n}`)
    .addSink({
      invoke(s: string) {
        seen.push(s);
      },
      finish() {
        print({ out: [...new Set(seen)], count: seen.length, changed: kept.filter((r) => r.n === -1).length, kept: kept.length });
      },
    });
  await env.execute('mutate');
} else if (mode === 'async-sink') {
  const written: number[] = [];
  env
    .fromSequence(1, 500)
    .map((n) => ({ n }))
    .filter((r) => r.n % 5 !== 0)
    .addSink({
      async invoke(r: { n: number }) {
        await new Promise((resolve) => setImmediate(resolve));
        written.push(r.n);
      },
      finish() {
        print({ count: written.length, ordered: written.every((n, i) => i === 0 || n > written[i - 1]!), sum: written.reduce((a, b) => a + b, 0) });
      },
    });
  await env.execute('async sink');
}

if (mode === 'this') {
  // Plain functions called as processElement calls them: with the operator as `this`.
  function numbered(this: { seen?: number }, n: number): string {
    this.seen = (this.seen ?? 0) + 1;
    return `${n}#${this.seen}`;
  }
  function keepAll(this: unknown): boolean {
    return this !== undefined;
  }
  const lines: string[] = [];
  function write(this: { written?: number } | undefined, s: string): void {
    if (this === undefined) throw new Error('the sink function has no this');
    this.written = (this.written ?? 0) + 1;
    lines.push(`${s}@${this.written}`);
  }
  const chained = env.fromSequence(1, 3).map(numbered).filter(keepAll);
  const head = env.fromSequence(1, 3).rebalance().map(numbered).filter(keepAll);
  chained.union(head.rebalance()).addSink({
    invoke: write,
    finish() {
      print([...lines].sort());
    },
  });
  await env.execute('this');
} else if (mode === 'wrapped') {
  /** A SequenceSource run with a context made from the task's, whose collect multiplies. */
  class Scaled extends RichParallelSourceFunction<number> {
    private readonly inner = new SequenceSource(1, 5);
    constructor(private readonly how: 'spread' | 'create') {
      super();
    }
    override open(): void {
      this.inner.setRuntimeContext(this.getRuntimeContext());
    }
    run(ctx: SourceContext<number>): Promise<void> {
      const collect = (n: number) => ctx.collect(n * (this.how === 'spread' ? 100 : 1000));
      const wrapped: SourceContext<number> = this.how === 'spread' ? { ...ctx, collect } : Object.assign(Object.create(ctx) as SourceContext<number>, { collect });
      return this.inner.run(wrapped);
    }
    cancel(): void {
      this.inner.cancel();
    }
  }
  const out = await env.addSource(new Scaled('spread')).union(env.addSource(new Scaled('create'))).executeAndCollect();
  print(out.sort((a, b) => a - b));
}
