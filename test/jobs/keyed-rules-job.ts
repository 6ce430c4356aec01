/**
 * Rules of keyed functions, one mode each (test/integration/keyed-rules.test.ts):
 *   async   an async KeyedProcessFunction.processElement (it awaits, then uses keyed state): the
 *           job fails with MF_ERR_INVALID_PROGRAM, as Flink's functions are synchronous.
 *   apply   a KeyedBroadcastProcessFunction counts per key; once the keyed side has had its four
 *           records (a marker file), the rule source sends a rule, whose processBroadcastElement
 *           multiplies every count by 100 with applyToKeyedState and prints what it visited
 *           right after the call; the keyed side then gets two more records.
 *   random  a key selector with a random part at parallelism 2: a record reaches a subtask that
 *           does not own its key downstream; the job fails with Flink's key group message.
 * Arguments: <mode> <backend: hashmap | leveldb> <marker dir>
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KeyedBroadcastProcessFunction,
  KeyedProcessFunction,
  LevelDbStateBackend,
  MapStateDescriptor,
  RichSourceFunction,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedBroadcastContext,
  type KeyedProcessContext,
  type KeyedReadOnlyBroadcastContext,
  type SourceContext,
  type ValueState,
} from 'miniflink';

const [mode, backend, markers] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (backend === 'leveldb') env.setStateBackend(new LevelDbStateBackend());
const COUNT = new ValueStateDescriptor<number>('count');
const RULES = new MapStateDescriptor<string, number>('rules');

class AsyncCount extends KeyedProcessFunction<string, string, string> {
  private c!: ValueState<number>;
  override open(): void {
    this.c = this.getRuntimeContext().getState(COUNT);
  }
  async processElement(r: string, ctx: KeyedProcessContext<string>, out: Collector<string>): Promise<void> {
    await Promise.resolve();
    const n = (this.c.value() ?? 0) + 1;
    this.c.update(n);
    out.collect(`rec=${r} currentKey=${ctx.getCurrentKey()} n=${n}`);
  }
}

/** The keyed records: four, then (once the rule was applied: a marker) two more. */
class Keys extends RichSourceFunction<string> {
  private running = true;
  async run(ctx: SourceContext<string>): Promise<void> {
    for (const k of ['a', 'b', 'c', 'a']) await ctx.collect(k);
    while (this.running && !existsSync(join(markers!, 'applied'))) await sleep(10);
    for (const k of ['a', 'd']) await ctx.collect(k);
  }
  cancel(): void {
    this.running = false;
  }
}

/** One rule, once the keyed side has counted its first four records (a marker). */
class Rules extends RichSourceFunction<number> {
  private running = true;
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && !existsSync(join(markers!, 'counted'))) await sleep(10);
    await ctx.collect(100);
  }
  cancel(): void {
    this.running = false;
  }
}

class Scale extends KeyedBroadcastProcessFunction<string, string, number, string> {
  private c!: ValueState<number>;
  private seen = 0;
  override open(): void {
    this.c = this.getRuntimeContext().getState(COUNT);
  }
  processElement(k: string, ctx: KeyedReadOnlyBroadcastContext<string>, out: Collector<string>): void {
    this.c.update((this.c.value() ?? 0) + 1);
    out.collect(`${k} count=${this.c.value()} rule=${ctx.getBroadcastState(RULES).get('x') ?? '-'}`);
    if (++this.seen === 4) writeFileSync(join(markers!, 'counted'), '');
  }
  processBroadcastElement(r: number, ctx: KeyedBroadcastContext, out: Collector<string>): void {
    const seen: string[] = [];
    ctx.applyToKeyedState(COUNT, (key: unknown, s: ValueState<number>) => {
      seen.push(`${String(key)}=${s.value()}`);
      s.update(s.value()! * r);
    });
    out.collect(`after applyToKeyedState: visited=${seen.length} ${seen.sort().join(',')}`);
    ctx.getBroadcastState(RULES).put('x', r);
    writeFileSync(join(markers!, 'applied'), '');
  }
}

class Count extends KeyedProcessFunction<string, { x: number }, string> {
  private c!: ValueState<number>;
  override open(): void {
    this.c = this.getRuntimeContext().getState(COUNT);
  }
  processElement(r: { x: number }, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const n = (this.c.value() ?? 0) + 1;
    this.c.update(n);
    out.collect(`key=${ctx.getCurrentKey()} x=${r.x} n=${n}`);
  }
}

mkdirSync(markers!, { recursive: true });
if (mode === 'async') {
  env.setParallelism(1);
  env.fromCollection(['a', 'b', 'a']).keyBy((x) => x).process(new AsyncCount()).print();
} else if (mode === 'apply') {
  env.setParallelism(1);
  env
    .addSource(new Keys())
    .keyBy((x) => x)
    .connect(env.addSource(new Rules()).broadcast(RULES))
    .process(new Scale())
    .print();
} else {
  env.setParallelism(2);
  env
    .fromSequence(1, 64)
    .map((x) => ({ x }))
    .keyBy((r) => `${r.x}-${Math.floor(Math.random() * 1000)}`)
    .process(new Count())
    .print();
}
await env.execute(`keyed rules (${mode})`);
